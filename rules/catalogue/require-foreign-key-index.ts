import { defineRule, type Fix, type Report } from '../engine/types';
import type { IndexModel, TableModel } from '../model/types';
import { freeIndexName, mentionedInDoBlock } from './design-util';
import { addIndexFix, flat, columnsSql, findConstraintDef, identName, quoteIdent, related, tableLabel, tableSql, tenantTablesOf } from './util';

/**
 * An index serves the foreign key's lookups when its leading columns are exactly the key's columns, and it is not
 * partial or its condition only asks key columns to be non-null (the lookup `WHERE fk = $1` implies it).
 */
function covers(i: IndexModel, cols: readonly string[]): boolean {
  if (i.partial && !i.notNullFilter?.every((c) => cols.includes(c))) return false;
  if (i.columns.length < cols.length) return false;
  if (i.method !== 'btree' && !(i.method === 'hash' && cols.length === 1)) return false;
  const lead = new Set(i.columns.slice(0, cols.length));
  return cols.every((c) => lead.has(c));
}

const messages = {
  unindexed: 'Foreign key {{name}} on {{table}} ({{columns}}) has no index leading with {{leading}}: every DELETE on {{parent}} (and every UPDATE of its key) scans {{table}} to find referencing rows. Add an index on {{table}} ({{columns}}).',
};

export const requireForeignKeyIndex = defineRule({
  id: 'require-foreign-key-index',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Index the columns of every foreign key',
  messages,
  rationale:
    'PostgreSQL indexes the referenced side of a foreign key (its primary key or unique constraint) but not the referencing columns. Every DELETE of a parent row, and every UPDATE of its key, must look for child rows that reference it, to reject the change or to cascade it: without an index that starts with the foreign key columns, that is a sequential scan of the child table for each parent row, so deleting a thousand parents reads the child table a thousand times while their row locks are held. Joins from parent to child scan as well. Add an index whose leading columns are the foreign key columns.',
  docs: {
    bad: 'CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE TABLE order_items (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE\n);',
    good: 'CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE TABLE order_items (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE\n);\nCREATE INDEX order_items_order_id_idx ON order_items (order_id);',
    details:
      'Any B-tree index, primary key or unique constraint whose first columns are the foreign key\'s columns (in any order) counts, and so does a partial one whose only condition is that key columns are not NULL (`WHERE parent_id IS NOT NULL`: the lookup `WHERE parent_id = $1` a parent makes implies it); other partial indexes do not. The check runs on the schema at the end of the migration set, so an index added by a later migration counts. The fix adds the index right after the statement that declares the foreign key, with CONCURRENTLY when the table existed before that migration file and no transaction block is open (such a fix is not applied by "fix all"). A key to a lookup table of kinds (a `*_types`, `*_statuses` or `*_roles` table of at most three columns with a unique name or code) is not reported: nobody deletes from it. A key from a column that records who changed, approved or invited the row (`updated_by`, `created_by`, `approver_id`, `inviterId`) to a `users` table is reported as info: nobody lists rows by it, and the scan comes only when a user is deleted (an owner or creator column stays a warning: \"my items\" lists read by it). A single-column foreign key on the tenant column is left to `require-tenant-index` (except where the key is nullable beside other nullable scope keys, a table of rows of several scopes that rule leaves alone), and a key whose table, columns and the word INDEX all appear in a `DO` block (not analysed) is not reported.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenantColumn = new Map(
      ctx.config.rules['require-tenant-index'] === 'off' ? [] : tenantTablesOf(ctx.project).filter((x) => !x.key.optional).map((x) => [x.table, x.column] as const),
    );
    // The column sets already judged, per table (one set, emptied for each table).
    const seen = new Set<string>();
    for (const t of ctx.model.tables.values()) {
      if (t.temporary) continue;
      seen.clear();
      for (const fk of t.constraints) {
        if (fk.kind !== 'foreign' || fk.columns.length === 0) continue;
        const cols = fk.columns;
        const key = cols.length === 1 ? cols[0] : [...cols].sort().join('\0');
        if (seen.has(key)) continue;
        seen.add(key);
        if (t.indexes.some((i) => covers(i, cols))) continue;
        // The tenant-index rule already asks for this very index.
        if (cols.length === 1 && tenantColumn.get(t) === cols[0]) continue;
        if (mentionedInDoBlock(ctx, t.name, 'index', ...cols)) continue;
        const stmt = ctx.statementAt(fk.origin);
        const decl = findConstraintDef(stmt, fk);
        const parent = fk.refTable ? ctx.model.table(fk.refTable) : undefined;
        // A lookup table (`credential_types (id, name UNIQUE)`) is never deleted from: the scan never happens.
        if (parent && lookupTable(parent)) continue;
        const parentName = parent ? tableLabel(parent) : fk.refTable ? tableSql(fk.refTable) : 'its parent';
        const name = freeIndexName(ctx.model, t, identName(t.name, ...cols, 'idx'));
        const add = stmt ? addIndexFix(ctx, stmt, t, cols, name, flat`Add index ${name} on ${tableLabel(t)} (${cols.join(', ')})`) : undefined;
        const sql = add?.sql ?? `CREATE INDEX ${quoteIdent(name)} ON ${tableSql(t)} (${columnsSql(cols)});`;
        const fixes: Fix[] = add?.fix ? [add.fix] : [];
        reports.push({
          ...(actorColumn(cols, parent, fk.refTable?.name) ? { severity: 'info' as const } : {}),
          file: fk.origin.file,
          span: decl?.span ?? stmt?.span ?? fk.origin.span,
          statement: stmt,
          messageId: 'unindexed',
          data: { name: fk.name, table: tableLabel(t), columns: cols.join(', '), leading: cols.length > 1 ? 'those columns' : cols[0], parent: parentName },
          related: related(parent?.created, `${parentName} is created here`),
          recipe: sql,
          fixes,
        });
      }
    }
    return reports;
  },
});

/**
 * The user who last changed, approved or invited, kept beside the row (`updated_by`, `approver_id`, `inviterId`):
 * nobody lists rows by it, and the scan it costs comes only when a user is deleted, which most applications do
 * rarely or never. Reported as info. An owner or creator column is not one: "my items" lists read by it.
 */
const ACTOR = /^(?:(?:created|updated|modified|changed|edited|deleted|archived|approved|rejected|reviewed|verified|invited|triggered|banned|closed|resolved|last_?(?:modified|updated|edited|changed))_?by(?:_?user)?(?:_?(?:id|uid))?|(?:updater|modifier|editor|approver|reviewer|inviter|deleter|banner)_?(?:id|uid)?)$/i;
function actorColumn(cols: readonly string[], parent: TableModel | undefined, refName: string | undefined): boolean {
  return cols.length === 1 && ACTOR.test(cols[0]) && /^users?$/i.test(parent?.name ?? refName ?? '');
}

/** A small list of kinds: at most three columns besides timestamps, one of them a unique name or code. */
function lookupTable(t: TableModel): boolean {
  if (!/(types?|kinds?|statuses|states|categories|roles|levels)$/i.test(t.name)) return false;
  const cols = [...t.columns.keys()].filter((c) => !/(^|_)(created|updated)(_?at|_?on)$|^(created|updated)(at|on)$/i.test(c));
  if (cols.length > 3) return false;
  return t.indexes.some((i) => i.unique && i.columns.length === 1 && /^(name|code|key|slug|label|type|kind)$/i.test(i.columns[0]));
}
