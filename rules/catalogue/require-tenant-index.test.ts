import { ruleTester } from '../testing/tester';
import { requireTenantIndex } from './require-tenant-index';

/** A tenant table and one tenant table that references it, indexed. */
const ORGS = 'CREATE TABLE "Organization" (id text PRIMARY KEY, slug text NOT NULL UNIQUE);\nCREATE TABLE "Project" (id text PRIMARY KEY, "organizationId" text NOT NULL REFERENCES "Organization" (id));\nCREATE INDEX ON "Project" ("organizationId");';

ruleTester(requireTenantIndex, {
  valid: [
    'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); CREATE INDEX ON invoices (tenant_id, id);',
    'CREATE TABLE invoices (tenant_id uuid NOT NULL, id bigint, PRIMARY KEY (tenant_id, id));',
    'CREATE TABLE tenants (id uuid PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, tenant_id uuid NOT NULL UNIQUE REFERENCES tenants (id));',
    'CREATE TABLE notes (id bigint PRIMARY KEY, body text);',
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint NOT NULL);',
        'db/002_idx.sql': 'CREATE INDEX CONCURRENTLY orders_org_idx ON orders (org_id);',
      },
    },
    { sql: 'CREATE TABLE w (id bigint PRIMARY KEY, shop_id bigint); CREATE INDEX ON w (shop_id);', config: { tenantColumns: ['shop_id'] } },
    { sql: 'CREATE TABLE w (id bigint PRIMARY KEY, tenant_id bigint);', config: { tenantColumns: ['shop_id'] } },
    // A soft-delete partial index (supabase/storage's iceberg_catalogs): the application's queries are for live rows.
    'CREATE TABLE c (id uuid PRIMARY KEY, tenant_id text NOT NULL, name text, deleted_at timestamptz); CREATE UNIQUE INDEX ON c (tenant_id, name) WHERE deleted_at IS NULL;',
    'CREATE TABLE c (id uuid PRIMARY KEY, "tenantId" text NOT NULL, "deletedAt" timestamptz, "archivedAt" timestamptz); CREATE INDEX ON c ("tenantId") WHERE "deletedAt" IS NULL AND c."archivedAt" IS NULL;',
    // trigger.dev's TaskEvent: an event table kept apart (no foreign key at all, the key only by name and type) in a
    // project that references its tenant table, read by its own indexed ids.
    `${ORGS}\nCREATE TABLE "TaskEvent" (id text PRIMARY KEY, "traceId" text NOT NULL, "runId" text NOT NULL, "organizationId" text NOT NULL);\nCREATE INDEX ON "TaskEvent" ("traceId");\nCREATE INDEX ON "TaskEvent" ("runId");`,
    // trigger.dev's PlatformNotification: a nullable key beside other nullable scope keys, rows of several scopes
    // (require-foreign-key-index reports its key).
    `${ORGS}\nCREATE TABLE users (id text PRIMARY KEY);\nCREATE TABLE "PlatformNotification" (id text PRIMARY KEY, scope text NOT NULL, "userId" text REFERENCES users (id), "organizationId" text REFERENCES "Organization" (id));`,
  ],
  invalid: [
    {
      // The same event table with an index that holds the key after another column (trigger.dev's run_executions):
      // the project does read it by tenant.
      sql: `${ORGS}\nCREATE TABLE events (id text PRIMARY KEY, "traceId" text NOT NULL, "organizationId" text NOT NULL);\nCREATE INDEX events_time_org ON events ("traceId", "organizationId");`,
      errors: [{ line: 4, column: 1, messageId: 'notLeading', data: { table: 'events', column: 'organizationId', leading: 'traceId' } }],
      output: `${ORGS}\nCREATE TABLE events (id text PRIMARY KEY, "traceId" text NOT NULL, "organizationId" text NOT NULL);\n\nCREATE INDEX events_organizationid_idx ON events ("organizationId");\nCREATE INDEX events_time_org ON events ("traceId", "organizationId");`,
    },
    {
      // And with no index of its own: nothing says how it is read.
      sql: `${ORGS}\nCREATE TABLE events (id text PRIMARY KEY, "traceId" text NOT NULL, "organizationId" text NOT NULL);`,
      errors: [{ line: 4, column: 1, messageId: 'noIndex', data: { table: 'events', column: 'organizationId' } }],
      output: `${ORGS}\nCREATE TABLE events (id text PRIMARY KEY, "traceId" text NOT NULL, "organizationId" text NOT NULL);\n\nCREATE INDEX events_organizationid_idx ON events ("organizationId");`,
    },
    {
      // basejump's account_user: its primary key serves a user's own memberships (and RLS checks that give the user),
      // not the list of an account's members.
      sql: 'CREATE TABLE accounts (id uuid PRIMARY KEY);\nCREATE TABLE account_user (user_id uuid NOT NULL, account_id uuid NOT NULL REFERENCES accounts, account_role text NOT NULL, CONSTRAINT account_user_pkey PRIMARY KEY (user_id, account_id));',
      errors: [{
        line: 2, column: 1, messageId: 'notLeading', data: { table: 'account_user', column: 'account_id', index: 'its primary key (user_id, account_id)', leading: 'user_id' },
        message: /holds it only after user_id, so it serves lookups that give user_id, but a query for one tenant's rows .* scans the whole table/,
      }],
      output: 'CREATE TABLE accounts (id uuid PRIMARY KEY);\nCREATE TABLE account_user (user_id uuid NOT NULL, account_id uuid NOT NULL REFERENCES accounts, account_role text NOT NULL, CONSTRAINT account_user_pkey PRIMARY KEY (user_id, account_id));\n\nCREATE INDEX account_user_account_id_idx ON account_user (account_id);',
    },
    {
      sql: 'CREATE TABLE w (id bigint PRIMARY KEY, shop_id bigint);',
      config: { tenantColumns: ['shop_id'] },
      errors: [{ line: 1, column: 1, messageId: 'noIndex', data: { column: 'shop_id' } }],
      output: 'CREATE TABLE w (id bigint PRIMARY KEY, shop_id bigint);\n\nCREATE INDEX w_shop_id_idx ON w (shop_id);',
    },
    {
      sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
      errors: [{ line: 1, column: 1, messageId: 'noIndex', data: { table: 'invoices', column: 'tenant_id' } }],
      output: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);\n\nCREATE INDEX invoices_tenant_id_idx ON invoices (tenant_id);',
    },
    {
      // The index exists but does not lead with the tenant column; and a partial index does not count.
      sql: '-- Rechnungen für Mandanten 📦\nCREATE TABLE "Rechnung" (id bigint PRIMARY KEY, organization_id bigint NOT NULL)\n;\nCREATE INDEX r1 ON "Rechnung" (id, organization_id);\nCREATE INDEX r2 ON "Rechnung" (organization_id) WHERE id > 0;',
      errors: [{ line: 2, column: 1, messageId: 'notLeading', data: { index: 'index r1 (id, organization_id)', leading: 'id', column: 'organization_id' } }],
      output: '-- Rechnungen für Mandanten 📦\nCREATE TABLE "Rechnung" (id bigint PRIMARY KEY, organization_id bigint NOT NULL)\n;\n\nCREATE INDEX rechnung_organization_id_idx ON "Rechnung" (organization_id);\nCREATE INDEX r1 ON "Rechnung" (id, organization_id);\nCREATE INDEX r2 ON "Rechnung" (organization_id) WHERE id > 0;',
    },
    {
      // Other partial conditions still do not count: a row outside them is a row the tenant may query.
      sql: 'CREATE TABLE c (id uuid PRIMARY KEY, tenant_id text NOT NULL, deleted_at timestamptz, status text);\nCREATE INDEX c1 ON c (tenant_id) WHERE deleted_at IS NOT NULL;\nCREATE INDEX c2 ON c (tenant_id) WHERE deleted_at IS NULL OR status = \'x\';\nCREATE INDEX c3 ON c (tenant_id) WHERE deleted_at IS NULL AND status = \'live\';',
      errors: [{ line: 1, column: 1, messageId: 'noIndex', data: { table: 'c', column: 'tenant_id' } }],
      output: 'CREATE TABLE c (id uuid PRIMARY KEY, tenant_id text NOT NULL, deleted_at timestamptz, status text);\n\nCREATE INDEX c_tenant_id_idx ON c (tenant_id);\nCREATE INDEX c1 ON c (tenant_id) WHERE deleted_at IS NOT NULL;\nCREATE INDEX c2 ON c (tenant_id) WHERE deleted_at IS NULL OR status = \'x\';\nCREATE INDEX c3 ON c (tenant_id) WHERE deleted_at IS NULL AND status = \'live\';',
    },
    {
      // The tenant column arrives in a later migration: the finding and the index go there, concurrently.
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY);',
        'db/002_tenant.sql': 'ALTER TABLE orders ADD COLUMN team_id bigint;',
      },
      errors: [{ file: 'db/002_tenant.sql', line: 1, column: 1, messageId: 'noIndex' }],
      output: 'ALTER TABLE orders ADD COLUMN team_id bigint;\n\nCREATE INDEX CONCURRENTLY orders_team_id_idx ON orders (team_id);',
    },
  ],
});
