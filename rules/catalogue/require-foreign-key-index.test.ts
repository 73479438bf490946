import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { caseFiles, ruleTester, runCase } from '../testing/tester';
import { requireForeignKeyIndex } from './require-foreign-key-index';

const parent = 'CREATE TABLE orders (id bigint PRIMARY KEY);\n';

ruleTester(requireForeignKeyIndex, {
  valid: [
    // A lookup table of kinds is never deleted from: no index needed for its key.
    'CREATE TABLE credential_types (id uuid PRIMARY KEY, name text NOT NULL UNIQUE);\nCREATE TABLE credentials (id uuid PRIMARY KEY, type_id uuid NOT NULL REFERENCES credential_types);',
    `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\nCREATE INDEX items_order_id_idx ON items (order_id);`,
    // A partial index whose only condition is that the key is not NULL serves the parent's lookup (danbooru's dump).
    `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\nCREATE INDEX index_items_on_order_id ON public.items USING btree (order_id) WHERE (order_id IS NOT NULL);`,
    `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint, shop_id bigint, FOREIGN KEY (order_id, shop_id) REFERENCES orders (id, shop_id));\nCREATE INDEX ON items (order_id, shop_id) WHERE order_id IS NOT NULL AND shop_id IS NOT NULL;`,
    // A wider index that starts with the column, or the primary key, covers it.
    `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders, pos int);\nCREATE INDEX ON items (order_id, pos);`,
    `${parent}CREATE TABLE items (order_id bigint REFERENCES orders, pos int, PRIMARY KEY (order_id, pos));`,
    `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint UNIQUE REFERENCES orders);`,
    // Two-column key covered in another column order.
    'CREATE TABLE p (a int, b int, PRIMARY KEY (a, b));\nCREATE TABLE c (id bigint PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES p);\nCREATE INDEX ON c (b, a);',
    // The index arrives in a later migration.
    {
      sql: {
        'db/001_init.sql': `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);`,
        'db/002_idx.sql': 'CREATE INDEX CONCURRENTLY items_order_id_idx ON items (order_id);',
      },
    },
    // A tenant foreign key is left to require-tenant-index.
    'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);',
    'CREATE TEMP TABLE scratch (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);',
    // A set-level finding is suppressed by an ignore comment before the statement that declares the key.
    `${parent}-- sql-architect-ignore require-foreign-key-index: orders are never deleted\nCREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);`,
  ],
  invalid: [
    {
      // Who last changed or approved a row: the scan comes only when a user is deleted, so info; an owner stays a warning.
      sql: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE posts (id bigint PRIMARY KEY, owner_id bigint REFERENCES users, updated_by bigint REFERENCES users, "approverId" bigint REFERENCES users);',
      errors: [
        { line: 2, column: 60, messageId: 'unindexed', data: { columns: 'owner_id' }, severity: 'warning', output: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE posts (id bigint PRIMARY KEY, owner_id bigint REFERENCES users, updated_by bigint REFERENCES users, "approverId" bigint REFERENCES users);\n\nCREATE INDEX posts_owner_id_idx ON posts (owner_id);' },
        { line: 2, column: 96, messageId: 'unindexed', data: { columns: 'updated_by' }, severity: 'info', output: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE posts (id bigint PRIMARY KEY, owner_id bigint REFERENCES users, updated_by bigint REFERENCES users, "approverId" bigint REFERENCES users);\n\nCREATE INDEX posts_updated_by_idx ON posts (updated_by);' },
        { line: 2, column: 134, messageId: 'unindexed', data: { columns: 'approverId' }, severity: 'info', output: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE posts (id bigint PRIMARY KEY, owner_id bigint REFERENCES users, updated_by bigint REFERENCES users, "approverId" bigint REFERENCES users);\n\nCREATE INDEX posts_approverid_idx ON posts ("approverId");' },
      ],
    },
    {
      // The same column to a table that is not of users is an ordinary key.
      sql: 'CREATE TABLE teams (id bigint PRIMARY KEY);\nCREATE TABLE posts (id bigint PRIMARY KEY, updated_by bigint REFERENCES teams);',
      errors: [{ line: 2, column: 62, messageId: 'unindexed', severity: 'warning', output: 'CREATE TABLE teams (id bigint PRIMARY KEY);\nCREATE TABLE posts (id bigint PRIMARY KEY, updated_by bigint REFERENCES teams);\n\nCREATE INDEX posts_updated_by_idx ON posts (updated_by);' }],
    },
    {
      // Other conditions do not count: another column's IS NOT NULL, an OR, IS NULL.
      sql: `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders, note text);\nCREATE INDEX a ON items (order_id) WHERE note IS NOT NULL;\nCREATE INDEX b ON items (order_id) WHERE order_id IS NOT NULL OR note IS NULL;`,
      errors: [{ line: 2, column: 60, messageId: 'unindexed', data: { name: 'items_order_id_fkey', table: 'items', columns: 'order_id', leading: 'order_id', parent: 'orders' } }],
      output: `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders, note text);\n\nCREATE INDEX items_order_id_idx ON items (order_id);\nCREATE INDEX a ON items (order_id) WHERE note IS NOT NULL;\nCREATE INDEX b ON items (order_id) WHERE order_id IS NOT NULL OR note IS NULL;`,
    },
    {
      sql: `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE);`,
      errors: [{ line: 2, column: 69, messageId: 'unindexed', data: { name: 'items_order_id_fkey', table: 'items', columns: 'order_id', leading: 'order_id', parent: 'orders' } }],
      output: `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE);\n\nCREATE INDEX items_order_id_idx ON items (order_id);`,
    },
    {
      // A partial index does not count; the chosen name avoids an existing one; non-ASCII names and comments.
      sql: '-- Bestellpositionen für Aufträge 🧾\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY);\nCREATE TABLE "Position" (\n  id bigint PRIMARY KEY,\n  "Auftrag_id" bigint,\n  CONSTRAINT pos_fk FOREIGN KEY ("Auftrag_id") REFERENCES "Auftrag" (id)\n);\nCREATE INDEX position_auftrag_id_idx ON "Position" ("Auftrag_id") WHERE id > 0;',
      errors: [{ line: 6, column: 3, messageId: 'unindexed', data: { name: 'pos_fk', table: 'Position', columns: 'Auftrag_id', leading: 'Auftrag_id', parent: 'Auftrag' } }],
      output: '-- Bestellpositionen für Aufträge 🧾\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY);\nCREATE TABLE "Position" (\n  id bigint PRIMARY KEY,\n  "Auftrag_id" bigint,\n  CONSTRAINT pos_fk FOREIGN KEY ("Auftrag_id") REFERENCES "Auftrag" (id)\n);\n\nCREATE INDEX position_auftrag_id_idx1 ON "Position" ("Auftrag_id");\nCREATE INDEX position_auftrag_id_idx ON "Position" ("Auftrag_id") WHERE id > 0;',
    },
    {
      // An index on the second column only does not serve the key's first column.
      sql: 'CREATE TABLE p (a int, b int, PRIMARY KEY (a, b));\nCREATE TABLE c (id bigint PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES p);\nCREATE INDEX ON c (b);',
      errors: [{ line: 2, column: 54, messageId: 'unindexed', data: { table: 'c', columns: 'a, b', leading: 'those columns' } }],
      output: 'CREATE TABLE p (a int, b int, PRIMARY KEY (a, b));\nCREATE TABLE c (id bigint PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES p);\n\nCREATE INDEX c_a_b_idx ON c (a, b);\nCREATE INDEX ON c (b);',
    },
    {
      // The foreign key is added to an existing table by a later migration: the index is built concurrently.
      sql: {
        'db/001_init.sql': `${parent}CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint);`,
        'db/002_fk.sql': 'ALTER TABLE shipments ADD CONSTRAINT shipments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;',
      },
      errors: [{ file: 'db/002_fk.sql', line: 1, column: 27, messageId: 'unindexed' }],
      output: 'ALTER TABLE shipments ADD CONSTRAINT shipments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;\n\nCREATE INDEX CONCURRENTLY shipments_order_id_idx ON shipments (order_id);',
    },
    {
      // … but not inside a transaction block: a migration of its own.
      sql: {
        'db/001_init.sql': `${parent}CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint);`,
        'db/002_fk.sql': 'BEGIN;\nALTER TABLE shipments ADD FOREIGN KEY (order_id) REFERENCES orders (id);\nCOMMIT;',
      },
      errors: [{ file: 'db/002_fk.sql', line: 2, column: 27, messageId: 'unindexed' }],
      outputFiles: { 'db/003_index_shipments_order_id_idx.sql': 'CREATE INDEX CONCURRENTLY shipments_order_id_idx ON shipments (order_id);\n' },
    },
    {
      // … nor when the migration tool wraps every file in a transaction with no way out: the recipe, no fix,
      sql: {
        'db/001_init.sql': `${parent}CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint);`,
        'db/002_fk.sql': 'ALTER TABLE shipments ADD FOREIGN KEY (order_id) REFERENCES orders (id);',
      },
      config: { assumeInTransaction: true },
      errors: [{ file: 'db/002_fk.sql', line: 1, column: 27, messageId: 'unindexed', data: { table: 'shipments' } }],
      output: null,
    },
    {
      // … and where the tool has an opt-out, a migration of its own that uses it (the file is still one query).
      sql: {
        'db/001_init.sql': `${parent}CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint);`,
        'db/002_fk.sql': '-- postgres-migrations disable-transaction\nALTER TABLE shipments ADD FOREIGN KEY (order_id) REFERENCES orders (id);',
      },
      config: { assumeInTransaction: true },
      errors: [{ file: 'db/002_fk.sql', line: 2, column: 27, messageId: 'unindexed' }],
      outputFiles: { 'db/003_index_shipments_order_id_idx.sql': '-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY shipments_order_id_idx ON shipments (order_id);\n' },
    },
    {
      // The tenant foreign key is reported here when require-tenant-index is off.
      sql: 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);',
      config: { rules: { 'require-tenant-index': 'off' } },
      errors: [{ line: 2, column: 68, messageId: 'unindexed' }],
      output: 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);\n\nCREATE INDEX notes_tenant_id_idx ON notes (tenant_id);',
    },
    {
      // A nullable tenant key beside another nullable scope key holds rows of several scopes: require-tenant-index
      // leaves the table alone, so its key is reported here like any other.
      sql: 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE users (id uuid PRIMARY KEY);\nCREATE TABLE notices (id bigint PRIMARY KEY, user_id uuid REFERENCES users, tenant_id uuid REFERENCES tenants);\nCREATE INDEX notices_user_id_idx ON notices (user_id);',
      errors: [{ line: 3, column: 92, messageId: 'unindexed' }],
      output: 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE users (id uuid PRIMARY KEY);\nCREATE TABLE notices (id bigint PRIMARY KEY, user_id uuid REFERENCES users, tenant_id uuid REFERENCES tenants);\n\nCREATE INDEX notices_tenant_id_idx ON notices (tenant_id);\nCREATE INDEX notices_user_id_idx ON notices (user_id);',
    },
    {
      // Self reference, two keys in one statement.
      sql: 'CREATE TABLE staff (id bigint PRIMARY KEY, manager_id bigint REFERENCES staff, mentor_id bigint REFERENCES staff);',
      errors: [{ line: 1, column: 62, messageId: 'unindexed', data: { columns: 'manager_id', leading: 'manager_id' } }, { line: 1, column: 97, messageId: 'unindexed', data: { columns: 'mentor_id', leading: 'mentor_id' }, output: 'CREATE TABLE staff (id bigint PRIMARY KEY, manager_id bigint REFERENCES staff, mentor_id bigint REFERENCES staff);\n\nCREATE INDEX staff_mentor_id_idx ON staff (mentor_id);' }],
      output: 'CREATE TABLE staff (id bigint PRIMARY KEY, manager_id bigint REFERENCES staff, mentor_id bigint REFERENCES staff);\n\nCREATE INDEX staff_manager_id_idx ON staff (manager_id);',
    },
  ],
});

describe('rule require-foreign-key-index: fix safety', () => {
  before(() => initParser());
  const fixesOf = (files: Record<string, string>) => runCase(files).findings.filter((f) => f.rule === requireForeignKeyIndex.id).flatMap((f) => f.fixes);
  it('a plain CREATE INDEX on a new table is safe', () => {
    assert.deepEqual(fixesOf(caseFiles(`${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);`)).map((f) => f.safe), [true]);
  });
  it('CREATE INDEX CONCURRENTLY cannot run in a transaction: never applied by "fix all"', () => {
    const fixes = fixesOf({ 'db/001_a.sql': `${parent}CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint);`, 'db/002_b.sql': 'ALTER TABLE items ADD FOREIGN KEY (order_id) REFERENCES orders;' });
    assert.deepEqual(fixes.map((f) => [f.safe, /CONCURRENTLY/.test(f.edits[0].newText)]), [[false, true]]);
  });
});
