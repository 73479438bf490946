import { defineRule, type Report } from '../engine/types';
import { builtin, columnLabel, stillTyped, typedColumns, typeTextSpan } from './design-util';

const messages = {
  json: 'Column {{column}} is json: it is re-parsed on every access, has no equality operator (DISTINCT, GROUP BY and = fail on it) and cannot be GIN-indexed. Use jsonb unless the exact input text must be kept.',
};

export const preferJsonb = defineRule({
  id: 'prefer-jsonb',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Store JSON as jsonb',
  messages,
  rationale:
    '`json` keeps the input text verbatim and parses it again on every access. It has no equality operator, so `SELECT DISTINCT`, `GROUP BY`, `UNION` and `=` on the column fail with "could not identify an equality operator for type json", and it supports neither GIN indexes nor the containment and existence operators (`@>`, `?`). `jsonb` stores parsed, binary JSON that is faster to query and indexable.',
  docs: {
    bad: 'CREATE TABLE webhooks (id bigint PRIMARY KEY, payload json NOT NULL);',
    good: 'CREATE TABLE webhooks (id bigint PRIMARY KEY, payload jsonb NOT NULL);',
    details:
      'Keep `json` only when the exact text matters: key order, duplicate keys and whitespace (for example a signed payload whose signature must be verified byte for byte), and say so with an ignore comment. The fix is applied by "fix all" for columns being created; on `ALTER COLUMN … TYPE` it is offered but not applied automatically, because converting a column rewrites the table under an ACCESS EXCLUSIVE lock. A column that a later migration converts or drops is not reported, nor one whose COMMENT gives the reason for json (the exact text, key order).',
  },
  actionTypes: ['create-table', 'add-column', 'alter-column-type'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const c of typedColumns(ctx.statement.actions)) {
      if (!builtin(c.type, 'json')) continue;
      // Converted later, or json on purpose and said so (key order, duplicate keys, the exact input text).
      const final = stillTyped(ctx, c);
      if (!final || /\b(json|jsonb|order|exact|verbatim|as received|raw)\b/i.test(final.comment ?? '')) continue;
      const span = typeTextSpan(ctx.file.text, c.type, 'json');
      const column = columnLabel(c.table, c.column);
      const altering = c.kind === 'alter-column-type';
      reports.push({
        span: span ? { start: span.start, end: span.end } : undefined,
        messageId: 'json',
        data: { column },
        fixes: span ? [{ title: `Change the type of ${column} to jsonb`, safe: !altering, edits: [{ start: span.start, end: span.end, newText: 'jsonb' }] }] : [],
      });
    }
    return reports;
  },
});
