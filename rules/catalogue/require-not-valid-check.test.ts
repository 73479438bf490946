import { ruleTester } from '../testing/tester';
import { requireNotValidCheck } from './require-not-valid-check';

ruleTester(requireNotValidCheck, {
  valid: [
    // The table is known to be empty: the same ALTER TABLE adds a NOT NULL column without a default.
    'ALTER TABLE orders ADD COLUMN region text NOT NULL, ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
    'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;',
    'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric CHECK (total >= 0));',
    'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
    'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN total numeric CHECK (total >= 0);',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
      errors: [{ line: 1, column: 24, messageId: 'check' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_orders_total_positive.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n' },
    },
    {
      // Unnamed: named with PostgreSQL's default <table>_<first column>_check.
      sql: 'ALTER TABLE shop.orders ADD CHECK (total >= discount), ALTER COLUMN note SET DEFAULT \'\';',
      errors: [{ line: 1, column: 29, messageId: 'check' }],
      output: 'ALTER TABLE shop.orders ADD CONSTRAINT orders_total_check CHECK (total >= discount) NOT VALID, ALTER COLUMN note SET DEFAULT \'\';',
      outputFiles: { 'migrations/20240101000001_validate_orders_total_check.sql': 'ALTER TABLE shop.orders VALIDATE CONSTRAINT orders_total_check;\n' },
    },
    {
      // A CHECK in ADD COLUMN is checked against every row: moved into its own ADD CONSTRAINT … NOT VALID.
      sql: 'ALTER TABLE orders ADD COLUMN total numeric NOT NULL DEFAULT 0 CHECK (total >= 0);',
      errors: [{ line: 1, column: 1, messageId: 'columnCheck' }],
      output: 'ALTER TABLE orders ADD COLUMN total numeric NOT NULL DEFAULT 0;\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_orders_total_check.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\n' },
    },
    {
      sql: '/* Preise dürfen nicht negativ sein — ¥€ */\nALTER TABLE "Bestellung" ADD CONSTRAINT "Preis_positiv" CHECK ("Preis" >= 0);',
      errors: [{ line: 2, column: 30, messageId: 'check' }],
      output: '/* Preise dürfen nicht negativ sein — ¥€ */\nALTER TABLE "Bestellung" ADD CONSTRAINT "Preis_positiv" CHECK ("Preis" >= 0) NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_preis_positiv.sql': 'ALTER TABLE "Bestellung" VALIDATE CONSTRAINT "Preis_positiv";\n' },
    },
    {
      sql: {
        'db/V1__init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);',
        'db/V2__check.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
      },
      errors: [{ file: 'db/V2__check.sql', line: 1, column: 24, messageId: 'check' }],
      outputFiles: { 'db/V2.1__validate_orders_total_positive.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n' },
    },
  ],
});
