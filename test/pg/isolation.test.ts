import assert from 'node:assert/strict';
import { verifyIsolation, type IsolationResult } from '../../pg';
import { stmts } from './fixtures';

const POLICY = "tenant_id = current_setting('app.current_tenant_id', true)::uuid";

/** One migration with several tenant tables, each a different case. */
const MIGRATION = stmts('tenants.sql', [
  'CREATE TABLE tenants (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL)',
  "CREATE TYPE status AS ENUM ('open', 'closed')",
  'CREATE TABLE projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id), name text NOT NULL)',
  // Isolated: ENABLE + FORCE and a policy with USING and WITH CHECK on the tenant setting.
  `CREATE TABLE tasks (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id),
     project_id bigint NOT NULL REFERENCES projects (id), title varchar(20) NOT NULL, state status NOT NULL,
     due date NOT NULL, meta jsonb NOT NULL, done boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  'ALTER TABLE tasks ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE tasks FORCE ROW LEVEL SECURITY',
  `CREATE POLICY tasks_tenant ON tasks USING (${POLICY}) WITH CHECK (${POLICY})`,
  // Leaks: USING (true) lets every tenant read every row.
  'CREATE TABLE notes (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, body text NOT NULL)',
  'ALTER TABLE notes ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE notes FORCE ROW LEVEL SECURITY',
  `CREATE POLICY notes_tenant ON notes USING (true) WITH CHECK (${POLICY})`,
  // Leaks: no RLS at all.
  'CREATE TABLE invoices (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, amount numeric(10,2) NOT NULL)',
  // A NOT NULL column of a type without a generator: point is handled, a composite type is not.
  'CREATE TYPE money_pair AS (a int, b int)',
  'CREATE TABLE odd (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, pair money_pair NOT NULL)',
  'ALTER TABLE odd ENABLE ROW LEVEL SECURITY',
  `CREATE POLICY odd_tenant ON odd USING (${POLICY}) WITH CHECK (${POLICY})`,
  // Isolated reads but a policy without WITH CHECK on UPDATE lets a tenant move its rows to another tenant.
  'CREATE TABLE docs (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, body text)',
  'ALTER TABLE docs ENABLE ROW LEVEL SECURITY',
  `CREATE POLICY docs_select ON docs FOR SELECT USING (${POLICY})`,
  `CREATE POLICY docs_insert ON docs FOR INSERT WITH CHECK (${POLICY})`,
  `CREATE POLICY docs_update ON docs FOR UPDATE USING (${POLICY}) WITH CHECK (true)`,
  // CHECK constraints the generated values must satisfy.
  `CREATE TABLE tickets (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id),
     status text NOT NULL CHECK (status IN ('new', 'done')), priority int NOT NULL CHECK (priority >= 10))`,
  'ALTER TABLE tickets ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE tickets FORCE ROW LEVEL SECURITY',
  `CREATE POLICY tickets_tenant ON tickets USING (${POLICY})`,
  // Hash partitions: rows of both tenants spread over partitions whose ctids repeat.
  'CREATE TABLE events (id bigint NOT NULL, tenant_id uuid NOT NULL, payload jsonb NOT NULL) PARTITION BY HASH (id)',
  'CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 0)',
  'CREATE TABLE events_1 PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER 1)',
  'ALTER TABLE events ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY events_all ON events USING (true)',
]);

describe('pg engine: tenant isolation probe on PGlite', () => {
  let byTable: Map<string, IsolationResult>;

  before(async () => {
    const r = await verifyIsolation(MIGRATION, {
      tenantSetting: 'app.current_tenant_id',
      tables: ['tasks', 'notes', 'invoices', 'odd', 'docs', 'missing', 'tickets', 'events'].map((table) => ({ schema: 'public', table, tenantColumn: 'tenant_id' })),
    });
    for (const e of r.replay) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
    byTable = new Map(r.tables.map((t) => [t.table, t]));
    assert.equal(r.tables.length, 8);
  });

  it('a table with ENABLE + FORCE RLS and a tenant policy with WITH CHECK is isolated', () => {
    const t = byTable.get('tasks')!;
    assert.equal(t.status, 'isolated', t.details);
    assert.equal(t.tenantColumn, 'tenant_id');
    assert.doesNotMatch(t.details, /owner .* bypasses/);
  });

  it('USING (true) leaks tenant B rows to SELECT (and UPDATE/DELETE without WHERE)', () => {
    const t = byTable.get('notes')!;
    assert.equal(t.status, 'leaks', t.details);
    assert.match(t.details, /SELECT as tenant A returned 2 of 2 rows of tenant B/);
    assert.match(t.details, /DELETE without WHERE as tenant A reached 2 of 2 rows of tenant B/);
    // WITH CHECK still stops an INSERT for tenant B.
    assert.doesNotMatch(t.details, /INSERT of a row of tenant B as tenant A succeeded/);
  });

  it('a table without RLS leaks, and the details say RLS is off', () => {
    const t = byTable.get('invoices')!;
    assert.equal(t.status, 'leaks', t.details);
    assert.match(t.details, /INSERT of a row of tenant B as tenant A succeeded/);
    assert.match(t.details, /row level security is not enabled/);
  });

  it('a NOT NULL column of a type without a value generator is untestable, with the reason', () => {
    const t = byTable.get('odd')!;
    assert.equal(t.status, 'untestable', t.details);
    assert.match(t.details, /NOT NULL column odd\.pair has type money_pair/);
  });

  it('UPDATE moving a row to another tenant is caught when WITH CHECK is missing; FORCE off is warned about', () => {
    const t = byTable.get('docs')!;
    assert.equal(t.status, 'leaks', t.details);
    assert.match(t.details, /UPDATE setting tenant_id to tenant B succeeded on 2 rows visible to tenant A/);
    assert.doesNotMatch(t.details, /SELECT as tenant A returned/);
    assert.match(t.details, /FORCE ROW LEVEL SECURITY is off: the owner \(postgres\) bypasses RLS/);
  });

  it('values are chosen to satisfy simple CHECK constraints (IN list, lower bound)', () => {
    const t = byTable.get('tickets')!;
    assert.equal(t.status, 'isolated', t.details);
  });

  it('partitioned tables: counts stay exact although ctids repeat across partitions', () => {
    const t = byTable.get('events')!;
    assert.equal(t.status, 'leaks', t.details);
    assert.match(t.details, /UPDATE without WHERE as tenant A reached 2 of 2 rows of tenant B/);
    assert.match(t.details, /DELETE without WHERE as tenant A reached 2 of 2 rows of tenant B/);
  });

  it('a table that does not exist after the replay is untestable', () => {
    const t = byTable.get('missing')!;
    assert.equal(t.status, 'untestable');
    assert.match(t.details, /does not exist after the replay/);
  });
});

describe('pg engine: isolation probe with Supabase-style policies', () => {
  it('auth.uid() policies TO authenticated: the signed-in user is the tenant, probed as authenticated', async () => {
    const r = await verifyIsolation(stmts('supa.sql', [
      `CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users (id), username text NOT NULL UNIQUE)`,
      'ALTER TABLE profiles ENABLE ROW LEVEL SECURITY',
      'CREATE POLICY read_own ON profiles FOR SELECT TO authenticated USING (auth.uid() = id)',
      'CREATE POLICY write_own ON profiles FOR ALL TO authenticated USING (auth.uid() = id) WITH CHECK (auth.uid() = id)',
      'CREATE TABLE posts (id bigserial PRIMARY KEY, author uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id), body text NOT NULL)',
      'ALTER TABLE posts ENABLE ROW LEVEL SECURITY',
      'CREATE POLICY anyone_reads ON posts FOR SELECT TO anon, authenticated USING (true)',
      'CREATE POLICY own_posts ON posts FOR INSERT TO authenticated WITH CHECK (auth.uid() = author)',
    ]), {
      tenantSetting: 'request.jwt.claim.sub',
      tables: [{ schema: 'public', table: 'profiles', tenantColumn: 'id' }, { schema: 'public', table: 'posts', tenantColumn: 'author' }],
    });
    for (const e of r.replay) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
    const [profiles, posts] = r.tables;
    assert.equal(profiles.status, 'isolated', profiles.details);
    assert.match(profiles.details, /the signed-in user is the tenant, signed in through request\.jwt\.claims, as role authenticated/);
    // Public posts are readable by everyone by design: the probe reports it as a read leak.
    assert.equal(posts.status, 'leaks', posts.details);
    assert.match(posts.details, /SELECT as tenant A returned 2 of 2 rows of tenant B/);
    // The default auth.uid() is NULL for the superuser that seeds rows: the generator supplied values.
    assert.doesNotMatch(posts.details, /could not insert/);
  });
});

describe('pg engine: isolation probe when a policy breaks the engine', () => {
  it('a policy recursing through a function: that table is untestable, the next one is still probed', async () => {
    const r = await verifyIsolation(stmts('rec.sql', [
      'CREATE TABLE members (org_id uuid NOT NULL, user_id uuid NOT NULL)',
      // PL/pgSQL is not inlined, so PostgreSQL cannot see the recursion when planning: it recurses at run time.
      'CREATE FUNCTION is_member(o uuid) RETURNS bool LANGUAGE plpgsql AS $$ BEGIN RETURN EXISTS (SELECT 1 FROM members WHERE org_id = o); END $$',
      'ALTER TABLE members ENABLE ROW LEVEL SECURITY',
      'CREATE POLICY m ON members USING (is_member(org_id))',
      'CREATE TABLE notes (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL)',
      'ALTER TABLE notes ENABLE ROW LEVEL SECURITY',
      `CREATE POLICY n ON notes USING (${POLICY})`,
    ]), {
      tenantSetting: 'app.current_tenant_id',
      tables: [{ schema: 'public', table: 'members', tenantColumn: 'org_id' }, { schema: 'public', table: 'notes', tenantColumn: 'tenant_id' }],
    });
    const [members, notes] = r.tables;
    assert.equal(members.status, 'untestable');
    assert.match(members.details, /engine failure|stack depth/);
    assert.equal(notes.status, 'isolated', notes.details);
  });
});
