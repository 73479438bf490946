import { defineRule, type Report, type StatementContext } from '../engine/types';
import { LineIndex } from '../parser/positions';
import { bareTableName, earlierInTransaction, followUpEdit, isExisting, sameTable, slug, tableText, statementWithLine } from './locking-util';
import { migrationName } from './util';
import { defaultConstraintName } from '../model/names';

const messages = {
  foreignKey: 'VALIDATE CONSTRAINT {{name}} runs in the same transaction as its ADD CONSTRAINT … NOT VALID (line {{line}}), which holds SHARE ROW EXCLUSIVE locks on {{table}} and the referenced table, so every INSERT, UPDATE and DELETE on both waits until COMMIT: the validation scan runs under that lock and NOT VALID gains nothing. Validate in a separate migration.',
  check: 'VALIDATE CONSTRAINT {{name}} runs in the same transaction as its ADD CONSTRAINT … NOT VALID (line {{line}}), which holds an ACCESS EXCLUSIVE lock on {{table}}, so every query on it waits, SELECT included, until COMMIT: the validation scan runs under that lock and NOT VALID gains nothing. Validate in a separate migration.',
};

export const noValidateInSameTransaction = defineRule({
  id: 'no-validate-in-same-transaction',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Validate a NOT VALID constraint in a later transaction',
  messages,
  rationale:
    'ADD CONSTRAINT … NOT VALID takes its lock only briefly — ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key — but a lock is held until the transaction ends. VALIDATE CONSTRAINT in the same transaction therefore scans every row while that lock is still held, and NOT VALID gains nothing: the table is blocked for the whole scan, exactly as without NOT VALID. Validate in a separate migration, so that it runs under its own SHARE UPDATE EXCLUSIVE lock.',
  docs: {
    bad: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n-- in a later migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    details: 'Statements share a transaction after BEGIN, or throughout a file that the migration tool wraps in one or sends as one query (the project model\'s runner; `assumeInTransaction` overrides it). The fix moves the VALIDATE into a new migration file. Tables created earlier in the same file are exempt.',
  },
  actionTypes: ['validate-constraint'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'validate-constraint' || !isExisting(ctx, a.table)) continue;
      const added = earlierInTransaction(ctx).find((s) => s.actions.some((x) => x.type === 'add-constraint' && x.constraint.notValid && sameTable(x.table, a.table) &&
        (x.constraint.name ?? defaultConstraintName(bareTableName(ctx, x.table), x.constraint)) === a.name));
      if (!added) continue;
      const c = added.actions.find((x) => x.type === 'add-constraint');
      const fk = c?.type === 'add-constraint' && c.constraint.kind === 'foreign';
      const t = tableText(ctx, a.table);
      const line = new LineIndex(ctx.file.text).position(added.span.start).line + 1;
      reports.push({
        messageId: fk ? 'foreignKey' : 'check',
        data: { name: a.name, line, table: t },
        related: [{ file: ctx.file.path, span: added.span, message: `${a.name} is added NOT VALID here; its lock is held until COMMIT` }],
        recipe: `-- ${migrationName(ctx.file.path)}\n${added.text};\n\n-- a later migration (its own transaction):\n${ctx.statement.text};`,
        fixes: ctx.statement.actions.length === 1 ? [moveToFollowUp(ctx, a.name)] : [],
      });
    }
    return reports;
  },
});

function moveToFollowUp(ctx: StatementContext, name: string) {
  const text = ctx.file.text;
  const { start, end } = statementWithLine(text, ctx.statement.span);
  return {
    title: `Move VALIDATE CONSTRAINT ${name} to a new migration`,
    safe: false,
    edits: [{ start, end, newText: '' }, followUpEdit(ctx, slug('validate', name), `${ctx.statement.text};`)],
  };
}
