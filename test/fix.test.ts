// `check --fix` / `--fix-dry-run`: the editor's safe "fix all" over whole migration sets, written atomically.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { planFixes, writeFixes } from '../cli/fix';
import { loadProject } from '../cli/project';
import { CLI, ROOT, runCli, tempWorkspace } from './helpers';

interface JsonFinding { file: string; rule: string; fixes: { safe: boolean }[] }

function findings(dir: string, target = '.'): JsonFinding[] {
  const r = runCli(['check', target, '--format', 'json', '--no-baseline'], dir);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

/** Every file under dir (relative path → bytes). */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, f);
    if (fs.statSync(full).isFile() && !f.startsWith('.git')) out.set(f.split(path.sep).join('/'), fs.readFileSync(full));
  }
  return out;
}

function examplesCopy(): string {
  const dir = tempWorkspace({});
  fs.cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  return dir;
}

/** The example migrations named one by one: naming files is how --fix is told that older ones may be changed. */
const EXAMPLE_FILES = fs.readdirSync(path.join(ROOT, 'examples/migrations')).filter((f) => f.endsWith('.sql')).sort().map((f) => `examples/migrations/${f}`);

describe('sql-architect check --fix', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is built by `npm test`'));

  it('fixes the examples: afterwards no finding has a safe fix, every file parses, and a second run finds nothing to fix', () => {
    const dir = examplesCopy();
    const before = findings(dir, 'examples/migrations');
    const safe = before.filter((f) => f.fixes.some((x) => x.safe));
    assert.ok(safe.length >= 5, `the examples have safe fixes: ${safe.map((f) => f.rule).join(', ')}`);
    const r = runCli(['check', ...EXAMPLE_FILES, '--fix'], dir);
    assert.equal(r.status, 1, 'error findings without a safe fix remain: exit 1');
    assert.match(r.stderr, /Applied \d+ fixes to \d+ files/);
    assert.match(r.stdout, /problems \(/, 'then the report of what is left');
    const after = findings(dir, 'examples/migrations');
    assert.deepEqual(after.filter((f) => f.fixes.some((x) => x.safe)).map((f) => `${f.file} ${f.rule}`), []);
    assert.deepEqual(after.filter((f) => f.rule === 'syntax-error'), []);
    assert.equal(after.length, before.length - safe.length, 'each safe fix removed its finding and added none');
    assert.deepEqual([...snapshot(dir).keys()].filter((f) => /\.tmp$/.test(f)), [], 'no temporary files left');

    const again = runCli(['check', ...EXAMPLE_FILES, '--fix-dry-run'], dir);
    assert.equal(again.stdout, '', 'nothing left to fix');
    assert.match(again.stderr, /^0 fixes would change 0 files/m);
  });

  it('--fix-dry-run prints a unified diff that git apply turns into exactly what --fix writes, and writes nothing', () => {
    const dry = examplesCopy();
    const untouched = snapshot(dry);
    const r = runCli(['check', ...EXAMPLE_FILES, '--fix-dry-run'], dry);
    assert.match(r.stdout, /^--- a\/examples\/migrations\/.*\.sql\n\+\+\+ b\/examples\/migrations\/.*\.sql\n@@ /m);
    assert.deepEqual(snapshot(dry), untouched, 'a dry run changes no file');
    const applied = spawnSync('git', ['apply', '--verbose', '-'], { cwd: dry, input: r.stdout, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    const fixed = examplesCopy();
    assert.equal(runCli(['check', ...EXAMPLE_FILES, '--fix'], fixed).status, 1);
    assert.deepEqual(snapshot(dry), snapshot(fixed));
  });

  it('never touches a file with a syntax error; fixes the other files of its set', () => {
    const broken = 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamp NOT NULL);\nSELECT FROM WHERE;\n';
    const dir = tempWorkspace({
      'db/20240101000000_events.sql': broken,
      'db/20240102000000_logs.sql': 'CREATE TABLE logs (id bigint PRIMARY KEY, at timestamp NOT NULL);\n',
    });
    const file = path.join(dir, 'db/20240101000000_events.sql');
    const mtime = fs.statSync(file).mtimeMs;
    assert.ok(findings(dir, 'db').some((f) => f.file.endsWith('_events.sql') && f.rule === 'prefer-timestamptz' && f.fixes.some((x) => x.safe)), 'the broken file has a safe fix');
    const r = runCli(['check', 'db/20240101000000_events.sql', 'db/20240102000000_logs.sql', '--fix'], dir);
    assert.match(r.stderr, /db\/20240101000000_events\.sql: not fixed: the file has a syntax error/);
    assert.equal(fs.readFileSync(file, 'utf8'), broken);
    assert.equal(fs.statSync(file).mtimeMs, mtime);
    assert.match(fs.readFileSync(path.join(dir, 'db/20240102000000_logs.sql'), 'utf8'), /at timestamptz NOT NULL/);
  });

  it('leaves older migrations alone unless they are named: they may have run, and their tool may keep a checksum', () => {
    const older = 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamp NOT NULL);\n';
    const newest = 'CREATE TABLE logs (id bigint PRIMARY KEY, at timestamp NOT NULL);\n';
    const dir = tempWorkspace({ 'db/20240101000000_events.sql': older, 'db/20240102000000_logs.sql': newest });
    const r = runCli(['check', 'db', '--fix'], dir);
    assert.match(r.stderr, /1 older migration was not fixed: a migration that may have run is not edited .*name the files, or pass --since <git ref>/);
    assert.equal(fs.readFileSync(path.join(dir, 'db/20240101000000_events.sql'), 'utf8'), older);
    assert.match(fs.readFileSync(path.join(dir, 'db/20240102000000_logs.sql'), 'utf8'), /at timestamptz NOT NULL/);
    // Named, it is fixed.
    runCli(['check', 'db/20240101000000_events.sql', 'db/20240102000000_logs.sql', '--fix'], dir);
    assert.match(fs.readFileSync(path.join(dir, 'db/20240101000000_events.sql'), 'utf8'), /at timestamptz NOT NULL/);
  });

  it('keeps a BOM, CRLF line ends and the file mode', () => {
    const dir = tempWorkspace({ 'db/001_a.sql': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('CREATE TABLE a (id bigint PRIMARY KEY);\r\nALTER TABLE a ADD COLUMN t timestamp;\r\n')]) });
    const file = path.join(dir, 'db/001_a.sql');
    fs.chmodSync(file, 0o640);
    runCli(['check', 'db', '--fix'], dir);
    const bytes = fs.readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    assert.notEqual(text, 'CREATE TABLE a (id bigint PRIMARY KEY);\r\nALTER TABLE a ADD COLUMN t timestamp;\r\n', 'something was fixed');
    assert.doesNotMatch(text, /[^\r]\n/, 'every line still ends in CRLF');
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
  });

  it('creates the follow-up migration a fix needs (a NOT VALID + VALIDATE fix, selected as fix-all would select a safe one)', async () => {
    const dir = tempWorkspace({
      'db/20240101000000_init.sql': 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE docs (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\n',
      'db/20240102000000_fk.sql': 'ALTER TABLE docs ADD CONSTRAINT docs_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id);\n',
    });
    const project = await loadProject([path.join(dir, 'db')], { warn: (m) => assert.fail(m) });
    // No catalogue fix that creates a file is safe today: mark this one safe, as a rule would.
    for (const f of project.sets[0].findings) if (f.rule === 'require-not-valid-foreign-key') f.fixes = f.fixes.filter((x) => x.edits.some((e) => e.file)).map((x) => ({ ...x, safe: true }));
    const plan = planFixes(project, (sets) => new Set(sets.flatMap((s) => s.findings).filter((f) => f.rule === 'require-not-valid-foreign-key')));
    const created = [...plan.changes].filter(([, c]) => c.before === undefined).map(([f]) => path.relative(dir, f));
    assert.deepEqual(created, ['db/20240102000001_validate_docs_tenant_fk.sql']);
    assert.ok(plan.project.sets[0].files.some((f) => f.path.endsWith('_validate_docs_tenant_fk.sql')), 'the new file is replayed with its set');
    assert.equal(plan.fixed, 1);
    writeFixes(plan.changes, (m) => assert.fail(m));
    assert.match(fs.readFileSync(path.join(dir, 'db/20240102000000_fk.sql'), 'utf8'), /NOT VALID/);
    assert.match(fs.readFileSync(path.join(dir, created[0]), 'utf8'), /VALIDATE CONSTRAINT docs_tenant_fk/);
    const after = findings(dir, 'db');
    assert.deepEqual(after.filter((f) => f.rule === 'require-not-valid-foreign-key' || f.rule === 'syntax-error'), []);
  });

  it('--fix and --fix-dry-run together are a usage error', () => {
    const dir = tempWorkspace({ 'db/001.sql': 'SELECT 1;\n' });
    assert.equal(runCli(['check', 'db', '--fix', '--fix-dry-run'], dir).status, 2);
  });
});
