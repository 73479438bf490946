import { ruleTester } from '../testing/tester';
import { requireTenantNotNull } from './require-tenant-not-null';

ruleTester(requireTenantNotNull, {
  valid: [
    'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);',
    'CREATE TABLE invoices (tenant_id uuid, id bigint, PRIMARY KEY (tenant_id, id));',
    'CREATE TABLE notes (id bigint PRIMARY KEY, owner_id uuid);',
    // The registry's own columns are not judged; temporary tables neither.
    'CREATE TABLE tenants (id uuid PRIMARY KEY, parent_tenant_id uuid); CREATE TABLE t (id int PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id));',
    // Made NOT NULL in a later migration, or proven by a validated CHECK.
    {
      sql: {
        'db/001.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint);',
        'db/002.sql': 'ALTER TABLE orders ALTER COLUMN org_id SET NOT NULL;',
      },
    },
    'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint); ALTER TABLE orders ADD CONSTRAINT org_nn CHECK (org_id IS NOT NULL);',
  ],
  invalid: [
    {
      sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid, total numeric);',
      errors: [{ line: 1, column: 47, messageId: 'nullable', data: { table: 'invoices', column: 'tenant_id' } }],
      output: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
    },
    {
      // An explicit NULL is replaced (NULL NOT NULL would not parse as intended); a default stays; non-ASCII.
      sql: '-- Mandantenfähig ✓\nCREATE TABLE "Größen" (id int PRIMARY KEY,\n  org_id bigint NULL DEFAULT NULL -- wird später befüllt\n);',
      errors: [{ line: 3, column: 3, messageId: 'nullable', data: { table: 'Größen', column: 'org_id' } }],
      output: '-- Mandantenfähig ✓\nCREATE TABLE "Größen" (id int PRIMARY KEY,\n  org_id bigint NOT NULL DEFAULT NULL -- wird später befüllt\n);',
    },
    {
      // Added to an existing table: no fix, the recipe avoids a long lock.
      sql: {
        'db/001.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY);',
        'db/002.sql': 'ALTER TABLE orders ADD COLUMN team_id bigint REFERENCES teams (id);',
      },
      errors: [{ file: 'db/002.sql', line: 1, column: 31, messageId: 'nullableBackfill' }],
      output: null,
    },
    {
      // NOT NULL dropped later: reported on the column, no fix in the CREATE TABLE (it would not help).
      // Made nullable later: the finding sits on the DROP NOT NULL, where the user must act.
      sql: 'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint NOT NULL);\nALTER TABLE orders ALTER COLUMN org_id DROP NOT NULL;',
      errors: [{ line: 2, column: 1, messageId: 'nullableBackfill' }],
      output: null,
    },
    {
      // Nullable in most tenant tables: one finding for the project-wide choice.
      sql: 'CREATE TABLE networks (id uuid PRIMARY KEY);\nCREATE TABLE a (id uuid PRIMARY KEY, nid uuid REFERENCES networks);\nCREATE TABLE b (id uuid PRIMARY KEY, nid uuid REFERENCES networks);\nCREATE TABLE c (id uuid PRIMARY KEY, nid uuid REFERENCES networks);',
      config: { tenantColumns: ['nid'], explicit: ['tenantColumns'] },
      errors: [{ line: 2, column: 38, messageId: 'convention', data: { count: 3, tables: 3 } }],
    },
  ],
});
