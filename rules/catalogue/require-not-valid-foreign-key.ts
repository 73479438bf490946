import { defineRule, type Fix, type Report, type TextEdit } from '../engine/types';
import type { ConstraintDef, QName } from '../model/types';
import { columnClauses, commandOf, heldNote, isExisting, knownEmpty, notValidInlineConstraint, removeTokens, notValidTableConstraint, tableText, validateLater, type NotValidPlan } from './locking-util';
import type { StatementContext } from '../engine/types';

const PARTITIONED_NOTE = 'PostgreSQL before 18 cannot add a NOT VALID foreign key to a partitioned table: add it NOT VALID to each partition and VALIDATE it there, then add it to the parent, which adopts the validated constraints of the partitions.';

const messages = {
  foreignKey: 'ADD FOREIGN KEY{{name}} on {{table}} takes SHARE ROW EXCLUSIVE locks on {{table}} and {{referenced}} and checks every existing row while holding them: every INSERT, UPDATE and DELETE on both tables waits for the whole scan. {{todo}}{{held}}',
  selfForeignKey: 'ADD FOREIGN KEY{{name}} on {{table}} takes a SHARE ROW EXCLUSIVE lock on {{table}} (it references itself) and checks every existing row while holding it: every INSERT, UPDATE and DELETE on {{table}} waits for the whole scan. {{todo}}{{held}}',
  columnForeignKey: 'ADD COLUMN {{column}} … DEFAULT … REFERENCES {{referenced}} holds an ACCESS EXCLUSIVE lock on {{table}} (and SHARE ROW EXCLUSIVE on {{referenced}}) while it checks every existing row: every query on {{table}} waits, SELECT included, and writes to {{referenced}} wait too. {{todo}}{{defaultNull}}',
  columnSelfForeignKey: 'ADD COLUMN {{column}} … DEFAULT … REFERENCES {{referenced}} holds an ACCESS EXCLUSIVE lock on {{table}} while it checks every existing row: every query on {{table}} waits, SELECT included. {{todo}}{{defaultNull}}',
};

export const requireNotValidForeignKey = defineRule({
  id: 'require-not-valid-foreign-key',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Add foreign keys to existing tables NOT VALID, then validate them separately',
  messages,
  rationale:
    'ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE locks on both the table and the referenced table, then checks every existing row while holding them: INSERT, UPDATE and DELETE on both tables wait for the whole scan. Added NOT VALID, the constraint is enforced for new rows at once and the lock is brief; `VALIDATE CONSTRAINT` in a later migration checks the old rows under SHARE UPDATE EXCLUSIVE (ROW SHARE on the referenced table), which lets reads and writes continue. A REFERENCES clause in ADD COLUMN is checked the same way, under the ACCESS EXCLUSIVE lock of ADD COLUMN, when the statement gives the new column a DEFAULT (without one the column is all NULL and PostgreSQL skips the check).',
  docs: {
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n-- in a later migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
    details: 'A foreign key declared in CREATE TABLE, or added to a table created earlier in the same file, is not reported: the new table is empty, so there is nothing to scan. A table known to be empty when the statement runs is exempt too: the same ALTER TABLE, or an earlier statement of the same transaction with no INSERT since, adds a NOT NULL column without a default (PostgreSQL refuses that on a table with rows; `no-required-column-without-default` reports it), TRUNCATEs it or DELETEs all its rows. (The referenced table is still locked briefly; `require-lock-timeout` covers that.) The fix adds NOT VALID, names the constraint when it has no name (PostgreSQL\'s default `<table>_<column>_fkey`), and writes the VALIDATE into a new migration file, so that it runs in its own transaction after the first one is deployed. Validate in the same transaction and nothing is gained: see `no-validate-in-same-transaction`.',
  },
  actionTypes: ['add-constraint', 'add-column'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type === 'add-constraint' && a.constraint.kind === 'foreign' && !a.constraint.notValid && isExisting(ctx, a.table) && !knownEmpty(ctx, a.table)) {
        reports.push(report(ctx, a.table, a.constraint, notValidTableConstraint(ctx, a.table, a.constraint), false));
      }
      // PostgreSQL skips the check of a REFERENCES column added without a value (all NULL), unless some
      // ADD COLUMN of the same statement has a DEFAULT (transformAlterTableStmt's skipValidation).
      if (a.type === 'add-column' && isExisting(ctx, a.table) && valuedColumn(ctx) && !knownEmpty(ctx, a.table)) {
        a.column.constraints.filter((c) => c.kind === 'foreign').forEach((c, nth) => {
          const r = report(ctx, a.table, c, notValidInlineConstraint(ctx, a, a.table, a.column.name, c, nth), true, a.column.name);
          // DEFAULT NULL is no value, yet it makes PostgreSQL check every row: dropping it is the whole fix.
          const dropNull = defaultNullOnly(ctx);
          if (dropNull) {
            r.data = { ...r.data, defaultNull: ' Here the only DEFAULT is NULL: drop it and PostgreSQL skips the check, since the new column is all NULL.' };
            r.fixes = [{ title: 'Drop DEFAULT NULL (the column is all NULL: no check needed)', safe: true, edits: [dropNull] }, ...(r.fixes ?? [])];
          }
          reports.push(r);
        });
      }
    }
    return reports;
  },
});

