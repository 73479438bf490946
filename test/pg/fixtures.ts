/** Shared inputs and assertions of the engine tests (PGlite and a real server run the same checks). */
import assert from 'node:assert/strict';
import type { ExecStatement, TraceEntry } from '../../pg';

export function stmts(file: string, sqls: string[]): ExecStatement[] {
  return sqls.map((sql, i) => ({ file, line: i + 1, sql }));
}

/** The trace scenario of the brief: ADD COLUMN with default, type change, index, an error, CONCURRENTLY. */
export const TRACE_SCENARIO = stmts('trace.sql', [
  'CREATE TABLE t (id bigint PRIMARY KEY, n int NOT NULL, name text)',
  "INSERT INTO t SELECT g, g, 'n' || g FROM generate_series(1, 100) g",
  'BEGIN',
  'ALTER TABLE t ADD COLUMN c int DEFAULT 0',
  'ALTER TABLE t ALTER COLUMN n TYPE bigint',
  'CREATE INDEX i ON t (n)',
  'COMMIT',
  'UPDATE t SET nope = 1',
  'CREATE INDEX CONCURRENTLY i2 ON t (name)',
  'SELECT count(*) FROM t WHERE c = 0',
]);

export function lockOn(e: TraceEntry, relation: string): string | undefined {
  return e.locks.find((l) => l.relation === relation)?.mode;
}

/** Checks the trace of TRACE_SCENARIO; `pgliteOnly` adds the PGlite-specific expectations. */
export function assertTraceScenario(trace: TraceEntry[]): void {
  assert.equal(trace.length, TRACE_SCENARIO.length);
  const [create, insert, begin, addCol, alterType, index, commit, bad, concurrently, select] = trace;
  assert.equal(create.error, undefined, JSON.stringify(create.error));
  assert.equal(insert.error, undefined);
  assert.equal(begin.skipped, 'transaction control is managed by the tracer');
  assert.equal(commit.skipped, 'transaction control is managed by the tracer');
  // A volatile-free default is stored in the catalog since PostgreSQL 11: no rewrite, but ACCESS EXCLUSIVE.
  assert.equal(lockOn(addCol, 't'), 'AccessExclusiveLock');
  assert.deepEqual(addCol.rewrites, []);
  assert.equal(lockOn(alterType, 't'), 'AccessExclusiveLock');
  assert.ok(alterType.rewrites.includes('t'), `rewrites: ${alterType.rewrites}`);
  assert.ok(alterType.rewrites.includes('t_pkey'), `rewrites: ${alterType.rewrites}`);
  assert.equal(lockOn(index, 't'), 'ShareLock');
  assert.deepEqual(index.rewrites, []);
  assert.equal(bad.error?.code, '42703');
  assert.match(bad.error!.message, /column "nope" of relation "t" does not exist/);
  assert.equal(bad.error?.position, 14);
  assert.deepEqual(bad.locks, []);
  assert.equal(concurrently.error, undefined, JSON.stringify(concurrently.error));
  assert.deepEqual(concurrently.locks, []);
  assert.equal(select.error, undefined, 'the replay goes on after an error');
  for (const e of trace) assert.ok(e.ms >= 0 && Number.isFinite(e.ms));
}
