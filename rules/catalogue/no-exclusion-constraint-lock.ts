import { defineRule, type Report } from '../engine/types';
import { isExisting, tableText } from './locking-util';

const messages = {
  addExclude: 'ADD EXCLUDE{{name}} on {{table}} builds its index and checks every row under an ACCESS EXCLUSIVE lock: every query on {{table}} waits, SELECT included, for the whole build. There is no concurrent or NOT VALID form: run it in a maintenance window with lock_timeout set.',
};

export const noExclusionConstraintLock = defineRule({
  id: 'no-exclusion-constraint-lock',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: false,
  scalesWithTableSize: true,
  title: 'Adding an exclusion constraint locks the table for the whole index build',
  messages,
  rationale:
    'ADD CONSTRAINT … EXCLUDE builds its index and checks every row while holding an ACCESS EXCLUSIVE lock: every query on the table, SELECT included, waits for the whole build. Unlike UNIQUE, an exclusion constraint cannot be attached to an index built concurrently (there is no USING INDEX form) and cannot be NOT VALID, so there is no online way. Add it when the table is created, or in a maintenance window with lock_timeout set.',
  docs: {
    bad: 'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);',
    good: 'CREATE TABLE bookings (id bigint PRIMARY KEY, room_id bigint, during tstzrange,\n  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&));',
    details: 'Tables created earlier in the same file are exempt.',
  },
  actionTypes: ['add-constraint'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'add-constraint' || a.constraint.kind !== 'exclude' || !isExisting(ctx, a.table)) continue;
      const t = tableText(ctx, a.table);
      reports.push({
        messageId: 'addExclude',
        data: { name: a.constraint.name ? ` ${a.constraint.name}` : '', table: t },
        span: a.constraint.span,
        recipe: `-- in a maintenance window (the whole build holds ACCESS EXCLUSIVE):\nSET lock_timeout = '${ctx.config.lockTimeout}';\n${ctx.statement.text};`,
      });
    }
    return reports;
  },
});
