/**
 * The same engine against a real PostgreSQL server (databaseUrl mode). Starts a throwaway cluster of the
 * Debian PostgreSQL found in /usr/lib/postgresql/<major>/bin (initdb + pg_ctl in a temp dir, fsync off).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { executeScript, traceStatements, verifyIsolation } from '../../pg';
import { assertBasejump, assertTraceScenario, stmts, TRACE_SCENARIO } from './fixtures';
import { CORPUS, runCli } from '../helpers';
import { DOC, fixtureFor, parseMeasured, show, tableLocks } from './locks-doc';

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0], 'bin') : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** initdb refuses to run as root: as root, run the cluster as the `postgres` system user. */
function runAsOwner(bin: string, args: string[]): string {
  if (process.getuid?.() !== 0) return execFileSync(bin, args, { encoding: 'utf8' });
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { encoding: 'utf8' });
}

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
  let dir: string | undefined;
  let binDir: string | undefined;
  let url = '';

  before(async function () {
    binDir = findBinDir();
    if (!binDir) {
      console.log('      SKIPPED: no /usr/lib/postgresql/*/bin/initdb on this machine');
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'sqla-pg-'));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const port = await freePort();
    const t0 = performance.now();
    runAsOwner(path.join(binDir!, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    runAsOwner(path.join(binDir!, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-w', 'start',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
    console.log(`      throwaway cluster from ${binDir} on port ${port} started in ${Math.round(performance.now() - t0)} ms`);
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  });

  after(function () {
    if (dir && binDir && existsSync(path.join(dir, 'data', 'postmaster.pid'))) {
      runAsOwner(path.join(binDir, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

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
      console.log(`      SKIPPED: no corpus at ${basejump}`);
      this.skip();
    }
    const r = runCli(['verify-isolation', basejump, '--format', 'json', '--database-url', url]);
    assert.equal(r.status, 0, r.stderr);
    assertBasejump((JSON.parse(r.stdout) as { tables: { table: string; status: string; details: string }[] }).tables);
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
