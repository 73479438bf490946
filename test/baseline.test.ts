// `sql-architect baseline` and check with a baseline: adopting the tool on a project with existing findings.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, runCli, tempWorkspace } from './helpers';

interface JsonFinding { file: string; rule: string; line: number }

const USERS = 'db/migrations/20240102000000_users.sql';
const INDEXES = 'db/migrations/20240103000000_indexes.sql';
const FILES = {
  'db/migrations/20240101000000_tenants.sql': 'CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);\n',
  [USERS]: 'CREATE TABLE users (\n  id serial PRIMARY KEY,\n  tenant_id uuid REFERENCES tenants (id),\n  ssn text,\n  created timestamp\n);\n',
  [INDEXES]: 'CREATE INDEX users_ssn_idx ON users (ssn);\nCREATE INDEX users_created_idx ON users (created);\n',
};

function check(dir: string, ...args: string[]): { status: number | null; findings: JsonFinding[]; stderr: string } {
  const r = runCli(['check', 'db/migrations', '--format', 'json', ...args], dir);
  return { status: r.status, findings: (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings, stderr: r.stderr };
}

describe('baseline', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is built by `npm test`'));

  it('check reports nothing of the baseline, also after 10 lines are inserted at the top of a migration', () => {
    const dir = tempWorkspace(FILES);
    const all = check(dir).findings;
    assert.ok(all.length >= 5 && all.some((f) => f.rule === 'require-tenant-rls'), JSON.stringify(all));
    const b = runCli(['baseline', 'db/migrations'], dir);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, new RegExp(`Wrote \\.sqlarchitect-baseline\\.json: ${all.length} findings in 3 files\\.`));
    const baseline = JSON.parse(fs.readFileSync(path.join(dir, '.sqlarchitect-baseline.json'), 'utf8')) as { version: number; findings: { rule: string; file: string; fingerprint: string; occurrence: number }[] };
    assert.equal(baseline.version, 1);
    assert.deepEqual(baseline.findings.map((e) => e.rule).sort(), all.map((f) => f.rule).sort());
    assert.deepEqual([...new Set(baseline.findings.map((e) => e.file))].sort(), [USERS, INDEXES], 'paths relative to the baseline file');

    const clean = check(dir);
    assert.deepEqual(clean.findings, []);
    assert.equal(clean.status, 0, 'error findings in the baseline do not fail the run');
    assert.match(clean.stderr, new RegExp(`${all.length} more findings are in the baseline`));

    for (const rel of [USERS, INDEXES]) {
      const file = path.join(dir, rel);
      fs.writeFileSync(file, '-- a comment added later\n'.repeat(10) + fs.readFileSync(file, 'utf8'));
    }
    const moved = check(dir, '--no-baseline').findings;
    assert.deepEqual(moved.map((f) => [f.rule, f.file, f.line]), all.map((f) => [f.rule, f.file, f.line + 10]), 'the findings moved 10 lines down');
    assert.deepEqual(check(dir).findings, [], 'and the baseline still suppresses every one of them');
    const text2 = runCli(['check', 'db/migrations'], dir);
    assert.match(text2.stdout, /^No problems found in 3 files\.\n\d+ more findings are in the baseline and not shown\.\n$/);
  });

  it('a new finding is reported, even on the same rule; an entry that no longer occurs is listed so the file can shrink', () => {
    const dir = tempWorkspace(FILES);
    runCli(['baseline', 'db/migrations'], dir);
    // The second index replaced by another of the same kind: a new require-concurrent-index, and a stale entry.
    fs.writeFileSync(path.join(dir, INDEXES), 'CREATE INDEX users_ssn_idx ON users (ssn);\nCREATE INDEX users_created_ssn_idx ON users (created, ssn);\n');
    const r = check(dir);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.file, f.line]), [['require-concurrent-index', INDEXES, 2]]);
    assert.match(r.stderr, /1 baseline entry no longer occurs/);
    assert.match(r.stderr, /20240103000000_indexes\.sql require-concurrent-index "CREATE INDEX users_created_idx ON users \(created\)"/);
    const text3 = runCli(['check', 'db/migrations'], dir).stdout;
    assert.match(text3, /1 baseline entry no longer occurs: run sql-architect baseline to shrink the baseline\./);
    // Running baseline again drops the stale entry.
    runCli(['baseline', 'db/migrations'], dir);
    assert.doesNotMatch(check(dir).stderr, /no longer occur/);
  });

  it('--fix leaves baselined findings alone; --no-baseline and --baseline FILE choose the baseline', () => {
    const dir = tempWorkspace(FILES);
    runCli(['baseline', 'db/migrations', '--baseline', 'ci/accepted.json'], dir);
    assert.ok(fs.existsSync(path.join(dir, 'ci/accepted.json')));
    assert.ok(check(dir).findings.length > 0, 'not found by walking up from db/migrations');
    assert.deepEqual(check(dir, '--baseline', 'ci/accepted.json').findings, []);
    const before = fs.readFileSync(path.join(dir, USERS), 'utf8');
    const fix = runCli(['check', 'db/migrations', '--fix', '--baseline', 'ci/accepted.json'], dir);
    assert.match(fix.stderr, /Applied 0 fixes to 0 files/);
    assert.equal(fs.readFileSync(path.join(dir, USERS), 'utf8'), before);
    assert.equal(runCli(['check', 'db/migrations', '--baseline', 'missing.json'], dir).status, 2);
  });

  it('a broken baseline file is one clear error naming the file, exit 2', () => {
    const dir = tempWorkspace({ ...FILES, '.sqlarchitect-baseline.json': '{"version": 1, "findings": [{"rule": 1}]}' });
    const r = runCli(['check', 'db/migrations'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\.sqlarchitect-baseline\.json: findings\[0\] needs rule, file, fingerprint/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
