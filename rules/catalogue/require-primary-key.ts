import { defineRule, type Report, type SetContext } from '../engine/types';
import type { IndexModel, TableModel } from '../model/types';
import { headSpan, mentionedInDoBlock } from './design-util';
import { columnsSql, quoteIdent, tableLabel, tableSql } from './util';

/** A UNIQUE constraint or index on NOT NULL columns: a primary key in all but name. */
function naturalKey(t: TableModel): IndexModel | undefined {
  return t.indexes.find((i) => i.unique && !i.partial && i.method === 'btree' && i.columns.length > 0
    && i.columns.every((c) => t.columns.get(c)?.notNull));
}

/**
 * Tables with an `ADD COLUMN IF NOT EXISTS … PRIMARY KEY`: PostgreSQL skips the whole column, key included, when
 * the column exists, which the model may believe only because a rename inside a DO block went unseen. The author
 * meant a key: stay silent.
 */
function skippedPrimaryKeys(ctx: SetContext): Set<TableModel> {
  const out = new Set<TableModel>();
  for (const f of ctx.files) {
    for (const s of f.statements) {
      for (const a of s.actions) {
        if (a.type !== 'add-column' || !a.ifNotExists || !a.column.constraints.some((c) => c.kind === 'primary')) continue;
        const t = ctx.model.table(a.table);
        if (t) out.add(t);
      }
    }
  }
  return out;
}

const NO_KEY = 'Table {{table}} has no primary key: duplicate rows cannot be told apart, tools cannot update or delete one row, and logical replication rejects its UPDATEs and DELETEs.';
const messages = {
  promoteIndex: `${NO_KEY} Its unique index {{index}} on ({{columns}}) is on NOT NULL columns: promote it to the primary key.`,
  promoteConstraint: `${NO_KEY} Its UNIQUE constraint {{index}} on ({{columns}}) is on NOT NULL columns: make those columns the primary key.`,
  idColumn: `${NO_KEY} Make its id column the primary key.`,
  noKey: `${NO_KEY} Add a primary key, for example an identity column.`,
};

export const requirePrimaryKey = defineRule({
  id: 'require-primary-key',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Tables need a primary key',
  messages,
  rationale:
    'A table without a primary key lets identical rows in, and nothing can address one row reliably: ORMs and admin tools cannot update or delete a single row, and logical replication (publications, zero-downtime upgrades, CDC tools) rejects UPDATE and DELETE on the table unless it has a replica identity. Give every table a primary key; for a surrogate key use `bigint GENERATED ALWAYS AS IDENTITY`.',
  docs: {
    bad: 'CREATE TABLE order_events (order_id bigint NOT NULL, kind text NOT NULL, at timestamptz NOT NULL);',
    good: 'CREATE TABLE order_events (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  order_id bigint NOT NULL,\n  kind text NOT NULL,\n  at timestamptz NOT NULL\n);',
    details:
      'The check runs on the schema at the end of the migration set, so a primary key added by a later migration counts. Temporary tables, partitions (they take the partitioned table\'s key), `CREATE TABLE … AS` and `CREATE TABLE … (LIKE … INCLUDING INDEXES)` are not checked, nor is a one-row settings table (every column has a default and none is an id). Nor is a table that a `DO` block of the set mentions together with PRIMARY KEY: DO bodies are not analysed, and migrations often add keys conditionally inside them. When the table already has a UNIQUE key on NOT NULL columns, it is a key in all but name (rows can be told apart and addressed; only logical replication needs it named, or a REPLICA IDENTITY USING INDEX): the finding is info, and the message shows how to promote it.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const skipped = skippedPrimaryKeys(ctx);
    for (const t of ctx.model.tables.values()) {
      if (t.temporary || t.partitionOf || t.columns.size === 0) continue;
      if (t.constraints.some((c) => c.kind === 'primary')) continue;
      const stmt = ctx.statementAt(t.created);
      if (stmt && /\bINCLUDING\s+(ALL|INDEXES)\b/i.test(stmt.text)) continue;
      if (skipped.has(t) || mentionedInDoBlock(ctx, t.name, 'primary key')) continue;
      // A one-row settings table (every column has a default, none is an id): there is one row to tell apart.
      if ([...t.columns.values()].every((c) => c.hasDefault && !/(^|_)id$/i.test(c.name))) continue;
      const name = tableLabel(t);
      const key = naturalKey(t);
      let messageId: keyof typeof messages;
      let recipe: string;
      if (key && !key.constraint) {
        messageId = 'promoteIndex';
        recipe = `ALTER TABLE ${tableSql(t)} ADD CONSTRAINT ${quoteIdent(`${t.name}_pkey`)} PRIMARY KEY USING INDEX ${quoteIdent(key.name)};`;
      } else if (key) {
        messageId = 'promoteConstraint';
        // A constraint's own index cannot be promoted; build a twin without blocking writes, then promote that.
        const pkey = quoteIdent(`${t.name}_pkey`);
        recipe = `CREATE UNIQUE INDEX CONCURRENTLY ${pkey} ON ${tableSql(t)} (${columnsSql(key.columns)});\nALTER TABLE ${tableSql(t)} ADD CONSTRAINT ${pkey} PRIMARY KEY USING INDEX ${pkey};`;
      } else if (t.columns.has('id')) {
        messageId = 'idColumn';
        recipe = `ALTER TABLE ${tableSql(t)} ADD PRIMARY KEY (id);`;
      } else {
        messageId = 'noKey';
        const surrogate = `-- fills the new column for every row: on a table that already holds rows this rewrites it under an ACCESS EXCLUSIVE lock\nALTER TABLE ${tableSql(t)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;`;
        // A link table (two NOT NULL references, such as danbooru's ai_tags (media_asset_id, tag_id)): the pair is
        // the natural key, and a key on it needs no rewrite.
        const refs = [...t.columns.values()].filter((c) => c.notNull && /(^|_)id$|[a-z]Id$/.test(c.name)).map((c) => c.name);
        const pkey = quoteIdent(`${t.name}_pkey`);
        recipe = refs.length === 2
          ? `-- if each (${refs.join(', ')}) pair appears once, it is the key (the build fails on a repeated pair):\nCREATE UNIQUE INDEX CONCURRENTLY ${pkey} ON ${tableSql(t)} (${columnsSql(refs)});\nALTER TABLE ${tableSql(t)} ADD CONSTRAINT ${pkey} PRIMARY KEY USING INDEX ${pkey};\n-- otherwise a surrogate key:\n${surrogate}`
          : surrogate;
      }
      reports.push({
        file: t.created.file,
        span: stmt ? headSpan(stmt) : t.created.span,
        statement: stmt,
        messageId,
        // A unique key on NOT NULL columns already tells rows apart: what is missing is the name logical replication
        // looks for (Prisma's implicit many-to-many tables, token tables keyed by their token).
        ...(key ? { severity: 'info' as const } : {}),
        data: { table: name, ...(key ? { index: key.name, columns: key.columns.join(', ') } : {}) },
        recipe,
      });
    }
    return reports;
  },
});
