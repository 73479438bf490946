import { defineRule, type RelatedInfo, type Report, type SetContext } from '../engine/types';
import type { IndexModel, TableModel } from '../model/types';
import { headSpan, mentionedInDoBlock } from './design-util';
import { applyOrder, columnsSql, quoteIdent, tableLabel, tableSql } from './util';

/** A UNIQUE constraint or index on NOT NULL columns: a primary key in all but name. */
function naturalKey(t: TableModel): IndexModel | undefined {
  return t.indexes.find((i) => i.unique && !i.partial && i.method === 'btree' && i.columns.length > 0
    && i.columns.every((c) => t.columns.get(c)?.notNull));
}

/**
 * Prisma's implicit many-to-many table (`_PostToTag`, or `_` and the relation's name): the NOT NULL columns "A" and
 * "B", and the unique index on them that Prisma ORM 5 keys it by (ORM 6 makes the pair its primary key). That index.
 */
function prismaImplicitKey(t: TableModel): IndexModel | undefined {
  if (!t.name.startsWith('_') || t.columns.size !== 2 || !t.columns.get('A')?.notNull || !t.columns.get('B')?.notNull) return undefined;
  return t.indexes.find((i) => i.unique && !i.partial && i.method === 'btree' && i.columns.length === 2 && i.columns[0] === 'A' && i.columns[1] === 'B');
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
  prismaImplicit: 'Table {{table}} is Prisma\'s implicit many-to-many table{{more}}, keyed as Prisma ORM 5 makes them by a unique index on ("A", "B") ({{index}}): rows can be told apart, but logical replication rejects its UPDATEs and DELETEs. Prisma ORM 6 makes the pair the primary key in the first migration `prisma migrate dev` writes after the upgrade; do not add the key by hand before it (Prisma 5 would take it for drift and undo it). That migration adds the key with a new index built under an ACCESS EXCLUSIVE lock, which blocks reads and writes of a large table for the whole build: replace it with the recipe, which makes the existing index the key at once.',
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
      'The check runs on the schema at the end of the migration set, so a primary key added by a later migration counts. Temporary tables, partitions (they take the partitioned table\'s key), `CREATE TABLE … AS` and `CREATE TABLE … (LIKE … INCLUDING INDEXES)` are not checked, nor is a one-row settings table (every column has a default and none is an id). Nor is a table that a `DO` block of the set mentions together with PRIMARY KEY: DO bodies are not analysed, and migrations often add keys conditionally inside them. When the table already has a UNIQUE key on NOT NULL columns, it is a key in all but name (rows can be told apart and addressed; only logical replication needs it named, or a REPLICA IDENTITY USING INDEX): the finding is info, and the message shows how to promote it. Prisma\'s implicit many-to-many tables (the NOT NULL columns `"A"` and `"B"` and a unique index on them, which Prisma ORM 5 creates and ORM 6 turns into a primary key) are said once for the whole set, as info: the key comes with the upgrade, and a hand-written one would be undone by Prisma 5 as drift. The recipe is the upgrade\'s migration written to make the existing index the key (`ADD CONSTRAINT … PRIMARY KEY USING INDEX`, a moment\'s lock) instead of building a new one under an ACCESS EXCLUSIVE lock.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const skipped = skippedPrimaryKeys(ctx);
    const prisma: { t: TableModel; key: IndexModel }[] = [];
    for (const t of ctx.model.tables.values()) {
      if (t.temporary || t.partitionOf || t.columns.size === 0) continue;
      if (t.constraints.some((c) => c.kind === 'primary')) continue;
      const stmt = ctx.statementAt(t.created);
      if (stmt && /\bINCLUDING\s+(ALL|INDEXES)\b/i.test(stmt.text)) continue;
      if (skipped.has(t) || mentionedInDoBlock(ctx, t.name, 'primary key')) continue;
      // A one-row settings table (every column has a default, none is an id): there is one row to tell apart.
      if ([...t.columns.values()].every((c) => c.hasDefault && !/(^|_)id$/i.test(c.name))) continue;
      const implicit = prismaImplicitKey(t);
      if (implicit) {
        prisma.push({ t, key: implicit });
        continue;
      }
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
    if (prisma.length) reports.push(prismaImplicitReport(ctx, prisma));
    return reports;
  },
});

/**
 * Prisma's implicit many-to-many tables, said once for the project (they are one choice of its ORM, and one upgrade
 * changes them all): on the first created, the others as related locations. The recipe is the upgrade's migration
 * written so it takes its lock for a moment: ADD CONSTRAINT … PRIMARY KEY USING INDEX renames the index to the
 * constraint's name, which is the one Prisma ORM 6 expects, so the DROP INDEX Prisma writes is not needed either.
 */
function prismaImplicitReport(ctx: SetContext, tables: { t: TableModel; key: IndexModel }[]): Report<keyof typeof messages> {
  const order = applyOrder(ctx.files);
  const inSet = new Set(ctx.files.map((f) => f.path));
  // The first one the set's migrations create (one from the baseline dump has no statement here to act on).
  const sorted = [...tables].sort((a, b) => Number(inSet.has(b.t.created.file)) - Number(inSet.has(a.t.created.file)) || order(a.t.created, b.t.created));
  const [{ t: first, key }, ...rest] = sorted;
  const stmt = ctx.statementAt(first.created);
  const related: RelatedInfo[] = rest.slice(0, 50).map(({ t }) => ({ file: t.created.file, span: t.created.span, message: `${tableLabel(t)} is one too` }));
  const recipe = [
    '-- in place of what prisma migrate dev writes for each table after the upgrade to Prisma ORM 6 (ADD CONSTRAINT … PRIMARY KEY ("A", "B"), then DROP INDEX):',
    ...sorted.map(({ t, key: k }) => `ALTER TABLE ${tableSql(t)} ADD CONSTRAINT ${quoteIdent(`${t.name}_AB_pkey`)} PRIMARY KEY USING INDEX ${quoteIdent(k.name)};`),
  ].join('\n');
  return {
    file: first.created.file,
    span: stmt ? headSpan(stmt) : first.created.span,
    statement: stmt,
    severity: 'info',
    messageId: 'prismaImplicit',
    data: { table: tableLabel(first), more: rest.length ? `, like the ${rest.length} listed with this finding` : '', index: key.name },
    related,
    recipe,
  };
}
