import { ruleTester } from '../testing/tester';
import { noSetNotNullScan } from './no-set-not-null-scan';

ruleTester(noSetNotNullScan, {
  valid: [
    // The same ALTER TABLE adds a NOT NULL column with no default: it fails unless the table is empty, so nothing to scan.
    'ALTER TABLE "TaskRun" ADD COLUMN "triggerConfig" JSONB NOT NULL, ALTER COLUMN "taskIdentifier" SET NOT NULL;',
    // Emptied earlier in the transaction: a TRUNCATE, or such an ADD COLUMN.
    'BEGIN;\nTRUNCATE orders;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nCOMMIT;',
    'BEGIN;\nALTER TABLE orders ADD COLUMN region text NOT NULL;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nCOMMIT;',
    'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    // PostgreSQL 12+: a validated CHECK (col IS NOT NULL) makes SET NOT NULL skip the scan.
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);',
        'db/002_check.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;',
        'db/003_validate.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;',
      },
    },
    // Already NOT NULL: a no-op.
    { sql: { 'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);', 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;' } },
    { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null NOT NULL customer_id NOT VALID;', config: { postgresVersion: 18 } },
    // A type change in the same statement rewrites the table: NOT NULL is checked during the rewrite (reported by no-column-type-rewrite).
    { sql: { 'db/001.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity int);', 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint, ALTER COLUMN quantity SET NOT NULL;' } },
    // The model does not know the table: the CHECK added and validated earlier in this file proves it.
    'ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
  ],
  invalid: [
    {
      // A VALIDATE of another constraint proves nothing.
      sql: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
      errors: [{ line: 2, column: 20, messageId: 'checkFirst' }],
      output: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;',
    },
    {
      sql: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
      errors: [{ line: 1, column: 20, messageId: 'checkFirst' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;',
      outputFiles: {
        'migrations/20240101000001_set_not_null_orders_customer_id.sql':
          "SET lock_timeout = '2s';\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;\n",
      },
    },
    {
      // The CHECK exists but is not validated yet: still a scan.
      sql: 'ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders\n  ALTER customer_id SET NOT NULL,\n  ALTER COLUMN note SET DEFAULT \'\';',
      errors: [{ line: 3, column: 3, messageId: 'checkFirst' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders\n  ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID,\n  ALTER COLUMN note SET DEFAULT \'\';',
    },
    {
      // Before PostgreSQL 12 even a validated CHECK does not help: no fix, the alternative is explained.
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, CONSTRAINT c CHECK (customer_id IS NOT NULL));',
        'db/002_nn.sql': 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
      },
      config: { postgresVersion: 11 },
      errors: [{ file: 'db/002_nn.sql', messageId: 'noLockFreeWay' }],
      output: null,
    },
    {
      sql: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
      config: { postgresVersion: 18 },
      errors: [{ line: 1, column: 20, messageId: 'notNullNotValid' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null NOT NULL customer_id NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_orders_customer_id_not_null.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\n' },
    },
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null NOT NULL customer_id;',
      config: { postgresVersion: 18 },
      errors: [{ line: 1, column: 24, messageId: 'notNullConstraint' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null NOT NULL customer_id NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_orders_customer_id_not_null.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\n' },
    },
    {
      sql: '-- Straße muss gesetzt sein 🏠\nALTER TABLE "Adresse" ALTER COLUMN "Straße" SET NOT NULL;',
      errors: [{ line: 2, column: 23, messageId: 'checkFirst' }],
      output: '-- Straße muss gesetzt sein 🏠\nALTER TABLE "Adresse" ADD CONSTRAINT "Adresse_Straße_not_null" CHECK ("Straße" IS NOT NULL) NOT VALID;',
      outputFiles: { 'migrations/20240101000001_set_not_null_adresse_stra_e.sql': /ALTER TABLE "Adresse" ALTER COLUMN "Straße" SET NOT NULL;/ },
    },
  ],
});
