import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { noColumnTypeRewrite } from './no-column-type-rewrite';

const init = 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(200), amount numeric(10, 2), placed_at timestamp, code char(3), paid_at timestamp(3));';

ruleTester(noColumnTypeRewrite, {
  valid: [
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN note TYPE text;' } },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(500);' } },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 2);' } },
    { sql: { 'db/001.sql': init, 'db/002.sql': "SET TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz;" } },
    `${init}\nALTER TABLE orders ALTER COLUMN quantity TYPE bigint;`,
    // Measured on PostgreSQL 18: a higher or unlimited precision rounds nothing, no rewrite.
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN paid_at TYPE timestamp(6);' } },
    { sql: { 'db/001.sql': init, 'db/002.sql': "SET TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz;" } },
    { sql: { 'db/001.sql': init, 'db/002.sql': "SET TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz(6);" } },
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
    {
      // Measured on PostgreSQL 18 under TimeZone UTC: timestamp(3) → timestamptz(3) rounds the converted values
      // again, a rewrite; UTC does not make it free.
      sql: { 'db/001.sql': init, 'db/002.sql': "SET TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz(3);" },
      errors: [{ file: 'db/002.sql', line: 2, column: 20, messageId: 'rewrite', data: { from: 'timestamp(3)', to: 'timestamptz(3)' } }],
    },
    { sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamp(3);' }, errors: [{ file: 'db/002.sql', line: 1, column: 20, messageId: 'rewrite' }] },
    {
      sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz(6);' },
      errors: [{ file: 'db/002.sql', line: 1, column: 1, messageId: 'timezone' }],
    },
    {
      // One ALTER TABLE rewrites the table once, however many columns change: one finding, naming them all.
      sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint,\n  ALTER COLUMN note TYPE varchar(50) USING left(note, 50);' },
      errors: [{
        file: 'db/002.sql', line: 1, column: 20, messageId: 'rewriteMany',
        data: { count: '2', table: 'orders', changes: 'quantity from integer to bigint, note from varchar(200) to varchar(50) with USING', unless: '' },
      }],
    },
    {
      // A binary-compatible change beside a rewrite is not named: it costs nothing.
      sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN note TYPE text, ALTER COLUMN quantity TYPE bigint;' },
      errors: [{ file: 'db/002.sql', line: 1, column: 49, messageId: 'rewrite', data: { column: 'quantity' } }],
    },
    {
      // Both columns predate the set and go to types that need not be free: the rewrite is possible, not certain.
      sql: 'ALTER TABLE orders ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE uuid USING b::uuid;',
      errors: [{ line: 1, column: 20, messageId: 'rewriteMany', data: { count: '2', changes: 'a to bigint, b to uuid with USING', unless: ' unless every change is binary-compatible (such as varchar(n) → text)' } }],
    },
    {
      // Two timestamp → timestamptz changes: one finding, and one SET TimeZone makes both free.
      sql: { 'db/001.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, starts_at timestamp, ends_at timestamp);', 'db/002.sql': 'ALTER TABLE events ALTER COLUMN starts_at TYPE timestamptz, ALTER COLUMN ends_at TYPE timestamptz;' },
      errors: [{ file: 'db/002.sql', line: 1, column: 20, messageId: 'timezone', data: { column: 'starts_at, ends_at', table: 'events' } }],
    },
    {
      // With a column that forces the rewrite, the time zone change is rewritten too: UTC would not make it free.
      sql: { 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz, ALTER COLUMN quantity TYPE bigint;' },
      errors: [{ file: 'db/002.sql', line: 1, column: 20, messageId: 'rewriteMany', data: { changes: 'placed_at from timestamp to timestamptz, quantity from integer to bigint' } }],
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
  it('the time zone recipe keeps the type as written, precision included', () => {
    const f = runCase({ 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz(6);' })
      .findings.find((x) => x.rule === noColumnTypeRewrite.id)!;
    assert.match(f.recipe!, /\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz\(6\);$/);
  });
  it('assigns the column as it is without USING', () => {
    const f = runCase({ 'db/001.sql': init, 'db/002.sql': 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;' })
      .findings.find((x) => x.rule === noColumnTypeRewrite.id)!;
    assert.match(f.recipe!, /NEW\.quantity_new := NEW\.quantity;/);
    assert.match(f.recipe!, /SET quantity_new = quantity WHERE ctid IN/);
  });
});

describe('rule no-column-type-rewrite: several columns of one table', () => {
  before(() => initParser());
  it('one recipe moves them together: one trigger, one batched backfill, one swap', () => {
    const f = runCase({
      'db/001.sql': 'CREATE TABLE "User" (id bigint PRIMARY KEY, "createdOn" timestamp(3) NOT NULL DEFAULT now(), "lastLoggedOn" timestamp(3));',
      'db/002.sql': 'ALTER TABLE "User" ALTER COLUMN "createdOn" SET DATA TYPE TIMESTAMPTZ(3) USING "createdOn" AT TIME ZONE \'UTC\',\nALTER COLUMN "lastLoggedOn" SET DATA TYPE TIMESTAMPTZ(3) USING "lastLoggedOn" AT TIME ZONE \'UTC\';',
    }).findings.filter((x) => x.rule === noColumnTypeRewrite.id);
    assert.equal(f.length, 1);
    const r = f[0].recipe!;
    assert.match(r, /^-- 1\. new columns, kept in sync by a trigger\nALTER TABLE "User" ADD COLUMN "createdOn_new" timestamptz\(3\), ADD COLUMN "lastLoggedOn_new" timestamptz\(3\);/);
    assert.match(r, /CREATE FUNCTION "User_types_sync"\(\) RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW\."createdOn_new" := \(SELECT "createdOn" AT TIME ZONE 'UTC' FROM \(SELECT NEW\.\*\) AS r\); NEW\."lastLoggedOn_new" := \(SELECT "lastLoggedOn" AT TIME ZONE 'UTC' FROM \(SELECT NEW\.\*\) AS r\); RETURN NEW; END \$\$;/);
    assert.equal(r.match(/^UPDATE /gm)?.length, 1, 'one backfill for both');
    assert.match(r, /WHERE \("createdOn_new" IS NULL AND "createdOn" IS NOT NULL\) OR \("lastLoggedOn_new" IS NULL AND "lastLoggedOn" IS NOT NULL\) LIMIT 10000\);/);
    // Only the NOT NULL column gets the CHECK and moves its NOT NULL.
    assert.equal(r.match(/ADD CONSTRAINT/g)?.length, 1);
    assert.match(r, /ALTER TABLE "User" ALTER COLUMN "createdOn_old" DROP NOT NULL;/);
    assert.doesNotMatch(r, /"lastLoggedOn_old" DROP NOT NULL/);
    assert.match(r, /RENAME COLUMN "lastLoggedOn_new" TO "lastLoggedOn";\nDROP TRIGGER "User_types_sync" ON "User";/);
    assert.match(r, /-- 5\. when no code reads them any more: ALTER TABLE "User" DROP COLUMN "createdOn_old", DROP COLUMN "lastLoggedOn_old";$/);
  });
  it('the time zone recipe sets UTC once and changes both columns in one statement', () => {
    const f = runCase({
      'db/001.sql': 'CREATE TABLE events (id bigint PRIMARY KEY, starts_at timestamp, ends_at timestamp);',
      'db/002.sql': 'ALTER TABLE events ALTER COLUMN starts_at TYPE timestamptz, ALTER COLUMN ends_at TYPE timestamptz;',
    }).findings.find((x) => x.rule === noColumnTypeRewrite.id)!;
    assert.match(f.recipe!, /\nALTER TABLE events ALTER COLUMN starts_at TYPE timestamptz, ALTER COLUMN ends_at TYPE timestamptz;$/);
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
