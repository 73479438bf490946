import { defineRule, type SetContext, type Report } from '../engine/types';
import type { IndexModel, TableModel } from '../model/types';
import { mentionedAfter, mentionedInDoBlock, removeStatementEdit } from './design-util';
import { applyOrder, fileOf, quoteIdent, related, tableLabel } from './util';

// Operator classes, collations and sort orders change what an index can serve; the model does not keep them,
// so an index written with any of them is never compared.
const SPECIAL = /\b\w+_ops\b|\bCOLLATE\b|\bDESC\b|\bNULLS\s+(FIRST|LAST|NOT\s+DISTINCT)\b/i;

function comparable(ctx: SetContext, i: IndexModel): boolean {
  if (i.partial || i.columns.some((c) => c.startsWith('('))) return false;
  if (i.constraint) return i.method === 'btree';
  const stmt = ctx.statementAt(i.origin);
  return !stmt || !stmt.actions.some((a) => a.type === 'create-index') || !SPECIAL.test(stmt.text);
}

/** `a` is redundant next to `b`: every lookup `a` serves, `b` serves, and `a` enforces nothing `b` does not. */
function redundantNextTo(a: IndexModel, b: IndexModel): boolean {
  if (a.constraint || a.method !== b.method) return false;
  const equal = a.columns.length === b.columns.length && a.columns.every((c, k) => c === b.columns[k]);
  const prefix = a.method === 'btree' && a.columns.length < b.columns.length && a.columns.every((c, k) => c === b.columns[k]);
  if (!equal && !prefix) return false;
  if (a.unique && !(equal && b.unique)) return false;
  const servedByB = new Set([...b.columns, ...b.include]);
  return a.include.every((c) => servedByB.has(c));
}

function indexLabel(i: IndexModel): string {
  return `${i.constraint ? `the index of constraint ${i.constraint}` : `index ${i.name}`} (${i.columns.join(', ')})`;
}

const messages = {
  duplicate: 'Index {{index}} on {{table}} ({{columns}}) duplicates {{other}}: it serves no query the other does not, yet every write to {{table}} maintains both. Drop {{index}}.',
  redundant: 'Index {{index}} on {{table}} ({{columns}}) is redundant: {{other}} starts with the same columns and serves the same lookups, yet every write to {{table}} maintains both. Drop {{index}}.',
};

export const noDuplicateIndex = defineRule({
  id: 'no-duplicate-index',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Do not build an index another index already covers',
  messages,
  rationale:
    'A B-tree index on (a) serves nothing that an index on (a, b) does not: PostgreSQL uses the leading columns of a multicolumn index for the same lookups and ranges, and an index identical to another, or to a primary key or unique constraint, serves nothing at all. Yet every INSERT, and every UPDATE that changes an indexed column, writes to both; VACUUM scans both; and both take disk, memory for caching and WAL. Drop the redundant index.',
  docs: {
    bad: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, created_at timestamptz NOT NULL);\nCREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    good: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, created_at timestamptz NOT NULL);\nCREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);',
    details:
      'Indexes are compared on the schema at the end of the migration set. A unique index is redundant only next to another unique index on exactly the same columns; the index behind a PRIMARY KEY, UNIQUE or EXCLUDE constraint is never reported (drop the constraint instead if it is the duplicate). Partial indexes, expression indexes and indexes written with an operator class, a collation or a sort order are not compared, and a prefix counts only for B-tree indexes. The fix deletes the redundant `CREATE INDEX` statement; it is never applied by "fix all", and if that migration has already run, drop the index in a new one with `DROP INDEX CONCURRENTLY` instead.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const t of ctx.model.tables.values()) {
      if (t.temporary || t.partitionOf) continue;
      const indexes = t.indexes.filter((i) => comparable(ctx, i));
      for (const a of indexes) {
        const cover = bestCover(ctx, a, indexes);
        if (!cover || mentionedInDoBlock(ctx, a.name)) continue;
        reports.push(report(ctx, t, a, cover));
      }
    }
    return reports;
  },
});

function bestCover(ctx: SetContext, a: IndexModel, indexes: IndexModel[]): IndexModel | undefined {
  const covers = indexes.filter((b) => {
    if (b === a || !redundantNextTo(a, b)) return false;
    // Of two identical indexes, the later one is the redundant one.
    if (redundantNextTo(b, a)) return applyOrder(ctx.files)(b.origin, a.origin) < 0;
    return true;
  });
  // Prefer naming a constraint's index, then the shortest cover.
  return covers.sort((x, y) => Number(Boolean(y.constraint)) - Number(Boolean(x.constraint)) || x.columns.length - y.columns.length)[0];
}

function report(ctx: SetContext, t: TableModel, a: IndexModel, b: IndexModel): Report<keyof typeof messages> {
  const stmt = ctx.statementAt(a.origin);
  const file = fileOf(ctx, a.origin.file);
  const same = a.columns.length === b.columns.length;
  const standalone = stmt && stmt.actions.length === 1 && stmt.actions[0].type === 'create-index';
  // A later statement naming the index (ALTER INDEX, COMMENT ON INDEX, CLUSTER … USING) would break without it.
  const written = stmt?.actions[0]?.type === 'create-index' ? stmt.actions[0].index.name : undefined;
  const names = [a.name, written].filter((n): n is string => Boolean(n));
  const namedLater = stmt !== undefined && names.some((n) => mentionedAfter(ctx, stmt, n));
  const fixes = standalone && file && !namedLater
    ? [{ title: `Remove the redundant index ${a.name}`, safe: false, edits: [removeStatementEdit(file.text, stmt)] }]
    : [];
  return {
    file: a.origin.file,
    span: stmt?.span ?? a.origin.span,
    statement: stmt,
    messageId: same ? 'duplicate' : 'redundant',
    data: { index: a.name, table: tableLabel(t), columns: a.columns.join(', '), other: indexLabel(b) },
    related: related(b.origin, `${b.constraint ? `constraint ${b.constraint}` : `index ${b.name}`} is created here`),
    recipe: `DROP INDEX CONCURRENTLY ${t.schema !== 'public' ? `${quoteIdent(t.schema)}.` : ''}${quoteIdent(a.name)};`,
    fixes,
  };
}
