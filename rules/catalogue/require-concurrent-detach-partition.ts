import { defineRule, type Fix, type Report } from '../engine/types';
import { alterTableCommands, commandOf, isExisting, skipQualifiedName, spanOf, tableText } from './locking-util';

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
    details: 'Version-aware (`postgresVersion`): not reported before PostgreSQL 14. If a concurrent detach is interrupted, finish it with `ALTER TABLE … DETACH PARTITION … FINALIZE`. Tables created earlier in the same file are exempt.',
  },
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
        fixes.push({ title: 'Use DETACH PARTITION … CONCURRENTLY', safe: false, edits: [{ start: end.end, end: end.end, newText: ' CONCURRENTLY' }] });
        recipe = `${ctx.file.text.slice(ctx.statement.span.start, end.end)} CONCURRENTLY${ctx.file.text.slice(end.end, ctx.statement.span.end)};  -- outside BEGIN … COMMIT`;
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
