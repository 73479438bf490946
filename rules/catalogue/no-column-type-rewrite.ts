import { defineRule, type Report, type StatementContext } from '../engine/types';
import { isBinaryCompatibleChange } from '../locks';
import type { QName, TypeRef } from '../model/types';
import { commandOf, isExisting, spanOf, tableText } from './locking-util';
import { quoteIdent, typeSql } from './util';

const MAYBE_FREE = new Set(['text', 'varchar', 'numeric', 'varbit', 'inet', 'citext']);
const UTC = /^(utc|etc\/utc|etc\/universal|universal|zulu|etc\/zulu|gmt|etc\/gmt|z|utc0|gmt0)$/i;

const messages = {
  timezone: "ALTER COLUMN {{column}} TYPE timestamptz reads every stored timestamp as a time in the session TimeZone; PostgreSQL 12+ skips the rewrite only when that TimeZone is UTC. Otherwise {{table}} and all its indexes are rewritten under an ACCESS EXCLUSIVE lock: every query on {{table}} waits, SELECT included. If the stored values are UTC, SET TimeZone = 'UTC' before it: the change is then instant and correct.",
  rewrite: 'ALTER COLUMN {{column}} TYPE from {{from}} to {{to}}{{using}} rewrites {{table}} and rebuilds all its indexes under an ACCESS EXCLUSIVE lock: every query on {{table}} waits, SELECT included, for the whole rewrite. Add a new column of the new type, keep it in sync with a trigger, backfill it in batches, then swap the names in one short transaction.',
  rewriteMaybe: 'ALTER COLUMN {{column}} TYPE {{to}}{{using}} rewrites {{table}} and rebuilds all its indexes under an ACCESS EXCLUSIVE lock unless the change is binary-compatible (such as varchar(n) → text): every query on {{table}} waits, SELECT included, for the whole rewrite. Add a new column of the new type, keep it in sync with a trigger, backfill it in batches, then swap the names in one short transaction.',
};

export const noColumnTypeRewrite = defineRule({
  id: 'no-column-type-rewrite',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  scalesWithTableSize: true,
  title: 'Change column types without rewriting the table',
  messages,
  rationale:
    'ALTER COLUMN … TYPE rewrites the whole table and rebuilds every index while holding an ACCESS EXCLUSIVE lock, unless the old and new types are binary-compatible: every query, SELECT included, waits for the whole rewrite. Binary-compatible changes are free: varchar(n) → text, varchar(n) → varchar(m ≥ n), numeric(p,s) → numeric(q ≥ p,s), cidr → inet, and (PostgreSQL 12+) timestamp → timestamptz when the session TimeZone is UTC. Anything else (int → bigint, text → varchar(n), a USING expression) needs the expand-and-contract recipe: a new column kept in sync by a trigger, a batched backfill, then a quick swap.',
  docs: {
    bad: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;',
    good: 'ALTER TABLE orders ALTER COLUMN note TYPE text;  -- note was varchar(200): binary-compatible, no rewrite',
    details: 'The old type is read from the schema model. When the model does not know the column (the table predates the migration set), a change to text, varchar, unconstrained numeric, varbit or inet is assumed to be a binary-compatible widening and not reported; any other target is reported as a possible rewrite. `timestamp → timestamptz` reinterprets every stored value in the session TimeZone: PostgreSQL 12+ skips the rewrite only when that TimeZone is UTC, so the recipe sets it, which is right only if the stored values are UTC. Tables created earlier in the same file are exempt.',
  },
  actionTypes: ['alter-column-type'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const pg = ctx.config.postgresVersion;
    for (const a of ctx.statement.actions) {
      if (a.type !== 'alter-column-type' || !isExisting(ctx, a.table)) continue;
      const from = ctx.before.table(a.table)?.columns.get(a.column)?.type;
      const tz = from?.name === 'timestamp' && a.newType.name === 'timestamptz' && from.mods.join() === a.newType.mods.join() && !from.array && !a.newType.array;
      if (tz && !a.using && pg >= 12) {
        if (utcEarlier(ctx)) continue;
        reports.push(timezone(ctx, a.table, a.column));
        continue;
      }
      if (!tz && from && !a.using && isBinaryCompatibleChange(from, a.newType)) continue;
      // Old type unknown (the table predates the migration set): a change to text, varchar or an unconstrained
      // numeric is most often the binary-compatible widening, so only other targets are reported.
      if (!from && !a.using && MAYBE_FREE.has(a.newType.name) && (a.newType.name !== 'numeric' || a.newType.mods.length === 0)) continue;
      reports.push(rewrite(ctx, a, a.table, a.column, from, a.newType, a.using, a.usingText));
    }
    return reports;
  },
});

/** `SET TimeZone = 'UTC'` ran earlier in this file. */
function utcEarlier(ctx: StatementContext): boolean {
  let utc = false;
  for (const s of ctx.file.statements.slice(0, ctx.statement.index)) {
    for (const a of s.actions) {
      if (a.type === 'set' && (a.name === 'timezone' || a.name === 'time zone')) utc = UTC.test((a.value ?? '').trim());
      if (a.type === 'reset' && (a.name === 'timezone' || a.name === 'all')) utc = false;
    }
  }
  return utc;
}

