// The isolation proof on real-project shapes: tenant contexts read from the policies (a membership function,
// JWT claims, a setting behind a function, a role per tenant), rows that satisfy CHECKs and domains, a context
// named in the configuration, and a seed file. Fixtures written for these tests, not corpus copies.
import assert from 'node:assert/strict';
import { verifyIsolation, type IsolationResult } from '../../pg';
import { stmts } from './fixtures';

const byTable = (tables: IsolationResult[]): Map<string, IsolationResult> => new Map(tables.map((t) => [t.table, t]));

/** A Supabase team app: teams (with basejump's slug CHECK), members, and tables guarded in different ways. */
const SUPABASE_TEAMS = stmts('20240301000000_teams.sql', [
  'CREATE SCHEMA private',
  'GRANT USAGE ON SCHEMA private TO authenticated',
  // Mandanten: the slug is NULL exactly for personal teams (basejump's accounts CHECK).
  `CREATE TABLE teams (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text, slug text UNIQUE,
     personal boolean NOT NULL DEFAULT false,
     CONSTRAINT slug_null_if_personal CHECK ((personal = true AND slug IS NULL) OR (personal = false AND slug IS NOT NULL)))`,
  "CREATE TYPE team_role AS ENUM ('member', 'owner')",
  `CREATE TABLE members (team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
     user_id uuid NOT NULL REFERENCES auth.users (id), role team_role NOT NULL, PRIMARY KEY (team_id, user_id))`,
  'ALTER TABLE members ENABLE ROW LEVEL SECURITY',
  `CREATE FUNCTION private.get_teams_for_authenticated_user() RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER
     SET search_path = '' AS $$ SELECT team_id FROM public.members WHERE user_id = auth.uid() $$`,
  `CREATE POLICY members_read ON members FOR SELECT TO authenticated
     USING (team_id IN (SELECT private.get_teams_for_authenticated_user()))`,
  // Isolated through the membership function; its rows must pass a domain and a letters-only CHECK.
  'CREATE DOMAIN budget_eur AS numeric(10,2) CHECK (VALUE BETWEEN 1000 AND 5000)',
  `CREATE TABLE "Projekte" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams (id),
     "Straße" text NOT NULL CHECK ("Straße" ~ '^[a-zäöüß ]+$'), budget budget_eur NOT NULL,
     state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'live')))`,
  'ALTER TABLE "Projekte" ENABLE ROW LEVEL SECURITY',
  `CREATE POLICY "Team-Mitglieder verwalten Projekte" ON "Projekte" FOR ALL TO authenticated
     USING (team_id IN (SELECT private.get_teams_for_authenticated_user()))
     WITH CHECK (team_id IN (SELECT private.get_teams_for_authenticated_user()))`,
  // Leaks: every signed-in user reads every team's comments.
  'CREATE TABLE comments (id bigserial PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams (id), body text NOT NULL)',
  'ALTER TABLE comments ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY comments_read ON comments FOR SELECT TO authenticated USING (true)',
  `CREATE POLICY comments_write ON comments FOR INSERT TO authenticated
     WITH CHECK (team_id IN (SELECT private.get_teams_for_authenticated_user()))`,
  // Leaks: no row-level security (authenticated has Supabase's default privileges on public).
  'CREATE TABLE invoices (id bigserial PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams (id), total numeric(12,2) NOT NULL CHECK (total >= 0))',
  // Leaks: a user may write a row for any team as long as the row names the user (no team check).
  'CREATE TABLE audit (id bigserial PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams (id), actor uuid NOT NULL, what text NOT NULL)',
  'ALTER TABLE audit ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY audit_read ON audit FOR SELECT TO authenticated USING (team_id IN (SELECT private.get_teams_for_authenticated_user()))',
  'CREATE POLICY audit_write ON audit FOR INSERT TO authenticated WITH CHECK (actor = auth.uid())',
  // Isolated through JWT claims (Clerk's organization id in the token), with a claim compared to a literal.
  'CREATE TABLE secured (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id text NOT NULL)',
  'ALTER TABLE secured ENABLE ROW LEVEL SECURITY',
  "CREATE POLICY read_org ON secured FOR SELECT TO authenticated USING (organization_id = (SELECT auth.jwt() ->> 'org_id'))",
  `CREATE POLICY write_org ON secured FOR INSERT TO authenticated
     WITH CHECK ((SELECT auth.jwt() ->> 'org_role') = 'org:admin' AND organization_id = (SELECT auth.jwt() ->> 'org_id'))`,
]);

