import { ruleTester } from '../testing/tester';
import { noRequiredColumnWithoutDefault } from './no-required-column-without-default';

ruleTester(noRequiredColumnWithoutDefault, {
  valid: [
    "ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';",
    'ALTER TABLE orders ADD COLUMN currency text;',
    'ALTER TABLE orders ADD COLUMN number bigint GENERATED ALWAYS AS IDENTITY;',
    'ALTER TABLE orders ADD COLUMN number bigserial;',
    'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN currency text NOT NULL;',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE orders ADD COLUMN currency text NOT NULL;',
      errors: [{ line: 1, column: 1, messageId: 'withDefault', data: { table: 'orders' } }],
    },
    {
      sql: 'ALTER TABLE orders ADD COLUMN id2 bigint PRIMARY KEY;',
      errors: [{ line: 1, column: 1, messageId: 'withDefault' }],
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Straße" (id bigint PRIMARY KEY);', 'db/002.sql': '-- Hausnummer ist Pflicht 🏠\nALTER TABLE "Straße" ADD COLUMN "Hausnummer" int NOT NULL;' },
      config: { postgresVersion: 10 },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'nullableFirst' }],
    },
  ],
});
