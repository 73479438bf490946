import { defineRule, type Report } from '../engine/types';
import { requiresEmptyTable, type ActionOf, type TypeRef } from '../model/types';
import { bareTableName, batchedBackfillOf, isExisting, tableText } from './locking-util';
import { quoteIdent, typeSql } from './util';
import { pgObjectName } from '../model/names';

/** A constant existing rows could get, by type; undefined when no constant makes sense (uuid). */
function sampleDefault(t: TypeRef): string | undefined {
  if (t.array) return "'{}'";
  if (['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'money'].includes(t.name)) return '0';
  if (['text', 'varchar', 'bpchar', 'citext'].includes(t.name)) return "''";
  if (t.name === 'bool') return 'false';
  if (['timestamptz', 'timestamp', 'date'].includes(t.name)) return 'now()';
  if (t.name === 'jsonb' || t.name === 'json') return "'{}'";
  if (t.name === 'uuid') return undefined;
  return '<value>';
}

const messages = {
  withDefault: 'ADD COLUMN {{column}} … NOT NULL without a DEFAULT fails as soon as {{table}} has a row ("column {{column}} contains null values"). Give it a constant DEFAULT (stored in the catalog since PostgreSQL 11, no rewrite), or add it nullable, backfill in batches, then set NOT NULL with CHECK … NOT VALID + VALIDATE.',
  nullableFirst: 'ADD COLUMN {{column}} … NOT NULL without a DEFAULT fails as soon as {{table}} has a row ("column {{column}} contains null values"). Add it nullable, backfill in batches, then set NOT NULL with CHECK … NOT VALID + VALIDATE.',
  withDefaultMany: 'ADD COLUMN {{columns}} … NOT NULL without a DEFAULT: this ALTER TABLE fails as soon as {{table}} has a row ("column {{column}} contains null values"). Give them constant DEFAULTs (stored in the catalog since PostgreSQL 11, no rewrite), or add them nullable, backfill in batches, then set NOT NULL with CHECK … NOT VALID + VALIDATE.',
  nullableFirstMany: 'ADD COLUMN {{columns}} … NOT NULL without a DEFAULT: this ALTER TABLE fails as soon as {{table}} has a row ("column {{column}} contains null values"). Add them nullable, backfill in batches, then set NOT NULL with CHECK … NOT VALID + VALIDATE.',
};

export const noRequiredColumnWithoutDefault = defineRule({
  id: 'no-required-column-without-default',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'NOT NULL columns added to existing tables need a default',
  messages,
  rationale:
    'ADD COLUMN … NOT NULL without a DEFAULT fills every existing row with NULL, so it fails with "column contains null values" as soon as the table has a row: the deploy breaks in production while it passed on an empty development database. Since PostgreSQL 11 a non-volatile DEFAULT is stored in the catalog and needs no rewrite, so `NOT NULL DEFAULT <constant>` is instant. Otherwise add the column nullable, backfill it in batches, then set NOT NULL without a locked scan.',
  docs: {
    bad: 'ALTER TABLE orders ADD COLUMN currency text NOT NULL;',
    good: "ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';",
    details: 'Tables created earlier in the same file are exempt (they are empty). IDENTITY, serial and generated columns have values and are not reported. An ALTER TABLE that adds several such columns fails once: one finding names them all, and its recipe adds and backfills them together (the backfill keeps a value the application already wrote). If the table is certainly empty when the migration runs, suppress the finding with a reason.',
  },
  actionTypes: ['add-column'],
  check(ctx) {
    const pg = ctx.config.postgresVersion;
    // One ALTER TABLE (it names one table) fails once, however many such columns it adds: one finding names them all.
    const added = ctx.statement.actions.filter((a): a is ActionOf<'add-column'> => a.type === 'add-column' && isExisting(ctx, a.table)
      // An earlier statement of this transaction left the table empty (TRUNCATE, DELETE, or such an ADD COLUMN): nothing can violate it.
      && requiresEmptyTable(a.column) && !ctx.emptiedInTransaction(a.table));
    if (added.length === 0) return [];
    const table = added[0].table;
    const columns = added.map((a) => a.column);
    const t = tableText(ctx, table);
    const cols = columns.map((c) => ({
      c, col: quoteIdent(c.name), type: typeSql(c.type), value: sampleDefault(c.type),
      name: quoteIdent(pgObjectName(bareTableName(ctx, table), [c.name], 'not_null')),
    }));
    const viaDefault = pg >= 11 && cols.every((x) => x.value !== undefined);
    const one = cols.length === 1;
    const option1 = viaDefault
      ? `-- PostgreSQL 11+: ${one ? 'a constant default is' : 'constant defaults are'} stored in the catalog, no rewrite (choose the value${one ? '' : 's'} old rows get)\nALTER TABLE ${t} ${cols.map((x) => `ADD COLUMN ${x.col} ${x.type} NOT NULL DEFAULT ${x.value}`).join(', ')};\n\n-- or: `
      : '-- ';
    const recipe = [
      `${option1}nullable first, backfill in batches, then NOT NULL without a long scan`,
      `ALTER TABLE ${t} ${cols.map((x) => `ADD COLUMN ${x.col} ${x.type}`).join(', ')};`,
      batchedBackfillOf(ctx, table, cols.map((x) => ({ column: x.c.name, value: x.value ?? '…' }))),
      '-- in a later migration:',
      ...cols.flatMap((x) => [
        `ALTER TABLE ${t} ADD CONSTRAINT ${x.name} CHECK (${x.col} IS NOT NULL) NOT VALID;`,
        `ALTER TABLE ${t} VALIDATE CONSTRAINT ${x.name};`,
        `ALTER TABLE ${t} ALTER COLUMN ${x.col} SET NOT NULL;`,
        `ALTER TABLE ${t} DROP CONSTRAINT ${x.name};`,
      ]),
    ].join('\n');
    const report: Report<keyof typeof messages> = one
      ? { messageId: viaDefault ? 'withDefault' : 'nullableFirst', data: { column: columns[0].name, table: t }, recipe }
      : { messageId: viaDefault ? 'withDefaultMany' : 'nullableFirstMany', data: { columns: columns.map((c) => c.name).join(', '), column: columns[0].name, table: t }, recipe };
    return [report];
  },
});
