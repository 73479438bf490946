// The project model on sets written the way real projects write them: one fixture per cause of issue 8 (which
// column is the tenant key, how the project isolates tenants, who connects, the migration tool and its
// transactions, time, sensitive data, uniqueness that must be global, conventions).
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { runCase } from '../testing/tester';
import type { SetResult } from '../engine/run';
import { explainLines, inferredSet } from '../report/inferred';
import { defaultConfig } from '../engine/config';

const of = (r: SetResult, rule: string) => r.findings.filter((f) => f.rule === rule);

// A Prisma project (camelCase, quoted identifiers) that filters by tenant in application code.
const PRISMA = {
  'prisma/migrations/20230101000000_init/migration.sql': [
    'CREATE TABLE "Organization" ("id" TEXT NOT NULL, "slug" TEXT NOT NULL, CONSTRAINT "Organization_pkey" PRIMARY KEY ("id"));',
    'CREATE TABLE "Project" ("id" TEXT NOT NULL, "organizationId" TEXT NOT NULL, "name" TEXT NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "Project_pkey" PRIMARY KEY ("id"));',
    'CREATE TABLE "ApiKey" ("id" TEXT NOT NULL, "organizationId" TEXT NOT NULL, "keyHash" TEXT NOT NULL, "displayKey" TEXT NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id"));',
    'CREATE TABLE "SlackInstall" ("id" TEXT NOT NULL, "projectId" TEXT NOT NULL, "teamId" TEXT NOT NULL, "botTokenEncrypted" JSONB NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "SlackInstall_pkey" PRIMARY KEY ("id"));',
    'CREATE TABLE "Team" ("id" TEXT NOT NULL, "organizationId" TEXT NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "Team_pkey" PRIMARY KEY ("id"));',
    'CREATE TABLE "Member" ("id" TEXT NOT NULL, "teamId" TEXT NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL, "updatedAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "Member_pkey" PRIMARY KEY ("id"));',
    'CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");',
    'CREATE INDEX "Project_organizationId_idx" ON "Project"("organizationId");',
    'CREATE INDEX "ApiKey_organizationId_idx" ON "ApiKey"("organizationId");',
    'CREATE INDEX "Team_organizationId_idx" ON "Team"("organizationId");',
    'CREATE INDEX "Member_teamId_idx" ON "Member"("teamId");',
    'CREATE INDEX "SlackInstall_projectId_idx" ON "SlackInstall"("projectId");',
    'ALTER TABLE "Project" ADD CONSTRAINT "Project_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
    'ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
    'ALTER TABLE "SlackInstall" ADD CONSTRAINT "SlackInstall_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
    'ALTER TABLE "Team" ADD CONSTRAINT "Team_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
    'ALTER TABLE "Member" ADD CONSTRAINT "Member_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
  ].join('\n'),
  'prisma/migrations/20230201000000_status/migration.sql': [
    '-- AlterTable',
    'ALTER TABLE "Project" ADD COLUMN "status" TEXT;',
    '-- Backfill',
    'UPDATE "Project" SET "status" = \'active\';',
    '-- CreateIndex',
    'CREATE INDEX "Project_status_idx" ON "Project"("status");',
  ].join('\n'),
  'prisma/migrations/20230301000000_concurrent_index/migration.sql': 'CREATE INDEX CONCURRENTLY "Project_name_idx" ON "Project"("name");',
};

