import { defineRule, type Fix, type Report, type StatementContext, type TextEdit } from '../engine/types';
import type { QName } from '../model/types';
import { lockPlan } from '../locks';
import { displayName } from '../model/schema';
import { bareTableName, commandOf, sameTable, followUpEdit, isExisting, knownEmpty, notValidTableConstraint, slug, spanOf, statementAfter, tableText, twoMigrations } from './locking-util';
import { quoteIdent } from './util';
import { pgObjectName } from '../model/names';

const messages = {
  notNullConstraint: 'ADD CONSTRAINT … NOT NULL {{column}} on {{table}} takes an ACCESS EXCLUSIVE lock and scans every row for NULLs: every query on {{table}} waits, SELECT included, for the whole scan. Add it NOT VALID, then VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).',
  noLockFreeWay: 'SET NOT NULL on {{table}}.{{column}} takes an ACCESS EXCLUSIVE lock and scans every row for NULLs: every query on {{table}} waits, SELECT included, for the whole scan. PostgreSQL {{version}} has no lock-free way to set NOT NULL: a CHECK ({{column}} IS NOT NULL) added NOT VALID and validated separately enforces the same rule without the long lock, though the column stays nullable in the catalog.',
  notNullNotValid: 'SET NOT NULL on {{table}}.{{column}} takes an ACCESS EXCLUSIVE lock and scans every row for NULLs: every query on {{table}} waits, SELECT included, for the whole scan. Add the NOT NULL constraint NOT VALID, then VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).',
  checkFirst: 'SET NOT NULL on {{table}}.{{column}} takes an ACCESS EXCLUSIVE lock and scans every row for NULLs: every query on {{table}} waits, SELECT included, for the whole scan. Add CHECK ({{column}} IS NOT NULL) NOT VALID instead; then, in a separate migration, VALIDATE it (reads and writes continue), SET NOT NULL (PostgreSQL 12+ skips the scan when the validated CHECK proves it) and drop the CHECK.',
};

export const noSetNotNullScan = defineRule({
  id: 'no-set-not-null-scan',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Make existing columns NOT NULL without a locked full scan',
  messages,
  rationale:
    'ALTER COLUMN … SET NOT NULL takes an ACCESS EXCLUSIVE lock and reads every row to prove there is no NULL: every query on the table, SELECT included, waits for the whole scan. Since PostgreSQL 12 the scan is skipped when a validated `CHECK (column IS NOT NULL)` already proves it, so add that CHECK NOT VALID, VALIDATE it in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes continue), then SET NOT NULL and drop the CHECK. PostgreSQL 18 can add the NOT NULL constraint itself NOT VALID. Before PostgreSQL 12 there is no lock-free way.',
  docs: {
    bad: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;\n-- in a later migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;',
    details: 'Version-aware (`postgresVersion`): not reported when a validated `CHECK (column IS NOT NULL)` exists on PostgreSQL 12+; on 18+ the fix uses `ADD CONSTRAINT … NOT NULL column NOT VALID`; before 12 there is no fix. Columns already NOT NULL and tables created earlier in the same file are exempt. A table known to be empty when the statement runs is exempt too: the same ALTER TABLE, or an earlier statement of the same transaction with no INSERT since, adds a NOT NULL column without a default (PostgreSQL refuses that on a table with rows; `no-required-column-without-default` reports it), TRUNCATEs it or DELETEs all its rows. The follow-up migration sets `lock_timeout` because SET NOT NULL and DROP CONSTRAINT still take a brief ACCESS EXCLUSIVE lock.',
  },
  actionTypes: ['set-not-null', 'add-constraint'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const pg = ctx.config.postgresVersion;
    for (const a of ctx.statement.actions) {
      if (a.type === 'set-not-null') {
        if (!isExisting(ctx, a.table) || knownEmpty(ctx, a.table)) continue;
        const t = ctx.before.table(a.table);
        if (t?.columns.get(a.column)?.notNull) continue;
        if (pg >= 12 && t?.constraints.some((c) => c.kind === 'check' && c.validated && c.checkIsNotNullOf === a.column)) continue;
        if (pg >= 12 && !t && provenInFile(ctx, a.table, a.column)) continue;
        // The same ALTER TABLE rewrites the table anyway (a type change): NOT NULL is checked during the rewrite.
        if (rewrites(ctx, a.table)) continue;
        const cmd = commandOf(ctx, a);
        reports.push(report(ctx, a.table, a.column, cmd ? spanOf(cmd) : undefined));
      }
      // ALTER TABLE … ADD CONSTRAINT n NOT NULL col (PostgreSQL 18) scans the same way unless NOT VALID.
      if (a.type === 'add-constraint' && a.constraint.kind === 'not-null' && !a.constraint.notValid && isExisting(ctx, a.table) && !knownEmpty(ctx, a.table)) {
        const col = a.constraint.columns[0] ?? '';
        if (ctx.before.table(a.table)?.columns.get(col)?.notNull) continue;
        const plan = notValidTableConstraint(ctx, a.table, a.constraint);
        const later = `ALTER TABLE ${tableText(ctx, a.table)} VALIDATE CONSTRAINT ${quoteIdent(plan.name)};`;
        const edit = followUpEdit(ctx, slug('validate', plan.name), later);
        const t = tableText(ctx, a.table);
        reports.push({
          messageId: 'notNullConstraint',
          data: { column: col, table: t },
          span: a.constraint.span,
          recipe: twoMigrations(ctx, statementAfter(ctx, plan.edits), later, edit.file!),
          fixes: [{ title: `Add ${plan.name} NOT VALID and validate it in a new migration`, safe: false, edits: [...plan.edits, edit] }],
        });
      }
    }
    return reports;
  },
});

