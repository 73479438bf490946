// Bad input for the pure core: whatever the text, analysis returns findings with valid ranges and never throws
// or reports an internal error. (The CLI's own file-reading tests live with the CLI.)
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser, parseFile } from '../rules/parser/adapter';
import { groupMigrationSets, type SetResult } from '../rules/index';
import { runCase } from '../rules/testing/tester';
import type { ResolvedConfig } from '../rules/engine/config';
import { collectSqlFiles } from '../io/files';

const FILE = 'migrations/20240101000000_input.sql';

/** Analyses one file (or a set) and checks the invariants every result must hold. */
function analyze(input: string | Record<string, string>, config?: Partial<ResolvedConfig>): SetResult {
  const files = typeof input === 'string' ? { [FILE]: input } : input;
  const result = runCase(files, config);
  assert.deepEqual(result.internalErrors, [], 'internal errors');
  for (const f of result.findings) {
    const text = files[f.file];
    assert.ok(text !== undefined, `finding in unknown file ${f.file}`);
    assert.ok(f.start >= 0 && f.start <= f.end && f.end <= text.length, `${f.rule}: range ${f.start}-${f.end} outside 0-${text.length}`);
    assert.ok(f.message.length > 0);
    for (const fix of f.fixes) {
      for (const e of fix.edits) {
        const target = files[e.file ?? f.file];
        if (target !== undefined) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= target.length, `${f.rule}: edit outside its file`);
      }
    }
  }
  return result;
}

const rules = (r: SetResult, id: string) => r.findings.filter((f) => f.rule === id);
const sliced = (r: SetResult, text: string, id: string) => rules(r, id).map((f) => text.slice(f.start, f.end));

/** Deterministic pseudo-random bytes (mulberry32). */
function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let a = seed;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

