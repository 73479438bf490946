import { ruleTester } from '../testing/tester';
import { requireForceRls } from './require-force-rls';

const PRED = "tenant_id = current_setting('app.current_tenant_id', true)::uuid";

ruleTester(requireForceRls, {
  valid: [
    `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); ALTER TABLE invoices ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; CREATE POLICY p ON invoices USING (${PRED});`,
    // Non-tenant tables are not this rule's concern.
    'CREATE TABLE notes (id bigint PRIMARY KEY, owner text); ALTER TABLE notes ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON notes USING (owner = current_user);',
    // No RLS at all is require-tenant-rls's finding.
    'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);',
    // Every policy names its roles: no policy applies to the owner, FORCE would only lock it out.
    `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); ALTER TABLE invoices ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON invoices TO authenticated USING (${PRED});`,
    // Supabase: the application connects as anon/authenticated, never as the owner; service_role bypasses RLS.
    `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); ALTER TABLE invoices ENABLE ROW LEVEL SECURITY; GRANT SELECT ON invoices TO authenticated; CREATE POLICY p ON invoices USING (tenant_id IN (SELECT private.my_tenants()));`,
    // No policy at all: FORCE would deny the owner every row and break the functions that read the table.
    'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
    // The policy calls a SECURITY DEFINER helper: with FORCE the helper's own read would be filtered (recursion).
    `CREATE TABLE members (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, user_id uuid);
CREATE FUNCTION is_member(t uuid) RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$ SELECT EXISTS (SELECT 1 FROM members WHERE tenant_id = t) $$;
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
CREATE POLICY m ON members USING (is_member(tenant_id));`,
    // FORCE in a later migration.
    {
      sql: {
        'db/001_init.sql': `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON invoices USING (${PRED});`,
        'db/002_force.sql': 'ALTER TABLE invoices FORCE ROW LEVEL SECURITY;',
      },
    },
  ],
  invalid: [
    {
      sql: `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON invoices USING (${PRED});`,
      errors: [{ line: 2, column: 1, messageId: 'notForced', data: { table: 'invoices', tableSql: 'invoices' } }],
      output: `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\n\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;\nCREATE POLICY p ON invoices USING (${PRED});`,
    },
    {
      // Configured to connect as the owner: a policy TO PUBLIC next to named-role ones still applies to it.
      sql: `CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY a ON invoices TO reporter USING (${PRED});\nCREATE POLICY b ON invoices TO PUBLIC USING (${PRED});`,
      config: { appRoles: [] },
      errors: [{ line: 2, column: 1, messageId: 'notForced' }],
      output: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\n\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;\nCREATE POLICY a ON invoices TO reporter USING (tenant_id = current_setting(\'app.current_tenant_id\', true)::uuid);\nCREATE POLICY b ON invoices TO PUBLIC USING (tenant_id = current_setting(\'app.current_tenant_id\', true)::uuid);',
    },
    {
      // Forced, then NO FORCE in a later migration: reported on the NO FORCE, no fix.
      sql: {
        'db/001_init.sql': 'CREATE TABLE "Konten" (id bigint PRIMARY KEY, org_id bigint NOT NULL);',
        'db/002_rls.sql': 'ALTER TABLE "Konten" ENABLE ROW LEVEL SECURITY;\nALTER TABLE "Konten" FORCE ROW LEVEL SECURITY;\nCREATE POLICY k ON "Konten" USING (org_id = current_setting(\'app.org\')::bigint);',
        'db/003_noforce.sql': 'ALTER TABLE "Konten" NO FORCE ROW LEVEL SECURITY;',
      },
      errors: [{ file: 'db/003_noforce.sql', line: 1, column: 1, messageId: 'noForce', data: { table: 'Konten' } }],
      output: null,
    },
    {
      // RLS enabled in a file after the table; non-ASCII comment and names before the anchor.
      sql: {
        'db/001_init.sql': 'CREATE TABLE "Konten" (id bigint PRIMARY KEY, org_id bigint NOT NULL);',
        'db/002_rls.sql': '-- Zeilenschutz für „Konten“ 🔐\nALTER TABLE "Konten" ENABLE ROW LEVEL SECURITY;\nCREATE POLICY k ON "Konten" USING (org_id = current_setting(\'app.org\')::bigint);',
      },
      errors: [{ file: 'db/002_rls.sql', line: 2, column: 1, messageId: 'notForced', data: { table: 'Konten' } }],
      output: '-- Zeilenschutz für „Konten“ 🔐\nALTER TABLE "Konten" ENABLE ROW LEVEL SECURITY;\n\nALTER TABLE "Konten" FORCE ROW LEVEL SECURITY;\nCREATE POLICY k ON "Konten" USING (org_id = current_setting(\'app.org\')::bigint);',
    },
  ],
});