function timezone(ctx: StatementContext, table: QName, column: string): Report<keyof typeof messages> {
  const t = tableText(ctx, table);
  return {
    messageId: 'timezone',
    data: { column, table: t },
    recipe: `SET TimeZone = 'UTC';  -- only if the stored values are UTC: they are read in this time zone\nALTER TABLE ${t} ALTER COLUMN ${quoteIdent(column)} TYPE timestamptz;`,
  };
}

/** Types of PostgreSQL itself (a user type, such as an enum, may be dropped by the same migration). */
const BUILTIN_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'bool', 'text', 'varchar', 'bpchar', 'char', 'uuid', 'json', 'jsonb', 'bytea',
  'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'inet', 'cidr', 'macaddr', 'money', 'xml', 'bit', 'varbit', 'oid', 'citext']);

function rewrite(ctx: StatementContext, action: object, table: QName, column: string, from: TypeRef | undefined, to: TypeRef, using: boolean, usingText?: string): Report<keyof typeof messages> {
  const t = tableText(ctx, table);
  const col = quoteIdent(column);
  const tmp = quoteIdent(`${column}_new`);
  const fn = quoteIdent(`${ctx.before.table(table)?.name ?? table.name}_${column}_sync`);
  const newType = typeSql(to);
  const cmd = commandOf(ctx, action);
  // The old column's NOT NULL and DEFAULT move to the new one at the swap, and leave the old one: kept NOT NULL
  // without the trigger, it would refuse every insert that no longer names it.
  const old = ctx.before.table(table)?.columns.get(column);
  const check = quoteIdent(`${column}_new_not_null`);
  const oldCol = quoteIdent(`${column}_old`);
  const recipe = [
    '-- 1. a new column, kept in sync by a trigger',
    `ALTER TABLE ${t} ADD COLUMN ${tmp} ${newType};`,
    // The migration's USING expression converts each row as ALTER TYPE would (a plain assignment cast may not: a
    // timestamp read in the session's time zone); in the trigger it reads the new row's columns.
    `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.${tmp} := ${usingText ? `(SELECT ${usingText} FROM (SELECT NEW.*) AS r)` : `NEW.${col}`}; RETURN NEW; END $$;`,
    `CREATE TRIGGER ${fn} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
    '-- 2. backfill in batches, outside the migration\'s transaction (repeat until 0 rows)',
    `UPDATE ${t} SET ${tmp} = ${usingText ?? col} WHERE ctid IN (SELECT ctid FROM ${t} WHERE ${tmp} IS NULL AND ${col} IS NOT NULL LIMIT 10000);`,
    ...(old?.notNull ? [
      '-- 3. prove the new column NOT NULL while reads and writes continue (VALIDATE takes SHARE UPDATE EXCLUSIVE)',
      `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${tmp} IS NOT NULL) NOT VALID;`,
      `ALTER TABLE ${t} VALIDATE CONSTRAINT ${check};`,
    ] : []),
    `-- ${old?.notNull ? 4 : 3}. a later migration: swap in one short transaction (recreate indexes and constraints on the new column concurrently first)`,
    'BEGIN;',
    `ALTER TABLE ${t} RENAME COLUMN ${col} TO ${oldCol};`,
    `ALTER TABLE ${t} RENAME COLUMN ${tmp} TO ${col};`,
    `DROP TRIGGER ${fn} ON ${t};`,
    ...(old?.hasDefault ? [
      // A default with a cast names the old type: the user adapts it to the new one.
      old.defaultText && !old.defaultText.includes('::')
        ? `ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT ${old.defaultText};`
        : `-- ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT ${old.defaultText ? `${old.defaultText} (cast to ${newType})` : `<the default of ${column}>`};`,
      `ALTER TABLE ${t} ALTER COLUMN ${oldCol} DROP DEFAULT;`,
    ] : []),
    ...(old?.notNull ? [
      `ALTER TABLE ${t} ALTER COLUMN ${oldCol} DROP NOT NULL;`,
      `ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL;  -- PostgreSQL 12+: the validated CHECK spares the scan`,
      `ALTER TABLE ${t} DROP CONSTRAINT ${check};`,
    ] : []),
    'COMMIT;',
    `-- ${old?.notNull ? 5 : 4}. when no code reads it any more: ALTER TABLE ${t} DROP COLUMN ${oldCol};`,
    ...(from && !BUILTIN_TYPES.has(from.name) ? [`--    ${oldCol} keeps type ${typeSql(from)} until then: drop or rename that type only after it.`] : []),
  ].join('\n');
  return {
    messageId: from ? 'rewrite' : 'rewriteMaybe',
    data: { column, table: t, ...(from ? { from: typeSql(from) } : {}), to: newType, using: using ? ' with USING' : '' },
    span: cmd ? spanOf(cmd) : undefined,
    recipe,
  };
}
