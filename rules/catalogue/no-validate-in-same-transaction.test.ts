import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
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

describe('no-validate-in-same-transaction: the recipe names migrations as their folder shows them', () => {
  before(() => initParser());
  it('not by the absolute path the analysis was given; a Prisma migration with its folder', () => {
    const recipe = (files: Record<string, string>) => runCase(files).findings.find((f) => f.rule === noValidateInSameTransaction.id)?.recipe;
    const sql = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;';
    assert.match(recipe({ '/home/dev/shop/db/migrations/20240101000000_orders.sql': sql }) ?? '', /^-- 20240101000000_orders\.sql\n/);
    const prisma = 'ALTER TABLE "Order" ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE "Order" VALIDATE CONSTRAINT c;';
    assert.match(recipe({ '/home/dev/shop/prisma/migrations/20240101000000_orders/migration.sql': prisma }) ?? '', /^-- 20240101000000_orders\/migration\.sql\n/);
  });
});
