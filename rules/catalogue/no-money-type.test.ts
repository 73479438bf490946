import { ruleTester } from '../testing/tester';
import { noMoneyType } from './no-money-type';

ruleTester(noMoneyType, {
  valid: [
    'CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric(12, 2) NOT NULL);',
    'CREATE TABLE invoices (id bigint PRIMARY KEY, total billing.money);',
    'SELECT 12.5::money;',
  ],
  invalid: [
    {
      sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, total money NOT NULL);',
      errors: [{ line: 1, column: 53, messageId: 'money', data: { column: 'invoices.total' } }],
    },
    {
      sql: '-- Beträge in Euro 💶\nALTER TABLE "Rechnung" ADD COLUMN "Betrag" MONEY;',
      errors: [{ line: 2, column: 44, messageId: 'money', data: { column: 'Rechnung.Betrag' } }],
    },
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric);',
        'db/002_type.sql': 'ALTER TABLE invoices ALTER COLUMN total TYPE money;',
      },
      errors: [{ file: 'db/002_type.sql', line: 1, column: 46, messageId: 'money' }],
    },
  ],
});
