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

/** The verdicts of basejump (../shared/corpus/basejump), checked by hand against its SQL (see docs/accuracy.md). */
export const BASEJUMP_VERDICTS: Record<string, string> = {
  'basejump.account_user': 'isolated',
  'basejump.invitations': 'isolated',
  'basejump.billing_customers': 'isolated',
  'basejump.billing_subscriptions': 'isolated',
  // The accounts themselves, probed per user on primary_owner_user_id ("Accounts are viewable by primary owner"):
  // "Team accounts can be created by any user" checks neither the owner nor its default, so user A creates an
  // account whose primary owner is user B.
  'basejump.accounts': 'leaks',
};

/** Checks a verify-isolation JSON report of basejump: every tenant table proved, every step explained. */
export function assertBasejump(tables: { table: string; perUser?: boolean; status: string; details: string }[]): void {
  assert.deepEqual(Object.fromEntries(tables.map((t) => [t.table, t.status])), BASEJUMP_VERDICTS, JSON.stringify(tables, null, 1));
  const accounts = tables.find((t) => t.table === 'basejump.accounts')!;
  assert.equal(accounts.perUser, true);
  assert.match(accounts.details, /^INSERT of a row of user B as user A succeeded; .*user A: the signed-in user is the tenant, signed in through request\.jwt\.claims, as role authenticated/);
  for (const t of tables.filter((x) => !x.perUser)) {
    assert.match(t.details, /tenant A: (a member through|the user owns a row of) basejump\.account_user \(user_id = the user, account_id = the tenant, account_role = owner\), signed in through request\.jwt\.claims, as role authenticated/);
    // Each of the five steps is accounted for.
    assert.match(t.details, /saw only its \d+ of \d+ rows, none of B's \d+/, t.table);
    for (const step of [/UPDATE (without WHERE reached|reached nothing|refused by privileges)/, /DELETE (without WHERE reached|reached nothing|refused by privileges)/,
      /INSERT (of a row of tenant B rejected by RLS|refused by privileges)/, /moving rows (to tenant B|refused by privileges)/]) {
      assert.match(t.details, step, t.table);
    }
  }
}