/**
 * For a table the model does not know (it predates the migration set), what this file did before: a CHECK
 * (col IS NOT NULL) added valid or validated here, or a VALIDATE of a constraint named after the column (the
 * second half of the recipe, whose first half the model could not record).
 */
function provenInFile(ctx: StatementContext, table: QName, column: string): boolean {
  const validated = new Set<string>();
  const notValid = new Set<string>();
  for (const s of ctx.file.statements.slice(0, ctx.statement.index)) {
    for (const a of s.actions) {
      if (a.type === 'add-constraint' && sameTable(a.table, table) && a.constraint.checkIsNotNullOf === column) {
        if (!a.constraint.notValid) return true;
        if (a.constraint.name) notValid.add(a.constraint.name);
      }
      if (a.type === 'validate-constraint' && sameTable(a.table, table)) validated.add(a.name);
    }
  }
  return [...validated].some((n) => notValid.has(n) || n.includes(column));
}

function rewrites(ctx: StatementContext, table: QName): boolean {
  const t = ctx.before.table(table);
  const name = t ? displayName(t) : table.schema ? `${table.schema}.${table.name}` : table.name;
  return lockPlan(ctx.statement, ctx).entries.some((e) => e.table === name && e.rewrite);
}

function report(ctx: StatementContext, table: QName, column: string, span: { start: number; end: number } | undefined): Report<keyof typeof messages> {
  const pg = ctx.config.postgresVersion;
  const t = tableText(ctx, table);
  const col = quoteIdent(column);
  const unquoted = pgObjectName(bareTableName(ctx, table), [column], 'not_null');
  const name = quoteIdent(unquoted);
  const data = { table: t, column: col };
  const check = `ALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${col} IS NOT NULL) NOT VALID;`;
  const validate = `ALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`;
  if (pg < 12) {
    return {
      messageId: 'noLockFreeWay',
      data: { ...data, version: pg },
      span,
      recipe: `${check}\n-- in a separate migration:\n${validate}`,
    };
  }
  const lockTimeout = `SET lock_timeout = '${ctx.config.lockTimeout}';`;
  let now: string;
  let later: string;
  let messageId: 'notNullNotValid' | 'checkFirst';
  if (pg >= 18) {
    now = `ADD CONSTRAINT ${name} NOT NULL ${col} NOT VALID`;
    later = validate;
    messageId = 'notNullNotValid';
  } else {
    now = `ADD CONSTRAINT ${name} CHECK (${col} IS NOT NULL) NOT VALID`;
    later = `${lockTimeout}\n${validate}\nALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL;\nALTER TABLE ${t} DROP CONSTRAINT ${name};`;
    messageId = 'checkFirst';
  }
  const fixes: Fix[] = [];
  let recipe: string;
  const followUp = followUpEdit(ctx, pg >= 18 ? slug('validate', unquoted) : slug('set_not_null', bareTableName(ctx, table), column), later);
  if (span) {
    const edits: TextEdit[] = [{ start: span.start, end: span.end, newText: now }, followUp];
    recipe = twoMigrations(ctx, statementAfter(ctx, edits), later, followUp.file!);
    fixes.push({ title: pg >= 18 ? 'Add the NOT NULL constraint NOT VALID and validate it in a new migration' : 'Use CHECK (… IS NOT NULL) NOT VALID now, SET NOT NULL in a new migration', safe: false, edits });
  } else {
    recipe = twoMigrations(ctx, pg >= 18 ? `ALTER TABLE ${t} ${now};` : check, later, followUp.file!);
  }
  return { messageId, data, span, recipe, fixes };
}
