import { defineRule, type Fix, type Report, type StatementContext } from '../engine/types';
import type { ConstraintDef, QName } from '../model/types';
import { isExisting, knownEmpty, notValidInlineConstraint, notValidTableConstraint, tableText, validateLater, type NotValidPlan } from './locking-util';

const messages = {
  check: 'ADD CHECK{{name}} on {{table}} takes an ACCESS EXCLUSIVE lock and checks every existing row while holding it: every query on {{table}} waits, SELECT included, for the whole scan. Add it NOT VALID, then VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).',
  columnCheck: 'ADD COLUMN {{column}} … CHECK on {{table}} takes an ACCESS EXCLUSIVE lock and checks every existing row while holding it: every query on {{table}} waits, SELECT included, for the whole scan. Add the column without the CHECK, add the CHECK NOT VALID, then VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).',
};

export const requireNotValidCheck = defineRule({
  id: 'require-not-valid-check',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Add CHECK constraints to existing tables NOT VALID, then validate them separately',
  messages,
  rationale:
    'ADD CONSTRAINT … CHECK takes an ACCESS EXCLUSIVE lock on the table and checks every existing row while holding it: every query on the table, SELECT included, waits for the whole scan. Added NOT VALID, the constraint is enforced for new rows at once and the lock is brief; `VALIDATE CONSTRAINT` in a later migration checks the old rows under SHARE UPDATE EXCLUSIVE, which lets reads and writes continue (PostgreSQL 9.4+). A CHECK written in ADD COLUMN is checked against every row too.',
  docs: {
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n-- in a later migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    details: 'Tables created earlier in the same file are exempt. A table known to be empty when the statement runs is exempt too: the same ALTER TABLE, or an earlier statement of the same transaction with no INSERT since, adds a NOT NULL column without a default (PostgreSQL refuses that on a table with rows; `no-required-column-without-default` reports it), TRUNCATEs it or DELETEs all its rows. The fix adds NOT VALID, names the constraint when it has no name (PostgreSQL\'s default `<table>_<column>_check`), and writes the VALIDATE into a new migration file so that it runs in its own transaction. A CHECK in ADD COLUMN cannot be NOT VALID: the fix moves it into its own `ADD CONSTRAINT … NOT VALID`.',
  },
  actionTypes: ['add-constraint', 'add-column'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type === 'add-constraint' && a.constraint.kind === 'check' && !a.constraint.notValid && isExisting(ctx, a.table) && !knownEmpty(ctx, a.table)) {
        reports.push(report(ctx, a.table, a.constraint, notValidTableConstraint(ctx, a.table, a.constraint), false));
      }
      if (a.type === 'add-column' && isExisting(ctx, a.table) && !knownEmpty(ctx, a.table)) {
        a.column.constraints.filter((c) => c.kind === 'check').forEach((c, nth) => {
          reports.push(report(ctx, a.table, c, notValidInlineConstraint(ctx, a, a.table, a.column.name, c, nth), true, a.column.name));
        });
      }
    }
    return reports;
  },
});

function report(ctx: StatementContext, table: QName, c: ConstraintDef, plan: NotValidPlan | undefined, inline: boolean, column?: string): Report<keyof typeof messages> {
  const t = tableText(ctx, table);
  const fixes: Fix[] = [];
  let recipe: string | undefined;
  if (plan) {
    const later = validateLater(ctx, table, plan);
    recipe = later.recipe;
    fixes.push({ title: `Add ${plan.name} NOT VALID and validate it in a new migration`, safe: false, edits: [...plan.edits, later.edit] });
  }
  return {
    ...(inline
      ? { messageId: 'columnCheck', data: { column: column ?? '', table: t } } as const
      : { messageId: 'check', data: { name: c.name ? ` ${c.name}` : '', table: t } } as const),
    span: inline ? undefined : c.span,
    recipe,
    fixes,
  };
}
