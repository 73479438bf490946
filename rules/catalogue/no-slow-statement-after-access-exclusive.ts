import { defineRule, type Report, type StatementContext } from '../engine/types';
import { displayName } from '../model/schema';
import type { Statement } from '../model/types';
import { bareTableName, earlierInTransaction, sameTable, transactionScope } from './locking-util';
import { migrationName } from './util';
import { defaultConstraintName } from '../model/names';

const messages = {
  slowUnderLock: '{{what}} runs while this transaction still holds the ACCESS EXCLUSIVE lock that {{heldBy}} took on {{tables}} (line {{line}}): every query on {{tables}} waits, SELECT included, until {{until}}, for as long as this statement takes. Commit first and run it in its own transaction (a separate migration).',
};

export const noSlowStatementAfterAccessExclusive = defineRule({
  id: 'no-slow-statement-after-access-exclusive',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  scalesWithTableSize: true,
  title: 'Do not do slow work while the transaction holds an ACCESS EXCLUSIVE lock',
  messages,
  rationale:
    'A lock is held until the transaction ends. Once a statement has taken ACCESS EXCLUSIVE on an existing table (ADD COLUMN, SET DEFAULT, LOCK TABLE…), every later statement of the same transaction runs while every query on that table waits, SELECT included. A quick ALTER followed by a backfill UPDATE, an index build or a validation scan turns a millisecond lock into one that lasts as long as the slow statement. Commit first, and do the slow work in its own transaction (a separate migration).',
  docs: {
    bad: "BEGIN;\nALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new';\nCOMMIT;",
    good: "ALTER TABLE orders ADD COLUMN status text;\n-- a separate migration, in batches:\nUPDATE orders SET status = 'new' WHERE ctid IN (SELECT ctid FROM orders WHERE status IS NULL LIMIT 10000);",
    details: 'Reported only for slow statements: UPDATE, DELETE and MERGE, and statements that scan or rewrite an existing table (index builds, validation). Not reported when the slow statement takes ACCESS EXCLUSIVE on that table itself (the other locking rules cover it), nor for the VALIDATE that `no-validate-in-same-transaction` reports.',
  },
  check(ctx) {
    const earlier = earlierInTransaction(ctx);
    if (earlier.length === 0) return [];
    const plan = ctx.locks;
    const dml = ctx.statement.actions.find((a) => a.type === 'dml' && a.table && ['update', 'delete', 'merge'].includes(a.kind) && !ctx.createdInFile(a.table));
    const slow = Boolean(dml) || plan.entries.some((e) => e.existing && (e.scan || e.rewrite));
    if (!slow || validatesSameTransaction(ctx, earlier) || reportedByItsOwnRule(ctx)) return [];
    // Tables this statement does not lock ACCESS EXCLUSIVE itself, held ACCESS EXCLUSIVE since an earlier statement.
    const own = new Map(plan.entries.map((e) => [e.table, e.mode]));
    // The lock on a table this statement works on first (its own queries wait), then the earliest.
    const heldAll = ctx.heldLocks().filter((h) => h.mode === 'AccessExclusive' && own.get(h.table) !== 'AccessExclusive')
      .sort((a, b) => Number(own.has(b.table)) - Number(own.has(a.table)) || a.statement.index - b.statement.index);
    if (heldAll.length) {
      const s = heldAll[0].statement;
      const held = heldAll.filter((h) => h.statement === s);
      const tables = held.map((e) => e.table).join(', ');
      const line = s.line + 1;
      const what = dml?.type === 'dml' ? `${dml.kind.toUpperCase()} ${dml.table ? displayTable(ctx, dml.table) : ''}`.trim() : (plan.entries.find((e) => e.scan || e.rewrite)?.what ?? 'This statement');
      return [{
        messageId: 'slowUnderLock',
        data: { what, heldBy: held[0].what, tables, line, until: ctx.tx.kind === 'explicit' ? 'COMMIT' : `the migration ends (${ctx.tx.why})` },
        related: [{ file: ctx.file.path, span: s.span, message: `ACCESS EXCLUSIVE on ${tables} taken here, held until COMMIT` }],
        recipe: transactionScope(ctx)?.explicit
          ? `-- ${migrationName(ctx.file.path)}: end the transaction after the quick change\n${s.text};\nCOMMIT;\n\n-- then, in its own transaction (a backfill: in batches, each its own transaction)\n${ctx.statement.text};`
          : `-- ${migrationName(ctx.file.path)}: end this migration after the quick change (the tool commits it)\n${s.text};\n\n-- a separate migration (a backfill: in batches, each its own transaction)\n${ctx.statement.text};`,
      } satisfies Report<keyof typeof messages>];
    }
    return [];
  },
});

function displayTable(ctx: StatementContext, q: { schema?: string; name: string }): string {
  const t = ctx.before.table(q);
  return t ? displayName(t) : q.name;
}

/** A VALIDATE of a constraint added NOT VALID in this transaction: no-validate-in-same-transaction's finding. */
function validatesSameTransaction(ctx: StatementContext, earlier: Statement[]): boolean {
  return ctx.statement.actions.some((a) => a.type === 'validate-constraint' && earlier.some((s) => s.actions.some((x) =>
    x.type === 'add-constraint' && x.constraint.notValid && sameTable(x.table, a.table) &&
    (x.constraint.name ?? defaultConstraintName(bareTableName(ctx, x.table), x.constraint)) === a.name)));
}

/**
 * One statement is one finding: an index build or a constraint added without NOT VALID on an existing table is
 * reported by require-concurrent-index / require-not-valid-*, whose message names the lock this transaction holds.
 */
function reportedByItsOwnRule(ctx: StatementContext): boolean {
  // A rewrite or scan under the statement's own ACCESS EXCLUSIVE lock (ALTER TYPE, SET NOT NULL, a volatile default)
  // is its own rule's finding; the locks held from earlier statements do not make it a second one.
  if (ctx.locks.entries.some((e) => e.existing && e.mode === 'AccessExclusive' && (e.rewrite || e.scan))) return true;
  return ctx.statement.actions.some((a) =>
    (a.type === 'create-index' && !a.index.concurrently && !ctx.createdInFile(a.index.table)) ||
    (a.type === 'add-constraint' && (a.constraint.kind === 'foreign' || a.constraint.kind === 'check') && !a.constraint.notValid && !ctx.createdInFile(a.table)));
}
