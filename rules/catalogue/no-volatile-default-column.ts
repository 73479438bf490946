import { defineRule, type Fix, type MessageData, type Report, type StatementContext } from '../engine/types';
import { integerType, isSerialType, type ColumnDef, type QName } from '../model/types';
import { batchedBackfill, columnClauses, commandOf, isExisting, removeTokens, statementAfter, tableText } from './locking-util';
import { insertAfterStatement, quoteIdent, typeSql } from './util';
import { tokText } from '../parser/lexer';

/** A message: why the table is rewritten, the harm, then what to do. */
function rewrite(why: string, todo: string): string {
  return `ADD COLUMN {{column}} on {{table}}: ${why}, which rewrites {{table}} and all its indexes under an ACCESS EXCLUSIVE lock; every query on {{table}} waits, SELECT included, for the whole rewrite. ${todo}`;
}
const BACKFILL = 'Add the column without the DEFAULT, SET DEFAULT for new rows, then backfill existing rows in batches.';
const messages = {
  serial: rewrite('{{type}} fills every existing row from a new sequence', 'Add a plain {{plainType}} column, attach a sequence with SET DEFAULT nextval(…), then backfill existing rows in batches.'),
  identity: rewrite('GENERATED … AS IDENTITY fills every existing row from a new sequence', 'Add a plain column, backfill it in batches, make it NOT NULL without a long scan, then ALTER COLUMN … ADD GENERATED … AS IDENTITY.'),
  generated: rewrite('GENERATED … STORED computes every existing row', 'There is no rewrite-free way to add a stored generated column: add a plain column kept up to date by a trigger, and backfill it in batches.'),
  generatedVirtual: rewrite('GENERATED … STORED computes every existing row', 'Use a VIRTUAL generated column (computed when read, no rewrite), or a plain column kept up to date by a trigger and backfilled in batches.'),
  volatile: rewrite('DEFAULT {{default}} is volatile, so it is evaluated for every existing row', BACKFILL),
  oldDefault: rewrite('DEFAULT {{default}}: before PostgreSQL 11 every default is written into every existing row', BACKFILL),
};

export const noVolatileDefaultColumn = defineRule({
  id: 'no-volatile-default-column',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Add columns to existing tables without a table rewrite',
  messages,
  rationale:
    'ADD COLUMN with a volatile DEFAULT (gen_random_uuid(), clock_timestamp(), random(), nextval() of a serial), an IDENTITY or a GENERATED … STORED column computes a value for every existing row: PostgreSQL rewrites the table and all its indexes while holding an ACCESS EXCLUSIVE lock, and every query, SELECT included, waits for the whole rewrite. Since PostgreSQL 11 a non-volatile DEFAULT (a constant, now()) is stored in the catalog and needs no rewrite; before 11 every DEFAULT rewrites. Add the column without the value, set the default for new rows, and backfill the old rows in batches.',
  docs: {
    bad: 'ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();',
    good: 'ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();\n-- then backfill existing rows in batches',
    details: 'Version-aware (`postgresVersion`): on PostgreSQL 10 and older every DEFAULT is reported. Functions the analyser does not know are treated as volatile, as PostgreSQL treats a function not declared IMMUTABLE or STABLE. On PostgreSQL 18 a VIRTUAL generated column needs no rewrite. Tables created earlier in the same file are exempt.',
  },
  actionTypes: ['add-column'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const pg = ctx.config.postgresVersion;
    for (const a of ctx.statement.actions) {
      if (a.type !== 'add-column' || !isExisting(ctx, a.table)) continue;
      const c = a.column;
      const kind = isSerialType(c.type) ? 'serial' : c.identity ? 'identity' : c.generatedStored ? 'generated' : c.defaultKind === 'volatile' ? 'volatile' : pg < 11 && c.defaultKind !== 'none' ? 'old' : undefined;
      if (!kind) continue;
      reports.push(report(ctx, a, a.table, c, kind));
    }
    return reports;
  },
});

