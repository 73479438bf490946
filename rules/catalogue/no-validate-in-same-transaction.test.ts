import { ruleTester } from '../testing/tester';
import { noValidateInSameTransaction } from './no-validate-in-same-transaction';

ruleTester(noValidateInSameTransaction, {
  valid: [
    // Autocommit: each statement is its own transaction.
    'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    { sql: { 'db/001.sql': 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;', 'db/002.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT c;' }, config: { assumeInTransaction: true } },
    'BEGIN;\nCREATE TABLE orders (id bigint, total numeric);\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;',
  ],
  invalid: [
    {
      sql: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;',
      errors: [{ line: 3, column: 1, messageId: 'check', data: { line: 2, table: 'orders' } }],
      output: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nCOMMIT;',
      outputFiles: { 'migrations/20240101000001_validate_orders_total_positive.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n' },
    },
    {
      // The tool wraps the file in a transaction; an unnamed foreign key gets PostgreSQL's default name.
      sql: '-- Fremdschlüssel 🔑\nALTER TABLE "Bestellung" ADD FOREIGN KEY (kunde_id) REFERENCES "Kunde" (id) NOT VALID;\nALTER TABLE "Bestellung" VALIDATE CONSTRAINT "Bestellung_kunde_id_fkey";',
      config: { assumeInTransaction: true },
      errors: [{ line: 3, column: 1, messageId: 'foreignKey' }],
      outputFiles: { 'migrations/20240101000001_validate_bestellung_kunde_id_fkey.sql': 'ALTER TABLE "Bestellung" VALIDATE CONSTRAINT "Bestellung_kunde_id_fkey";\n' },
    },
  ],
});
