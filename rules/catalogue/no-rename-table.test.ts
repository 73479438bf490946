import { ruleTester } from '../testing/tester';
import { noRenameTable } from './no-rename-table';

ruleTester(noRenameTable, {
  valid: [
    'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;',
    'CREATE TABLE customers (id bigint PRIMARY KEY);\nALTER TABLE customers RENAME TO clients;',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE customers RENAME TO clients;',
      errors: [{ line: 1, column: 1, messageId: 'renameTable', data: { from: 'customers' } }],
      output: 'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;',
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE crm."Kunden" (id bigint PRIMARY KEY);', 'db/002.sql': '-- Kunden → Klienten 👥\nALTER TABLE crm."Kunden" RENAME TO "Klienten";' },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'renameTable' }],
      output: '-- Kunden → Klienten 👥\nALTER TABLE crm."Kunden" RENAME TO "Klienten";\nCREATE VIEW crm."Kunden" AS SELECT * FROM crm."Klienten";',
    },
    {
      // A later migration drops a column of the renamed table: the view would make it fail, so no fix (the recipe says
      // to drop the view first).
      sql: { 'db/001.sql': 'CREATE TABLE flows (id bigint PRIMARY KEY, form text);', 'db/002.sql': 'ALTER TABLE flows RENAME TO verification_flows;', 'db/003.sql': 'ALTER TABLE verification_flows DROP COLUMN form;' },
      errors: [{ file: 'db/002.sql', line: 1, messageId: 'renameTable' }],
      output: null,
    },
  ],
});
