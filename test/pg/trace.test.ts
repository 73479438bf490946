import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { executeScript, PgEngine, traceStatements } from '../../pg';
import { assertTraceScenario, lockOn, stmts, TRACE_SCENARIO } from './fixtures';

const RECURSE = 'CREATE FUNCTION r(n int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN r(n + 1); END $$';

/**
 * Traces with PGlite's WebAssembly compiled under the V8 `flags` (they are process-wide: another test file may have
 * set Liftoff-only). V8 also keeps compiled modules per process and hands them to any isolate loading the same
 * bytes, so a PGlite compiled earlier (test/baseline-schema.test.ts runs one in this thread) would come back: this
 * compile bypasses that cache. V8's default tiering and the cache are restored after.
 */
async function traceCompiledWith(flags: string, sql: string[]): Promise<Awaited<ReturnType<typeof traceStatements>>> {
  v8.setFlagsFromString(`${flags} --no-wasm-native-module-cache-enabled`);
  try {
    return await traceStatements(stmts('rec.sql', sql));
  } finally {
    v8.setFlagsFromString('--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering --wasm-native-module-cache-enabled');
  }
}

describe('pg engine: lock trace on PGlite', () => {
  it('traces locks and rewrites, records errors and goes on, runs CONCURRENTLY outside a transaction', async () => {
    const trace = await traceStatements(TRACE_SCENARIO);
    assertTraceScenario(trace);
    // ALTER COLUMN TYPE also rebuilds the primary key index, taking SHARE on the table besides ACCESS EXCLUSIVE.
    assert.deepEqual(trace[4].locks.find((l) => l.relation === 't')?.modes, ['AccessExclusiveLock', 'ShareLock']);
    assert.equal(trace[0].locks.find((l) => l.relation === 't')?.created, true);
    assert.equal(trace[4].locks.find((l) => l.relation === 't')?.created, undefined);
    // The index built by CREATE INDEX CONCURRENTLY exists: the next statements saw its effect.
    const check = await traceStatements([...TRACE_SCENARIO,
      { file: 'x.sql', line: 1, sql: "DO $$ BEGIN IF to_regclass('i2') IS NULL THEN RAISE EXCEPTION 'i2 missing'; END IF; END $$" }]);
    assert.equal(check.at(-1)!.error, undefined, JSON.stringify(check.at(-1)!.error));
  });

  it('names dropped relations, schema-qualifies non-public ones and reports every mode held', async () => {
    const trace = await traceStatements(stmts('m.sql', [
      'CREATE SCHEMA app',
      'CREATE TABLE app.parent (id int PRIMARY KEY)',
      'CREATE TABLE app.child (id int PRIMARY KEY, parent_id int)',
      'ALTER TABLE app.child ADD CONSTRAINT fk FOREIGN KEY (parent_id) REFERENCES app.parent (id)',
      'DROP TABLE app.child',
      'VACUUM FULL app.parent',
      'ALTER TABLE app.parent RENAME TO parent2',
    ]));
    const fk = trace[3];
    assert.equal(lockOn(fk, 'app.parent'), 'ShareRowExclusiveLock');
    assert.equal(lockOn(fk, 'app.child'), 'ShareRowExclusiveLock');
    const drop = trace[4].locks.find((l) => l.relation === 'app.child');
    assert.equal(drop?.mode, 'AccessExclusiveLock');
    assert.equal(drop?.dropped, true);
    assert.equal(drop?.kind, 'table');
    // VACUUM cannot run in a transaction block; it still runs, and VACUUM FULL rewrites the table.
    assert.equal(trace[5].error, undefined);
    assert.ok(trace[5].rewrites.includes('app.parent'), `rewrites: ${trace[5].rewrites}`);
    const renamed = trace[6].locks.find((l) => l.kind === 'table');
    assert.deepEqual([renamed?.relation, renamed?.renamedFrom, renamed?.mode], ['app.parent2', 'app.parent', 'AccessExclusiveLock']);
  });

  it('reports a feature PGlite lacks as an error, links the errors it causes, and continues', async () => {
    const trace = await traceStatements(stmts('ext.sql', [
      'CREATE EXTENSION pg_cron',
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"',
      'CREATE TABLE x (id uuid DEFAULT uuid_generate_v4())',
      'CREATE EXTENSION IF NOT EXISTS vector',
      'CREATE TABLE docs (id bigint PRIMARY KEY, embedding vector(3))',
      'ALTER TABLE docs ENABLE ROW LEVEL SECURITY',
      'ALTER TABLE nowhere ENABLE ROW LEVEL SECURITY',
    ]));
    assert.equal(trace[0].error?.code, '0A000');
    assert.match(trace[0].error!.message, /pg_cron/);
    assert.equal(trace[1].error, undefined, 'contrib extensions shipped with PGlite are loaded on demand');
    assert.equal(trace[2].error, undefined);
    assert.equal(trace[3].error?.code, '0A000');
    assert.equal(trace[4].error?.code, '42704');
    assert.deepEqual(trace[4].error?.consequenceOf, { file: 'ext.sql', line: 4 });
    assert.equal(trace[5].error?.code, '42P01');
    assert.deepEqual(trace[5].error?.consequenceOf, { file: 'ext.sql', line: 4 }, 'points at the root failure');
    assert.equal(trace[6].error?.code, '42P01');
    assert.equal(trace[6].error?.consequenceOf, undefined, 'nothing earlier tried to create it');
  });

  it('creates Supabase roles and auth stubs only when the input needs them', async () => {
    const supa = await traceStatements(stmts('s.sql', [
      'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL REFERENCES auth.users (id))',
      'ALTER TABLE notes ENABLE ROW LEVEL SECURITY',
      'CREATE POLICY own ON notes FOR ALL TO authenticated USING (auth.uid() = user_id)',
      "SELECT (auth.jwt() IS NULL AND auth.role() IS NULL)",
    ]));
    for (const e of supa) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
    const own = await traceStatements(stmts('own.sql', [
      'CREATE SCHEMA auth',
      'CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql AS $$ SELECT NULL::uuid $$',
    ]));
    for (const e of own) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
  });

  it('restarts the engine after a statement that never returns and goes on', async () => {
    const engine = new PgEngine({ statementTimeoutMs: 3000 });
    try {
      const trace = await engine.traceStatements(stmts('loop.sql', [
        'CREATE TABLE a (id int PRIMARY KEY)',
        'DO $$ BEGIN LOOP END LOOP; END $$',
        'CREATE TABLE b (id int REFERENCES a (id))',
      ]));
      assert.equal(trace[0].error, undefined);
      assert.match(trace[1].error!.message, /no answer from the engine within 3000 ms/);
      assert.equal(trace[1].error!.code, undefined);
      // Table a was rebuilt in the new engine, so the foreign key to it works.
      assert.equal(trace[2].error, undefined, JSON.stringify(trace[2].error));
    } finally {
      await engine.close();
    }
  });

  it('a failure inside the WASM engine is reported on its statement; a new engine rebuilds the state', async () => {
    // PGlite overflows on this as V8 compiles it by default. The CLI and the server compile WebAssembly with Liftoff
    // only (io/parser.ts, for start-up), where the recursion ends in PostgreSQL's own error (next test).
    const trace = await traceCompiledWith('--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering', [
      'CREATE TABLE a (id int PRIMARY KEY)',
      RECURSE,
      // Unbounded recursion: PGlite overflows its stack and loses step with its protocol instead of
      // reporting "stack depth limit exceeded" (54001) as PostgreSQL does.
      'SELECT r(1)',
      'INSERT INTO a VALUES (1)',
      'CREATE TABLE b (id int REFERENCES a (id))',
      'INSERT INTO b VALUES (1)',
    ]);
    assert.equal(trace[1].error, undefined);
    assert.match(trace[2].error?.message ?? '', /engine failure/);
    for (const e of trace.slice(3)) assert.equal(e.error, undefined, `${e.sql}: ${e.error?.message}`);
    assert.equal(lockOn(trace[4], 'a'), 'ShareRowExclusiveLock');
  });

  it('with the parser\'s Liftoff-only setting, unbounded recursion is PostgreSQL\'s "stack depth limit exceeded"', async () => {
    const trace = await traceCompiledWith('--liftoff-only', [RECURSE, 'SELECT r(1)', 'CREATE TABLE a (id int PRIMARY KEY)']);
    assert.match(trace[1].error?.message ?? '', /stack depth limit exceeded/);
    assert.equal(trace[2].error, undefined);
  });

  it('does not block the caller thread while PGlite works', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      const trace = await traceStatements(stmts('slow.sql', [
        'CREATE TABLE big AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 200000) g',
        'CREATE INDEX ON big (h)',
      ]));
      assert.equal(trace[1].error, undefined);
      assert.ok(trace[0].ms + trace[1].ms > 100, 'the statements took measurable time');
    } finally {
      clearInterval(timer);
    }
    // Timers kept firing while the database started and worked in the worker thread.
    assert.ok(ticks > 20, `only ${ticks} timer ticks`);
  });

  it('executeScript reports the errors of a quick fix on a fresh database', async () => {
    const setup = ['CREATE TABLE t (id int PRIMARY KEY)', 'INSERT INTO t SELECT generate_series(1, 1000)'];
    const bad = await executeScript(setup, ['ALTER TABLE t ADD COLUMN c int NOT NULL']);
    assert.deepEqual(bad.errors.map((e) => e.code), ['23502']);
    const good = await executeScript(setup, [
      "SET lock_timeout = '1s'",
      'ALTER TABLE t ADD COLUMN IF NOT EXISTS c bigint NOT NULL DEFAULT 0',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c)',
    ]);
    assert.deepEqual(good.errors, []);
    assert.deepEqual(good.setupErrors, []);
  });
});
