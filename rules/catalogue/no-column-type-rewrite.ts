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
  rewriteMany: 'This ALTER TABLE changes the type of {{count}} columns of {{table}} ({{changes}}): it rewrites {{table}} once for all of them and rebuilds all its indexes under an ACCESS EXCLUSIVE lock{{unless}}: every query on {{table}} waits, SELECT included, for the whole rewrite. Add new columns of the new types, keep them in sync with a trigger, backfill them in batches, then swap the names in one short transaction.',
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
    'ALTER COLUMN … TYPE rewrites the whole table and rebuilds every index while holding an ACCESS EXCLUSIVE lock, unless the old and new types are binary-compatible: every query, SELECT included, waits for the whole rewrite. Binary-compatible changes are free: varchar(n) → text, varchar(n) → varchar(m ≥ n), numeric(p,s) → numeric(q ≥ p,s), cidr → inet, the precision of a time type raised or lifted (timestamp(3) → timestamp(6)), and (PostgreSQL 12+) timestamp → timestamptz when the session TimeZone is UTC and the new type rounds nothing (timestamptz or timestamptz(6); timestamp(3) → timestamptz(3) rewrites, measured on PostgreSQL 18). Anything else (int → bigint, text → varchar(n), a USING expression) needs the expand-and-contract recipe: a new column kept in sync by a trigger, a batched backfill, then a quick swap.',
  docs: {
    bad: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;',
    good: 'ALTER TABLE orders ALTER COLUMN note TYPE text;  -- note was varchar(200): binary-compatible, no rewrite',
    details: 'The old type is read from the schema model. When the model does not know the column (the table predates the migration set), a change to text, varchar, unconstrained numeric, varbit or inet is assumed to be a binary-compatible widening and not reported; any other target is reported as a possible rewrite. `timestamp → timestamptz` reinterprets every stored value in the session TimeZone: PostgreSQL 12+ skips the rewrite only when that TimeZone is UTC, so the recipe sets it, which is right only if the stored values are UTC. One ALTER TABLE that changes several columns rewrites its table once: one finding names every change, and its recipe moves the columns together (one trigger, one backfill, one swap). Tables created earlier in the same file are exempt.',
  },
  actionTypes: ['alter-column-type'],
  check(ctx) {
    const pg = ctx.config.postgresVersion;
    // One ALTER TABLE (it names one table) rewrites the table once, however many of its columns change type: one finding.
    const changes: Change[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'alter-column-type' || !isExisting(ctx, a.table)) continue;
      const from = ctx.before.table(a.table)?.columns.get(a.column)?.type;
      // timestamp → timestamptz that TimeZone UTC makes free (to a precision that rounds nothing).
      const tz = from?.name === 'timestamp' && a.newType.name === 'timestamptz' && !from.array && !a.newType.array && isBinaryCompatibleChange(from, a.newType);
      const change: Omit<Change, 'kind'> = { action: a, table: a.table, column: a.column, from, to: a.newType, using: a.using, usingText: a.usingText };
      if (tz && !a.using && pg >= 12) {
        if (!utcEarlier(ctx)) changes.push({ ...change, kind: 'timezone' });
        continue;
      }
      if (!tz && from && !a.using && isBinaryCompatibleChange(from, a.newType)) continue;
      // Old type unknown (the table predates the migration set): a change to text, varchar or an unconstrained
      // numeric is most often the binary-compatible widening, so only other targets are reported.
      if (!from && !a.using && MAYBE_FREE.has(a.newType.name) && (a.newType.name !== 'numeric' || a.newType.mods.length === 0)) continue;
      changes.push({ ...change, kind: from ? 'rewrite' : 'maybe' });
    }
    if (changes.length === 0) return [];
    // Another column forces the rewrite: the time zone ones are rewritten with it.
    return [changes.every((c) => c.kind === 'timezone') ? timezone(ctx, changes) : rewrite(ctx, changes)];
  },
});

