import { defineRule, type Report } from '../engine/types';
import { displayName } from '../model/schema';
import { isExisting, tableText } from './locking-util';

const messages = {
  dropTable: 'DROP TABLE {{tables}} breaks every running query that still uses {{it}} and deletes the data for good; it takes an ACCESS EXCLUSIVE lock on {{tables}}{{referenced}}. Deploy code that no longer uses {{tables}} first, then drop {{it}} in a later migration.',
  dropTableCascade: 'DROP TABLE {{tables}} breaks every running query that still uses {{it}} and deletes the data for good; it takes an ACCESS EXCLUSIVE lock on {{tables}}{{referenced}}, and CASCADE also drops every view and foreign key that depends on it. Deploy code that no longer uses {{tables}} first, then drop {{it}} in a later migration.',
};

export const noDropTable = defineRule({
  id: 'no-drop-table',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Stop using a table in code before dropping it',
  messages,
  rationale:
    'DROP TABLE takes an ACCESS EXCLUSIVE lock on the table and on every table its foreign keys reference, and every application instance deployed before the migration that still uses the table fails; the data is gone for good. With CASCADE it also drops the views and foreign keys that depend on it. Deploy code that no longer uses the table first, then drop it in a later migration.',
  docs: {
    bad: 'DROP TABLE legacy_events;',
    good: '-- after a deploy that no longer uses legacy_events:\n-- sql-architect-ignore no-drop-table: unused since release 42, backed up\nDROP TABLE legacy_events;',
    details: 'The analyser cannot see the application: once no code uses the table, suppress the finding with the reason. Tables created earlier in the same file, and temporary tables, are exempt.',
  },
  actionTypes: ['drop-table'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'drop-table') continue;
      const hit = a.tables.filter((q) => isExisting(ctx, q));
      if (hit.length === 0) continue;
      const names = hit.map((q) => tableText(ctx, q));
      const refs = [...new Set(hit.flatMap((q) => (ctx.before.table(q)?.constraints ?? [])
        .filter((c) => c.kind === 'foreign' && c.refTable)
        .map((c) => {
          const r = ctx.before.table(c.refTable!);
          return r ? displayName(r) : c.refTable!.name;
        })))].filter((r) => !names.includes(r));
      const list = names.join(', ');
      reports.push({
        messageId: a.cascade ? 'dropTableCascade' : 'dropTable',
        data: { tables: list, it: hit.length > 1 ? 'them' : 'it', referenced: refs.length ? ` and on ${refs.join(', ')} (referenced by its foreign keys)` : '' },
        recipe: `-- 1. deploy application code that no longer uses ${list}; back up the data if it may be needed\n-- 2. then, in a later migration:\nSET lock_timeout = '${ctx.config.lockTimeout}';\nDROP TABLE ${a.ifExists ? 'IF EXISTS ' : ''}${list};`,
      });
    }
    return reports;
  },
});
