import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { findingPosition, ruleTester, runCase } from '../testing/tester';
import { requireTenantRls } from './require-tenant-rls';

const POLICY = "CREATE POLICY invoices_tenant_isolation ON invoices\n  USING (tenant_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::uuid)\n  WITH CHECK (tenant_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::uuid);";

ruleTester(requireTenantRls, {
  valid: [
    'CREATE TABLE notes (id bigint PRIMARY KEY, body text);',
    'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
    // The tenant registry itself is not tenant-scoped.
    'CREATE TABLE tenants (id uuid PRIMARY KEY, name text); CREATE TABLE t (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id)); ALTER TABLE t ENABLE ROW LEVEL SECURITY;',
    // Temporary tables are private to the session.
    'CREATE TEMPORARY TABLE scratch (tenant_id uuid, n int);',
    // RLS enabled in a later migration of the set.
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint NOT NULL);',
        'db/002_rls.sql': 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
      },
    },
    // Policies without RLS are no-policy-without-rls's finding, not this one.
    "CREATE TABLE d (id int, tenant_id uuid); CREATE POLICY p ON d USING (tenant_id = current_setting('app.current_tenant_id')::uuid);",
    // Application isolation recorded in the configuration: a decision, not a finding.
    { sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);', config: { isolation: 'application' } },
    // Supabase: a tenant table in a schema the API roles are not granted is unreachable for them.
    {
      sql: {
        'supabase/migrations/20240101000000_init.sql': "CREATE SCHEMA private;\nCREATE TABLE accounts (id uuid PRIMARY KEY);\nCREATE TABLE private.billing (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts);\nCREATE POLICY p ON accounts TO authenticated USING (id = auth.uid());\nALTER TABLE accounts ENABLE ROW LEVEL SECURITY;",
      },
    },
    // A column that is not configured as a tenant column.
    { sql: 'CREATE TABLE w (id bigint PRIMARY KEY, tenant_id bigint);', config: { tenantColumns: ['shop_id'] } },
  ],
  invalid: [
    {
      sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
      config: { isolation: 'rls' },
      errors: [{ line: 1, column: 1, messageId: 'noRls', data: { table: 'invoices', column: 'tenant_id', source: "comparing tenant_id with current_setting('app.current_tenant_id', true)" } }],
      output: `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);\n\n-- the application must run SET LOCAL app.current_tenant_id = '<tenant>' in each transaction first: until then these policies hide every row from it\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;\n${POLICY}`,
    },
    {
      // Configured setting and column; text columns need no cast; non-ASCII names are quoted.
      sql: '-- Bestellungen je Mandant 🧾\nCREATE TABLE "Bestellung" (id bigint PRIMARY KEY, shop_id text NOT NULL, "Größe" int)\n;\nSELECT 1;',
      config: { tenantColumns: ['shop_id'], tenantSetting: 'shop.id', isolation: 'rls' },
      errors: [{ line: 2, column: 1, messageId: 'noRls', data: { table: 'Bestellung', column: 'shop_id', source: "comparing shop_id with current_setting('shop.id', true)" } }],
      output: '-- Bestellungen je Mandant 🧾\nCREATE TABLE "Bestellung" (id bigint PRIMARY KEY, shop_id text NOT NULL, "Größe" int)\n;\n\n-- the application must run SET LOCAL shop.id = \'<tenant>\' in each transaction first: until then these policies hide every row from it\nALTER TABLE "Bestellung" ENABLE ROW LEVEL SECURITY;\nALTER TABLE "Bestellung" FORCE ROW LEVEL SECURITY;\nCREATE POLICY "Bestellung_tenant_isolation" ON "Bestellung"\n  USING (shop_id = NULLIF((SELECT current_setting(\'shop.id\', true)), \'\'))\n  WITH CHECK (shop_id = NULLIF((SELECT current_setting(\'shop.id\', true)), \'\'));\nSELECT 1;',
    },
    {
      // The tenant column arrives later: the finding and the fix go where it was added.
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY);',
        'db/002_tenant.sql': 'ALTER TABLE orders ADD COLUMN team_id bigint NOT NULL DEFAULT 0;',
      },
      config: { isolation: 'rls' },
      errors: [{ file: 'db/002_tenant.sql', line: 1, column: 1, messageId: 'noRls', data: { table: 'orders' } }],
      output: "ALTER TABLE orders ADD COLUMN team_id bigint NOT NULL DEFAULT 0;\n\n-- the application must run SET LOCAL app.current_tenant_id = '<tenant>' in each transaction first: until then these policies hide every row from it\nALTER TABLE orders ENABLE ROW LEVEL SECURITY;\nALTER TABLE orders FORCE ROW LEVEL SECURITY;\nCREATE POLICY orders_tenant_isolation ON orders\n  USING (team_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::bigint)\n  WITH CHECK (team_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::bigint);",
    },
    {
      // Enabled, then disabled again in a later migration: reported on the DISABLE, no fix.
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint NOT NULL);\nALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
        'db/002_off.sql': '-- temporär\nALTER TABLE orders DISABLE ROW LEVEL SECURITY;',
      },
      errors: [{ file: 'db/002_off.sql', line: 2, column: 1, messageId: 'disabled' }],
      output: null,
    },
    {
      // Schema-qualified table.
      sql: 'CREATE SCHEMA app; CREATE TABLE app.projects (id bigint PRIMARY KEY, workspace_id bigint NOT NULL);',
      config: { isolation: 'rls' },
      errors: [{ line: 1, column: 20, messageId: 'noRls', data: { table: 'app.projects' } }],
      output: "CREATE SCHEMA app; CREATE TABLE app.projects (id bigint PRIMARY KEY, workspace_id bigint NOT NULL);\n\n-- the application must run SET LOCAL app.current_tenant_id = '<tenant>' in each transaction first: until then these policies hide every row from it\nALTER TABLE app.projects ENABLE ROW LEVEL SECURITY;\nALTER TABLE app.projects FORCE ROW LEVEL SECURITY;\nCREATE POLICY projects_tenant_isolation ON app.projects\n  USING (workspace_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::bigint)\n  WITH CHECK (workspace_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::bigint);",
    },
    {
      // Application-level isolation (no tenant table has RLS): one finding (info) for the set, the other tables related.
      sql: {
        'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "Organization" (id text PRIMARY KEY);\nCREATE TABLE "Project" (id text PRIMARY KEY, "organizationId" text NOT NULL REFERENCES "Organization"(id));\nCREATE TABLE "Invoice" (id text PRIMARY KEY, "organizationId" text NOT NULL REFERENCES "Organization"(id));',
      },
      errors: [{ line: 2, column: 1, messageId: 'application', data: { count: 2, tables: 'tables', names: 'Project, Invoice', first: 'Project' } }],
    },
    {
      // RLS isolation: the project protects one tenant table and forgot the other. The fix copies the project's
      // policy, with its setting read once per statement (no-per-row-policy-call).
      sql: {
        'db/001_init.sql': "CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY i ON invoices USING (tenant_id = current_setting('app.tenant')::uuid);",
        'db/002_payments.sql': 'CREATE TABLE payments (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);',
      },
      errors: [{ file: 'db/002_payments.sql', line: 1, column: 1, messageId: 'noRls', data: { table: 'payments', unlike: ', unlike 1 other tenant table of the project' } }],
      output: 'CREATE TABLE payments (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);\n\nALTER TABLE payments ENABLE ROW LEVEL SECURITY;\nALTER TABLE payments FORCE ROW LEVEL SECURITY;\nCREATE POLICY payments_tenant_isolation ON payments\n  USING (tenant_id = (SELECT current_setting(\'app.tenant\'))::uuid)\n  WITH CHECK (tenant_id = (SELECT current_setting(\'app.tenant\'))::uuid);',
    },
    {
      // Supabase: the fix follows the project's own policy (a membership function, TO authenticated), and no FORCE.
      sql: {
        'supabase/migrations/20240101000000_init.sql': [
          'CREATE TABLE accounts (id uuid PRIMARY KEY);',
          'CREATE TABLE projects (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts);',
          'ALTER TABLE projects ENABLE ROW LEVEL SECURITY;',
          'CREATE POLICY "members see projects" ON projects FOR SELECT TO authenticated USING (has_role_on_account(account_id) = true);',
          'CREATE TABLE notes (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts, body text);',
        ].join('\n'),
      },
      errors: [{ line: 5, column: 1, messageId: 'noRls', data: { table: 'notes', source: 'as policy "members see projects" on projects does' } }],
      output: [
        'CREATE TABLE accounts (id uuid PRIMARY KEY);',
        'CREATE TABLE projects (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts);',
        'ALTER TABLE projects ENABLE ROW LEVEL SECURITY;',
        'CREATE POLICY "members see projects" ON projects FOR SELECT TO authenticated USING (has_role_on_account(account_id) = true);',
        'CREATE TABLE notes (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts, body text);',
        '',
        'ALTER TABLE notes ENABLE ROW LEVEL SECURITY;',
        'CREATE POLICY notes_tenant_isolation ON notes',
        '  TO authenticated',
        '  USING (has_role_on_account(account_id) = true)',
        '  WITH CHECK (has_role_on_account(account_id) = true);',
      ].join('\n'),
    },
  ],
});