interface Change {
  action: object;
  table: QName;
  column: string;
  from: TypeRef | undefined;
  to: TypeRef;
  using: boolean;
  usingText?: string;
  /** timestamp → timestamptz that UTC makes free; a rewrite; a possible rewrite (the old type is unknown). */
  kind: 'timezone' | 'rewrite' | 'maybe';
}

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

function timezone(ctx: StatementContext, changes: Change[]): Report<keyof typeof messages> {
  const t = tableText(ctx, changes[0].table);
  const columns = changes.map((c) => quoteIdent(c.column));
  return {
    messageId: 'timezone',
    data: { column: changes.map((c) => c.column).join(', '), table: t },
    ...(changes.length > 1 ? { span: spanOfChanges(ctx, changes) } : {}),
    recipe: `SET TimeZone = 'UTC';  -- only if the stored values are UTC: they are read in this time zone\nALTER TABLE ${t} ${changes.map((c, i) => `ALTER COLUMN ${columns[i]} TYPE ${typeSql(c.to)}`).join(', ')};`,
  };
}

/** From the first changed column's command to the last one's (undefined: the whole statement). */
function spanOfChanges(ctx: StatementContext, changes: Change[]): { start: number; end: number } | undefined {
  const first = commandOf(ctx, changes[0].action);
  const last = commandOf(ctx, changes[changes.length - 1].action);
  return first && last ? { start: spanOf(first).start, end: spanOf(last).end } : undefined;
}

/** Types of PostgreSQL itself (a user type, such as an enum, may be dropped by the same migration). */
const BUILTIN_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'bool', 'text', 'varchar', 'bpchar', 'char', 'uuid', 'json', 'jsonb', 'bytea',
  'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'inet', 'cidr', 'macaddr', 'money', 'xml', 'bit', 'varbit', 'oid', 'citext']);