describe('core robustness: bad input', () => {
  before(() => initParser());

  it('an empty file, a blank file and a comment-only file give no statements and no findings', () => {
    for (const text of ['', '   \n\t\r\n', '-- nothing here\n/* nor here */\n', ';;;\n;']) {
      assert.deepEqual(parseFile(FILE, text).statements, []);
      assert.deepEqual(analyze(text).findings, []);
    }
  });

  it('binary bytes decoded as latin1 and as UTF-8 (with replacement characters)', () => {
    for (const seed of [1, 2, 3]) {
      const raw = bytes(64 * 1024, seed);
      analyze(raw.toString('latin1'));
      const utf8 = raw.toString('utf8');
      assert.ok(utf8.includes('\uFFFD'));
      analyze(utf8);
    }
  });

  it('binary bytes around real statements: NUL bytes do not end the input', () => {
    const sql = `CREATE TABLE a (id bigint PRIMARY KEY, at timestamp);\0\x01\x02\nSELECT 1;\0\nCREATE TABLE b (id bigint PRIMARY KEY, at timestamp);`;
    const r = analyze(sql);
    assert.deepEqual(sliced(r, sql, 'prefer-timestamptz'), ['timestamp', 'timestamp']);
  });

  it('invalid UTF-8 (U+FFFD after decoding) and lone surrogates keep every offset right', () => {
    const decoded = Buffer.concat([
      Buffer.from('-- '), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from(' ü📦\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamp, "'),
      Buffer.from([0xf0, 0x9f]), Buffer.from('x" timestamp);'),
    ]).toString('utf8');
    assert.ok(decoded.includes('\uFFFD'));
    const r = analyze(decoded);
    assert.deepEqual(sliced(r, decoded, 'prefer-timestamptz'), ['timestamp', 'timestamp']);
    for (const lone of ['\uD800', '\uDC00', '\uD800\uD800']) {
      const text = `-- ${lone}x\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamp);`;
      assert.deepEqual(sliced(analyze(text), text, 'prefer-timestamptz'), ['timestamp'], JSON.stringify(lone));
    }
  });

  it('a 10 MB file finishes and returns findings, with and without a statement that does not parse', function () {
    // No assertion on time (this is no benchmark); the limit only turns a hang into a failure.
    this.timeout(600_000);
    const chunk = (i: number) => `-- Tabelle ${i}: Größe 📦\nCREATE TABLE t${i} (id int PRIMARY KEY, parent_id bigint REFERENCES t${Math.max(0, i - 1)} (id), note text, at timestamp);\nCREATE INDEX t${i}_note_idx ON t${i} (note);\nALTER TABLE t${i} ADD COLUMN payload json;\nINSERT INTO t${i} (id, note) VALUES (1, 'x;y $$ z');\n`;
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const c = chunk(i);
      parts.push(c);
      size += c.length;
    }
    const valid = parts.join('');
    for (const [name, text] of [['parses whole', valid], ['one broken statement', `${valid}CREATE TABLE broken (id int,, x int);\n`]] as const) {
      const t0 = Date.now();
      const r = analyze(text);
      const counts: Record<string, number> = {};
      for (const f of r.findings) counts[f.rule] = (counts[f.rule] ?? 0) + 1;
      console.log(`      10 MB, ${name}: ${parts.length * 4} statements, ${r.findings.length} findings in ${Date.now() - t0} ms ${JSON.stringify(counts)}`);
      // Every table uses timestamp: one project-wide finding that counts them all.
      assert.equal(rules(r, 'prefer-timestamptz').length, 1);
      assert.match(rules(r, 'prefer-timestamptz')[0].message, new RegExp(`in ${parts.length} columns`));
      assert.ok(rules(r, 'prefer-jsonb').length >= parts.length);
      assert.equal(rules(r, 'syntax-error').length, name === 'parses whole' ? 0 : 1);
    }
  });

  it('5,000-deep nested parentheses', () => {
    const deep = `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)};\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamp);`;
    assert.deepEqual(sliced(analyze(deep), deep, 'prefer-timestamptz'), ['timestamp']);
    const unbalanced = `SELECT ${'('.repeat(5000)}1;\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamp);`;
    const r = analyze(unbalanced);
    assert.equal(rules(r, 'syntax-error').length, 1);
    assert.deepEqual(sliced(r, unbalanced, 'prefer-timestamptz'), ['timestamp']);
    const nested = `CREATE TABLE t (id bigint PRIMARY KEY, n int DEFAULT ${'('.repeat(3000)}1${')'.repeat(3000)}, at timestamp);`;
    analyze(nested);
  });

  it('an unterminated dollar quote is one syntax error; the statements before it are analysed', () => {
    const sql = 'CREATE TABLE a (id bigint PRIMARY KEY, at timestamp);\nCREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1;\nCREATE TABLE b (id int);';
    const r = analyze(sql);
    assert.equal(rules(r, 'syntax-error').length, 1);
    assert.deepEqual(sliced(r, sql, 'prefer-timestamptz'), ['timestamp']);
  });

  it('an unterminated string or quoted identifier is one syntax error', () => {
    for (const bad of ["SELECT 'abc;", 'SELECT "abc;', "SELECT E'abc\\';", '/* never closed']) {
      const sql = `CREATE TABLE a (id bigint PRIMARY KEY, at timestamp);\n${bad}\nCREATE TABLE b (id int);`;
      const r = analyze(sql);
      assert.equal(rules(r, 'syntax-error').length, bad.startsWith('/*') ? 0 : 1, bad);
      assert.deepEqual(sliced(r, sql, 'prefer-timestamptz'), ['timestamp'], bad);
    }
  });

  it('templated SQL: {{ … }}, ${x} and :var placeholders parse after replacement and the rules still run', () => {
    const sql = [
      'CREATE TABLE IF NOT EXISTS {{ index .Options "Namespace" }}.events (id bigint PRIMARY KEY, at timestamp);',
      'CREATE TABLE ${schema}.logs (id bigint PRIMARY KEY, payload json);',
      'ALTER TABLE events OWNER TO :owner;',
      "COPY events FROM :'datafile';",
      'GRANT SELECT ON events TO :"reader";',
      'CREATE TABLE {{.Schema}}.notes (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);',
    ].join('\n');
    const r = analyze(sql);
    assert.deepEqual(rules(r, 'syntax-error').map((f) => f.message), []);
    assert.deepEqual(sliced(r, sql, 'prefer-timestamptz'), ['timestamp']);
    assert.deepEqual(sliced(r, sql, 'prefer-jsonb'), ['json']);
    assert.deepEqual(sliced(r, sql, 'prefer-bigint-primary-key'), ['int']);
  });

  it('BEGIN ATOMIC function bodies stay one statement, also when the file needs splitting', () => {
    const fn = 'CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN i > 0 THEN i + 1 ELSE 1 END;\n  SELECT i + 1;\nEND;';
    for (const broken of ['', 'SELECT FROM WHERE;\n']) {
      const sql = `${broken}${fn}\nCREATE TABLE t (id bigint PRIMARY KEY, at timestamp);`;
      const parsed = parseFile(FILE, sql);
      assert.equal(parsed.statements.filter((s) => s.node === 'CreateFunctionStmt').length, 1);
      const r = analyze(sql);
      assert.equal(rules(r, 'syntax-error').length, broken ? 1 : 0);
      assert.deepEqual(sliced(r, sql, 'prefer-timestamptz'), ['timestamp']);
    }
  });

  it('psql meta-commands are skipped, not syntax errors', () => {
    const sql = [
      '\\set ON_ERROR_STOP on',
      '\\connect app',
      '\\i common/setup.sql',
      "SELECT current_setting('server_version_num') AS v \\gset",
      'CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);',
      '\\echo loading',
      'COPY t (id) FROM stdin;',
      '1',
      '2',
      '\\.',
      '\\echo done',
      'CREATE TABLE u (id bigint PRIMARY KEY, payload json);',
    ].join('\n');
    const r = analyze(sql);
    assert.deepEqual(rules(r, 'syntax-error').map((f) => f.message), []);
    assert.deepEqual(sliced(r, sql, 'prefer-timestamptz'), ['timestamp']);
    assert.deepEqual(sliced(r, sql, 'prefer-jsonb'), ['json']);
  });
});

