import { defineRule, type Report } from '../engine/types';
import { builtin, columnLabel, typedColumns, typeTextSpan } from './design-util';

const messages = {
  money: "Column {{column}} is money: its input and output depend on the server's lc_monetary locale, it keeps no currency and it rounds on division. Use numeric with an explicit scale, such as numeric(12, 2).",
};

export const noMoneyType = defineRule({
  id: 'no-money-type',
  category: 'design',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Do not use the money type',
  messages,
  rationale:
    '`money` formats and parses values with the server\'s `lc_monetary` locale: a dump restored on a server with another locale reads `1,000` or `$1.00` differently or not at all, and the number of decimal places is the locale\'s, not yours. It stores no currency, rounds on division and cannot hold fractions of a cent. Use `numeric(p, s)` (and a currency column when amounts can be in more than one currency).',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, total money NOT NULL);',
    good: 'CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric(12, 2) NOT NULL, currency text NOT NULL);',
    details: 'There is no automatic fix: the precision and scale are yours to choose, and converting existing values goes through the locale. See [Don\'t Do This](https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_money) on the PostgreSQL wiki.',
  },
  actionTypes: ['create-table', 'add-column', 'alter-column-type'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const c of typedColumns(ctx.statement.actions)) {
      if (!builtin(c.type, 'money')) continue;
      const span = typeTextSpan(ctx.file.text, c.type, 'money');
      reports.push({
        span: span ? { start: span.start, end: span.end } : undefined,
        messageId: 'money',
        data: { column: columnLabel(c.table, c.column) },
      });
    }
    return reports;
  },
});
