// `sql-architect trace` and `verify-isolation` on the embedded PostgreSQL (PGlite), end to end through the CLI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { applyJsonEdits, CLI, ROOT, runCli, tempWorkspace, type JsonEdit } from './helpers';

describe('sql-architect trace / verify-isolation (embedded PostgreSQL)', function () {
  this.timeout(300000);

  it('trace --format json follows the contract: real locks, rewrites, timings and errors per statement', () => {
    const dir = tempWorkspace({
      'db/001_init.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, n int, name text);\nINSERT INTO t SELECT g, g, \'x\' FROM generate_series(1, 50) g;\n',
      'db/002_change.sql': "-- Größere Zahlen 📈\nALTER TABLE t ALTER COLUMN n TYPE bigint;\nCREATE INDEX t_name_idx ON t (name);\nALTER TABLE t ADD COLUMN c int DEFAULT 0;\nALTER TABLE t ALTER COLUMN missing SET NOT NULL;\n",
    });
    const r = runCli(['trace', 'db', '--format', 'json'], dir);
    assert.equal(r.status, 1, `a failing statement exits 1\n${r.stderr}`);
    const json = JSON.parse(r.stdout) as { version: number; statements: { file: string; line: number; sql: string; locks: { relation: string; mode: string }[]; rewrites: string[]; ms: number; error?: string }[] };
    assert.equal(json.version, 1);
    const by = (sql: RegExp) => json.statements.find((s) => sql.test(s.sql))!;
    const type = by(/TYPE bigint/);
    assert.deepEqual([type.file, type.line], ['db/002_change.sql', 2]);
    assert.ok(type.locks.some((l) => l.relation === 't' && l.mode === 'AccessExclusiveLock'));
    assert.ok(type.rewrites.includes('t'), 'ALTER COLUMN TYPE int → bigint rewrites the table');
    const idx = by(/CREATE INDEX/);
    assert.ok(idx.locks.some((l) => l.relation === 't' && l.mode === 'ShareLock'));
    assert.deepEqual(idx.rewrites, []);
    const add = by(/ADD COLUMN c/);
    assert.deepEqual(add.rewrites, [], 'a constant default is free since PostgreSQL 11');
    assert.ok(typeof add.ms === 'number' && add.ms >= 0);
    assert.match(by(/missing/).error!, /column "missing" of relation "t" does not exist.*42703/);
  });

  it('what the engine prints goes to stderr: stdout holds the report alone', () => {
    const dir = tempWorkspace({ 'db/001_init.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n' });
    // The real worker, after a line on its stdout (as PGlite prints when it has something to say).
    const noisy = path.join(dir, 'noisy-worker.cjs');
    fs.writeFileSync(noisy, `console.log('engine noise'); process.stdout.write('more noise\\n'); require(${JSON.stringify(path.join(ROOT, 'dist/pg-worker.js'))});\n`);
    const r = spawnSync(process.execPath, [CLI, 'trace', 'db', '--format', 'json'], { cwd: dir, encoding: 'utf8', timeout: 120000, env: { ...process.env, SQLA_PG_WORKER: noisy } });
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { statements: { sql: string }[] };
    assert.equal(json.statements.length, 1);
    assert.match(r.stderr, /engine noise\nmore noise/);
  });

  it('trace text output turns the PostgreSQL error into a migration-fails finding at the file and line', () => {
    const dir = tempWorkspace({
      'm/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n',
      'm/002.sql': 'SELECT 1;\n\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (parent_id) REFERENCES t (id);\n',
    });
    const r = runCli(['trace', 'm'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^m\/002\.sql:3:\d+ error migration-fails PostgreSQL rejects this statement: column "parent_id" referenced in foreign key constraint does not exist/m);
    assert.match(r.stdout, /statements replayed on PostgreSQL/);
  });

  it('proves isolation on a table fixed by the require-tenant-rls quick fix', () => {
    const sql = 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE notes (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  tenant_id uuid NOT NULL REFERENCES tenants (id),\n  body text NOT NULL\n);\n';
    const dir = tempWorkspace({ '.sqlarchitect.json': '{ "isolation": "rls" }', 'db/20240101000000_notes.sql': sql });
    const before = runCli(['verify-isolation', 'db', '--format', 'json'], dir);
    assert.equal(before.status, 1, before.stderr);
    assert.equal(JSON.parse(before.stdout).tables[0].status, 'leaks');

    const check = JSON.parse(runCli(['check', 'db', '--format', 'json'], dir).stdout) as { findings: { rule: string; fixes: { edits: JsonEdit[] }[] }[] };
    const finding = check.findings.find((f) => f.rule === 'require-tenant-rls');
    assert.ok(finding, JSON.stringify(check.findings.map((f) => f.rule)));
    fs.writeFileSync(path.join(dir, 'db/20240101000000_notes.sql'), applyJsonEdits(sql, finding.fixes[0].edits));

    const after = runCli(['verify-isolation', 'db', '--format', 'json'], dir);
    const json = JSON.parse(after.stdout) as { version: number; tables: { table: string; tenantColumn: string; status: string; details: string }[] };
    assert.equal(json.version, 1);
    assert.deepEqual(json.tables.map((t) => [t.table, t.tenantColumn, t.status]), [['notes', 'tenant_id', 'isolated']], json.tables[0]?.details);
    assert.equal(after.status, 0);
  });

  it('tenantContext and isolationSeed come from .sqlarchitect.json; report --prove-isolation adds the proved verdicts', () => {
    const migration = [
      "CREATE TABLE shops (code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}-[0-9]{4}$'));",
      '-- Bestellungen: the shop comes from a setting the policies reach only through a function',
      "CREATE FUNCTION current_shop() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_setting('app.shop', true) $$;",
      'CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, shop_code text NOT NULL REFERENCES shops (code), total int NOT NULL);',
      'CREATE INDEX orders_shop_idx ON orders (shop_code, id);',
      'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
      'ALTER TABLE orders FORCE ROW LEVEL SECURITY;',
      'CREATE POLICY orders_shop ON orders USING (shop_code = current_shop()) WITH CHECK (shop_code = current_shop());',
    ].join('\n') + '\n';
    const config = { tenantColumns: ['shop_code'], tenantContext: { setting: 'app.shop' }, isolationSeed: 'seed/shops.sql' };
    const dir = tempWorkspace({
      '.sqlarchitect.json': JSON.stringify(config),
      'db/001_shops.sql': migration,
      // No generated code passes the CHECK: the seed file provides the shops.
      'seed/shops.sql': "INSERT INTO shops VALUES ('ABC-0001'), ('XYZ-0002');\n",
    });
    const r = runCli(['verify-isolation', 'db', '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const [t] = (JSON.parse(r.stdout) as { tables: { table: string; status: string; details: string }[] }).tables;
    assert.equal(t.status, 'isolated', t.details);
    assert.match(t.details, /tenant A: app\.shop = the tenant/);

    const report = runCli(['report', 'db', '--prove-isolation'], dir);
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /\| Isolated \| Isolation \(proved\) \|/);
    assert.match(report.stdout, /\| ✅ isolated: tenant A saw only its 2 of 2 rows/);

    // A seed file that is not there: a warning naming it, and the table is untestable with the reason.
    fs.writeFileSync(path.join(dir, '.sqlarchitect.json'), JSON.stringify({ ...config, isolationSeed: 'seed/missing.sql' }));
    const missing = runCli(['verify-isolation', 'db'], dir);
    assert.match(missing.stderr, /warning: .*seed\/missing\.sql \(isolationSeed\): cannot read file \(ENOENT\)/);
    assert.match(missing.stdout, /\? untestable orders \(shop_code\): .*no generated values for shops pass CHECK constraint shops_code_check/);
  });

  it('a Supabase project: tables keyed on auth.uid() are proved for two users, in verify-isolation and in the report', () => {
    const dir = tempWorkspace({
      'supabase/migrations/20240101000000_app.sql': [
        'create table todos (id bigserial primary key, user_id uuid not null references auth.users, title text not null);',
        'alter table todos enable row level security;',
        'create policy "own todos" on todos for all to authenticated using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);',
        'create table posts (id bigserial primary key, author uuid not null references auth.users, body text not null);',
        'alter table posts enable row level security;',
        'create policy "anyone reads" on posts for select using (true);',
        'create policy "authors write" on posts for insert to authenticated with check ((select auth.uid()) = author);',
      ].join('\n') + '\n',
    });
    const r = runCli(['verify-isolation', 'supabase/migrations'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^✔ isolated {3}todos \(user_id, per user\): user A saw only its 2 of 2 rows, none of B's 2;/m);
    assert.match(r.stdout, /^◐ shared {5}posts \(author, per user\): SELECT as user A returned 2 rows of other users, as policy "anyone reads" \(USING true\)/m);
    assert.match(r.stdout, /^2 per-user tables: 1 isolated, 1 with reads shared by policy, 0 leak, 0 not testable\.$/m);

    const md = runCli(['report', 'supabase/migrations', '--prove-isolation'], dir);
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, /### Tables keyed on the signed-in user \(proved\)/);
    assert.match(md.stdout, /\| todos \| user_id \| ✅ isolated: user A saw only its 2 of 2 rows/);
    assert.match(md.stdout, /\| posts \| author \| ◐ reads shared by policy: SELECT as user A returned 2 rows/);
    const html = runCli(['report', 'supabase/migrations', '--prove-isolation', '--format', 'html'], dir);
    assert.match(html.stdout, /<h3>Tables keyed on the signed-in user \(proved\)<\/h3>/);
    assert.match(html.stdout, /<td>posts<\/td><td><code>author<\/code><\/td><td><span class="st st-partial">◐<\/span>reads shared by policy/);
  });

  it('proves a leak on a table whose policy is USING (true)', () => {
    const dir = tempWorkspace({
      'db/001.sql': [
        'CREATE TABLE docs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id uuid NOT NULL, title text);',
        'ALTER TABLE docs ENABLE ROW LEVEL SECURITY;',
        'ALTER TABLE docs FORCE ROW LEVEL SECURITY;',
        'CREATE POLICY docs_all ON docs USING (true) WITH CHECK (true);',
      ].join('\n') + '\n',
    });
    const r = runCli(['verify-isolation', 'db'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /✘ LEAKS\s+docs \(tenant_id\): SELECT as tenant A returned \d+ of \d+ rows of tenant B/);
    assert.match(r.stdout, /1 tenant tables: 0 isolated, 1 leak/);
  });
});
