import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { noColumnTypeRewrite } from './no-column-type-rewrite';

const init = 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(200), amount numeric(10, 2), placed_at timestamp, code char(3));';

ruleTester(noColumnTypeRewrite, {
  valid: [
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN note TYPE text;' } },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(500);' } },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 2);' } },
    { sql: { 'db/001.sql': init, 'db/002.sql': "SET TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz;" } },
    `${init}\nALTER TABLE orders ALTER COLUMN quantity TYPE bigint;`,
    // Unknown old type, a target that is usually a binary-compatible widening.
    'ALTER TABLE orders ALTER COLUMN note TYPE text;',
    'ALTER TABLE orders ALTER COLUMN note TYPE varchar;',
  ],
  invalid: [
    {
      sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;' },
      errors: [{ file: 'db/002.sql', line: 1, column: 20, messageId: 'rewrite', data: { from: 'integer', to: 'bigint', table: 'orders' }, message: /from integer to bigint rewrites orders and rebuilds all its indexes under an ACCESS EXCLUSIVE lock/ }],
    },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(50);' }, errors: [{ file: 'db/002.sql', line: 1, column: 20, messageId: 'rewrite' }] },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN amount TYPE numeric(10, 4);' }, errors: [{ file: 'db/002.sql', line: 1, column: 20, messageId: 'rewrite' }] },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN code TYPE text;' }, errors: [{ file: 'db/002.sql', line: 1, column: 20, messageId: 'rewrite' }] },
    // The old type is unknown: reported as a possible rewrite.
    { sql: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint USING quantity::bigint;', errors: [{ line: 1, column: 20, messageId: 'rewriteMaybe' }] },
    {
      // timestamp → timestamptz: free only under TimeZone UTC (PostgreSQL 12+).
      sql: { 'db/001.sql': init, 'db/002.sql': '-- Zeitzone 🕐\nALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz;' },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'timezone' }],
    },
    {
      sql: { 'db/001.sql': init, 'db/002.sql': "SET TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz;" },
      config: { postgresVersion: 11 },
      errors: [{ file: 'db/002.sql', line: 2, column: 20, messageId: 'rewrite', data: { table: 'orders' } }],
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Bestellung" ("Menge" int);', 'db/002.sql': 'ALTER TABLE "Bestellung" ALTER "Menge" TYPE bigint;' },
      errors: [{ file: 'db/002.sql', line: 1, column: 26, messageId: 'rewrite' }],
    },
  ],
});

describe('rule no-column-type-rewrite: the recipe', () => {
  before(() => initParser());
  it('converts with the migration\'s USING expression in the sync trigger and the backfill, not a plain assignment', () => {
    const f = runCase({ 'db/001.sql': init, 'db/002.sql': "ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz USING placed_at AT TIME ZONE 'UTC';" })
      .findings.find((x) => x.rule === noColumnTypeRewrite.id)!;
    assert.match(f.recipe!, /NEW\.placed_at_new := \(SELECT placed_at AT TIME ZONE 'UTC' FROM \(SELECT NEW\.\*\) AS r\);/);
    assert.match(f.recipe!, /SET placed_at_new = placed_at AT TIME ZONE 'UTC' WHERE ctid IN/);
  });
  it('assigns the column as it is without USING', () => {
    const f = runCase({ 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;' })
      .findings.find((x) => x.rule === noColumnTypeRewrite.id)!;
    assert.match(f.recipe!, /NEW\.quantity_new := NEW\.quantity;/);
    assert.match(f.recipe!, /SET quantity_new = quantity WHERE ctid IN/);
  });
});