/** The statement's only DEFAULT is a literal NULL on a single ADD COLUMN: an edit removing it. */
function defaultNullOnly(ctx: StatementContext): TextEdit | undefined {
  const adds = ctx.statement.actions.filter((a) => a.type === 'add-column' && (a.column.defaultKind !== 'none' || a.column.identity || a.column.generatedStored));
  if (adds.length !== 1) return undefined;
  const a = adds[0];
  const cmd = commandOf(ctx, a);
  const clause = cmd && columnClauses(cmd)?.clauses.find((k) => k.kind === 'default');
  if (!cmd || !clause || clause.body.length !== 2 || clause.body[1].word !== 'null') return undefined;
  return removeTokens(clause.toks, cmd[cmd.indexOf(clause.toks[0]) - 1]);
}

function valuedColumn(ctx: StatementContext): boolean {
  return ctx.statement.actions.some((a) => a.type === 'add-column' && (a.column.defaultKind !== 'none' || a.column.identity || a.column.generatedStored));
}

function report(ctx: StatementContext, table: QName, c: ConstraintDef, plan: NotValidPlan | undefined, inline: boolean, column?: string): Report<keyof typeof messages> {
  const t = tableText(ctx, table);
  const ref = c.refTable ? tableText(ctx, c.refTable) : 'the referenced table';
  const partitioned = ctx.config.postgresVersion < 18 && Boolean(ctx.before.table(table)?.partitioned);
  // A self-reference (a parent_id of the same table) names its table once.
  const self = ref === t;
  const todo = inline
    ? 'Add the column without REFERENCES, add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).'
    : 'Add it NOT VALID, then VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE: reads and writes continue).';
  const fixes: Fix[] = [];
  let recipe: string | undefined;
  if (plan && !partitioned) {
    const later = validateLater(ctx, table, plan);
    recipe = later.recipe;
    fixes.push({ title: `Add ${plan.name} NOT VALID and validate it in a new migration`, safe: false, edits: [...plan.edits, later.edit] });
  }
  return {
    ...(inline
      ? { messageId: self ? 'columnSelfForeignKey' : 'columnForeignKey', data: { column: column ?? '', referenced: ref, table: t, todo: partitioned ? PARTITIONED_NOTE : todo, defaultNull: '' } } as const
      : { messageId: self ? 'selfForeignKey' : 'foreignKey', data: { name: c.name ? ` ${c.name}` : '', table: t, referenced: ref, todo: partitioned ? PARTITIONED_NOTE : todo, held: heldNote(ctx, table, 'ShareRowExclusive') } } as const),
    span: inline ? undefined : c.span,
    recipe,
    fixes,
  };
}
