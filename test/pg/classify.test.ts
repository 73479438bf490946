import assert from 'node:assert/strict';
import { planEnvironment } from '../../pg/classify';
import { isNonTransactional, isTransactionControl } from '../../pg';

describe('pg engine: statement classification', () => {
  it('recognises transaction control written in migrations', () => {
    for (const s of ['BEGIN', 'begin transaction isolation level serializable', 'START TRANSACTION', 'COMMIT', 'END',
      'ROLLBACK', 'abort', 'SAVEPOINT a', 'RELEASE SAVEPOINT a', 'ROLLBACK TO SAVEPOINT a', '-- c\n/* x */ COMMIT']) {
      assert.ok(isTransactionControl(s), s);
    }
    for (const s of ['DO $$ BEGIN NULL; END $$', 'CREATE TABLE begin_log (id int)', "SELECT 'COMMIT'"]) {
      assert.ok(!isTransactionControl(s), s);
    }
  });

  it('recognises statements that cannot run in a transaction block', () => {
    for (const s of ['CREATE INDEX CONCURRENTLY i ON t (a)', 'create unique index concurrently if not exists i on t (a)',
      'DROP INDEX CONCURRENTLY i', 'REINDEX TABLE CONCURRENTLY t', 'REINDEX (VERBOSE) INDEX CONCURRENTLY i',
      'VACUUM FULL t', 'vacuum (analyze) t', 'CREATE DATABASE x', 'ALTER SYSTEM SET work_mem = 1',
      'ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY', '/* lead */ -- c\n  CREATE INDEX CONCURRENTLY i ON t (a)']) {
      assert.ok(isNonTransactional(s), s);
    }
    for (const s of ['CREATE INDEX i ON t (a)', 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv', "COMMENT ON TABLE t IS 'VACUUM'",
      'ALTER TABLE events DETACH PARTITION events_2024', "ALTER TYPE mood ADD VALUE 'c'"]) {
      assert.ok(!isNonTransactional(s), s);
    }
    // Before PostgreSQL 12, ALTER TYPE … ADD VALUE could not run in a transaction block.
    assert.ok(isNonTransactional("ALTER TYPE mood ADD VALUE 'c'", 110000));
  });

  it('plans the Supabase environment from what the input references and does not create', () => {
    const supa = planEnvironment(['CREATE POLICY p ON t TO authenticated USING (auth.uid() = user_id)',
      'GRANT ALL ON t TO supabase_auth_admin', 'CREATE TABLE a (id uuid DEFAULT uuid_generate_v4())']);
    assert.deepEqual(supa.roles, ['anon', 'authenticated', 'service_role', 'supabase_auth_admin']);
    assert.ok(supa.authSchema && supa.supabaseGrants && supa.extensionsSchema);
    assert.deepEqual(supa.preinstalled, ['uuid-ossp']);
    assert.deepEqual(supa.extensions, ['uuid-ossp']);
    const own = planEnvironment(['CREATE SCHEMA IF NOT EXISTS auth', 'CREATE FUNCTION auth.uid() RETURNS uuid AS $$ SELECT NULL::uuid $$ LANGUAGE sql',
      'CREATE ROLE anon', 'CREATE EXTENSION "uuid-ossp"', 'SELECT uuid_generate_v4()']);
    assert.equal(own.authSchema, false);
    assert.deepEqual(own.roles, ['authenticated', 'service_role']);
    assert.deepEqual(own.preinstalled, []);
    const plain = planEnvironment(['CREATE TABLE t (id int)', "COMMENT ON TABLE t IS 'authority'"]);
    assert.equal(plain.authSchema, false);
    assert.equal(plain.supabaseGrants, false);
    assert.deepEqual(planEnvironment(['SELECT auth.uid()'], false).roles, []);
  });
});
