// DO blocks: the statements they run are replayed into the model and checked where they are written.
import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { findingPosition, runCase } from '../testing/tester';

const at = (files: Record<string, string>, r: ReturnType<typeof runCase>, rule: string) =>
  r.findings.filter((f) => f.rule === rule).map((f) => { const p = findingPosition(files, f); return `${f.file}:${p.line}:${p.column}`; });

describe('DO blocks and EXECUTE', () => {
  before(() => initParser());

  it('a statement the block runs under a condition gets no follow-up migration, and its recipe says to keep the condition', () => {
    const files = {
      'm/001.sql': 'CREATE TABLE t (id int, c int);\nINSERT INTO t VALUES (1, 1);',
      'm/002.sql': "DO $$\nBEGIN\n  IF current_setting('app.mode', true) = 'single' THEN\n    ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n  END IF;\nEND $$;",
    };
    const f = runCase(files).findings.find((x) => x.rule === 'no-set-not-null-scan');
    assert.ok(f, 'the SET NOT NULL in the block is reported');
    assert.ok(f.fixes.every((x) => x.edits.every((e) => e.file === undefined)), JSON.stringify(f.fixes));
    assert.match(f.recipe!, /VALIDATE CONSTRAINT/);
    assert.match(f.recipe!, /runs inside a DO block: keep the block's conditions \(IF …, EXCEPTION …\) around these statements, in the follow-up migration too\.$/);
  });

  it('a CONCURRENTLY recipe for a statement a block runs says it must leave the block (one transaction)', () => {
    const files = {
      'm/001.sql': 'CREATE TABLE t (id int, c int);',
      'm/002.sql': "DO $$\nBEGIN\n  IF current_setting('app.mode', true) = 'single' THEN\n    CREATE INDEX t_c_idx ON t (c);\n  END IF;\nEND $$;",
    };
    const f = runCase(files).findings.find((x) => x.rule === 'require-concurrent-index');
    assert.ok(f);
    assert.match(f.recipe!, /CONCURRENTLY[\s\S]*\n-- The statement runs inside a DO block, which is one transaction: CONCURRENTLY cannot run in it\. Run this outside the block, and check by hand whatever the block's conditions \(IF …\) decided\.$/);
  });

  it('a table created under a format() placeholder stays out of the model; later statements on it count as new', () => {
    const files = {
      'm/001.sql': "DO $$\nDECLARE t text := 'jobs_' || to_char(now(), 'YYYYMM');\nBEGIN\n  EXECUTE format('CREATE TABLE %I (id int)', t);\n  EXECUTE format('CREATE INDEX ON %I (id)', t);\nEND $$;",
    };
    const r = runCase(files);
    assert.deepEqual([...r.model.tables.keys()], []);
    assert.deepEqual(r.findings.map((f) => f.rule), []);
  });

  it('SQL joined with values by || is analysed with the values as unknown names; SQL from a variable is one info finding', () => {
    const files = {
      'm/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);',
      'm/002.sql': "DO $$\nDECLARE idx text := 't_c_idx'; q text;\nBEGIN\n  EXECUTE 'CREATE INDEX ' || idx || ' ON t (c)';\n  q := 'DROP TABLE t';\n  EXECUTE q;\nEND $$;",
    };
    const r = runCase(files);
    assert.deepEqual(at(files, r, 'require-concurrent-index'), ['m/002.sql:4:12']);
    assert.deepEqual(at(files, r, 'dynamic-sql-not-analysed'), ['m/002.sql:6:11']);
    assert.equal(r.findings.find((f) => f.rule === 'dynamic-sql-not-analysed')?.severity, 'info');
    // The index named by a value is not in the model.
    assert.deepEqual(r.model.table({ name: 't' })?.indexes.map((i) => i.name), ['t_pkey']);
  });

  it('the DO statement takes the locks of every statement it runs (hover, report, trace); they share one transaction', () => {
    const files = {
      'm/001.sql': 'CREATE TABLE a (id bigint PRIMARY KEY, c int);\nCREATE TABLE b (id bigint PRIMARY KEY);',
      'm/002.sql': "DO $$ BEGIN\n  ALTER TABLE a ADD COLUMN d int;\n  CREATE INDEX ON b (id);\nEND $$;",
    };
    const r = runCase(files, { assumeInTransaction: false });
    const doStmt = r.files[1].statements[0];
    const facts = r.facts.get(doStmt)!;
    assert.deepEqual(facts.locks.entries.map((e) => `${e.table} ${e.mode}`), ['a AccessExclusive', 'b Share']);
    // The CREATE INDEX waits while the block already holds ACCESS EXCLUSIVE on a: the block is one transaction.
    const inner = [...r.facts.keys()].filter((s) => s.embedded);
    assert.deepEqual(inner.map((s) => r.facts.get(s)!.inTransaction), [true, true]);
    assert.equal(r.facts.get(inner[1])!.held.length, 0);
    assert.match(r.facts.get(inner[1])!.txWhy, /DO block on line 1/);
  });

  it('SET LOCAL lock_timeout inside the block counts; an ignore comment before the DO covers the statements in it', () => {
    const files = {
      'm/001.sql': 'CREATE TABLE a (id bigint PRIMARY KEY, c int);',
      'm/002.sql': "DO $$ BEGIN\n  SET LOCAL lock_timeout = '2s';\n  ALTER TABLE a ADD COLUMN d int;\nEND $$;\n-- sql-architect-ignore require-concurrent-index: a is small\nDO $$ BEGIN CREATE INDEX ON a (c); END $$;",
    };
    // Statement by statement: the first block is its own transaction, so its SET LOCAL ends with it; the CREATE INDEX
    // in the second is require-concurrent-index's to report (ignored here), not require-lock-timeout's.
    const r = runCase(files, { assumeInTransaction: false });
    assert.deepEqual(at(files, r, 'require-lock-timeout'), []);
    const noConcurrent = runCase(files, { assumeInTransaction: false, rules: { 'require-concurrent-index': 'off' } });
    assert.deepEqual(at(files, noConcurrent, 'require-lock-timeout'), ['m/002.sql:6:13']);
    // In the tool's transaction, it lasts until the COMMIT.
    assert.deepEqual(at(files, runCase(files, { assumeInTransaction: true }), 'require-lock-timeout'), []);
    assert.deepEqual(at(files, r, 'require-concurrent-index'), []);
    assert.deepEqual(at(files, r, 'unused-ignore'), []);
  });

  it('functions created in a DO block exist; a body PL/pgSQL cannot parse is left alone; other languages are not read', () => {
    const files = {
      'm/001.sql': [
        "DO $$ BEGIN\n  CREATE FUNCTION f(x text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $f$ BEGIN EXECUTE 'SELECT ' || x; END $f$;\nEND $$;",
        'DO $$ BEGIN IF THEN END $$;',
        "DO LANGUAGE plv8 $$ plv8.execute('DROP TABLE x') $$;",
      ].join('\n'),
    };
    const r = runCase(files);
    assert.deepEqual([...r.model.functions.keys()], ['public.f']);
    assert.deepEqual(r.findings.map((f) => f.rule).sort(), ['no-sql-injection', 'require-security-definer-search-path']);
    assert.deepEqual(at(files, r, 'no-sql-injection'), ['m/001.sql:2:97']);
  });

  it('a template placeholder of the migration tool inside the block is filled for parsing and named as written', () => {
    const files = {
      'm/001.sql': 'CREATE SCHEMA auth;\nCREATE TABLE auth.users (id uuid PRIMARY KEY, email text);',
      'm/002.sql': 'do $$ begin\n  create index users_email_idx on {{ index .Options "Namespace" }}.users (email);\nend $$;',
    };
    const r = runCase(files);
    assert.deepEqual(r.findings.filter((f) => f.rule === 'require-concurrent-index').map((f) => f.message.slice(0, 60)),
      ['CREATE INDEX on {{ index .Options "Namespace" }}.users holds']);
  });
});
