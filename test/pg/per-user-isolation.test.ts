// The isolation proof on tables whose rows belong to users (a Supabase project's todos, profiles, messages): which
// tables the analysis hands to the proof, and the verdicts for two signed-in users on the embedded PostgreSQL.
import assert from 'node:assert/strict';
import { allRules, analyzeSet, applyEdits, defaultConfig, initParser, parseFile } from '../../rules';
import { verifyIsolation } from '../../pg';
import { isolationTables } from '../../pg/from-analysis';
import { stmts } from './fixtures';

const SQL = [
  // Isolated: every command keyed on the owner.
  'CREATE TABLE todos (id bigserial PRIMARY KEY, user_id uuid NOT NULL REFERENCES auth.users (id), title text NOT NULL)',
  'ALTER TABLE todos ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY own_todos ON todos FOR ALL TO authenticated USING ((SELECT auth.uid()) = user_id) WITH CHECK ((SELECT auth.uid()) = user_id)',
  // Shared: a policy lets every signed-in user read every post; writing stays the author's.
  'CREATE TABLE posts (id bigserial PRIMARY KEY, author uuid NOT NULL REFERENCES auth.users (id), body text NOT NULL)',
  'ALTER TABLE posts ENABLE ROW LEVEL SECURITY',
  "CREATE POLICY signed_in_read ON posts FOR SELECT TO authenticated USING (auth.role() = 'authenticated')",
  'CREATE POLICY own_posts ON posts FOR INSERT TO authenticated WITH CHECK (auth.uid() = author)',
  'CREATE POLICY edit_own_posts ON posts FOR UPDATE TO authenticated USING (auth.uid() = author)',
  // Leaks: the same shared read, but any signed-in user may delete any comment.
  'CREATE TABLE comments (id bigserial PRIMARY KEY, user_id uuid NOT NULL REFERENCES auth.users (id), body text NOT NULL)',
  'ALTER TABLE comments ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY read_all ON comments FOR SELECT TO authenticated USING (true)',
  'CREATE POLICY read_own ON comments FOR SELECT TO authenticated USING (auth.uid() = user_id)',
  'CREATE POLICY delete_any ON comments FOR DELETE TO authenticated USING (auth.role() = \'authenticated\')',
  // Leaks: a read that depends on who asks is no design statement: a user reads rows another user owns.
  'CREATE TABLE notes (id bigserial PRIMARY KEY, owner uuid NOT NULL REFERENCES auth.users (id), body text NOT NULL)',
  'ALTER TABLE notes ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY own_notes ON notes FOR ALL TO authenticated USING (auth.uid() = owner OR auth.uid() IS NOT NULL)',
  'CREATE POLICY owner_key ON notes FOR SELECT TO authenticated USING (auth.uid() = owner)',
  // Leaks: a shared read of public articles, and a policy on who asks that lets every signed-in user read drafts too.
  'CREATE TABLE articles (id bigserial PRIMARY KEY, author uuid NOT NULL REFERENCES auth.users (id), public boolean NOT NULL DEFAULT false, body text NOT NULL)',
  'ALTER TABLE articles ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY read_public ON articles FOR SELECT TO authenticated USING (public)',
  'CREATE POLICY read_signed_in ON articles FOR SELECT TO authenticated USING (auth.uid() IS NOT NULL)',
  'CREATE POLICY write_own ON articles FOR ALL TO authenticated USING (auth.uid() = author) WITH CHECK (auth.uid() = author)',
  // Not probed per user: a tenant table (its tenant key decides), and a table without row-level security.
  'CREATE TABLE accounts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL)',
  'CREATE TABLE members (account_id uuid NOT NULL REFERENCES accounts (id), user_id uuid NOT NULL REFERENCES auth.users (id), PRIMARY KEY (account_id, user_id))',
  'ALTER TABLE members ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY own_membership ON members FOR SELECT TO authenticated USING (user_id = auth.uid())',
  'CREATE TABLE drafts (id bigserial PRIMARY KEY, user_id uuid NOT NULL)',
  'CREATE POLICY drafts_own ON drafts USING (user_id = auth.uid())',
];

