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

describe('rule no-column-type-rewrite: the swap keeps NOT NULL and DEFAULT where they belong', () => {
  before(() => initParser());
  it('moves them to the new column and off the old one, which the trigger no longer fills', () => {
    const f = runCase({
      'db/001.sql': 'CREATE TABLE "Order" (id bigint PRIMARY KEY, "Total" numeric(10, 2) NOT NULL DEFAULT 0);',
      'db/002.sql': 'ALTER TABLE "Order" ALTER COLUMN "Total" TYPE numeric(10, 4);',
    }).findings.find((x) => x.rule === noColumnTypeRewrite.id)!;
    const r = f.recipe!;
    assert.match(r, /ADD CONSTRAINT "Total_new_not_null" CHECK \("Total_new" IS NOT NULL\) NOT VALID;\nALTER TABLE "Order" VALIDATE CONSTRAINT "Total_new_not_null";/);
    assert.match(r, /ALTER TABLE "Order" ALTER COLUMN "Total" SET DEFAULT 0;\nALTER TABLE "Order" ALTER COLUMN "Total_old" DROP DEFAULT;/);
    assert.match(r, /ALTER COLUMN "Total_old" DROP NOT NULL;\nALTER TABLE "Order" ALTER COLUMN "Total" SET NOT NULL;/);
    assert.ok(r.indexOf('DROP NOT NULL') < r.indexOf('COMMIT;'));
  });
  it('quotes a user type whose name needs quotes, and says to keep the old type until the old column goes', () => {
    const f = runCase({
      'db/001.sql': 'CREATE TYPE "Status" AS ENUM (\'a\', \'b\');\nCREATE TYPE "Status_new" AS ENUM (\'a\');\nCREATE TABLE runs (id bigint PRIMARY KEY, status "Status" NOT NULL);',
      'db/002.sql': 'ALTER TABLE runs ALTER COLUMN status TYPE "Status_new" USING status::text::"Status_new";',
    }).findings.find((x) => x.rule === noColumnTypeRewrite.id)!;
    assert.match(f.recipe!, /ADD COLUMN status_new "Status_new";/);
    assert.match(f.recipe!, /status_old keeps type "Status" until then: drop or rename that type only after it\./);
  });
});
