import { defineRule, type Report, type TextEdit } from '../engine/types';
import type { ConstraintModel, TableModel } from '../model/types';
import { builtin, columnLabel, referencedColumns, typeSites, typeTextSpan } from './design-util';
import { conventionReport, related, tableLabel } from './util';
import { pushTo } from '../model/group';

const INTEGER = 'integer|int4|int|serial4|serial';

const messages = {
  integerKey: 'Primary key {{column}} is {{type}}: ids run out at 2,147,483,647 and then every INSERT into {{table}} fails; widening it later rewrites the table and its indexes under an ACCESS EXCLUSIVE lock. Use {{replacement}}{{also}}.',
  convention: 'The project uses integer (32-bit) primary keys in {{count}} tables: a project-wide choice, so it is reported once. Each runs out at 2,147,483,647 ids, after which every INSERT into its table fails, and widening a key later rewrites the table and its indexes under an ACCESS EXCLUSIVE lock. If the sizes are known to stay small, turn this rule off in .sqlarchitect.json; otherwise use bigint for new tables and widen the busiest ones first.',
};

export const preferBigintPrimaryKey = defineRule({
  id: 'prefer-bigint-primary-key',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Use bigint for surrogate primary keys',
  messages,
  rationale:
    'An `integer` (or `serial`) key runs out at 2,147,483,647. Sequences never reuse values, so rolled-back inserts, bulk loads and upserts burn ids faster than rows grow; when the sequence passes the limit every INSERT fails. Changing the type then rewrites the table, its indexes and every referencing column under an ACCESS EXCLUSIVE lock, which is an outage on exactly the tables that grew large. `bigint` costs 4 more bytes per row and never runs out.',
  docs: {
    bad: 'CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL);',
    good: 'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);',
    details:
      'Single-column primary keys of type `integer`, `serial` or an `integer` identity are checked on the schema at the end of the migration set, so a later `ALTER COLUMN … TYPE bigint` clears the finding. Keys whose values the application assigns (no sequence, identity or default, such as a migration number) are left alone, since nothing makes them run out; so are `smallint` keys (they are a deliberate choice for small lookup tables), and so is a primary key that is itself a foreign key (its type follows the parent). The fix changes the column to `bigint` (`serial` to `bigserial`) together with the `integer` columns that reference it; it changes the type applications read (some drivers return bigint as a string or BigInt), so it is offered but never applied by "fix all". A project that uses integer keys for (nearly) every table made a project-wide choice (often sized for its data): that is one finding for the set, on the first such key, with the others as related locations.',
  },
  checkSet(ctx) {
    const convention = conventionReport(ctx, 'int-keys', 'convention');
    if (convention.length) return convention;
    const reports: Report<keyof typeof messages>[] = [];
    // Where each type is written: found for the first integer key only (most sets have none).
    let sites: ReturnType<typeof typeSites> | undefined;
    const tables = [...ctx.model.tables.values()];
    // Foreign keys by the table they reference.
    const referencing = new Map<TableModel, { table: TableModel; fk: ConstraintModel; columns: string[] }[]>();
    for (const u of tables) {
      for (const fk of u.constraints) {
        const ref = fk.kind === 'foreign' ? referencedColumns(ctx.model, fk) : undefined;
        if (!ref) continue;
        pushTo(referencing, ref.table, { table: u, fk, columns: ref.columns });
      }
    }
    for (const t of tables) {
      if (t.temporary || t.partitionOf) continue;
      const pk = t.constraints.find((c) => c.kind === 'primary');
      if (!pk || pk.columns.length !== 1) continue;
      const col = t.columns.get(pk.columns[0]);
      if (!col || col.type.array || !builtin(col.type, 'int4', 'serial')) continue;
      // Ids the application assigns (a migration number) do not run out; a sequence or identity does.
      if (!col.identity && !col.hasDefault && col.type.name !== 'serial') continue;
      if (t.constraints.some((c) => c.kind === 'foreign' && c.columns.length === 1 && c.columns[0] === col.name)) continue;
      sites ??= typeSites(ctx);
      const site = sites.get(col.type);
      const file = site?.file.path ?? col.origin.file;
      const replacement = col.type.name === 'serial' ? 'bigserial' : 'bigint';
      const edits: TextEdit[] = [];
      const own = site && typeTextSpan(site.file.text, col.type, INTEGER);
      if (own) edits.push({ start: own.start, end: own.end, newText: replacement });
      // The integer columns that reference this key must widen with it.
      const children: string[] = [];
      for (const { table: u, fk, columns } of referencing.get(t) ?? []) {
        const j = columns.indexOf(col.name);
        if (j < 0) continue;
        const childCol = u.columns.get(fk.columns[j]);
        if (!childCol || !builtin(childCol.type, 'int4') || childCol.type.array) continue;
        const label = columnLabel(u, childCol.name);
        if (children.includes(label)) continue;
        children.push(label);
        const childSite = sites.get(childCol.type);
        const span = childSite && typeTextSpan(childSite.file.text, childCol.type, INTEGER);
        if (span) edits.push({ ...(childSite.file.path !== file ? { file: childSite.file.path } : {}), start: span.start, end: span.end, newText: 'bigint' });
      }
      const column = columnLabel(t, col.name);
      const typeName = col.type.name === 'serial' ? 'serial' : 'integer';
      const also = children.length ? ` together with ${children.join(', ')}, which reference${children.length === 1 ? 's' : ''} it` : '';
      reports.push({
        file,
        span: own ? { start: own.start, end: own.end } : site?.statement.span ?? col.origin.span,
        statement: site?.statement,
        messageId: 'integerKey',
        data: { column, type: typeName, table: tableLabel(t), replacement, also },
        related: related(pk.origin.file !== file || pk.origin.span.start !== site?.statement.span.start ? pk.origin : undefined, `the primary key of ${tableLabel(t)} is declared here`),
        fixes: own ? [{ title: `Change ${column} to ${replacement}${children.length ? ` and ${children.length} referencing column${children.length > 1 ? 's' : ''} to bigint` : ''}`, safe: false, edits }] : [],
      });
    }
    return reports;
  },
});