describe('require-tenant-rls related locations', () => {
  before(() => initParser());
  it('anchors where the tenant column was added and points at the CREATE TABLE of another file', () => {
    const files = {
      'db/001_init.sql': '-- Größen 📏\nCREATE TABLE orders (id bigint PRIMARY KEY);',
      'db/002_tenant.sql': 'SELECT 1;\nALTER TABLE orders ADD COLUMN org_id bigint NOT NULL DEFAULT 0;',
    };
    const [f, ...rest] = runCase(files, { isolation: 'rls' }).findings.filter((x) => x.rule === requireTenantRls.id);
    assert.equal(rest.length, 0);
    assert.deepEqual([f.file, findingPosition(files, f)], ['db/002_tenant.sql', { line: 2, column: 1 }]);
    assert.deepEqual(f.related.map((x) => [x.file, findingPosition(files, { file: x.file, start: x.span.start }), x.message]),
      [['db/001_init.sql', { line: 2, column: 1 }, 'orders is created here']]);
    assert.match(f.recipe ?? '', /^-- the application must run SET LOCAL app\.current_tenant_id = '<tenant>' in each transaction first[^\n]*\nALTER TABLE orders ENABLE ROW LEVEL SECURITY;\nALTER TABLE orders FORCE ROW LEVEL SECURITY;\nCREATE POLICY orders_tenant_isolation/);
  });
});

describe('require-tenant-rls severity', () => {
  before(() => initParser());
  const severities = (files: Record<string, string>) => runCase(files).findings.filter((f) => f.rule === requireTenantRls.id).map((f) => f.severity);
  it('is info for isolation in application code (a design decision to confirm), an error for a gap in RLS isolation', () => {
    assert.deepEqual(severities({
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "Organization" (id text PRIMARY KEY);\nCREATE TABLE "Project" (id text PRIMARY KEY, "organizationId" text NOT NULL REFERENCES "Organization"(id));',
    }), ['info']);
    assert.deepEqual(severities({
      'db/001_init.sql': "CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY i ON invoices USING (tenant_id = current_setting('app.tenant')::uuid);",
      'db/002_payments.sql': 'CREATE TABLE payments (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);',
    }), ['error']);
  });
});