describe('pg engine: tenant context inferred from Supabase-style policies', () => {
  let tables: Map<string, IsolationResult>;

  before(async () => {
    const r = await verifyIsolation(SUPABASE_TEAMS, {
      tenantSetting: 'app.current_tenant_id', tenantColumns: ['team_id', 'organization_id'],
      tables: ['members', 'Projekte', 'comments', 'invoices', 'audit'].map((table) => ({ schema: 'public', table, tenantColumn: 'team_id' }))
        .concat([{ schema: 'public', table: 'secured', tenantColumn: 'organization_id' }]),
    });
    for (const e of r.replay) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
    tables = byTable(r.tables);
  });

  it('a policy through a membership function (team_id IN (SELECT private.get_teams_for_authenticated_user())) is proved isolated', () => {
    const t = tables.get('Projekte')!;
    assert.equal(t.status, 'isolated', t.details);
    assert.match(t.details, /a member through members \(user_id = the user, team_id = the tenant, role = (owner|member)\), signed in through request\.jwt\.claims, as role authenticated/);
    assert.match(t.details, /saw only its 2 of 2 rows, none of B's 2/);
    assert.match(t.details, /INSERT of a row of tenant B rejected by RLS; moving rows to tenant B rejected by RLS/);
  });

  it('a registry CHECK like basejump\'s, a domain CHECK and a letters-only CHECK are satisfied by the generated rows', () => {
    // Rows of two teams exist and every step ran: the teams CHECK, budget_eur and "Straße" were all passed.
    const t = tables.get('Projekte')!;
    assert.doesNotMatch(t.details, /CHECK|could not/);
    assert.match(t.details, /UPDATE without WHERE reached 2 of A's 2 rows and none of B's; DELETE without WHERE reached 2 of A's 2 rows and none of B's/);
  });

  it('USING (true) TO authenticated is proved leaking', () => {
    const t = tables.get('comments')!;
    assert.equal(t.status, 'leaks', t.details);
    assert.match(t.details, /SELECT as tenant A returned 2 of 2 rows of tenant B/);
  });

  it('a table without RLS is proved leaking', () => {
    const t = tables.get('invoices')!;
    assert.equal(t.status, 'leaks', t.details);
    assert.match(t.details, /SELECT as tenant A returned 2 of 2 rows of tenant B/);
    assert.match(t.details, /row level security is not enabled/);
  });

  it('an INSERT policy that checks only the user lets tenant A write rows of tenant B', () => {
    const t = tables.get('audit')!;
    assert.equal(t.status, 'leaks', t.details);
    assert.match(t.details, /INSERT of a row of tenant B as tenant A succeeded/);
    assert.doesNotMatch(t.details, /SELECT as tenant A returned/);
  });

  it('the membership table itself is proved isolated: writes are refused to every tenant (no policy)', () => {
    const t = tables.get('members')!;
    assert.equal(t.status, 'isolated', t.details);
    assert.match(t.details, /no DELETE policy applies to authenticated/);
  });

  it('JWT claims: the tenant is read from auth.jwt(), the literal claim gets its value', () => {
    const t = tables.get('secured')!;
    assert.equal(t.status, 'isolated', t.details);
    assert.match(t.details, /JWT claims \{"org_role":"org:admin","org_id":"\{tenant\}"\}/);
  });
});

describe('pg engine: tenant contexts without Supabase', () => {
  it('a setting read through a function, and a role per tenant, are found and proved', async () => {
    const r = await verifyIsolation(stmts('app.sql', [
      "CREATE FUNCTION app_current_tenant() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.tenant', true), '')::uuid $$",
      'CREATE TABLE notes (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, body text NOT NULL)',
      'ALTER TABLE notes ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE notes FORCE ROW LEVEL SECURITY',
      'CREATE POLICY notes_tenant ON notes USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())',
      'CREATE TABLE ledger (id bigserial PRIMARY KEY, tenant_id text NOT NULL, amount int NOT NULL)',
      'ALTER TABLE ledger ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE ledger FORCE ROW LEVEL SECURITY',
      'CREATE POLICY ledger_role ON ledger USING (tenant_id = current_user) WITH CHECK (tenant_id = current_user)',
    ]), {
      tenantSetting: 'app.current_tenant_id',
      tables: [{ schema: 'public', table: 'notes', tenantColumn: 'tenant_id' }, { schema: 'public', table: 'ledger', tenantColumn: 'tenant_id' }],
    });
    const t = byTable(r.tables);
    assert.equal(t.get('notes')!.status, 'isolated', t.get('notes')!.details);
    assert.match(t.get('notes')!.details, /tenant A: app\.tenant = the tenant/);
    assert.equal(t.get('ledger')!.status, 'isolated', t.get('ledger')!.details);
    assert.match(t.get('ledger')!.details, /a role named after the tenant/);
  });

  const CREWS = stmts('crews.sql', [
    'CREATE TABLE crews (id uuid PRIMARY KEY DEFAULT gen_random_uuid())',
    'CREATE TABLE crew_members (crew uuid NOT NULL REFERENCES crews (id), person uuid NOT NULL, PRIMARY KEY (crew, person))',
    // Dynamic SQL: the membership table is invisible to the inference.
    `CREATE FUNCTION in_crew(c uuid) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
       DECLARE r boolean;
       BEGIN
         EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE crew = $1 AND person = $2)', 'crew' || '_members')
           INTO r USING c, nullif(current_setting('app.person', true), '')::uuid;
         RETURN r;
       END $$`,
    'CREATE TABLE logs (id bigserial PRIMARY KEY, crew_id uuid NOT NULL REFERENCES crews (id), line text NOT NULL)',
    'ALTER TABLE logs ENABLE ROW LEVEL SECURITY',
    'ALTER TABLE logs FORCE ROW LEVEL SECURITY',
    'CREATE POLICY logs_crew ON logs USING (in_crew(crew_id)) WITH CHECK (in_crew(crew_id))',
  ]);
  const logs = [{ schema: 'public', table: 'logs', tenantColumn: 'crew_id' }];

  it('when no context can be inferred: untestable, saying what was tried and which tenantContext would fix it', async () => {
    const r = await verifyIsolation(CREWS, { tenantSetting: 'app.current_tenant_id', tables: logs });
    const [t] = r.tables;
    assert.equal(t.status, 'untestable', t.details);
    assert.match(t.details, /no tenant context was proved: .*tenant A saw and changed none of its 2 rows/);
    assert.match(t.details, /name the tenant context in \.sqlarchitect\.json, e\.g\. "tenantContext": /);
  });

  it('the tenantContext of the configuration is used, and proves the table isolated', async () => {
    const r = await verifyIsolation(CREWS, {
      tenantSetting: 'app.current_tenant_id', tables: logs,
      tenantContext: { membership: { table: 'crew_members', userColumn: 'person', tenantColumn: 'crew' }, userSetting: 'app.person' },
    });
    const [t] = r.tables;
    assert.equal(t.status, 'isolated', t.details);
    assert.match(t.details, /a member through crew_members \(person = the user, crew = the tenant\), user in app\.person/);
  });

  const SHOPS = stmts('shops.sql', [
    "CREATE TABLE shops (code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}-[0-9]{4}$'))",
    'CREATE TABLE orders (id bigserial PRIMARY KEY, shop_code text NOT NULL REFERENCES shops (code), total int NOT NULL)',
    'ALTER TABLE orders ENABLE ROW LEVEL SECURITY',
    'ALTER TABLE orders FORCE ROW LEVEL SECURITY',
    "CREATE POLICY orders_shop ON orders USING (shop_code = current_setting('app.shop', true)) WITH CHECK (shop_code = current_setting('app.shop', true))",
  ]);
  const orders = [{ schema: 'public', table: 'orders', tenantColumn: 'shop_code' }];

  it('a CHECK no generated value passes: untestable, naming the constraint and the seed file', async () => {
    const r = await verifyIsolation(SHOPS, { tenantSetting: 'app.current_tenant_id', tables: orders });
    const [t] = r.tables;
    assert.equal(t.status, 'untestable', t.details);
    assert.match(t.details, /no generated values for shops pass CHECK constraint shops_code_check .*isolationSeed/);
  });

  it('the rows of the seed file stand in for what cannot be generated', async () => {
    const r = await verifyIsolation(SHOPS, {
      tenantSetting: 'app.current_tenant_id', tables: orders,
      seed: stmts('seed.sql', ["INSERT INTO shops VALUES ('ABC-0001'), ('XYZ-0002')"]),
    });
    assert.equal(r.replay.at(-1)!.file, 'seed.sql');
    assert.equal(r.replay.at(-1)!.error, undefined);
    const [t] = r.tables;
    assert.equal(t.status, 'isolated', t.details);
    assert.match(t.details, /tenant A: app\.shop = the tenant/);
  });
});
