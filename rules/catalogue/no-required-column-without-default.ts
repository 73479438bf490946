import { defineRule, type Report } from '../engine/types';
import { requiresEmptyTable, type TypeRef } from '../model/types';
import { bareTableName, batchedBackfill, isExisting, tableText } from './locking-util';
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
    details: 'Tables created earlier in the same file are exempt (they are empty). IDENTITY, serial and generated columns have values and are not reported. If the table is certainly empty when the migration runs, suppress the finding with a reason.',
  },
  actionTypes: ['add-column'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const pg = ctx.config.postgresVersion;
    for (const a of ctx.statement.actions) {
      if (a.type !== 'add-column' || !isExisting(ctx, a.table)) continue;
      const c = a.column;
      if (!requiresEmptyTable(c)) continue;
      // An earlier statement of this transaction left the table empty (TRUNCATE, DELETE, or such an ADD COLUMN): nothing can violate it.
      if (ctx.emptiedInTransaction(a.table)) continue;
      const t = tableText(ctx, a.table);
      const col = quoteIdent(c.name);
      const type = typeSql(c.type);
      const value = sampleDefault(c.type);
      const name = quoteIdent(pgObjectName(bareTableName(ctx, a.table), [c.name], 'not_null'));
      const viaDefault = pg >= 11 && value !== undefined;
      const option1 = viaDefault ? `-- PostgreSQL 11+: a constant default is stored in the catalog, no rewrite (choose the value old rows get)\nALTER TABLE ${t} ADD COLUMN ${col} ${type} NOT NULL DEFAULT ${value};\n\n-- or: ` : '-- ';
      const recipe = `${option1}nullable first, backfill in batches, then NOT NULL without a long scan\nALTER TABLE ${t} ADD COLUMN ${col} ${type};\n${batchedBackfill(ctx, a.table, c.name, value ?? '…')}\n-- in a later migration:\nALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${col} IS NOT NULL) NOT VALID;\nALTER TABLE ${t} VALIDATE CONSTRAINT ${name};\nALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL;\nALTER TABLE ${t} DROP CONSTRAINT ${name};`;
      reports.push({
        messageId: viaDefault ? 'withDefault' : 'nullableFirst',
        data: { column: c.name, table: t },
        recipe,
      });
    }
    return reports;
  },
});
