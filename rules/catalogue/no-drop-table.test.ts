import { ruleTester } from '../testing/tester';
import { noDropTable } from './no-drop-table';

ruleTester(noDropTable, {
  valid: [
    'CREATE TABLE legacy_events (id bigint PRIMARY KEY);\nDROP TABLE legacy_events;',
    '-- sql-architect-ignore no-drop-table: unused since release 42, backed up\nDROP TABLE legacy_events;',
    'CREATE TEMP TABLE scratch (id int);\nDROP TABLE scratch;',
  ],
  invalid: [
    {
      sql: 'DROP TABLE legacy_events;',
      errors: [{ line: 1, column: 1, messageId: 'dropTable', data: { tables: 'legacy_events' } }],
    },
    {
      sql: {
        'db/001.sql': 'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE "Bestellung" (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));',
        'db/002.sql': '-- alte Bestellungen löschen 🧹\nDROP TABLE IF EXISTS "Bestellung" CASCADE;',
      },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'dropTableCascade', data: { tables: '"Bestellung"', referenced: ' and on customers (referenced by its foreign keys)' } }],
    },
  ],
});
