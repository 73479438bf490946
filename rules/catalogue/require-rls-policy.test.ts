import { ruleTester } from '../testing/tester';
import { requireRlsPolicy } from './require-rls-policy';

ruleTester(requireRlsPolicy, {
  valid: [
    // Reached through a SECURITY DEFINER function only: deny-all to every other role is the design.
    "CREATE TABLE role_permissions (role text, permission text);\nALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;\nCREATE FUNCTION authorize(p text) RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$ SELECT EXISTS (SELECT 1 FROM public.role_permissions WHERE permission = p) $$;",
    'CREATE TABLE notes (id bigint PRIMARY KEY, body text);',
    "CREATE TABLE notes (id bigint PRIMARY KEY, owner text); ALTER TABLE notes ENABLE ROW LEVEL SECURITY; CREATE POLICY mine ON notes USING (owner = current_user);",
    // The policy arrives in a later migration.
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint NOT NULL);\nALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
        'db/002_policy.sql': "CREATE POLICY orders_org ON orders USING (org_id = current_setting('app.current_tenant_id', true)::bigint);",
      },
    },
    // RLS enabled and then disabled: no policy needed (other rules report the missing RLS).
    'CREATE TABLE notes (id bigint PRIMARY KEY); ALTER TABLE notes ENABLE ROW LEVEL SECURITY; ALTER TABLE notes DISABLE ROW LEVEL SECURITY;',
    // A DO block creates the policy only when it is missing: created all the same.
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, org_id bigint NOT NULL);\nALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
        'db/002_policy.sql': "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'orders_org') THEN\n    CREATE POLICY orders_org ON orders USING (org_id = current_setting('app.current_tenant_id', true)::bigint);\n  END IF;\nEND $$;",
      },
    },
    // Granted to the installation's administrator alone (Supabase Storage): postgres is not the application's role,
    // and a table kept for it is deny-all to everyone else by design.
    {
      sql: {
        'db/001_objects.sql': 'CREATE TABLE objects (id uuid PRIMARY KEY, name text);\nALTER TABLE objects ENABLE ROW LEVEL SECURITY;',
        'db/002_grants.sql': 'GRANT ALL ON objects TO postgres WITH GRANT OPTION;',
      },
    },
    // The application is the owner (no role besides postgres is named) and the migrations grant other tables but not
    // this one: RLS without FORCE holds the owner back from nothing, and no other role reaches it.
    'CREATE TABLE buckets (id text PRIMARY KEY);\nCREATE TABLE migrations (id int PRIMARY KEY, name text);\nALTER TABLE migrations ENABLE ROW LEVEL SECURITY;\nGRANT ALL ON buckets TO postgres;',
    // Deny-all on purpose, said with an ignore comment.
    'CREATE TABLE secrets (id bigint PRIMARY KEY);\n-- sql-architect-ignore require-rls-policy: only the service role reads it\nALTER TABLE secrets ENABLE ROW LEVEL SECURITY;',
  ],
  invalid: [
    {
      // Granted to postgres and to a role of the application: that role sees nothing.
      sql: 'CREATE TABLE objects (id uuid PRIMARY KEY, name text);\nALTER TABLE objects ENABLE ROW LEVEL SECURITY;\nGRANT ALL ON objects TO postgres;\nGRANT SELECT ON objects TO app_user;',
      errors: [{ line: 2, column: 1, messageId: 'noPolicy', data: { table: 'objects', who: 'app_user, the role the application connects as, see' } }],
      output: null,
    },
    {
      // The owner is the application and RLS is forced: the owner itself is held back, granted or not.
      sql: 'CREATE TABLE buckets (id text PRIMARY KEY);\nCREATE TABLE migrations (id int PRIMARY KEY, name text);\nALTER TABLE migrations ENABLE ROW LEVEL SECURITY;\nALTER TABLE migrations FORCE ROW LEVEL SECURITY;\nGRANT ALL ON buckets TO postgres;',
      errors: [{ line: 3, column: 1, messageId: 'noPolicy', data: { table: 'migrations' } }],
      output: null,
    },
    {
      // A non-tenant table: reported, no fix.
      sql: 'CREATE TABLE notes (id bigint PRIMARY KEY, body text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;',
      errors: [{ line: 2, column: 1, messageId: 'noPolicy', data: { table: 'notes' } }],
      output: null,
    },
    {
      sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;',
      errors: [{ line: 2, column: 1, messageId: 'tenantNoPolicy', data: { column: 'tenant_id', source: 'comparing tenant_id with current_setting(\'app.current_tenant_id\', true)' } }],
      output: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\n\nCREATE POLICY invoices_tenant_isolation ON invoices\n  USING (tenant_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::uuid)\n  WITH CHECK (tenant_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::uuid);\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;",
    },
    {
      // The only policy was dropped in a later migration: reported on the ENABLE of the first file.
      sql: {
        'db/001_init.sql': '-- Aufträge ✓\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY, org_id int NOT NULL);\nALTER TABLE "Auftrag" ENABLE ROW LEVEL SECURITY;\nCREATE POLICY alle ON "Auftrag" USING (org_id = 1);',
        'db/002_drop.sql': 'DROP POLICY alle ON "Auftrag";',
      },
      errors: [{ file: 'db/001_init.sql', line: 3, column: 1, messageId: 'tenantNoPolicy', data: { table: 'Auftrag' } }],
      output: '-- Aufträge ✓\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY, org_id int NOT NULL);\nALTER TABLE "Auftrag" ENABLE ROW LEVEL SECURITY;\n\nALTER TABLE "Auftrag" FORCE ROW LEVEL SECURITY;\nCREATE POLICY "Auftrag_tenant_isolation" ON "Auftrag"\n  USING (org_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::integer)\n  WITH CHECK (org_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::integer);\nCREATE POLICY alle ON "Auftrag" USING (org_id = 1);',
    },
  ],
});
