import { defineRule, type Fix, type Report } from '../engine/types';
import { alterTableCommands, commandOf, isExisting, outsideTransactionFix, skipQualifiedName, slug, spanOf, tableText } from './locking-util';

const messages = {
  detach: 'DETACH PARTITION {{partition}} takes an ACCESS EXCLUSIVE lock on {{table}} and on the partition: every query on {{table}} waits, SELECT included, until it commits. Use DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+), alone in its ALTER TABLE and outside a transaction block.',
};

export const requireConcurrentDetachPartition = defineRule({
  id: 'require-concurrent-detach-partition',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Detach partitions of existing tables concurrently',
  messages,
  rationale:
    'DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table and on the partition: every query on the whole partitioned table, SELECT included, waits until it commits, and the detach first queues behind every running query on it. Since PostgreSQL 14, DETACH PARTITION … CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE on the parent; it must be the only command of its ALTER TABLE, cannot run inside a transaction block, and is not allowed when the table has a default partition.',
  docs: {
    bad: 'ALTER TABLE events DETACH PARTITION events_2023;',
    good: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
    details: 'Version-aware (`postgresVersion`): not reported before PostgreSQL 14. If a concurrent detach is interrupted, finish it with `ALTER TABLE … DETACH PARTITION … FINALIZE`. Tables created earlier in the same file are exempt. The fix adds CONCURRENTLY where the statement runs alone; where it runs in a transaction (its file\'s BEGIN, the migration tool\'s, or Prisma\'s one multi-statement query) it moves the statement to a migration of its own with the tool\'s opt-out header; a tool that runs every file in a transaction with no opt-out (Drizzle, gobuffalo/pop, `assumeInTransaction`) gets no fix, only the recipe; ory/popx gets a `….autocommit.up.sql` file when the set already uses them.',
  },
  actionTypes: ['detach-partition'],
  check(ctx) {
    if (ctx.config.postgresVersion < 14) return [];
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'detach-partition' || a.concurrently || !isExisting(ctx, a.table)) continue;
      const t = tableText(ctx, a.table);
      const cmd = commandOf(ctx, a);
      const fixes: Fix[] = [];
      let recipe = `ALTER TABLE ${t} DETACH PARTITION ${tableText(ctx, a.partition)} CONCURRENTLY;  -- alone, outside BEGIN … COMMIT`;
      if (cmd && alterTableCommands(ctx)?.length === 1 && cmd[1]?.word === 'partition') {
        const end = cmd[skipQualifiedName(cmd, 2) - 1];
        const fixed = `${ctx.file.text.slice(ctx.statement.span.start, end.end)} CONCURRENTLY${ctx.file.text.slice(end.end, ctx.statement.span.end)};`;
        fixes.push(...outsideTransactionFix(
          ctx,
          { title: 'Use DETACH PARTITION … CONCURRENTLY', edits: [{ start: end.end, end: end.end, newText: ' CONCURRENTLY' }] },
          { title: 'DETACH PARTITION … CONCURRENTLY in a migration of its own', slug: slug('detach', a.partition.name), sql: fixed },
        ));
        recipe = `${fixed}  -- outside BEGIN … COMMIT`;
      }
      reports.push({
        messageId: 'detach',
        data: { partition: a.partition.name, table: t },
        span: cmd ? spanOf(cmd) : undefined,
        recipe,
        fixes,
      });
    }
    return reports;
  },
});