describe('isolation proof: tables whose rows belong to users', () => {
  before(() => initParser());

  it('the analysis hands the proof each RLS table whose USING keys rows on auth.uid(), tenant tables first', () => {
    const set = analyzeSet({ id: '/m', files: [{ path: '/m/20240101000000_init.sql', text: SQL.map((s) => `${s};`).join('\n') }] },
      { config: defaultConfig(), rules: allRules });
    assert.deepEqual(isolationTables(set, defaultConfig()).map((t) => [t.table, t.tenantColumn, t.perUser ?? false]), [
      ['members', 'account_id', false],
      ['todos', 'user_id', true], ['posts', 'author', true], ['comments', 'user_id', true], ['notes', 'owner', true],
      ['articles', 'author', true],
    ]);
  });

  it('two users on PostgreSQL: own rows only is isolated, a read every user is granted is shared, a write to others leaks', async function () {
    this.timeout(120000);
    const tables = [['todos', 'user_id'], ['posts', 'author'], ['comments', 'user_id'], ['notes', 'owner'], ['articles', 'author']]
      .map(([table, tenantColumn]) => ({ schema: 'public', table, tenantColumn, perUser: true }));
    const r = await verifyIsolation(stmts('users.sql', SQL.slice(0, SQL.findIndex((s) => s.startsWith('CREATE TABLE accounts')))), { tenantSetting: 'app.current_tenant_id', tables });
    for (const e of r.replay) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
    const by = new Map(r.tables.map((t) => [t.table, t]));
    for (const t of r.tables) assert.equal(t.perUser, true, t.table);

    assert.equal(by.get('todos')!.status, 'isolated', by.get('todos')!.details);
    assert.match(by.get('todos')!.details, /^user A saw only its 2 of 2 rows, none of B's 2; UPDATE without WHERE reached 2 of A's 2 rows and none of B's; DELETE without WHERE reached 2 of A's 2 rows and none of B's; INSERT of a row of user B rejected by RLS; moving rows to user B rejected by RLS; user A: the signed-in user is the tenant, signed in through request\.jwt\.claims, as role authenticated/);

    const posts = by.get('posts')!;
    assert.equal(posts.status, 'shared', posts.details);
    assert.match(posts.details, /^SELECT as user A returned 2 rows of other users, as policy "signed_in_read" \(USING \(auth\.role\(\) = 'authenticated'::text\)\) lets every authenticated request read them whoever owns them; UPDATE without WHERE reached 2 of A's 2 rows and none of B's; DELETE reached nothing: no DELETE policy applies to authenticated, so RLS refuses it to every user; INSERT of a row of user B rejected by RLS; moving rows to user B rejected by RLS/);

    const comments = by.get('comments')!;
    assert.equal(comments.status, 'leaks', comments.details);
    assert.match(comments.details, /^DELETE without WHERE as user A reached 2 of 2 rows of user B/);
    assert.doesNotMatch(comments.details, /SELECT as user A returned/);

    const notes = by.get('notes')!;
    assert.equal(notes.status, 'leaks', notes.details);
    assert.match(notes.details, /^SELECT as user A returned 2 of 2 rows of user B/);

    // The public articles are shared by design; the drafts A reads through read_signed_in are not.
    const articles = by.get('articles')!;
    assert.equal(articles.status, 'leaks', articles.details);
    assert.match(articles.details, /^SELECT as user A returned 2 rows of other users that no policy shares with every user \("read_public" shares the others\)/);
  });

  it('require-owner-check: the INSERT the rule reports is accepted for another user on PostgreSQL, and refused after its fix', async function () {
    this.timeout(120000);
    const text = [
      'CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id), title text NOT NULL);',
      'ALTER TABLE todos ENABLE ROW LEVEL SECURITY;',
      'CREATE POLICY read_own ON todos FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));',
      'CREATE POLICY add_todos ON todos FOR INSERT TO authenticated WITH CHECK (length(title) > 0);',
    ].join('\n');
    const file = '/m/20240101000000_todos.sql';
    const set = analyzeSet({ id: '/m', files: [{ path: file, text }] }, { config: defaultConfig(), rules: allRules });
    const [finding] = set.findings.filter((f) => f.rule === 'require-owner-check');
    assert.ok(finding, 'the rule reports the INSERT policy');
    const fixed = applyEdits(text, finding.fixes[0].edits);
    const probe = async (sql: string) => {
      const statements = parseFile(file, sql).statements.map((s) => ({ file, line: s.line + 1, sql: s.text }));
      const r = await verifyIsolation(statements, { tenantSetting: 'app.current_tenant_id', tables: [{ schema: 'public', table: 'todos', tenantColumn: 'user_id', perUser: true }] });
      for (const e of r.replay) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
      return r.tables[0];
    };
    const before = await probe(text);
    assert.equal(before.status, 'leaks', before.details);
    assert.match(before.details, /^INSERT of a row of user B as user A succeeded/);
    const after = await probe(fixed);
    assert.equal(after.status, 'isolated', after.details);
    assert.match(after.details, /INSERT of a row of user B rejected by RLS/);
  });
});
