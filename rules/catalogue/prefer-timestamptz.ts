import { defineRule, type Report } from '../engine/types';
import { builtin, columnLabel, stillTyped, typedColumns, typeTextSpan } from './design-util';
import { conventionReport } from './util';

const TIMESTAMP = 'timestamp(?:\\s*\\(\\s*(\\d+)\\s*\\))?(?:\\s+without\\s+time\\s+zone)?';

const messages = {
  timestamp: 'Column {{column}} is timestamp without time zone: it stores a wall-clock reading with no offset, so values depend on the time zone of whoever wrote them and comparisons with now() depend on the session. Use {{replacement}} (same 8 bytes, an absolute instant).',
  alterType: 'Column {{column}} is timestamp without time zone: it stores a wall-clock reading with no offset, so values depend on the time zone of whoever wrote them and comparisons with now() depend on the session. Use {{replacement}} (same 8 bytes, an absolute instant). Changing the type of an existing column converts its values with the session TimeZone and rewrites the table.',
  convention: 'The project stores points in time as timestamp without time zone in {{count}} columns: a project-wide choice, so it is reported once. Values carry no offset, so they are right only while every writer uses the same time zone (often UTC by convention), and comparisons with now() depend on each session\'s TimeZone. If that convention is deliberate, turn this rule off in .sqlarchitect.json; otherwise migrate to timestamptz (same 8 bytes, an absolute instant), table by table.',
};

export const preferTimestamptz = defineRule({
  id: 'prefer-timestamptz',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Store points in time as timestamptz',
  messages,
  rationale:
    '`timestamp` (without time zone) stores a wall-clock reading with no offset. The same instant written by sessions or servers in different time zones gets different values, comparisons with `now()` silently depend on the session\'s TimeZone setting, and an hour of local times is ambiguous at every daylight-saving change. `timestamptz` stores an absolute instant in the same 8 bytes and converts to the session\'s time zone only on output.',
  docs: {
    bad: 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamp NOT NULL);',
    good: 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL);',
    details:
      'The fix rewrites the type (`timestamp(3)` becomes `timestamptz(3)`). It is applied by "fix all" for columns being created; on `ALTER COLUMN … TYPE` it is offered but not applied automatically, because existing values are converted using the session\'s TimeZone and the table is rewritten under an ACCESS EXCLUSIVE lock (since PostgreSQL 12 the rewrite between `timestamp` and `timestamptz` is skipped only when the session TimeZone is UTC). Keep `timestamp` only for local times that are not instants, such as the opening time of a shop in its own time zone, and say so with an ignore comment.\n\nA column that a later migration converts to timestamptz, or drops, is not reported. A project that uses timestamp without time zone for (nearly) every column made a project-wide choice, often storing UTC by convention (Prisma\'s `TIMESTAMP(3)`): that is one finding for the set, on the first such column, with the others as related locations.',
  },
  actionTypes: ['create-table', 'add-column', 'alter-column-type'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    // The statement first: most have no timestamp column, and then the rule read nothing else (the editor reuses
    // what a rule said of an unchanged statement when it read only the statement).
    const timestamps = typedColumns(ctx.statement.actions).filter((c) => builtin(c.type, 'timestamp'));
    if (timestamps.length === 0 || ctx.conventions.has('timestamp-without-time-zone')) return reports;
    const text = ctx.file.text;
    for (const c of timestamps) {
      if (!stillTyped(ctx, c)) continue;
      const span = typeTextSpan(text, c.type, TIMESTAMP);
      const precision = span && /\(\s*(\d+)\s*\)/.exec(span.text)?.[1];
      const replacement = `timestamptz${precision ? `(${precision})` : ''}`;
      const column = columnLabel(c.table, c.column);
      const altering = c.kind === 'alter-column-type';
      reports.push({
        span: span ? { start: span.start, end: span.end } : undefined,
        messageId: altering ? 'alterType' : 'timestamp',
        data: { column, replacement },
        fixes: span
          ? [{ title: `Change the type of ${column} to ${replacement}`, safe: !altering, edits: [{ start: span.start, end: span.end, newText: replacement }] }]
          : [],
      });
    }
    return reports;
  },
  checkSet(ctx) {
    return conventionReport(ctx, 'timestamp-without-time-zone', 'convention');
  },
});