function report(ctx: StatementContext, action: object, table: QName, c: ColumnDef, kind: 'serial' | 'identity' | 'generated' | 'volatile' | 'old'): Report<keyof typeof messages> {
  const pg = ctx.config.postgresVersion;
  const t = tableText(ctx, table);
  const col = quoteIdent(c.name);
  const cmd = commandOf(ctx, action);
  const clauses = cmd && columnClauses(cmd);
  const dflt = clauses?.clauses.find((k) => k.kind === 'default');
  const expr = dflt ? tokText(ctx.file.text, dflt.body.slice(1)) : c.defaultText ?? '…';
  const type = typeSql({ ...c.type, name: integerType(c.type) ?? c.type.name });
  const fixes: Fix[] = [];
  const data: MessageData = { column: c.name, table: t };
  let messageId: keyof typeof messages;
  let recipe: string;
  if (kind === 'volatile' || kind === 'old') {
    messageId = kind === 'old' ? 'oldDefault' : 'volatile';
    data.default = expr;
    const setDefault = `ALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT ${expr};`;
    recipe = `ALTER TABLE ${t} ADD COLUMN ${col} ${type};\n${setDefault}\n-- then, outside the migration's transaction, backfill in batches:\n${batchedBackfill(ctx, table, c.name, expr)}`;
    if (c.notNull) recipe += '\n-- then SET NOT NULL without a long scan: see no-set-not-null-scan';
    if (cmd && dflt && !c.notNull) {
      const before = cmd[cmd.indexOf(dflt.toks[0]) - 1];
      const edits = [removeTokens(dflt.toks, before), insertAfterStatement(ctx.file.text, ctx.statement, setDefault, { blankLine: false })];
      fixes.push({ title: `Add ${c.name} without a default, then SET DEFAULT (existing rows stay NULL until backfilled)`, safe: false, edits });
      recipe = `${statementAfter(ctx, edits)}\n-- then, outside the migration's transaction, backfill in batches:\n${batchedBackfill(ctx, table, c.name, expr)}`;
    }
  } else if (kind === 'serial') {
    messageId = 'serial';
    Object.assign(data, { type: c.type.name, plainType: type });
    const seq = quoteIdent(`${ctx.before.table(table)?.name ?? table.name}_${c.name}_seq`);
    recipe = `ALTER TABLE ${t} ADD COLUMN ${col} ${type};\nCREATE SEQUENCE ${seq} AS ${type} OWNED BY ${t}.${col};\nALTER TABLE ${t} ALTER COLUMN ${col} SET DEFAULT nextval('${seq.replace(/'/g, "''")}');\n-- then backfill in batches, and make it NOT NULL without a long scan (see no-set-not-null-scan):\n${batchedBackfill(ctx, table, c.name, `nextval('${seq.replace(/'/g, "''")}')`)}`;
  } else if (kind === 'identity') {
    messageId = 'identity';
    recipe = `ALTER TABLE ${t} ADD COLUMN ${col} ${type};\n-- backfill in batches (for example from a temporary sequence), then SET NOT NULL with the CHECK … NOT VALID recipe (no-set-not-null-scan)\nALTER TABLE ${t} ALTER COLUMN ${col} ADD GENERATED BY DEFAULT AS IDENTITY;\nSELECT setval(pg_get_serial_sequence('${t.replace(/'/g, "''")}', '${c.name.replace(/'/g, "''")}'), max(${col})) FROM ${t};`;
  } else {
    messageId = pg >= 18 ? 'generatedVirtual' : 'generated';
    recipe = pg >= 18
      ? `ALTER TABLE ${t} ADD COLUMN ${col} ${type} GENERATED ALWAYS AS (…) VIRTUAL;`
      : `ALTER TABLE ${t} ADD COLUMN ${col} ${type};\n-- a BEFORE INSERT OR UPDATE trigger that sets NEW.${col}, then backfill in batches:\n${batchedBackfill(ctx, table, c.name, '…')}`;
  }
  // A column added as the key (`id uuid DEFAULT gen_random_uuid() PRIMARY KEY`): the key comes last, built without
  // a long lock, or the recipe leaves the table without it.
  const key = kind !== 'generated' ? c.constraints.find((k) => k.kind === 'primary' || k.kind === 'unique') : undefined;
  if (key) {
    const tableName = ctx.before.table(table)?.name ?? table.name;
    const name = quoteIdent(key.name ?? (key.kind === 'primary' ? `${tableName}_pkey` : `${tableName}_${c.name}_key`));
    recipe += [
      `\n-- then the ${key.kind === 'primary' ? 'primary key' : 'unique key'}${key.kind === 'primary' ? ' (after NOT NULL, which it needs)' : ''}, built without a long lock:`,
      `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${t} (${col});  -- outside a transaction block`,
      `ALTER TABLE ${t} ADD CONSTRAINT ${name} ${key.kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${name};`,
    ].join('\n');
  }
  return { messageId, data, recipe, fixes };
}
