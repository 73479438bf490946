import { defineRule } from '../engine/types';
import { columnNewInMigration, commandOf, isExisting, spanOf, tableText } from './locking-util';
import { andList, quoteIdent } from './util';

const messages = {
  dropColumn: 'DROP COLUMN {{columns}} on {{table}} needs only a brief ACCESS EXCLUSIVE lock (no rewrite), but it breaks every running query that still reads or writes {{columns}} (ORMs that cache columns included), and the data is gone for good. Deploy code that no longer uses {{them}} first, then drop {{them}} in a later migration.',
};

export const noDropColumn = defineRule({
  id: 'no-drop-column',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Stop using a column in code before dropping it',
  messages,
  rationale:
    'DROP COLUMN takes a brief ACCESS EXCLUSIVE lock (no rewrite: the space is reclaimed later), but every application instance deployed before the migration that still reads or writes the column fails — including ORMs that cache the column list, such as Active Record — and the data is gone for good. Deploy code that no longer uses the column first, then drop it in a later migration.',
  docs: {
    bad: 'ALTER TABLE users DROP COLUMN legacy_flag;',
    good: '-- after a deploy that no longer uses legacy_flag:\n-- sql-architect-ignore no-drop-column: unused since release 42\nALTER TABLE users DROP COLUMN legacy_flag;',
    details: 'The analyser cannot see the application: once the code no longer uses the column, suppress the finding with the reason, as in the example. Tables created earlier in the same file are exempt.',
  },
  actionTypes: ['drop-column'],
  check(ctx) {
    // One statement is one finding, however many columns it drops.
    const drops = ctx.statement.actions.filter((a): a is Extract<typeof a, { type: 'drop-column' }> => a.type === 'drop-column' && isExisting(ctx, a.table) && !columnNewInMigration(ctx, a.table, a.column));
    if (drops.length === 0) return [];
    const t = tableText(ctx, drops[0].table);
    const cols = drops.map((a) => a.column);
    const listed = andList(cols);
    const cmd = commandOf(ctx, drops[0]);
    const them = cols.length === 1 ? 'it' : 'them';
    return [{
      messageId: 'dropColumn',
      data: { columns: listed, table: t, them },
      span: cmd && drops.length === 1 ? spanOf(cmd) : undefined,
      recipe: `-- 1. deploy application code that no longer reads or writes ${listed}\n--    (Active Record: self.ignored_columns += [${cols.map((c) => `"${c}"`).join(', ')}]); keep a backup if the data may be needed\n-- 2. then, in a later migration:\nSET lock_timeout = '${ctx.config.lockTimeout}';\n${drops.map((a) => `ALTER TABLE ${tableText(ctx, a.table)} DROP COLUMN ${a.ifExists ? 'IF EXISTS ' : ''}${quoteIdent(a.column)};`).join('\n')}`,
    }];
  },
});
