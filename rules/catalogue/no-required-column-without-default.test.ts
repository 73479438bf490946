import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { caseFiles, ruleTester, runCase } from '../testing/tester';
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
    {
      // One ALTER TABLE fails once: one finding for all its required columns (Prisma writes them so).
      sql: 'ALTER TABLE "RepositoryProject" DROP COLUMN "dockerDefinitionUrl",\nADD COLUMN "dockerIgnore" TEXT NOT NULL,\nADD COLUMN "dockerfile" TEXT NOT NULL;',
      errors: [{ line: 1, column: 1, messageId: 'withDefaultMany', data: { columns: 'dockerIgnore, dockerfile', column: 'dockerIgnore', table: '"RepositoryProject"' } }],
    },
    {
      // No constant fits a uuid: without it, the only way is nullable first.
      sql: 'ALTER TABLE orders ADD COLUMN ref uuid NOT NULL, ADD COLUMN n int NOT NULL;',
      errors: [{ line: 1, column: 1, messageId: 'nullableFirstMany', data: { columns: 'ref, n' } }],
    },
  ],
});

describe('rule no-required-column-without-default: several columns of one table', () => {
  before(() => initParser());
  it('one recipe: the defaults in one statement, or one backfill that keeps what is already written', () => {
    const [f] = runCase(caseFiles('ALTER TABLE orders ADD COLUMN a text NOT NULL, ADD COLUMN n int NOT NULL;')).findings.filter((x) => x.rule === noRequiredColumnWithoutDefault.id);
    assert.match(f.recipe!, /^-- PostgreSQL 11\+: constant defaults are stored in the catalog, no rewrite \(choose the values old rows get\)\nALTER TABLE orders ADD COLUMN a text NOT NULL DEFAULT '', ADD COLUMN n integer NOT NULL DEFAULT 0;\n/);
    assert.match(f.recipe!, /\nALTER TABLE orders ADD COLUMN a text, ADD COLUMN n integer;\nUPDATE orders SET a = COALESCE\(a, ''\), n = COALESCE\(n, 0\)\nWHERE ctid IN \(SELECT ctid FROM orders WHERE a IS NULL OR n IS NULL LIMIT 10000\);/);
    assert.equal(f.recipe!.match(/VALIDATE CONSTRAINT/g)?.length, 2);
  });
});
