import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { findingPosition, ruleTester, runCase } from '../testing/tester';
import { requireTenantScopedPolicy } from './require-tenant-scoped-policy';

// RLS need not be on: a loose policy is wrong whenever it is enabled (no-policy-without-rls reports the rest).
const T = 'CREATE TABLE invoices (id int PRIMARY KEY, tenant_id uuid NOT NULL, owner_id uuid);\n';
const PRED = "tenant_id = current_setting('app.current_tenant_id', true)::uuid";
// What the fix writes: NULLIF keeps a setting left '' by an earlier SET LOCAL from failing the cast.
const FIXED_PRED = "tenant_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::uuid";
const RESTRICTIVE = `CREATE POLICY invoices_tenant_isolation ON invoices AS RESTRICTIVE\n  USING (${FIXED_PRED})\n  WITH CHECK (${FIXED_PRED});`;

ruleTester(requireTenantScopedPolicy, {
  valid: [
    `${T}CREATE POLICY p ON invoices USING (${PRED});`,
    // A membership function of the tenant column counts.
    `${T}CREATE POLICY p ON invoices FOR SELECT USING (is_member_of(tenant_id));`,
    `${T}CREATE POLICY p ON invoices FOR SELECT USING (tenant_id IN (SELECT m.tenant_id FROM members m WHERE m.user_id = auth.uid()));`,
    // ALL without WITH CHECK: PostgreSQL uses USING for writes too.
    `${T}CREATE POLICY p ON invoices FOR ALL USING (${PRED});`,
    // A restrictive policy on the tenant column makes loose permissive policies safe.
    `${T}CREATE POLICY anyone ON invoices USING (true) WITH CHECK (true);\nCREATE POLICY tenant ON invoices AS RESTRICTIVE USING (${PRED});`,
    // Constant false admits nothing.
    `${T}CREATE POLICY no_inserts ON invoices FOR INSERT WITH CHECK (false);\nCREATE POLICY no_deletes ON invoices FOR DELETE USING (false);`,
    // Restrictive policies are never reported themselves.
    `${T}CREATE POLICY p ON invoices USING (${PRED});\nCREATE POLICY mfa ON invoices AS RESTRICTIVE USING (auth.jwt() ->> 'aal' = 'aal2');`,
    // Another tenant column of the table (team inside org) scopes too.
    "CREATE TABLE docs (id bigint PRIMARY KEY, org_id bigint NOT NULL, team_id bigint NOT NULL);\nCREATE POLICY p ON docs USING (team_id = current_setting('app.team', true)::bigint);",
    // A membership table: reading your own memberships in every tenant is the point of it.
    'CREATE TABLE accounts (id uuid PRIMARY KEY);\nCREATE TABLE account_user (user_id uuid NOT NULL, account_id uuid NOT NULL REFERENCES accounts, PRIMARY KEY (user_id, account_id));\nCREATE POLICY mine ON account_user FOR SELECT USING (user_id = auth.uid());',
    // Non-tenant tables are not judged here.
    'CREATE TABLE notes (id bigint PRIMARY KEY); CREATE POLICY p ON notes USING (true);',
    // The loose policy was replaced in a later migration.
    {
      sql: {
        'db/001.sql': `${T}CREATE POLICY p ON invoices USING (true);`,
        'db/002.sql': `ALTER POLICY p ON invoices USING (${PRED});`,
      },
    },
  ],
  invalid: [
    {
      // Supabase: the session is a user, its tenants the rows of the membership table; no tenant setting is ever set.
      sql: 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE members (user_id uuid NOT NULL REFERENCES auth.users (id), org_id uuid NOT NULL REFERENCES orgs (id), UNIQUE (user_id, org_id));\nCREATE TABLE projects (id bigint PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), creator_id uuid NOT NULL);\nCREATE POLICY own ON projects FOR INSERT TO authenticated WITH CHECK (creator_id = auth.uid());',
      errors: [{
        line: 4, column: 1, messageId: 'unscoped',
        data: { policy: 'own', table: 'projects', column: 'org_id', predicate: 'EXISTS (SELECT 1 FROM members m WHERE m.user_id = (SELECT auth.uid()) AND m.org_id = projects.org_id)' },
      }],
      output: 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE members (user_id uuid NOT NULL REFERENCES auth.users (id), org_id uuid NOT NULL REFERENCES orgs (id), UNIQUE (user_id, org_id));\nCREATE TABLE projects (id bigint PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id), creator_id uuid NOT NULL);\nCREATE POLICY own ON projects FOR INSERT TO authenticated WITH CHECK (creator_id = auth.uid());\n\nCREATE POLICY projects_tenant_isolation ON projects AS RESTRICTIVE\n  TO authenticated\n  USING (EXISTS (SELECT 1 FROM members m WHERE m.user_id = (SELECT auth.uid()) AND m.org_id = projects.org_id))\n  WITH CHECK (EXISTS (SELECT 1 FROM members m WHERE m.user_id = (SELECT auth.uid()) AND m.org_id = projects.org_id));',
    },
    {
      sql: `${T}CREATE POLICY invoices_read ON invoices FOR SELECT USING (true);`,
      errors: [{ line: 2, column: 1, messageId: 'unscoped', data: { policy: 'invoices_read', table: 'invoices', column: 'tenant_id', how: 'USING (true) lets a session see the rows of every tenant' } }],
      output: `${T}CREATE POLICY invoices_read ON invoices FOR SELECT USING (true);\n\n${RESTRICTIVE}`,
    },
    {
      // Scoped by the owner only: matching rows in every tenant; ALL uses USING for writes as well.
      // Reading your own rows is narrower than a tenant; writing them with any tenant_id is not.
      sql: `${T}CREATE POLICY own ON invoices USING (owner_id = auth.uid());`,
      errors: [{ line: 2, column: 1, messageId: 'unscoped', data: { policy: 'own', column: 'tenant_id', how: 'USING (owner_id = auth.uid()) lets a session insert and update rows with any tenant_id' } }],
      output: 'CREATE TABLE invoices (id int PRIMARY KEY, tenant_id uuid NOT NULL, owner_id uuid);\nCREATE POLICY own ON invoices USING (owner_id = auth.uid());\n\nCREATE POLICY invoices_tenant_isolation ON invoices AS RESTRICTIVE\n  USING (tenant_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::uuid)\n  WITH CHECK (tenant_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::uuid);',
    },
    {
      // USING is scoped but WITH CHECK is not: a session can write into another tenant.
      sql: `${T}CREATE POLICY p ON invoices FOR UPDATE USING (${PRED}) WITH CHECK (owner_id IS NOT NULL);\nCREATE POLICY q ON invoices FOR INSERT WITH CHECK (auth.uid() IS NOT NULL);`,
      errors: [
        { line: 2, column: 1, messageId: 'unscoped', data: { policy: 'p', column: 'tenant_id', how: 'WITH CHECK (owner_id IS NOT NULL) lets a session update rows with any tenant_id' } },
        // One RESTRICTIVE policy closes both: it is offered on the first finding only (two would collide by name).
        { line: 3, column: 1, messageId: 'unscoped', data: { policy: 'q', column: 'tenant_id' }, message: /"q".*lets a session insert rows with any tenant_id/, output: null },
      ],
      output: 'CREATE TABLE invoices (id int PRIMARY KEY, tenant_id uuid NOT NULL, owner_id uuid);\nCREATE POLICY p ON invoices FOR UPDATE USING (tenant_id = current_setting(\'app.current_tenant_id\', true)::uuid) WITH CHECK (owner_id IS NOT NULL);\n\nCREATE POLICY invoices_tenant_isolation ON invoices AS RESTRICTIVE\n  USING (tenant_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::uuid)\n  WITH CHECK (tenant_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::uuid);\nCREATE POLICY q ON invoices FOR INSERT WITH CHECK (auth.uid() IS NOT NULL);',
    },
    {
      // A restrictive policy that covers only SELECT leaves writes open; one for other roles does not count.
      sql: `${T}CREATE POLICY anyone ON invoices USING (true);\nCREATE POLICY tenant_read ON invoices AS RESTRICTIVE FOR SELECT USING (${PRED});\nCREATE POLICY admins ON invoices AS RESTRICTIVE TO admin USING (${PRED});`,
      errors: [{ line: 2, column: 1, messageId: 'unscoped', message: /lets a session update and delete the rows of every tenant/ }],
      output: 'CREATE TABLE invoices (id int PRIMARY KEY, tenant_id uuid NOT NULL, owner_id uuid);\nCREATE POLICY anyone ON invoices USING (true);\n\nCREATE POLICY invoices_tenant_isolation ON invoices AS RESTRICTIVE\n  USING (tenant_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::uuid)\n  WITH CHECK (tenant_id = NULLIF((SELECT current_setting(\'app.current_tenant_id\', true)), \'\')::uuid);\nCREATE POLICY tenant_read ON invoices AS RESTRICTIVE FOR SELECT USING (tenant_id = current_setting(\'app.current_tenant_id\', true)::uuid);\nCREATE POLICY admins ON invoices AS RESTRICTIVE TO admin USING (tenant_id = current_setting(\'app.current_tenant_id\', true)::uuid);',
    },
    {
      // Membership table: a SELECT on the user column is fine, an INSERT on it is not (join any account).
      sql: 'CREATE TABLE accounts (id uuid PRIMARY KEY);\nCREATE TABLE account_user (user_id uuid NOT NULL, account_id uuid NOT NULL REFERENCES accounts, PRIMARY KEY (user_id, account_id));\nCREATE POLICY join_any ON account_user FOR INSERT WITH CHECK (user_id = auth.uid());',
      errors: [{ line: 3, column: 1, messageId: 'unscoped', data: { column: 'account_id' }, message: /insert rows with any account_id/ }],
      // On Supabase (auth.uid()) the membership table is guarded through a SECURITY DEFINER function: a policy on it
      // that queried it would recurse, and nothing sets a tenant setting there.
      output: "CREATE TABLE accounts (id uuid PRIMARY KEY);\nCREATE TABLE account_user (user_id uuid NOT NULL, account_id uuid NOT NULL REFERENCES accounts, PRIMARY KEY (user_id, account_id));\nCREATE POLICY join_any ON account_user FOR INSERT WITH CHECK (user_id = auth.uid());\n\nCREATE FUNCTION public.is_member_of_account_id(p_account_id uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$\n  SELECT EXISTS (SELECT 1 FROM public.account_user WHERE user_id = (SELECT auth.uid()) AND account_id = p_account_id)\n$$;\nCREATE POLICY account_user_tenant_isolation ON account_user AS RESTRICTIVE\n  USING (public.is_member_of_account_id(account_id))\n  WITH CHECK (public.is_member_of_account_id(account_id));",
    },
    {
      // The policy is created in a later migration; the table name and comment are not ASCII.
      sql: {
        'db/001_init.sql': 'CREATE TABLE "Aufträge" (id bigint PRIMARY KEY, org_id bigint NOT NULL);\nALTER TABLE "Aufträge" ENABLE ROW LEVEL SECURITY;',
        'db/002_policy.sql': '-- Alle dürfen lesen 👀\nCREATE POLICY "lesen" ON "Aufträge" FOR SELECT USING (true);',
      },
      errors: [{ file: 'db/002_policy.sql', line: 2, column: 1, messageId: 'unscoped', data: { table: 'Aufträge', column: 'org_id' } }],
      output: "-- Alle dürfen lesen 👀\nCREATE POLICY \"lesen\" ON \"Aufträge\" FOR SELECT USING (true);\n\nCREATE POLICY \"Aufträge_tenant_isolation\" ON \"Aufträge\" AS RESTRICTIVE\n  USING (org_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::bigint)\n  WITH CHECK (org_id = NULLIF((SELECT current_setting('app.current_tenant_id', true)), '')::bigint);",
    },
  ],
});

describe('require-tenant-scoped-policy related locations', () => {
  before(() => initParser());
  it('points at the restrictive policy that does not cover the command and at the ENABLE, across files', () => {
    const files = {
      'db/001_init.sql': 'CREATE TABLE invoices (id int PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
      'db/002_policies.sql': `CREATE POLICY anyone ON invoices FOR DELETE USING (true);\nCREATE POLICY r ON invoices AS RESTRICTIVE FOR SELECT USING (${PRED});`,
    };
    const f = runCase(files).findings.filter((x) => x.rule === requireTenantScopedPolicy.id);
    assert.equal(f.length, 1);
    assert.deepEqual(
      f[0].related.map((x) => [x.file, findingPosition(files, { file: x.file, start: x.span.start }).line, x.message]),
      [
        ['db/002_policies.sql', 2, 'restrictive policy "r" does not constrain tenant_id for these commands or roles'],
        ['db/001_init.sql', 2, 'row-level security on invoices is enabled here'],
      ],
    );
  });
});
