// Neovim (Debian's 0.7.2, headless) as a real LSP client of `node dist/server.js --stdio`, on a temporary
// copy of test/fixtures/workspace: push diagnostics arrive, and a code action's WorkspaceEdit is applied by
// nvim itself (vim.lsp.util.apply_workspace_edit). Skips when nvim is not installed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nvimPath, runNvimLspCheck, type NvimLspCheckResult } from './editors/nvim';

const ROOT = path.resolve(__dirname, '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'workspace');

function explain(r: NvimLspCheckResult): string {
  return `exit ${r.exitCode} after ${r.durationMs} ms\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

describe('Neovim as an LSP client (nvim --headless, dist/server.js --stdio)', function () {
  this.timeout(120_000);
  let dir: string;
  let workspace: string;

  before(function () {
    if (!nvimPath()) {
      // Neovim comes from scripts/install-test-tools.sh (CI runs it); a machine without it cannot run the real editor.
      console.log('SKIPPED: nvim not installed (run scripts/install-test-tools.sh)');
      this.skip();
    }
    assert.ok(fs.existsSync(SERVER), 'dist/server.js is missing: run node scripts/build.mjs');
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-nvim-ws-'));
    workspace = path.join(dir, 'workspace');
    fs.cpSync(FIXTURE, workspace, { recursive: true });
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const check = (file: string, expectCode: string, apply: string) =>
    runNvimLspCheck({ file: path.join(workspace, 'db', 'migrations', file), cwd: workspace, serverCmd: [process.execPath, SERVER, '--stdio'], expectCode, apply, waitMs: 20_000 });

  it('a tenant table without an index gets require-tenant-index; "Add index …" inserts the CREATE INDEX', () => {
    const r = check('20240103000000_create_documents.sql', 'require-tenant-index', 'Add index documents_tenant_id_idx');
    assert.equal(r.exitCode, 0, explain(r));
    const d = r.diagnostics.find((x) => x.code === 'require-tenant-index');
    assert.ok(d, explain(r));
    assert.equal(d.source, 'sql-architect');
    assert.equal(d.severity, 2, 'warning');
    assert.equal(d.lnum, 1, 'on CREATE TABLE, after the non-ASCII comment');
    assert.match(d.message, /Tenant table documents has no index leading with tenant_id/);
    assert.ok(r.diagnostics.some((x) => x.code === 'require-tenant-rls' && x.severity === 1), 'require-tenant-rls is an error');

    const titles = r.codeActions.map((a) => a.title);
    assert.ok(titles.includes('Ignore require-tenant-index for this statement'), titles.join(' | '));
    assert.equal(r.applied, 'Add index documents_tenant_id_idx on documents (tenant_id)');
    const after = (r.bufferAfter ?? []).join('\n');
    assert.match(after, /\);\n\nCREATE INDEX documents_tenant_id_idx ON documents \(tenant_id\);/, explain(r));
    assert.ok(r.diagnosticsAfter && !r.diagnosticsAfter.some((x) => x.code === 'require-tenant-index'), `the finding goes after the edit:\n${explain(r)}`);
  });

  it('RLS enabled in a later migration: the policy fix applies in that file', () => {
    const r = check('20240104000000_secure_projects.sql', 'require-rls-policy', 'Add a policy on projects');
    assert.equal(r.exitCode, 0, explain(r));
    const codes = r.diagnostics.map((x) => x.code);
    assert.ok(codes.includes('require-rls-policy') && !codes.includes('require-force-rls'), `the policy finding on the ENABLE, no FORCE without a policy: ${codes}`);
    assert.ok(!codes.includes('require-tenant-rls'), 'RLS is enabled here');
    const after = (r.bufferAfter ?? []).join('\n');
    assert.match(after, /ENABLE ROW LEVEL SECURITY;\n\nALTER TABLE projects FORCE ROW LEVEL SECURITY;\nCREATE POLICY projects_tenant_isolation ON projects/, explain(r));
    assert.ok(r.diagnosticsAfter && !r.diagnosticsAfter.some((x) => x.code === 'require-rls-policy'), explain(r));
  });
});