function rewrite(ctx: StatementContext, changes: Change[]): Report<keyof typeof messages> {
  const table = changes[0].table;
  const t = tableText(ctx, table);
  const one = changes.length === 1;
  const before = ctx.before.table(table);
  const cols = changes.map((c) => {
    const old = before?.columns.get(c.column);
    return {
      ...c, old, col: quoteIdent(c.column), tmp: quoteIdent(`${c.column}_new`), oldCol: quoteIdent(`${c.column}_old`),
      check: quoteIdent(`${c.column}_new_not_null`), newType: typeSql(c.to),
    };
  });
  const fn = quoteIdent(one ? `${before?.name ?? table.name}_${changes[0].column}_sync` : `${before?.name ?? table.name}_types_sync`);
  // The old column's NOT NULL and DEFAULT move to the new one at the swap, and leave the old one: kept NOT NULL
  // without the trigger, it would refuse every insert that no longer names it.
  const notNull = cols.filter((c) => c.old?.notNull);
  const step = (n: number) => n + (notNull.length ? 1 : 0);
  const recipe = [
    one ? '-- 1. a new column, kept in sync by a trigger' : '-- 1. new columns, kept in sync by a trigger',
    `ALTER TABLE ${t} ${cols.map((c) => `ADD COLUMN ${c.tmp} ${c.newType}`).join(', ')};`,
    // The migration's USING expression converts each row as ALTER TYPE would (a plain assignment cast may not: a
    // timestamp read in the session's time zone); in the trigger it reads the new row's columns.
    `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${cols.map((c) => `NEW.${c.tmp} := ${c.usingText ? `(SELECT ${c.usingText} FROM (SELECT NEW.*) AS r)` : `NEW.${c.col}`};`).join(' ')} RETURN NEW; END $$;`,
    `CREATE TRIGGER ${fn} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
    '-- 2. backfill in batches, outside the migration\'s transaction (repeat until 0 rows)',
    `UPDATE ${t} SET ${cols.map((c) => `${c.tmp} = ${c.usingText ?? c.col}`).join(', ')} WHERE ctid IN (SELECT ctid FROM ${t} WHERE ${
      one ? `${cols[0].tmp} IS NULL AND ${cols[0].col} IS NOT NULL` : cols.map((c) => `(${c.tmp} IS NULL AND ${c.col} IS NOT NULL)`).join(' OR ')} LIMIT 10000);`,
    ...(notNull.length ? [
      `-- 3. prove the new column${one ? '' : 's'} NOT NULL while reads and writes continue (VALIDATE takes SHARE UPDATE EXCLUSIVE)`,
      ...notNull.flatMap((c) => [
        `ALTER TABLE ${t} ADD CONSTRAINT ${c.check} CHECK (${c.tmp} IS NOT NULL) NOT VALID;`,
        `ALTER TABLE ${t} VALIDATE CONSTRAINT ${c.check};`,
      ]),
    ] : []),
    `-- ${step(3)}. a later migration: swap in one short transaction (recreate indexes and constraints on the new column${one ? '' : 's'} concurrently first)`,
    'BEGIN;',
    ...cols.flatMap((c) => [`ALTER TABLE ${t} RENAME COLUMN ${c.col} TO ${c.oldCol};`, `ALTER TABLE ${t} RENAME COLUMN ${c.tmp} TO ${c.col};`]),
    `DROP TRIGGER ${fn} ON ${t};`,
    ...cols.flatMap((c) => (c.old?.hasDefault ? [
      // A default with a cast names the old type: the user adapts it to the new one.
      c.old.defaultText && !c.old.defaultText.includes('::')
        ? `ALTER TABLE ${t} ALTER COLUMN ${c.col} SET DEFAULT ${c.old.defaultText};`
        : `-- ALTER TABLE ${t} ALTER COLUMN ${c.col} SET DEFAULT ${c.old.defaultText ? `${c.old.defaultText} (cast to ${c.newType})` : `<the default of ${c.column}>`};`,
      `ALTER TABLE ${t} ALTER COLUMN ${c.oldCol} DROP DEFAULT;`,
    ] : [])),
    ...notNull.flatMap((c) => [
      `ALTER TABLE ${t} ALTER COLUMN ${c.oldCol} DROP NOT NULL;`,
      `ALTER TABLE ${t} ALTER COLUMN ${c.col} SET NOT NULL;  -- PostgreSQL 12+: the validated CHECK spares the scan`,
      `ALTER TABLE ${t} DROP CONSTRAINT ${c.check};`,
    ]),
    'COMMIT;',
    `-- ${step(4)}. when no code reads ${one ? 'it' : 'them'} any more: ALTER TABLE ${t} ${cols.map((c) => `DROP COLUMN ${c.oldCol}`).join(', ')};`,
    ...cols.filter((c) => c.from && !BUILTIN_TYPES.has(c.from.name)).map((c) => `--    ${c.oldCol} keeps type ${typeSql(c.from!)} until then: drop or rename that type only after it.`),
  ].join('\n');
  const usingPhrase = (c: Change) => (c.using ? ' with USING' : '');
  if (one) {
    const c = changes[0];
    const cmd = commandOf(ctx, c.action);
    return {
      messageId: c.from ? 'rewrite' : 'rewriteMaybe',
      data: { column: c.column, table: t, ...(c.from ? { from: typeSql(c.from) } : {}), to: typeSql(c.to), using: usingPhrase(c) },
      span: cmd ? spanOf(cmd) : undefined,
      recipe,
    };
  }
  return {
    messageId: 'rewriteMany',
    data: {
      count: String(changes.length),
      table: t,
      changes: changes.map((c) => `${c.column} ${c.from ? `from ${typeSql(c.from)} ` : ''}to ${typeSql(c.to)}${usingPhrase(c)}`).join(', '),
      unless: changes.every((c) => c.kind === 'maybe') ? ' unless every change is binary-compatible (such as varchar(n) → text)' : '',
    },
    span: spanOfChanges(ctx, changes),
    recipe,
  };
}
