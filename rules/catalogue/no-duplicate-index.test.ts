import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { caseFiles, ruleTester, runCase } from '../testing/tester';
import { noDuplicateIndex } from './no-duplicate-index';

const orders = 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz, status text);\n';

ruleTester(noDuplicateIndex, {
  valid: [
    `${orders}CREATE INDEX a ON orders (customer_id, created_at);\nCREATE INDEX b ON orders (created_at);`,
    // Unique indexes enforce something the wider index does not.
    `${orders}CREATE UNIQUE INDEX a ON orders (customer_id);\nCREATE INDEX b ON orders (customer_id, created_at);`,
    // Partial and expression indexes, operator classes, sort orders and other methods are not compared.
    `${orders}CREATE INDEX a ON orders (customer_id, created_at);\nCREATE INDEX b ON orders (customer_id) WHERE status = 'open';`,
    `${orders}CREATE INDEX a ON orders (lower(status));\nCREATE INDEX b ON orders (upper(status));`,
    `${orders}CREATE INDEX a ON orders (status, id);\nCREATE INDEX b ON orders (status text_pattern_ops);`,
    `${orders}CREATE INDEX a ON orders (customer_id, created_at);\nCREATE INDEX b ON orders (customer_id DESC);`,
    `${orders}CREATE INDEX a ON orders USING hash (customer_id);\nCREATE INDEX b ON orders (customer_id);`,
    `${orders}CREATE INDEX a ON orders USING gin (status, customer_id);\nCREATE INDEX b ON orders USING gin (status);`,
    // INCLUDE columns the wider index cannot return.
    `${orders}CREATE INDEX a ON orders (customer_id) INCLUDE (status);\nCREATE INDEX b ON orders (customer_id, created_at);`,
    // The duplicate is dropped by a later migration.
    {
      sql: {
        'db/001_init.sql': `${orders}CREATE INDEX a ON orders (customer_id);\nCREATE INDEX b ON orders (customer_id, created_at);`,
        'db/002_drop.sql': 'DROP INDEX CONCURRENTLY a;',
      },
    },
    // An unqualified DROP INDEX finds the index in the schema the tool's search_path holds.
    'CREATE TABLE auth.users (id bigint PRIMARY KEY, instance_id uuid, email text);\nCREATE INDEX users_instance_id_idx ON auth.users (instance_id);\nCREATE INDEX users_instance_id_email_idx ON auth.users (instance_id, email);\nDROP INDEX IF EXISTS users_instance_id_email_idx;\nCREATE INDEX IF NOT EXISTS users_instance_id_email_idx ON auth.users (instance_id, lower(email));',
    // The primary key and a unique constraint on the same column are constraints, not reported here.
    'CREATE TABLE t (id bigint PRIMARY KEY UNIQUE);',
  ],
  invalid: [
    {
      sql: `${orders}CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);`,
      errors: [{ line: 3, column: 1, messageId: 'redundant', data: { index: 'orders_customer_id_idx', table: 'orders', columns: 'customer_id', other: 'index orders_customer_id_created_at_idx (customer_id, created_at)' } }],
      output: `${orders}CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);\n`,
    },
    {
      // Identical indexes: the later one is reported, wherever it sits among other statements on its line.
      sql: `${orders}CREATE INDEX a ON orders (status); CREATE INDEX b ON orders (status); SELECT 1;`,
      errors: [{ line: 2, column: 36, messageId: 'duplicate', data: { index: 'b', table: 'orders', columns: 'status', other: 'index a (status)' } }],
      output: `${orders}CREATE INDEX a ON orders (status); SELECT 1;`,
    },
    {
      // An index on the primary key's column duplicates its index; non-ASCII names and comments.
      sql: '-- Kunden 👥\nCREATE TABLE "Kunde" ("Kennung" bigint PRIMARY KEY, name text);\n-- Suche nach Kennung\nCREATE INDEX "kunde_kennung_ü" ON "Kunde" ("Kennung");\n',
      errors: [{ line: 4, column: 1, messageId: 'duplicate', data: { index: 'kunde_kennung_ü', table: 'Kunde', columns: 'Kennung', other: 'the index of constraint Kunde_pkey (Kennung)' } }],
      output: '-- Kunden 👥\nCREATE TABLE "Kunde" ("Kennung" bigint PRIMARY KEY, name text);\n-- Suche nach Kennung\n',
    },
    {
      // A unique index identical to a unique constraint.
      sql: 'CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);\nCREATE UNIQUE INDEX users_email_idx ON users (email);',
      errors: [{ line: 2, column: 1, messageId: 'duplicate', data: { table: 'users', columns: 'email', other: 'the index of constraint users_email_key (email)' } }],
      output: 'CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);\n',
    },
    {
      // Across migrations; a later statement names the index, so no automatic removal is offered.
      sql: {
        'db/001_init.sql': `${orders}CREATE INDEX orders_status_idx ON orders (status);`,
        'db/002_more.sql': 'CREATE INDEX orders_status_created_idx ON orders (status, created_at);\nCOMMENT ON INDEX orders_status_idx IS \'old\';',
      },
      errors: [{ file: 'db/001_init.sql', line: 2, column: 1, messageId: 'redundant', data: { index: 'orders_status_idx', table: 'orders', columns: 'status', other: 'index orders_status_created_idx (status, created_at)' } }],
    },
  ],
});

describe('rule no-duplicate-index: fix safety', () => {
  before(() => initParser());
  const findingsOf = (files: Record<string, string>) => runCase(files).findings.filter((f) => f.rule === noDuplicateIndex.id);
  it('removing a CREATE INDEX is offered, never applied by "fix all", and the recipe drops it concurrently', () => {
    const [f] = findingsOf(caseFiles(`${orders}CREATE INDEX a ON orders (status);\nCREATE INDEX b ON orders (status, id);`));
    assert.deepEqual(f.fixes.map((x) => x.safe), [false]);
    assert.equal(f.recipe, 'DROP INDEX CONCURRENTLY a;');
  });
  it('no removal when a later statement names the index, or when the index came with other DDL', () => {
    const named = findingsOf({ 'db/001_a.sql': `${orders}CREATE INDEX a ON orders (status);`, 'db/002_b.sql': 'CREATE INDEX b ON orders (status, id);\nALTER INDEX a SET (fillfactor = 90);' });
    assert.deepEqual(named.map((f) => f.fixes.length), [0]);
  });
  it('a later statement of the same file naming the index counts; a longer name that starts with it does not', () => {
    const file = (later: string) => findingsOf(caseFiles(`${orders}CREATE INDEX "A_idx" ON orders (status);\nCREATE INDEX b ON orders (status, id);\n${later}`));
    assert.deepEqual(file('COMMENT ON INDEX "A_idx" IS \'kept\';').map((f) => f.fixes.length), [0]);
    assert.deepEqual(file('CREATE INDEX "A_idx_2" ON orders (customer_id);\nCREATE INDEX x1A_idx ON orders (created_at);').map((f) => f.fixes.length), [1]);
    // Written unquoted, the name folds to lower case: a_idx is another index.
    assert.deepEqual(file('ALTER INDEX a_idx SET (fillfactor = 90);').map((f) => f.fixes.length), [1]);
  });
});
