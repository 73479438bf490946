// The profiling tools of bench/ on the real language server: bench/profile-server.cjs profiles a session from the
// server's first line to its exit (CPU, or sampled allocations), and bench/profile-summary.cjs says where the cost is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LspClient } from './lsp-client';
import { ROOT, tempWorkspace } from './helpers';

const WRAPPER = path.join(ROOT, 'bench/profile-server.cjs');
const SUMMARY = path.join(ROOT, 'bench/profile-summary.cjs');
const MIGRATION = 'db/migrations/20240101000000_init.sql';

/** One language-server session through the wrapper: open a migration, wait for its diagnostics, stop. */
async function profiledSession(kind: 'cpu' | 'heap', out: string): Promise<void> {
  const dir = tempWorkspace({ [MIGRATION]: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, customer_ssn text);\n' });
  const lsp = new LspClient(WRAPPER, { SQLA_PROFILE_TARGET: path.join(ROOT, 'dist/server.js'), SQLA_PROFILE: kind, SQLA_PROFILE_OUT: out });
  const file = path.join(dir, MIGRATION);
  await lsp.initialize(dir);
  await lsp.open(file, fs.readFileSync(file, 'utf8'));
  await lsp.waitFor(() => lsp.diags(file).some((d) => d.code === 'no-unencrypted-sensitive-column'), 'diagnostics through the wrapper');
  const exited = lsp.proc.exitCode === null ? once(lsp.proc, 'exit') : Promise.resolve();
  await lsp.stop();
  await exited;
}

function summary(...args: string[]) {
  return spawnSync(process.execPath, [SUMMARY, ...args], { encoding: 'utf8' });
}

describe('profiling tools (bench/)', function () {
  this.timeout(120000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-profile-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('profile-server writes a CPU profile of the whole server session, and profile-summary names its frames', async () => {
    const out = path.join(tmp, 'server.cpuprofile');
    await profiledSession('cpu', out);
    const profile = JSON.parse(fs.readFileSync(out, 'utf8')) as { nodes: { callFrame: { url: string } }[]; samples: number[] };
    assert.ok(profile.samples.length > 0, 'no samples');
    assert.ok(profile.nodes.some((n) => n.callFrame.url.endsWith('/dist/server.js')), 'no frame of dist/server.js');
    const r = summary(out, '--top', '400');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^self$/m);
    assert.match(r.stdout, /^inclusive$/m);
    assert.match(r.stdout, / ms {2}\S* server\.js:\d+$/m);
  });

  it('profile-server writes the allocations of the session with SQLA_PROFILE=heap; --under lists what a frame calls', async () => {
    const out = path.join(tmp, 'server.heapprofile');
    await profiledSession('heap', out);
    const r = summary(out, '--top', '400');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, / MB {2}\S* server\.js:\d+$/m);
    // The root's callees: what the whole session allocated, split by the frames it called first.
    const root = summary(out, '--under', '(root) :0');
    assert.equal(root.status, 0, root.stderr);
    assert.match(root.stdout, /^\(root\) :0: [\d.]+ MB, of which it calls:$/m);
  });

  it('profile-summary names the file it cannot read, and profile-server the setting it needs', () => {
    const bad = path.join(tmp, 'not-a-profile.json');
    fs.writeFileSync(bad, '{"hello": 1}');
    const r = summary(bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not-a-profile\.json is neither a \.cpuprofile nor a \.heapprofile/);
    assert.doesNotMatch(r.stderr, /at .*\(.*:\d+:\d+\)/, 'a stack trace');
    const w = spawnSync(process.execPath, [WRAPPER], { encoding: 'utf8', env: { ...process.env, SQLA_PROFILE_TARGET: '' } });
    assert.equal(w.status, 2);
    assert.match(w.stderr, /set SQLA_PROFILE_TARGET/);
  });
});
