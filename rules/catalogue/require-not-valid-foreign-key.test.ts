import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { requireNotValidForeignKey } from './require-not-valid-foreign-key';

const F = 'migrations/20240101000000_case.sql';

ruleTester(requireNotValidForeignKey, {
  valid: [
    // Known to be empty (Prisma: "Added the required column … This is not possible if the table is not empty"):
    // an earlier ADD COLUMN … NOT NULL without a default in the same transaction, or in the same ALTER TABLE.
    'BEGIN;\nALTER TABLE "JobAlias" ADD COLUMN "environmentId" TEXT NOT NULL;\nALTER TABLE "JobAlias" ADD CONSTRAINT "JobAlias_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "RuntimeEnvironment"("id");\nCOMMIT;',
    "ALTER TABLE orders ADD COLUMN env_id text NOT NULL REFERENCES envs (id), ADD COLUMN status text DEFAULT 'new';",
    'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
    'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
    // New tables are empty: nothing to scan.
    'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));',
    'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\nALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);',
    'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);',
    'ALTER TABLE orders ADD COLUMN note text;',
    // A new column without a value is all NULL: PostgreSQL marks the foreign key valid without a scan.
    'ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id) ON DELETE SET NULL;',
  ],
  invalid: [
    {
      // A self-reference names its table once.
      sql: 'ALTER TABLE folders ADD CONSTRAINT folders_parent_fk FOREIGN KEY (parent_id) REFERENCES folders (id);',
      errors: [{ line: 1, column: 25, messageId: 'selfForeignKey', data: { table: 'folders' } }],
      output: 'ALTER TABLE folders ADD CONSTRAINT folders_parent_fk FOREIGN KEY (parent_id) REFERENCES folders (id) NOT VALID;',
    },
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);',
      errors: [{ line: 1, column: 24, messageId: 'foreignKey', data: { table: 'orders', referenced: 'customers' } }],
      output: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_orders_customer_id_fkey.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n' },
    },
    {
      // DEFAULT NULL makes PostgreSQL validate the (all-NULL) column: the preferred fix drops it.
      sql: 'alter table auth.saml_relay_states add column if not exists flow_state_id uuid references auth.flow_state(id) on delete cascade default null;',
      errors: [{ line: 1, column: 1, messageId: 'columnForeignKey', data: { defaultNull: ' Here the only DEFAULT is NULL: drop it and PostgreSQL skips the check, since the new column is all NULL.' } }],
      output: ['alter table auth.saml_relay_states add column if not exists flow_state_id uuid references auth.flow_state(id) on delete cascade;', 'alter table auth.saml_relay_states add column if not exists flow_state_id uuid default null;\nALTER TABLE auth.saml_relay_states ADD CONSTRAINT saml_relay_states_flow_state_id_fkey FOREIGN KEY (flow_state_id) references auth.flow_state(id) on delete cascade NOT VALID;'],
    },
    {
      // Unnamed: the fix names it with PostgreSQL's default so VALIDATE can refer to it.
      sql: 'ALTER TABLE orders\n  ADD FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,\n  ADD COLUMN note text;',
      errors: [{ line: 2, column: 7, messageId: 'foreignKey' }],
      output: 'ALTER TABLE orders\n  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID,\n  ADD COLUMN note text;',
      outputFiles: { 'migrations/20240101000001_validate_orders_customer_id_fkey.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n' },
    },
    {
      // Inline REFERENCES in ADD COLUMN: moved into its own ADD CONSTRAINT … NOT VALID.
      sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 1 REFERENCES customers (id) ON DELETE SET NULL;',
      errors: [{ line: 1, column: 1, messageId: 'columnForeignKey', data: { table: 'orders' } }],
      output: 'ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 1;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE SET NULL NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_orders_customer_id_fkey.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n' },
    },
    {
      sql: '-- Bestellungen → Kunden 🚚\nALTER TABLE "Bestellung" ADD COLUMN "kunde_id" bigint CONSTRAINT "bestellung_kunde_fk" REFERENCES "Kunde" (id) NOT NULL DEFAULT 0;',
      errors: [{ line: 2, column: 1, messageId: 'columnForeignKey' }],
      output: '-- Bestellungen → Kunden 🚚\nALTER TABLE "Bestellung" ADD COLUMN "kunde_id" bigint NOT NULL DEFAULT 0;\nALTER TABLE "Bestellung" ADD CONSTRAINT bestellung_kunde_fk FOREIGN KEY (kunde_id) REFERENCES "Kunde" (id) NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_bestellung_kunde_fk.sql': 'ALTER TABLE "Bestellung" VALIDATE CONSTRAINT bestellung_kunde_fk;\n' },
    },
    {
      sql: 'ALTER TABLE "Straße" ADD FOREIGN KEY ("Ort_id") REFERENCES "Ort" (id);',
      errors: [{ line: 1, column: 26, messageId: 'foreignKey' }],
      output: 'ALTER TABLE "Straße" ADD CONSTRAINT "Straße_Ort_id_fkey" FOREIGN KEY ("Ort_id") REFERENCES "Ort" (id) NOT VALID;',
      outputFiles: { 'migrations/20240101000001_validate_stra_e_ort_id_fkey.sql': 'ALTER TABLE "Straße" VALIDATE CONSTRAINT "Straße_Ort_id_fkey";\n' },
    },
    {
      // Multi-file: the table comes from an earlier migration.
      sql: {
        'db/001_init.sql': 'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);',
        'db/002_fk.sql': 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id);\nCOMMIT;',
      },
      errors: [{ file: 'db/002_fk.sql', line: 2, column: 24, messageId: 'foreignKey' }],
      outputFiles: { 'db/003_validate_fk_customer.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT fk_customer;\n' },
    },
    {
      // Partitioned tables cannot take NOT VALID foreign keys before PostgreSQL 18: no fix, the per-partition recipe.
      sql: { 'db/001_init.sql': 'CREATE TABLE events (id bigint, at date, customer_id bigint) PARTITION BY RANGE (at);', 'db/002_fk.sql': 'ALTER TABLE events ADD FOREIGN KEY (customer_id) REFERENCES customers (id);' },
      errors: [{ file: 'db/002_fk.sql', messageId: 'foreignKey', message: /each partition/ }],
      output: null,
    },
  ],
});
void F;

describe('require-not-valid-foreign-key on a table known to be empty', () => {
  before(() => initParser());
  const found = (sql: string) => runCase({ 'db/20240101000000_x.sql': sql }).findings.filter((f) => f.rule === requireNotValidForeignKey.id).length;
  const add = 'ALTER TABLE "JobAlias" ADD COLUMN "environmentId" TEXT NOT NULL;';
  const fk = 'ALTER TABLE "JobAlias" ADD CONSTRAINT "JobAlias_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "RuntimeEnvironment"("id");';
  it('is not reported after an ADD COLUMN … NOT NULL without a default in the same transaction', () => {
    assert.equal(found(`BEGIN;\n${add}\n${fk}\nCOMMIT;`), 0);
  });
  it('is reported when that ADD COLUMN committed on its own (rows may arrive in between), or rows were inserted since', () => {
    assert.equal(found(`${add}\n${fk}`), 1);
    assert.equal(found(`BEGIN;\n${add}\nINSERT INTO "JobAlias" ("environmentId") VALUES ('e');\n${fk}\nCOMMIT;`), 1);
    // A column with a default fills old rows: the table may have them.
    assert.equal(found(`BEGIN;\nALTER TABLE "JobAlias" ADD COLUMN "environmentId" TEXT NOT NULL DEFAULT 'e';\n${fk}\nCOMMIT;`), 1);
  });
});