describe('project model', () => {
  before(() => initParser());

  describe('a Prisma project with camelCase keys and application-level isolation', () => {
    let r: SetResult;
    before(() => { r = runCase(PRISMA); });

    it('finds the tenant table and keys by foreign key, case- and underscore-insensitively', () => {
      const keys = [...r.project.tenancy.keys.values()].map((k) => `${k.table.name}.${k.column}:${k.kind}`).sort();
      assert.deepEqual(keys, ['ApiKey.organizationId:foreign-key', 'Project.organizationId:foreign-key', 'Team.organizationId:foreign-key']);
      assert.deepEqual(r.project.tenancy.registries.map((x) => x.table.name), ['Organization']);
      // teamId of the Slack installation is Slack's workspace id: named like a key, no foreign key, while the table
      // declares others. Member.teamId references Team, which is not the tenant table.
      const rejected = r.project.tenancy.rejected.map((x) => `${x.table.name}.${x.column}`).sort();
      assert.deepEqual(rejected, ['Member.teamId', 'SlackInstall.teamId']);
    });

    it('says once, as a design decision, that isolation is left to the application', () => {
      assert.equal(r.project.tenancy.isolation.strategy, 'application');
      const rls = of(r, 'require-tenant-rls');
      assert.equal(rls.length, 1);
      assert.equal(rls[0].severity, 'info');
      assert.match(rls[0].message, /none of the 3 tenant tables .* has row-level security.*"isolation": "application"/);
      assert.equal(rls[0].related.length, 2);
      const recorded = runCase(PRISMA, { isolation: 'application', explicit: ['isolation'] });
      assert.deepEqual(of(recorded, 'require-tenant-rls'), []);
    });

    it('recognises Prisma and runs each migration.sql as one implicit transaction', () => {
      assert.equal(r.project.runner.id, 'prisma');
      // The backfill and the index build run while ADD COLUMN holds ACCESS EXCLUSIVE until the file ends.
      const slow = of(r, 'no-slow-statement-after-access-exclusive');
      assert.equal(slow.length, 1, slow.map((f) => f.message).join('\n'));
      assert.match(slow[0].message, /^UPDATE Project runs while this transaction still holds the ACCESS EXCLUSIVE lock that ADD COLUMN took on Project \(line 2\).*until the migration ends \(Prisma sends migration\.sql as one multi-statement query/);
      // The index build is one finding, whose message names the lock already held.
      const index = of(r, 'require-concurrent-index');
      assert.equal(index.length, 1);
      assert.match(index[0].message, /already holds an ACCESS EXCLUSIVE lock on Project since line 2 \(ADD COLUMN\), so every query on Project waits, SELECT included, until the migration ends/);
      // Its fix moves it into a migration of its own (CONCURRENTLY cannot share the implicit transaction).
      assert.ok(index[0].fixes[0].edits.some((e) => e.file === 'prisma/migrations/20230201000001_index_project_status_idx/migration.sql'), JSON.stringify(index[0].fixes[0].edits));
      // A file holding one CONCURRENTLY statement is sent alone: no transaction block.
      assert.deepEqual(of(r, 'no-concurrent-in-transaction'), []);
    });

    it('reports TIMESTAMP(3) everywhere once, as a project-wide choice', () => {
      const ts = of(r, 'prefer-timestamptz');
      assert.equal(ts.length, 1);
      assert.match(ts[0].message, /timestamp without time zone in 6 columns: a project-wide choice/);
      // The other places, one per statement (a CREATE TABLE with createdAt and updatedAt is one place).
      assert.equal(ts[0].related.length, 4);
      assert.equal(new Set(ts[0].related.map((x) => `${x.file}:${x.span.start}`)).size, 4);
    });

    it('keeps globally unique credentials and does not flag a hashed key or its display copy', () => {
      assert.deepEqual(of(r, 'require-tenant-in-unique'), []);
      assert.deepEqual(of(r, 'no-unencrypted-sensitive-column'), []);
    });

    it('explains every inference with its evidence and the setting that corrects it', () => {
      const text = explainLines(inferredSet(r, 'prisma/migrations', (o) => ({ file: o.file, line: 1, column: 1 }), defaultConfig())).join('\n');
      assert.match(text, /migration tool: Prisma Migrate/);
      assert.match(text, /tenant isolation: application code — no tenant table enables row-level security/);
      assert.match(text, /correct it with "isolation": "rls"/);
      assert.match(text, /Project\.organizationId \[foreign-key\] — organizationId references the tenant table Organization/);
      assert.match(text, /SlackInstall\.teamId — teamId is named like a tenant key, but SlackInstall declares foreign keys for other columns and none for teamId/);
      // No policy anywhere: no table is keyed on the signed-in user.
      assert.doesNotMatch(text, /keyed on the signed-in user/);
    });

    it('explains which tables the isolation proof takes as per user, with the policy that shows it', () => {
      const set = runCase({
        'supabase/migrations/20240101000000_app.sql': [
          'CREATE TABLE todos (id bigint PRIMARY KEY, user_id uuid NOT NULL, title text);',
          'ALTER TABLE todos ENABLE ROW LEVEL SECURITY;',
          'CREATE POLICY read_own ON todos FOR SELECT USING (user_id = (SELECT auth.uid()));',
          'CREATE TABLE posts (id bigint PRIMARY KEY, author uuid NOT NULL, body text);',
          'ALTER TABLE posts ENABLE ROW LEVEL SECURITY;',
          'CREATE POLICY anyone_reads ON posts FOR SELECT USING (true);',
          'CREATE POLICY authors_write ON posts FOR INSERT WITH CHECK (auth.uid() = author);',
          // Not per user: the same comparison under OR, and a table without row-level security.
          'CREATE TABLE notes (id bigint PRIMARY KEY, owner uuid NOT NULL);',
          'ALTER TABLE notes ENABLE ROW LEVEL SECURITY;',
          'CREATE POLICY mine_or_admin ON notes USING (owner = auth.uid() OR auth.jwt() ->> \'role\' = \'admin\');',
          'CREATE TABLE drafts (id bigint PRIMARY KEY, user_id uuid NOT NULL);',
          'CREATE POLICY drafts_own ON drafts USING (user_id = auth.uid());',
        ].join('\n'),
      });
      const text = explainLines(inferredSet(set, 'supabase/migrations', (o) => ({ file: o.file, line: 1, column: 1 }), defaultConfig())).join('\n');
      assert.match(text, /\n {2}tables keyed on the signed-in user: 2 \(verify-isolation proves each as two users\)\n/);
      assert.match(text, /\n {4}todos\.user_id — policy "read_own" compares user_id with the signed-in user \(supabase\/migrations\/20240101000000_app\.sql:1\)\n/);
      assert.match(text, /\n {4}posts\.author — policy "authors_write" compares author with the signed-in user/);
      assert.doesNotMatch(text, /notes\.owner|drafts\.user_id/);
    });
  });

  describe('a Supabase project with membership-function policies and a service_role policy', () => {
    const SUPABASE = {
      'supabase/migrations/20240101000000_teams.sql': [
        'CREATE SCHEMA private;',
        'CREATE TABLE public.teams (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);',
        'CREATE TABLE public.team_members (team_id uuid NOT NULL REFERENCES public.teams, user_id uuid NOT NULL REFERENCES auth.users, PRIMARY KEY (team_id, user_id));',
        'CREATE INDEX team_members_user_id_idx ON public.team_members (user_id);',
        'CREATE FUNCTION private.teams_of_current_user() RETURNS SETOF uuid LANGUAGE sql SECURITY DEFINER SET search_path = \'\' STABLE AS $$ SELECT team_id FROM public.team_members WHERE user_id = auth.uid() $$;',
        'CREATE TABLE public.documents (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), team_id uuid NOT NULL REFERENCES public.teams, owner_id uuid NOT NULL REFERENCES auth.users, body text);',
        'CREATE INDEX documents_team_id_idx ON public.documents (team_id);',
        'CREATE INDEX documents_owner_id_idx ON public.documents (owner_id);',
        'ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;',
        'CREATE POLICY "members read" ON public.documents FOR SELECT TO authenticated USING (team_id IN (SELECT private.teams_of_current_user()));',
        'CREATE POLICY "authors write" ON public.documents FOR INSERT TO authenticated WITH CHECK (team_id IN (SELECT private.teams_of_current_user()) AND owner_id = auth.uid());',
        'CREATE POLICY "own rows" ON public.documents FOR SELECT TO authenticated USING (owner_id = (SELECT auth.uid()));',
        'CREATE POLICY "service" ON public.documents TO service_role USING (true) WITH CHECK (true);',
        'ALTER TABLE public.team_members ENABLE ROW LEVEL SECURITY;',
        'CREATE POLICY "see own memberships" ON public.team_members FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));',
        'CREATE TABLE private.audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, team_id uuid NOT NULL REFERENCES public.teams, event text);',
        'CREATE INDEX audit_team_id_idx ON private.audit (team_id);',
        'ALTER TABLE private.audit ENABLE ROW LEVEL SECURITY;',
      ].join('\n'),
    };
    let r: SetResult;
    before(() => { r = runCase(SUPABASE); });

    it('infers the platform, the roles the application connects as and the isolation strategy', () => {
      assert.equal(r.project.roles.platform.id, 'supabase');
      assert.deepEqual(r.project.roles.appRoles, ['anon', 'authenticated']);
      assert.ok(r.project.roles.bypassRoles.includes('service_role'));
      assert.equal(r.project.roles.connectsAsOwner, false);
      assert.equal(r.project.tenancy.isolation.strategy, 'rls');
      assert.equal(r.project.runner.id, 'supabase');
    });

    it('raises nothing a reviewer would drop: no FORCE, no leak for service_role, no deny-all finding in private', () => {
      const tenancy = r.findings.filter((f) => f.category === 'tenancy' || f.category === 'security');
      assert.deepEqual(tenancy.map((f) => `${f.rule}: ${f.message}`), []);
    });

    it('still reports a policy that lets any signed-in user read every team', () => {
      const leaky = runCase({ ...SUPABASE, 'supabase/migrations/20240102000000_open.sql': 'CREATE POLICY "signed in" ON public.documents FOR SELECT TO authenticated USING (auth.uid() IS NOT NULL);' });
      const found = of(leaky, 'require-tenant-scoped-policy');
      assert.equal(found.length, 1);
      assert.match(found[0].message, /Policy "signed in" on tenant table documents does not constrain team_id/);
      assert.match(found[0].recipe ?? '', /AS RESTRICTIVE\n {2}TO authenticated\n {2}USING \(team_id IN \(SELECT private\.teams_of_current_user\(\)\)\)/);
    });
  });

  it('who connects: postgres, the installation\'s administrator, is never taken as the application\'s role', () => {
    // supabase/auth: sixteen tables with RLS and no policy, granted to postgres with grant option (templated schema).
    const tables = ['users', 'sessions', 'identities'];
    const r = runCase({
      'migrations/001_init.sql': tables.map((t) => `CREATE TABLE auth.${t} (id uuid PRIMARY KEY);`).join('\n'),
      'migrations/002_rls.sql': tables.map((t) => `ALTER TABLE auth.${t} ENABLE ROW LEVEL SECURITY;\nGRANT SELECT ON auth.${t} TO postgres WITH GRANT OPTION;`).join('\n'),
    });
    assert.deepEqual(r.project.roles.appRoles, []);
    assert.equal(r.project.roles.connectsAsOwner, true);
    assert.deepEqual(of(r, 'require-rls-policy'), [], 'tables kept for the administrator are deny-all to everyone else by design');
    // Named as the application's role in the configuration, it is taken as one.
    const configured = runCase({ 'migrations/001_init.sql': 'CREATE TABLE notes (id uuid PRIMARY KEY);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nGRANT SELECT ON notes TO postgres;' }, { appRoles: ['postgres'] });
    assert.deepEqual(configured.project.roles.appRoles, ['postgres']);
    assert.equal(of(configured, 'require-rls-policy').length, 1);
  });

  it('goose: StatementBegin/End blocks without a final ";" parse, and Up runs in goose\'s transaction', () => {
    const r = runCase({
      'db/migrations/00001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);',
      'db/migrations/00002_fn.sql': [
        '-- +goose Up',
        '-- +goose StatementBegin',
        'CREATE INDEX orders_total_idx ON orders (total)',
        '-- +goose StatementEnd',
        '',
        '-- +goose Down',
        '-- +goose StatementBegin',
        'DROP INDEX orders_total_idx',
        '-- +goose StatementEnd',
      ].join('\n'),
    });
    assert.deepEqual(of(r, 'syntax-error'), []);
    assert.equal(r.project.runner.id, 'goose');
    const index = of(r, 'require-concurrent-index');
    assert.equal(index.length, 1);
    // In goose's transaction, the fix is a migration of its own that opts out of it.
    const edit = index[0].fixes[0].edits.find((e) => e.file);
    assert.equal(edit?.file, 'db/migrations/00003_index_orders_total_idx.sql');
    assert.equal(edit?.newText, '-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\n');
  });

  it('a TRUNCATE earlier in the transaction empties the table: ADD COLUMN … NOT NULL cannot fail', () => {
    const base = { 'db/001_init.sql': 'CREATE TABLE sessions (id bigint PRIMARY KEY);' };
    const r = runCase({ ...base, 'db/002_reset.sql': 'BEGIN;\nTRUNCATE sessions;\nALTER TABLE sessions ADD COLUMN device text NOT NULL;\nCOMMIT;' });
    assert.deepEqual(of(r, 'no-required-column-without-default'), []);
    const outside = runCase({ ...base, 'db/002_reset.sql': 'TRUNCATE sessions;\nALTER TABLE sessions ADD COLUMN device text NOT NULL;' });
    assert.equal(of(outside, 'no-required-column-without-default').length, 1, 'another session may insert between the two');
  });

  it('uniqueness: credentials, the primary key and generated ids stay global; a natural-key primary key does not', () => {
    const r = runCase({
      'db/001.sql': [
        'CREATE TABLE tenants (id uuid PRIMARY KEY);',
        'CREATE TABLE api_keys (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL REFERENCES tenants, token_hash text NOT NULL UNIQUE, public_key text UNIQUE);',
        'CREATE UNIQUE INDEX api_keys_id_idx ON api_keys (id);',
        'CREATE TABLE verification_tokens (tenant_id uuid NOT NULL REFERENCES tenants, token text NOT NULL UNIQUE, expires timestamptz);',
        'CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, created_at timestamptz NOT NULL, tenant_id uuid NOT NULL REFERENCES tenants, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);',
        'CREATE TABLE settings ("key" text PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, value text);',
        // Unique within a project, and a project belongs to one tenant: scoped through its parent.
        'CREATE TABLE projects (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants);',
        'CREATE TABLE environments (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, project_id uuid NOT NULL REFERENCES projects, slug text NOT NULL, UNIQUE (project_id, slug));',
        // The foreign key to environments was dropped, the name still says whose the row is; its index leads with it.
        'CREATE TABLE runs (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, "environmentId" uuid NOT NULL, key text NOT NULL, UNIQUE ("environmentId", key));',
        // A polymorphic owner (a team or a user): workspace_id is not a tenant key, and the public slug is global.
        'CREATE TABLE published_docs (id uuid PRIMARY KEY, workspace_type text NOT NULL, workspace_id uuid NOT NULL, slug text NOT NULL UNIQUE);',
        // Rows of several scopes (global, per user, per tenant): the NULL key and the global name are the design.
        'CREATE TABLE notices (id uuid PRIMARY KEY, tenant_id uuid REFERENCES tenants, user_id uuid REFERENCES auth.users, queue text NOT NULL UNIQUE);',
      ].join('\n'),
    });
    assert.deepEqual(of(r, 'require-tenant-not-null'), []);
    // runs is indexed by its environment (the unique key): scoped through the parent, so no tenant-index finding for it.
    assert.ok(!of(r, 'require-tenant-index').some((f) => /Tenant table runs /.test(f.message)));
    const unique = of(r, 'require-tenant-in-unique');
    assert.equal(unique.length, 1, unique.map((f) => f.message).join('\n'));
    assert.match(unique[0].message, /Primary key "settings_pkey" on tenant table settings covers \(key\) without tenant_id/);
  });

  it('time: a foreign key judged where the tenant column arrived, as the schema stood there', () => {
    const r = runCase({
      'db/001_init.sql': 'CREATE TABLE orgs (id uuid PRIMARY KEY);\nCREATE TABLE projects (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs, UNIQUE (org_id, id));\nCREATE TABLE api_keys (id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects);',
      'db/002_tenant.sql': '-- 2025: keys become tenant-scoped too\nALTER TABLE api_keys ADD COLUMN org_id uuid NOT NULL REFERENCES orgs;',
      'db/003_other.sql': 'CREATE TABLE members (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs, project_id uuid NOT NULL, FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id));',
    });
    const fk = of(r, 'require-tenant-in-foreign-key');
    assert.equal(fk.length, 1, fk.map((f) => f.message).join('\n'));
    assert.equal(fk[0].file, 'db/002_tenant.sql');
    assert.match(fk[0].message, /^Now that api_keys\.org_id is here, foreign key "api_keys_project_id_fkey" from tenant table api_keys \(project_id\) to tenant table projects does not include org_id, unlike 1 other foreign key/);
    assert.ok(fk[0].related.some((x) => x.file === 'db/001_init.sql' && /declared here/.test(x.message)));
  });

  it('ory/popx: the files of one migration version share its new tables', () => {
    const r = runCase({
      'migrations/20200101000000000000_users.postgres.up.sql': 'CREATE TABLE "users" ("id" UUID NOT NULL, PRIMARY KEY("id"), "email" VARCHAR(255) NOT NULL);',
      'migrations/20200101000000000001_users.postgres.up.sql': 'CREATE UNIQUE INDEX "users_email_idx" ON "users" (email);',
      'migrations/20200202000000000000_users_name.postgres.up.sql': 'CREATE INDEX "users_email_name_idx" ON "users" (email, id);',
    });
    assert.equal(r.project.runner.id, 'popx');
    assert.deepEqual(of(r, 'require-concurrent-index').map((f) => f.file), ['migrations/20200202000000000000_users_name.postgres.up.sql']);
  });

  it('one statement dropping several columns is one finding', () => {
    const r = runCase({
      'db/001.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, a text, b text, c text);',
      'db/002.sql': 'ALTER TABLE users DROP COLUMN a, DROP COLUMN b, DROP COLUMN c;',
    });
    const drops = of(r, 'no-drop-column');
    assert.equal(drops.length, 1);
    assert.match(drops[0].message, /DROP COLUMN a, b and c on users/);
  });
});
