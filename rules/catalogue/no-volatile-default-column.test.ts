import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { noVolatileDefaultColumn } from './no-volatile-default-column';

ruleTester(noVolatileDefaultColumn, {
  valid: [
    'ALTER TABLE orders ADD COLUMN public_id uuid;',
    'ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT \'new\';',
    'ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();',
    'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();',
    // PostgreSQL 18: a VIRTUAL generated column is computed on read.
    { sql: 'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) VIRTUAL;', config: { postgresVersion: 18 } },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();',
      errors: [{ line: 1, column: 1, messageId: 'volatile', data: { table: 'orders' } }],
      output: 'ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();',
    },
    {
      sql: 'ALTER TABLE orders ADD COLUMN seen_at timestamptz NOT NULL DEFAULT clock_timestamp();',
      errors: [{ line: 1, column: 1, messageId: 'volatile' }],
    },
    { sql: 'ALTER TABLE orders ADD COLUMN number bigserial;', errors: [{ line: 1, column: 1, messageId: 'serial', data: { type: 'bigserial' } }] },
    { sql: 'ALTER TABLE orders ADD COLUMN number bigint GENERATED ALWAYS AS IDENTITY;', errors: [{ line: 1, column: 1, messageId: 'identity' }] },
    { sql: 'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;', errors: [{ line: 1, column: 1, messageId: 'generated' }] },
    {
      // Before PostgreSQL 11 every default rewrites the table.
      sql: 'ALTER TABLE orders ADD COLUMN status text DEFAULT \'new\';',
      config: { postgresVersion: 10 },
      errors: [{ line: 1, column: 1, messageId: 'oldDefault' }],
      output: 'ALTER TABLE orders ADD COLUMN status text;\nALTER TABLE orders ALTER COLUMN status SET DEFAULT \'new\';',
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Bestellung" (id bigint PRIMARY KEY);', 'db/002.sql': '-- Zufällige Kennung 🎲\nALTER TABLE "Bestellung" ADD COLUMN "Kennung" uuid DEFAULT gen_random_uuid(), ADD COLUMN note text;' },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'volatile' }],
      output: '-- Zufällige Kennung 🎲\nALTER TABLE "Bestellung" ADD COLUMN "Kennung" uuid, ADD COLUMN note text;\nALTER TABLE "Bestellung" ALTER COLUMN "Kennung" SET DEFAULT gen_random_uuid();',
    },
  ],
});

describe('rule no-volatile-default-column: a column added as the key', () => {
  before(() => initParser());
  it('ends the recipe with the key, built concurrently and attached with USING INDEX', () => {
    const f = runCase({
      'db/001.sql': 'CREATE TABLE identities (provider_id text NOT NULL);\nINSERT INTO identities VALUES (\'x\');',
      'db/002.sql': 'ALTER TABLE identities ADD COLUMN id uuid DEFAULT gen_random_uuid() PRIMARY KEY;',
    }).findings.find((x) => x.rule === noVolatileDefaultColumn.id)!;
    assert.match(f.recipe!, /SET NOT NULL without a long scan[\s\S]*CREATE UNIQUE INDEX CONCURRENTLY identities_pkey ON identities \(id\);[^\n]*\nALTER TABLE identities ADD CONSTRAINT identities_pkey PRIMARY KEY USING INDEX identities_pkey;$/);
  });
});
