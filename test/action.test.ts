// The GitHub Action (action.yml): its shell step, scripts/github-action.sh, run with the environment action.yml
// gives it, in a shallow clone of a local repository with two commits, as actions/checkout leaves a pull request.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './helpers';

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: { id?: string; run?: string; uses?: string; if?: string; shell?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
}

const action = parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The step's env as GitHub evaluates it: `${{ inputs.x }}` from the inputs given, else the input's default. */
function stepEnv(inputs: Record<string, string>, context: { baseSha: string }): Record<string, string> {
  const step = action.runs.steps.find((s) => s.id === 'check')!;
  const evaluate = (expr: string): string => expr.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(e);
    if (input) return input[1] in inputs ? inputs[input[1]] : evaluate(action.inputs[input[1]]?.default ?? '');
    if (e === 'github.event.pull_request.base.sha') return context.baseSha;
    throw new Error(`the test does not evaluate ${e}`);
  });
  return Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v)]));
}

describe('GitHub Action (action.yml + scripts/github-action.sh)', function () {
  this.timeout(120000);
  let origin: string;
  let base: string;
  let tmp: string;

  before(function () {
    if (spawnSync('git', ['--version']).status !== 0 || spawnSync('bash', ['--version']).status !== 0) {
      // The Action's steps are shell scripts run on a git repository: without git or bash there is nothing to run them on.
      console.log('SKIPPED: git or bash is not installed');
      this.skip();
    }
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'dist/ is built by `npm test`');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-action-'));
    // Commit 1 (the base): a tenant table without RLS (an error). Commit 2 (the pull request): an index on it.
    origin = path.join(tmp, 'origin');
    fs.mkdirSync(path.join(origin, 'db/migrations'), { recursive: true });
    git(origin, 'init', '-q');
    // Tenants are isolated by RLS in this project: a tenant table without it is an error.
    fs.writeFileSync(path.join(origin, '.sqlarchitect.json'), '{ "isolation": "rls" }\n');
    fs.writeFileSync(path.join(origin, 'db/migrations/20240101000000_notes.sql'), 'CREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, body text);\nCREATE INDEX notes_tenant_idx ON notes (tenant_id);\n');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'notes');
    base = git(origin, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(origin, 'db/migrations/20240102000000_body_index.sql'), 'CREATE INDEX notes_body_idx ON notes (body);\n');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'index notes.body');
  });

  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  /** A fresh shallow clone (the pull request's head only) and the action's step run in it. */
  function runAction(inputs: Record<string, string>) {
    const work = fs.mkdtempSync(path.join(tmp, 'checkout-'));
    git(work, 'clone', '-q', '--depth=1', `file://${origin}`, '.');
    const hadBase = spawnSync('git', ['cat-file', '-e', `${base}^{commit}`], { cwd: work }).status === 0;
    const output = path.join(work, '..', `${path.basename(work)}.output`);
    fs.writeFileSync(output, '');
    const step = action.runs.steps.find((s) => s.id === 'check')!;
    const r = spawnSync(step.shell!, ['-c', step.run!], {
      cwd: work, encoding: 'utf8', timeout: 120000,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: output, RUNNER_TEMP: fs.mkdtempSync(path.join(tmp, 'runner-')), ...stepEnv(inputs, { baseSha: base }) },
    });
    const hasBase = spawnSync('git', ['cat-file', '-e', `${base}^{commit}`], { cwd: work }).status === 0;
    return { ...r, hadBase, hasBase, outputs: fs.readFileSync(output, 'utf8') };
  }

  it('is a composite action whose shell step is the tested script; SARIF upload is optional', () => {
    assert.equal(action.runs.using, 'composite');
    const step = action.runs.steps.find((s) => s.id === 'check')!;
    assert.equal(step.run, 'bash "$GITHUB_ACTION_PATH/scripts/github-action.sh"');
    for (const input of Object.keys(action.inputs)) assert.ok(Object.values(step.env ?? {}).includes(`\${{ inputs.${input} }}`), `input ${input} reaches the script`);
    for (const input of ['paths', 'config', 'format', 'fail-on', 'since']) assert.ok(input in action.inputs, input);
    assert.equal(action.inputs.format.default, 'github');
    assert.equal(action.inputs['fail-on'].default, 'error');
    assert.equal(action.inputs.since.default, '${{ github.event.pull_request.base.sha }}');
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    assert.match(upload.if!, /inputs\.sarif == 'true'/);
    assert.equal(upload.with!.sarif_file, '${{ steps.check.outputs.sarif-file }}');
  });

  it('on a pull request: fetches the base commit the shallow checkout lacks and annotates only the added migration', () => {
    const r = runAction({ paths: 'db/migrations' });
    assert.equal(r.hadBase, false, 'the shallow clone lacks the base, as actions/checkout does');
    assert.equal(r.hasBase, true, 'the script fetched it');
    assert.equal(r.status, 0, `only warnings in the added migration; the base's RLS error is not reported: ${r.stderr}`);
    const commands = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    assert.ok(commands.length > 0, r.stdout);
    assert.ok(commands.every((l) => l.includes(',file=db/migrations/20240102000000_body_index.sql,')), r.stdout);
    // The index warning exists only because the base migration was replayed (notes already existed).
    assert.ok(commands.some((l) => l.startsWith('::warning title=require-concurrent-index,')), r.stdout);
    assert.ok(!r.stdout.includes('require-tenant-rls'));
  });

  it('fail-on: warning fails the step, never does not; with since empty the whole folder is checked and its error fails it', () => {
    assert.equal(runAction({ paths: 'db/migrations', 'fail-on': 'warning' }).status, 1);
    assert.equal(runAction({ paths: 'db/migrations', 'fail-on': 'never' }).status, 0);
    const all = runAction({ paths: 'db/migrations', since: '' });
    assert.equal(all.status, 1, all.stderr);
    assert.ok(all.stdout.split('\n').some((l) => l.startsWith('::error title=require-tenant-rls,file=db/migrations/20240101000000_notes.sql,')), all.stdout);
  });

  it('sarif: writes SARIF for the added migration and sets the sarif-file output for the upload step', () => {
    const r = runAction({ paths: 'db/migrations', sarif: 'true', format: 'text' });
    assert.equal(r.status, 0, r.stderr);
    const file = /^sarif-file=(.+)$/m.exec(r.outputs)?.[1];
    assert.ok(file && fs.existsSync(file), r.outputs);
    const log = JSON.parse(fs.readFileSync(file, 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const uris = new Set(log.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri));
    assert.deepEqual([...uris], ['db/migrations/20240102000000_body_index.sql']);
    assert.match(r.stdout, /^db\/migrations\/20240102000000_body_index\.sql:1:1 warning require-concurrent-index /m, 'format text');
  });

  it('a typo in paths fails the step with the path named', () => {
    const r = runAction({ paths: 'db/migratons' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /db\/migratons: no such file or directory/);
  });
});
