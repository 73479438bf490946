import { defineRule, type Report } from '../engine/types';
import { isExisting, sameTable, tableText } from './locking-util';
import { insertAfterStatement, quoteIdent, typeSql } from './util';

const messages = {
  renameTable: 'RENAME {{from}} TO {{to}} needs only a brief ACCESS EXCLUSIVE lock, but it breaks every running query that still names {{from}}: application instances deployed before this migration fail until they are all replaced. Create a view named {{from}} over {{to}} in the same transaction, and drop it once no code uses the old name.',
};

export const noRenameTable = defineRule({
  id: 'no-rename-table',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Do not rename tables that running code uses',
  messages,
  rationale:
    'RENAME TO itself is quick (a brief ACCESS EXCLUSIVE lock, no rewrite), but every application instance deployed before the migration still names the old table: its queries fail from the moment the migration commits until the last old instance is replaced. Keep the old name working with a view in the same transaction — a simple view is updatable, so INSERT, UPDATE and DELETE through it keep working — and drop the view once no code uses the old name.',
  docs: {
    bad: 'ALTER TABLE customers RENAME TO clients;',
    good: 'BEGIN;\nALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;\nCOMMIT;\n-- a later migration, when no code uses customers: DROP VIEW customers;',
    details: 'Not reported when the same file creates a view with the old name after the rename, or for tables created earlier in the same file. The view does not forward ALTER TABLE, TRUNCATE or triggers defined on the table, and while it exists PostgreSQL refuses to drop the table or drop or retype the columns it selects (the view depends on them): drop it before such a migration. On a migration that later ones build on, the view can make them fail, so the fix is a quick fix you choose, never applied by "fix all" or `--fix`.',
  },
  actionTypes: ['rename-table'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'rename-table' || !isExisting(ctx, a.table)) continue;
      const old = { schema: a.table.schema, name: a.table.name };
      const shim = ctx.file.statements.slice(ctx.statement.index + 1).some((s) => s.actions.some((x) => x.type === 'create-view' && !x.materialized && sameTable(x.view, old)));
      if (shim) continue;
      const oldSql = tableText(ctx, a.table);
      const newSql = a.table.schema ? `${quoteIdent(a.table.schema)}.${quoteIdent(a.to)}` : quoteIdent(a.to);
      const view = `CREATE VIEW ${oldSql} AS SELECT * FROM ${newSql};`;
      // The view depends on every column of the table: a later migration of the set that drops or retypes one (or
      // drops the table) would fail with the view in place (kratos drops a column three weeks after its renames).
      const before = ctx.before.table(a.table);
      const after = ctx.after.table({ schema: a.table.schema, name: a.to });
      const blocksLater = before !== undefined && (!after || [...before.columns.values()].some((c) => {
        const now = after.columns.get(c.name);
        return !now || typeSql(now.type) !== typeSql(c.type);
      }));
      reports.push({
        messageId: 'renameTable',
        data: { from: a.table.name, to: a.to },
        recipe: `BEGIN;\nALTER TABLE ${oldSql} RENAME TO ${quoteIdent(a.to)};\n${view}  -- simple views are updatable\nCOMMIT;\n-- a later migration, when no code uses ${a.table.name} (and before any that drops or retypes a column of ${a.to}):\nDROP VIEW ${oldSql};`,
        fixes: blocksLater ? [] : [{ title: `Keep ${a.table.name} working as a view over ${a.to}`, safe: false, edits: [insertAfterStatement(ctx.file.text, ctx.statement, view, { blankLine: false })] }],
      });
    }
    return reports;
  },
});
