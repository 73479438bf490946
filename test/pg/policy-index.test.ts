/**
 * What require-policy-index says, on the embedded PostgreSQL: a query of a table whose policy compares user_id with the
 * session reads the whole table while no index leads with user_id, and uses the index the rule's fix adds. The query
 * runs as a role without BYPASSRLS and asks for no user at all (`SELECT * FROM tasks`): the policy adds the filter.
 */
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { applyFixEdits, initParser } from '../../rules';
import { caseFiles, DEFAULT_CASE_FILE, runCase } from '../../rules/testing/tester';

const MIGRATION = [
  'CREATE TABLE tasks (id bigint PRIMARY KEY, user_id text NOT NULL, name text);',
  'ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;',
  "CREATE POLICY own_tasks ON tasks FOR SELECT USING (user_id = (SELECT current_setting('app.user_id', true)));",
].join('\n');

/** The plan of `SELECT * FROM tasks` as the application's role, after the migration and 20,000 rows of 500 users. */
async function plan(migration: string): Promise<{ plan: string; rows: number }> {
  const db = new PGlite();
  try {
    await db.exec(migration);
    await db.exec("INSERT INTO tasks SELECT i, 'user_' || (i % 500), 'task' FROM generate_series(1, 20000) i; ANALYZE tasks;");
    await db.exec("CREATE ROLE app NOBYPASSRLS; GRANT SELECT ON tasks TO app; SET ROLE app; SET app.user_id = 'user_7';");
    const explain = await db.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT * FROM tasks');
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks');
    return { plan: explain.rows.map((r) => r['QUERY PLAN']).join('\n'), rows: rows.rows[0].n };
  } finally {
    await db.close();
  }
}

describe('pg engine: require-policy-index on PostgreSQL 18', function () {
  this.timeout(120000);
  before(() => initParser());

  it('the policy\'s filter reads the whole table; with the fix\'s index PostgreSQL reads one user\'s rows through it', async () => {
    const before = await plan(MIGRATION);
    assert.equal(before.rows, 40);
    assert.match(before.plan, /Seq Scan on tasks/);
    const f = runCase(caseFiles(MIGRATION)).findings.find((x) => x.rule === 'require-policy-index');
    assert.ok(f, 'the rule reports the policy');
    const fixed = applyFixEdits(caseFiles(MIGRATION), DEFAULT_CASE_FILE, f.fixes[0].edits)[DEFAULT_CASE_FILE];
    const after = await plan(fixed);
    assert.equal(after.rows, 40);
    assert.match(after.plan, /Index Scan using tasks_user_id_idx|Bitmap Index Scan on tasks_user_id_idx/);
    assert.doesNotMatch(after.plan, /Seq Scan/);
  });
});
