/**
 * What no-per-row-policy-call says, on the embedded PostgreSQL: a policy's auth.uid() runs once for every row a query
 * checks, and after the rule's fix (and after its ALTER POLICY recipe) once per statement. The function counts its
 * calls with a NOTICE each; the queries run as a role without BYPASSRLS, as an application would.
 */
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { applyFixEdits, initParser } from '../../rules';
import { caseFiles, DEFAULT_CASE_FILE, runCase } from '../../rules/testing/tester';

const ROWS = 500;
const SETUP = [
  'CREATE SCHEMA auth;',
  "CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE plpgsql STABLE AS $$ BEGIN RAISE NOTICE 'auth.uid()'; RETURN current_setting('request.uid')::uuid; END $$;",
  'CREATE ROLE app NOBYPASSRLS;',
  'GRANT USAGE ON SCHEMA auth TO app;',
].join('\n');
const MIGRATION = [
  'CREATE TABLE notes (id int PRIMARY KEY, user_id uuid NOT NULL, body text);',
  'ALTER TABLE notes ENABLE ROW LEVEL SECURITY;',
  'CREATE POLICY own_notes ON notes USING (user_id = auth.uid());',
].join('\n');
const USER = '11111111-1111-1111-1111-111111111111';

/** Calls of auth.uid() while `sql` runs as the application's role, and the rows it returned. */
async function calls(migration: string, sql: string): Promise<{ calls: number; rows: number }> {
  let n = 0;
  const db = new PGlite();
  try {
    await db.exec(SETUP);
    await db.exec(migration);
    await db.exec(`INSERT INTO notes SELECT i, CASE WHEN i % 5 = 0 THEN '${USER}'::uuid ELSE gen_random_uuid() END, 'x' FROM generate_series(1, ${ROWS}) i;`);
    await db.exec(`GRANT SELECT, UPDATE, DELETE ON notes TO app; SET ROLE app; SET request.uid = '${USER}';`);
    const r = await db.query<{ n: number }>(sql, [], { onNotice: (m) => { if (m.message === 'auth.uid()') n++; } });
    return { calls: n, rows: Number(r.rows[0]?.n ?? r.affectedRows ?? 0) };
  } finally {
    await db.close();
  }
}

describe('pg engine: no-per-row-policy-call on PostgreSQL 18', function () {
  this.timeout(120000);
  before(() => initParser());

  const finding = () => {
    const f = runCase(caseFiles(MIGRATION)).findings.find((x) => x.rule === 'no-per-row-policy-call');
    assert.ok(f, 'the rule reports the policy');
    return f;
  };

  it('the policy as written calls auth.uid() once per row; the fix makes it once per statement, same rows', async () => {
    const before = await calls(MIGRATION, 'SELECT count(*)::int AS n FROM notes');
    assert.equal(before.rows, ROWS / 5);
    assert.ok(before.calls >= ROWS, `as written: ${before.calls} calls for ${ROWS} rows`);
    const fixed = applyFixEdits(caseFiles(MIGRATION), DEFAULT_CASE_FILE, finding().fixes[0].edits)[DEFAULT_CASE_FILE];
    assert.match(fixed, /USING \(user_id = \(SELECT auth\.uid\(\)\)\)/);
    const after = await calls(fixed, 'SELECT count(*)::int AS n FROM notes');
    assert.deepEqual(after, { calls: 1, rows: ROWS / 5 });
  });

  it('the recipe (ALTER POLICY, for a migration that has run) does the same, for UPDATE too', async () => {
    const recipe = finding().recipe;
    assert.ok(recipe);
    const before = await calls(MIGRATION, "UPDATE notes SET body = 'y'");
    const after = await calls(`${MIGRATION}\n${recipe}`, "UPDATE notes SET body = 'y'");
    assert.equal(before.rows, ROWS / 5);
    assert.ok(before.calls >= ROWS, `as written: ${before.calls} calls`);
    // An UPDATE uses the policy twice, for the rows it reads and (USING doubling as WITH CHECK) the rows it writes:
    // once per statement each.
    assert.equal(after.rows, ROWS / 5);
    assert.ok(after.calls <= 2, `after the recipe: ${after.calls} calls`);
  });
});
