import { defineRule, type Report } from '../engine/types';
import { commandOf, isExisting, spanOf, tableText } from './locking-util';
import { quoteIdent } from './util';

export const noDropColumn = defineRule({
  id: 'no-drop-column',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Stop using a column in code before dropping it',
  rationale:
    'DROP COLUMN takes a brief ACCESS EXCLUSIVE lock (no rewrite: the space is reclaimed later), but every application instance deployed before the migration that still reads or writes the column fails — including ORMs that cache the column list, such as Active Record — and the data is gone for good. Deploy code that no longer uses the column first, then drop it in a later migration.',
  docs: {
    bad: 'ALTER TABLE users DROP COLUMN legacy_flag;',
    good: '-- after a deploy that no longer uses legacy_flag:\n-- sql-architect-ignore no-drop-column: unused since release 42\nALTER TABLE users DROP COLUMN legacy_flag;',
    details: 'The analyser cannot see the application: once the code no longer uses the column, suppress the finding with the reason, as in the example. Tables created earlier in the same file are exempt.',
  },
  check(ctx) {
    const reports: Report[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'drop-column' || !isExisting(ctx, a.table)) continue;
      const t = tableText(ctx, a.table);
      const cmd = commandOf(ctx, a);
      reports.push({
        message: `DROP COLUMN ${a.column} on ${t} needs only a brief ACCESS EXCLUSIVE lock (no rewrite), but it breaks every running query that still reads or writes ${a.column} (ORMs that cache columns included), and its data is gone for good. Deploy code that no longer uses ${a.column} first, then drop it in a later migration.`,
        span: cmd ? spanOf(cmd) : undefined,
        recipe: `-- 1. deploy application code that no longer reads or writes ${a.column}\n--    (Active Record: self.ignored_columns += ["${a.column}"]); keep a backup if the data may be needed\n-- 2. then, in a later migration:\nSET lock_timeout = '${ctx.config.lockTimeout}';\nALTER TABLE ${t} DROP COLUMN ${a.ifExists ? 'IF EXISTS ' : ''}${quoteIdent(a.column)};`,
      });
    }
    return reports;
  },
});
