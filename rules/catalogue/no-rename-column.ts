import { defineRule, type Report } from '../engine/types';
import { columnNewInMigration, commandOf, isExisting, spanOf, tableText } from './locking-util';
import { quoteIdent, typeSql } from './util';

const messages = {
  swap: 'RENAME COLUMN {{from}} TO {{to}} on {{table}}, then a new {{from}} column ({{newType}}) in the same migration: running code that names {{from}} now reaches the new column: it reads {{newType}} values where it expects the old ones, and its writes and lookups with old values fail or match other rows. Deploy code that knows both {{to}} and the new {{from}} first, or give the new column a name of its own.',
  renameColumn: 'RENAME COLUMN {{from}} TO {{to}} on {{table}} needs only a brief ACCESS EXCLUSIVE lock, but it breaks every running query that still names {{from}}: application instances deployed before this migration fail until they are all replaced. Add {{to}} as a new column kept in sync with {{from}}, switch the code over, then drop {{from}} in a later migration.',
};

export const noRenameColumn = defineRule({
  id: 'no-rename-column',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Do not rename columns that running code uses',
  messages,
  rationale:
    'RENAME COLUMN itself is quick (a brief ACCESS EXCLUSIVE lock, no rewrite), but every application instance deployed before the migration still names the old column: its queries fail from the moment the migration commits until the last old instance is replaced. Rename in steps instead: add the new column and keep both in sync, backfill, switch the code over, and drop the old column in a later migration.',
  docs: {
    bad: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
    good: 'ALTER TABLE users ADD COLUMN full_name text;\n-- keep both in sync with a trigger, backfill, deploy code that uses full_name,\n-- then in a later migration: ALTER TABLE users DROP COLUMN name;',
    details: 'Tables created earlier in the same file are exempt: no code uses them yet. If nothing reads the column (a table only a batch job uses, during a maintenance window), suppress the finding with the reason.',
  },
  actionTypes: ['rename-column'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'rename-column' || !isExisting(ctx, a.table) || columnNewInMigration(ctx, a.table, a.from)) continue;
      const t = tableText(ctx, a.table);
      const from = quoteIdent(a.from);
      const to = quoteIdent(a.to);
      const type = ctx.before.table(a.table)?.columns.get(a.from)?.type;
      const fn = quoteIdent(`${ctx.before.table(a.table)?.name ?? a.table.name}_${a.to}_sync`);
      const cmd = commandOf(ctx, a);
      // The old name is given to a new column later in this migration (supabase/storage renames id to name and adds
      // a uuid id): no sync trigger can keep both meanings of one name; say what old code will do instead.
      const readded = ctx.after.table(a.table)?.columns.get(a.from);
      if (readded && readded.origin.file === ctx.file.path && readded.origin.span.start > ctx.statement.span.start) {
        reports.push({ messageId: 'swap', data: { from: a.from, to: a.to, table: t, newType: typeSql(readded.type) }, span: cmd ? spanOf(cmd) : undefined });
        continue;
      }
      reports.push({
        messageId: 'renameColumn',
        data: { from: a.from, to: a.to, table: t },
        span: cmd ? spanOf(cmd) : undefined,
        recipe: [
          `ALTER TABLE ${t} ADD COLUMN ${to} ${type ? typeSql(type) : '<type of ' + a.from + '>'};`,
          `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$`,
          `BEGIN`,
          `  IF TG_OP = 'INSERT' OR NEW.${to} IS NOT DISTINCT FROM OLD.${to} THEN NEW.${to} := NEW.${from}; ELSE NEW.${from} := NEW.${to}; END IF;`,
          `  RETURN NEW;`,
          `END $$;`,
          `CREATE TRIGGER ${fn} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
          `-- backfill in batches (repeat until 0 rows), then deploy code that reads and writes ${a.to}:`,
          `UPDATE ${t} SET ${to} = ${from} WHERE ctid IN (SELECT ctid FROM ${t} WHERE ${to} IS DISTINCT FROM ${from} LIMIT 10000);`,
          `-- a later migration, when no code uses ${a.from}:`,
          `DROP TRIGGER ${fn} ON ${t};`,
          `ALTER TABLE ${t} DROP COLUMN ${from};`,
        ].join('\n'),
      });
    }
    return reports;
  },
});
