/**
 * The same engine against a real PostgreSQL server (databaseUrl mode). Starts a throwaway cluster of the
 * Debian PostgreSQL found in /usr/lib/postgresql/<major>/bin (initdb + pg_ctl in a temp dir, fsync off).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { executeScript, traceStatements, verifyIsolation } from '../../pg';
import { clusterOrSkip, freePort, type Cluster } from './cluster';
import { assertBasejump, assertTraceScenario, stmts, TRACE_SCENARIO } from './fixtures';
import { CORPUS, runCli } from '../helpers';
import { DOC, fixtureFor, parseMeasured, show, tableLocks } from './locks-doc';

async function scalarList(url: string, sql: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows.map((r) => String(Object.values(r)[0]));
  } finally {
    await c.end();
  }
}

describe('pg engine: databaseUrl mode on a real PostgreSQL server', function () {
  let cluster: Cluster | undefined;
  let url = '';

  before(async function () {
    cluster = await clusterOrSkip(this);
    url = cluster.url;
  });

  after(() => cluster?.stop());

  it('traces the same scenario on the server and drops its scratch database', async () => {
    const version = (await scalarList(url, 'SHOW server_version'))[0];
    const trace = await traceStatements(TRACE_SCENARIO, { databaseUrl: url });
    assertTraceScenario(trace);
    console.log(`      PostgreSQL ${version}: scenario traced`);
    assert.deepEqual(await scalarList(url, "SELECT datname FROM pg_database WHERE datname LIKE 'sqla\\_%'"), []);
  });

  it('isolation probe on the server; the Supabase roles it created are dropped afterwards', async () => {
    const policy = "tenant_id = current_setting('app.current_tenant_id', true)::uuid";
    const r = await verifyIsolation(stmts('iso.sql', [
      'CREATE TABLE docs (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, body text NOT NULL)',
      'ALTER TABLE docs ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE docs FORCE ROW LEVEL SECURITY',
      `CREATE POLICY docs_tenant ON docs TO authenticated USING (${policy}) WITH CHECK (${policy})`,
      'CREATE TABLE open_docs (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL)',
    ]), {
      databaseUrl: url, tenantSetting: 'app.current_tenant_id',
      tables: [{ schema: 'public', table: 'docs', tenantColumn: 'tenant_id' }, { schema: 'public', table: 'open_docs', tenantColumn: 'tenant_id' }],
    });
    for (const e of r.replay) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
    assert.equal(r.tables[0].status, 'isolated', r.tables[0].details);
    assert.equal(r.tables[1].status, 'leaks', r.tables[1].details);
    const roles = await scalarList(url, "SELECT rolname FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role') OR rolname LIKE 'sqla\\_%'");
    assert.deepEqual(roles, []);
    assert.deepEqual(await scalarList(url, "SELECT datname FROM pg_database WHERE datname LIKE 'sqla\\_%'"), []);
  });

  it('basejump through verify-isolation --database-url: every tenant table proved, as on the embedded PostgreSQL', function () {
    const basejump = path.join(CORPUS, 'basejump');
    if (!existsSync(basejump)) {
      // basejump comes from ../shared/corpus, which is not part of the repository.
      console.log(`      SKIPPED: no corpus at ${basejump}`);
      this.skip();
    }
    const r = runCli(['verify-isolation', basejump, '--format', 'json', '--database-url', url]);
    // Exit 1: basejump.accounts leaks (assertBasejump says how).
    assert.equal(r.status, 1, r.stderr);
    assertBasejump((JSON.parse(r.stdout) as { tables: { table: string; perUser?: boolean; status: string; details: string }[] }).tables);
  });

  it('executeScript checks a quick fix on the server, CONCURRENTLY included', async () => {
    const setup = ['CREATE TABLE t (id int PRIMARY KEY)', 'INSERT INTO t SELECT generate_series(1, 1000)'];
    const bad = await executeScript(setup, ['ALTER TABLE t ADD COLUMN c int NOT NULL'], { databaseUrl: url });
    assert.deepEqual(bad.errors.map((e) => e.code), ['23502']);
    const good = await executeScript(setup, [
      'ALTER TABLE t ADD COLUMN IF NOT EXISTS c bigint NOT NULL DEFAULT 0',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c)',
    ], { databaseUrl: url });
    assert.deepEqual(good, { errors: [], setupErrors: [] });
  });

  it('replays the locks-measured.md statements (measured on 18) on this server; prints where versions differ', async function () {
    if (!existsSync(DOC)) {
      // locks-measured.md lives in ../shared/docs, outside the repository.
      console.log(`      SKIPPED: ${DOC} is absent, nothing to replay`);
      this.skip();
    }
    const measured = parseMeasured(readFileSync(DOC, 'utf8'));
    const trace = await traceStatements(measured.flatMap((m, i) => [
      { file: 'fixture.sql', line: i + 1, sql: fixtureFor(m.sql) }, { file: 'statement.sql', line: i + 1, sql: m.sql }]),
    { databaseUrl: url });
    assert.deepEqual(trace.filter((e) => e.error).map((e) => `${e.sql.split('\n')[0]}: ${e.error!.message}`), []);
    const differ = measured.filter((m, i) => {
      const e = trace[2 * i + 1];
      return show(tableLocks(e)) !== show(m.locks) || [...e.rewrites].sort().join() !== [...m.rewrites].sort().join();
    });
    console.log(`      ${measured.length - differ.length}/${measured.length} agree with the PostgreSQL 18 measurements`);
    for (const m of differ) {
      const e = trace[2 * measured.indexOf(m) + 1];
      console.log(`      differs: ${m.sql}: ${show(tableLocks(e))} | rewrites ${e.rewrites.join(', ') || '—'}`);
    }
  });

  it('an unreachable server is a clear error, not a hang', async () => {
    const port = await freePort();
    await assert.rejects(traceStatements(TRACE_SCENARIO, { databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres` }),
      /could not start the database: .*ECONNREFUSED/);
  });
});