describe('core robustness: the shared corpus', function () {
  const corpus = path.resolve(__dirname, '../../shared/corpus');
  const design = ['require-primary-key', 'require-foreign-key-index', 'require-matching-foreign-key-type', 'prefer-bigint-primary-key', 'no-duplicate-index', 'prefer-timestamptz', 'prefer-jsonb', 'no-money-type'];

  before(async function () {
    if (!fs.existsSync(corpus)) {
      // The corpus is read from ../shared (never copied into the repository): a clone without it cannot run this.
      console.log(`      SKIPPED: no corpus at ${corpus}`);
      this.skip();
    }
    await initParser();
  });

  it('every file is analysed without an exception or internal error; pg-regress errors are syntax errors', () => {
    const files = collectSqlFiles([corpus], () => undefined).map((p) => path.relative(corpus, p).split(path.sep).join('/'));
    assert.ok(files.length > 0);
    const syntaxByFolder: Record<string, number> = {};
    const designByFolder: Record<string, Record<string, number>> = {};
    for (const set of groupMigrationSets(files)) {
      const texts = Object.fromEntries(set.files.map((f) => [f.path, fs.readFileSync(path.join(corpus, f.path), 'utf8')]));
      const r = analyze(texts);
      const folder = set.id.split('/')[0];
      syntaxByFolder[folder] = (syntaxByFolder[folder] ?? 0) + rules(r, 'syntax-error').length;
      const d = (designByFolder[folder] ??= {});
      for (const f of r.findings) if (design.includes(f.rule)) d[f.rule] = (d[f.rule] ?? 0) + 1;
      if (folder !== 'pg-regress') {
        for (const f of rules(r, 'syntax-error')) console.log(`      syntax error outside pg-regress: ${f.file}: ${f.message}`);
        // At most a few per folder: the known broken files (see the corpus's SOURCES.md).
        assert.ok(rules(r, 'syntax-error').length <= Math.max(3, set.files.length * 0.02), `${set.id}: ${rules(r, 'syntax-error').length} syntax errors`);
      }
    }
    console.log(`      syntax errors per folder: ${JSON.stringify(syntaxByFolder)}`);
    console.log(`      design findings per folder: ${JSON.stringify(designByFolder)}`);
    assert.ok((syntaxByFolder['pg-regress'] ?? 0) > 0, 'pg-regress deliberately contains invalid statements');
  });
});
