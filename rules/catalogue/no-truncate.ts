import { defineRule, type Report } from '../engine/types';
import { isExisting, tableText } from './locking-util';

const messages = {
  truncate: 'TRUNCATE {{tables}} takes an ACCESS EXCLUSIVE lock (every query waits, SELECT included) and deletes every row for good. If the rows must go, delete them in batches, which takes only row locks.',
  truncateCascade: 'TRUNCATE {{tables}} takes an ACCESS EXCLUSIVE lock (every query waits, SELECT included) and deletes every row for good; CASCADE also empties every table that references it through a foreign key, and the tables that reference those. If the rows must go, delete them in batches, which takes only row locks.',
};

export const noTruncate = defineRule({
  id: 'no-truncate',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Do not TRUNCATE tables in migrations',
  messages,
  rationale:
    'TRUNCATE takes an ACCESS EXCLUSIVE lock (every query on the table waits, SELECT included) and removes every row for good; it cannot be undone once committed. With CASCADE it also empties every table that references it through a foreign key, and the tables that reference those. If rows must go, delete them in batches (row locks only, reads and writes continue), or drop the table once no code uses it.',
  docs: {
    bad: 'TRUNCATE sessions;',
    good: 'DELETE FROM sessions WHERE ctid IN (SELECT ctid FROM sessions WHERE expires_at < now() LIMIT 10000);',
    details: 'Tables created earlier in the same file are exempt. A deliberate reset of a cache table is a fine reason to suppress the finding.',
  },
  actionTypes: ['truncate'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'truncate') continue;
      const hit = a.tables.filter((q) => isExisting(ctx, q));
      if (hit.length === 0) continue;
      const list = hit.map((q) => tableText(ctx, q)).join(', ');
      reports.push({
        messageId: a.cascade ? 'truncateCascade' : 'truncate',
        data: { tables: list },
        recipe: hit.map((q) => {
          const t = tableText(ctx, q);
          return `DELETE FROM ${t} WHERE ctid IN (SELECT ctid FROM ${t} LIMIT 10000);  -- repeat until 0 rows`;
        }).join('\n'),
      });
    }
    return reports;
  },
});
