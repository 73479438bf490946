// Protocol tests: the real server bundle over stdio, driven by JSON-RPC as an editor would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LspClient, uri, type Diag } from './lsp-client';
import { StatusNotification, type StatusParams } from '../protocol/index';
import { runCli, tempWorkspace } from './helpers';

interface TextEditJson { range: Diag['range']; newText: string }
interface ActionJson {
  title: string; kind?: string; isPreferred?: boolean;
  edit?: { changes?: Record<string, TextEditJson[]>; documentChanges?: ({ kind: 'create'; uri: string } | { textDocument: { uri: string }; edits: TextEditJson[] })[] };
  command?: { command: string; arguments?: unknown[] };
}

function applyTextEdits(text: string, edits: TextEditJson[]): string {
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => off(b.range.start) - off(a.range.start))) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

/** Applies a WorkspaceEdit to files on disk and returns the new texts. */
function applyWorkspaceEdit(edit: NonNullable<ActionJson['edit']>, read: (u: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  const get = (u: string) => out.get(u) ?? read(u);
  for (const [u, edits] of Object.entries(edit.changes ?? {})) out.set(u, applyTextEdits(get(u), edits));
  for (const dc of edit.documentChanges ?? []) {
    if ('kind' in dc) { if (!out.has(dc.uri)) out.set(dc.uri, ''); continue; }
    out.set(dc.textDocument.uri, applyTextEdits(out.get(dc.textDocument.uri) ?? (safeRead(dc.textDocument.uri, read)), dc.edits));
  }
  return out;
}

function safeRead(u: string, read: (u: string) => string): string {
  try { return read(u); } catch { return ''; }
}

describe('language server over stdio (dist/server.js)', function () {
  this.timeout(60000);
  let client: LspClient;
  let dir: string;
  const files = {
    tenants: 'db/migrations/20240101000000_tenants.sql',
    docs: 'db/migrations/20240102000000_documents.sql',
    rls: 'db/migrations/20240103000000_rls.sql',
  };
  const docsSql = '-- Dokumente für Mandanten 📄\nCREATE TABLE documents (\n  id bigint PRIMARY KEY,\n  tenant_id uuid NOT NULL REFERENCES tenants (id),\n  title text\n);\n';

  beforeEach(async () => {
    dir = tempWorkspace({
      // One tenant table: say that tenants are isolated by RLS, so each table without it is an error with a fix.
      '.sqlarchitect.json': '{ "isolation": "rls" }',
      [files.tenants]: 'CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);\n',
      [files.docs]: docsSql,
    });
    client = new LspClient();
    await client.initialize(dir);
  });
  afterEach(async () => {
    await client.stop();
  });

  const abs = (p: string) => path.join(dir, p);

  it('analyses the whole workspace at start: files that are not open get diagnostics with code, href and related info', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls'), 'require-tenant-rls on documents');
    const d = client.diags(abs(files.docs)).find((x) => x.code === 'require-tenant-index')!;
    assert.equal(d.source, 'sql-architect');
    assert.match(d.codeDescription!.href, /require-tenant-index\.md$/);
    assert.deepEqual(d.range.start, { line: 1, character: 0 }, 'anchored at CREATE TABLE, after the non-ASCII comment');
    assert.equal(client.diags(abs(files.tenants)).filter((x) => x.code?.startsWith('require-tenant')).length, 0, 'the tenant registry is not tenant-scoped');
  });

  it('a quick fix inserts the tenant index; after the edit the warning is gone', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-index'), 'tenant index finding');
    await client.open(abs(files.docs), docsSql);
    const diag = client.diags(abs(files.docs)).find((d) => d.code === 'require-tenant-index')!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uri(abs(files.docs)) }, range: diag.range, context: { diagnostics: [diag] },
    })) as ActionJson[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore require-tenant-index for this statement'), titles.join(' | '));
    assert.ok(titles.includes('Ignore require-tenant-index in this file'));
    assert.ok(titles.includes('Show documentation for require-tenant-index'));
    const fix = actions.find((a) => a.isPreferred)!;
    assert.match(fix.title, /Add index documents_tenant_id_idx/);
    const next = applyTextEdits(docsSql, fix.edit!.changes![uri(abs(files.docs))]);
    assert.match(next, /\);\n\nCREATE INDEX documents_tenant_id_idx ON documents \(tenant_id\);/);
    await client.change(abs(files.docs), next, 2);
    await client.waitFor(() => !client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-index'), 'the finding to disappear');
  });

  it('the RLS quick fix inserts ENABLE, FORCE and a tenant policy; the RLS findings go', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls'), 'tenant rls finding');
    await client.open(abs(files.docs), docsSql);
    const diag = client.diags(abs(files.docs)).find((d) => d.code === 'require-tenant-rls')!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uri(abs(files.docs)) }, range: diag.range, context: { diagnostics: [diag] },
    })) as ActionJson[];
    const fix = actions.find((a) => a.isPreferred && a.edit)!;
    const next = applyTextEdits(docsSql, fix.edit!.changes![uri(abs(files.docs))]);
    assert.match(next, /ENABLE ROW LEVEL SECURITY/);
    assert.match(next, /FORCE ROW LEVEL SECURITY/);
    assert.match(next, /CREATE POLICY documents_tenant_isolation ON documents/);
    assert.match(next, /NULLIF\(\(SELECT current_setting\('app\.current_tenant_id', true\)\), ''\)::uuid/);
    await client.change(abs(files.docs), next, 2);
    await client.waitFor(() => !client.diags(abs(files.docs)).some((d) => /rls|policy/.test(String(d.code))), 'the RLS findings to disappear');
  });

  it('RLS enabled in a later migration clears the warning on the earlier CREATE TABLE (file watching)', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls'), 'tenant rls finding');
    fs.writeFileSync(abs(files.rls), 'ALTER TABLE documents ENABLE ROW LEVEL SECURITY;\n');
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(abs(files.rls)), type: 1 }] });
    await client.waitFor(() => !client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls'), 'require-tenant-rls to clear');
    await client.waitFor(() => client.diags(abs(files.rls)).some((d) => d.code === 'require-rls-policy'), 'require-rls-policy on the ENABLE statement');
    const onRls = client.diags(abs(files.rls)).find((d) => d.code === 'require-rls-policy')!;
    assert.ok(onRls.relatedInformation?.some((r) => r.location.uri.endsWith('20240102000000_documents.sql')), JSON.stringify(onRls.relatedInformation));
    fs.rmSync(abs(files.rls));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(abs(files.rls)), type: 3 }] });
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls'), 'require-tenant-rls to come back after the delete');
  });

  it('a follow-up migration file is created through the WorkspaceEdit (NOT VALID + VALIDATE)', async () => {
    const mig = 'db/migrations/20240104000000_fk.sql';
    const sql = 'ALTER TABLE documents ADD CONSTRAINT documents_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id);\n';
    fs.writeFileSync(abs(mig), sql);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(abs(mig)), type: 1 }] });
    await client.waitFor(() => client.diags(abs(mig)).some((d) => d.code === 'require-not-valid-foreign-key'), 'FK finding');
    const diag = client.diags(abs(mig)).find((d) => d.code === 'require-not-valid-foreign-key')!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uri(abs(mig)) }, range: diag.range, context: { diagnostics: [diag] },
    })) as ActionJson[];
    const fix = actions.find((a) => a.edit?.documentChanges)!;
    assert.ok(fix, actions.map((a) => a.title).join(' | '));
    const created = fix.edit!.documentChanges!.find((c) => 'kind' in c && c.kind === 'create') as { uri: string };
    assert.match(created.uri, /20240104000001_.*\.sql$/);
    const out = applyWorkspaceEdit(fix.edit!, (u) => fs.readFileSync(new URL(u), 'utf8'));
    assert.match(out.get(uri(abs(mig)))!, /NOT VALID/);
    assert.match(out.get(created.uri)!, /VALIDATE CONSTRAINT documents_tenant_fk/);
  });

  it('hover explains the locks of a statement and what the model knows of a table', async () => {
    const mig = path.join(dir, 'db/migrations/20240105000000_idx.sql');
    const sql = 'CREATE INDEX documents_title_idx ON documents (title);\n';
    fs.writeFileSync(mig, sql);
    await client.open(mig, sql);
    await client.waitFor(() => client.diags(mig).some((d) => d.code === 'require-concurrent-index'), 'concurrent index finding');
    const h1 = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(mig) }, position: { line: 0, character: 2 } })) as { contents: { value: string } };
    assert.match(h1.contents.value, /`documents`: \*\*SHARE\*\* \(CREATE INDEX\)/);
    assert.match(h1.contents.value, /Writes wait: \*\*yes\*\*/);
    assert.match(h1.contents.value, /CONCURRENTLY/);
    const h2 = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(mig) }, position: { line: 0, character: 38 } })) as { contents: { value: string } };
    assert.match(h2.contents.value, /\*\*Table documents\*\*/);
    assert.match(h2.contents.value, /Tenant key: `tenant_id` \(foreign-key: tenant_id references the tenant table tenants\)/);
    assert.match(h2.contents.value, /Row-level security: \*\*not enabled\*\*/);
    assert.match(h2.contents.value, /20240102000000_documents\.sql/);
  });

  it('source.fixAll applies only safe fixes', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-index'), 'findings');
    await client.open(abs(files.docs), docsSql);
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uri(abs(files.docs)) }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.sqlArchitect'] },
    })) as ActionJson[];
    assert.equal(actions.length, 1);
    const next = applyTextEdits(docsSql, actions[0].edit!.changes![uri(abs(files.docs))]);
    assert.match(next, /CREATE INDEX documents_tenant_id_idx/);
    assert.doesNotMatch(next, /CONCURRENTLY/);
  });

  it('in a committed migration that is not the newest, quick fixes say it may have run and are not preferred; fix-all on save leaves it alone', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-index'), 'findings');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'the first two migrations');
    // Two newer migrations being written (not committed): the documents migration is now an older one, which may have run.
    const draft = 'db/migrations/20240102120000_notes.sql';
    const draftSql = 'CREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id));\n';
    await client.open(abs(draft), draftSql);
    await client.open(abs(files.rls), 'CREATE INDEX documents_title_idx ON documents (title);\n');
    await client.open(abs(files.docs), docsSql);
    await client.waitFor(() => client.diags(abs(files.rls)).some((d) => d.code === 'require-concurrent-index'), 'the newer migration analysed');
    const actionsFor = async (file: string, code: string) => {
      const diag = client.diags(abs(file)).find((d) => d.code === code)!;
      return (await client.conn.sendRequest('textDocument/codeAction', {
        textDocument: { uri: uri(abs(file)) }, range: diag.range, context: { diagnostics: [diag] },
      })) as ActionJson[];
    };
    const older = (await actionsFor(files.docs, 'require-tenant-index')).filter((a) => a.edit && !a.title.startsWith('Ignore '));
    assert.ok(older.length > 0);
    for (const a of older) {
      assert.match(a.title, /\(edits an older migration, which may have run\)$/);
      assert.ok(!a.isPreferred, a.title);
    }
    // The newest migration's fixes, and those of an older one not committed yet (being written), are as ever.
    for (const [file, code] of [[files.rls, 'require-concurrent-index'], [draft, 'require-tenant-index']]) {
      const plain = (await actionsFor(file, code)).filter((a) => a.edit && !a.title.startsWith('Ignore '));
      assert.ok(plain.some((a) => a.isPreferred), file);
      assert.ok(plain.every((a) => !/older migration/.test(a.title)), file);
    }

    const fixAll = async (triggerKind: number) => (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uri(abs(files.docs)) }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.sqlArchitect'], triggerKind },
    })) as ActionJson[];
    assert.deepEqual(await fixAll(2), [], 'on save (automatic): nothing');
    const asked = await fixAll(1);
    assert.equal(asked.length, 1);
    assert.match(asked[0].title, /older migration/);
    assert.match(applyTextEdits(docsSql, asked[0].edit!.changes![uri(abs(files.docs))]), /CREATE INDEX documents_tenant_id_idx/);
  });

  it('findings in .sqlarchitect-baseline.json are hints; new ones stay warnings; the baseline file is watched', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls' && d.severity === 1), 'require-tenant-rls as an error');
    const b = runCli(['baseline', 'db/migrations'], dir);
    assert.equal(b.status, 0, b.stderr);
    const baselineUri = uri(abs('.sqlarchitect-baseline.json'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: baselineUri, type: 1 }] });
    await client.waitFor(() => client.diags(abs(files.docs)).length > 0 && client.diags(abs(files.docs)).every((d) => d.severity === 4), 'every finding of the documents migration as a hint');
    assert.match(client.diags(abs(files.docs))[0].message, /Accepted in \.sqlarchitect-baseline\.json/);

    // Ten lines above the statement and a new statement with a finding: the old findings stay hints.
    const next = '-- moved\n'.repeat(10) + docsSql + 'CREATE INDEX documents_title_idx ON tenants (name);\n';
    await client.open(abs(files.docs), docsSql);
    await client.change(abs(files.docs), next, 2);
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.range.start.line === 16 && d.severity === 2), 'a warning on the new statement');
    const diags = client.diags(abs(files.docs));
    assert.deepEqual(diags.filter((d) => d.range.start.line < 16).map((d) => d.severity), diags.filter((d) => d.range.start.line < 16).map(() => 4));
    assert.ok(diags.some((d) => d.code === 'require-tenant-rls' && d.range.start.line === 11 && d.severity === 4));

    fs.rmSync(abs('.sqlarchitect-baseline.json'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: baselineUri, type: 3 }] });
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls' && d.severity === 1), 'require-tenant-rls an error again');
  });

  it('settings changes re-analyse: a rule turned off disappears', async () => {
    await client.waitFor(() => client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-index'), 'findings');
    client.settings = { rules: { 'require-tenant-index': 'off' } };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitFor(() => !client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-index'), 'the rule to be off');
    assert.ok(client.diags(abs(files.docs)).some((d) => d.code === 'require-tenant-rls'));
  });
});

describe('language server: workspace folders, settings and globs', function () {
  this.timeout(60000);
  let client: LspClient;
  afterEach(async () => {
    await client.stop();
  });

  const idle = () => client.notifications.some((n) => n.method === StatusNotification.method && (n.params as StatusParams).state === 'idle');

  it('sqlArchitect.migrationsGlob is relative to the workspace folder: "db/migrations/*.sql" selects those migrations only', async () => {
    const dir = tempWorkspace({
      'db/migrations/20240101000000_documents.sql': 'CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\n',
      'scripts/20240101000000_scratch.sql': 'CREATE TABLE scratch (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\n',
    });
    client = new LspClient();
    client.settings = { migrationsGlob: ['db/migrations/*.sql'] };
    await client.initialize(dir);
    const selected = path.join(dir, 'db/migrations/20240101000000_documents.sql');
    await client.waitFor(() => client.diags(selected).some((d) => d.code === 'require-tenant-rls') && idle(), 'require-tenant-rls on the selected migration');
    assert.deepEqual(client.diags(path.join(dir, 'scripts/20240101000000_scratch.sql')), [], 'a file the glob leaves out gets no diagnostics');
  });

  it('a bad .sqlarchitect.json is one error message naming the file, shown once; the migrations are still analysed', async () => {
    const dir = tempWorkspace({
      '.sqlarchitect.json': '{ "rules": { "no-such-rule": "off" } }',
      'db/001_documents.sql': 'CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\n',
    });
    client = new LspClient();
    await client.initialize(dir);
    const file = path.join(dir, 'db/001_documents.sql');
    const shown = () => client.notifications.filter((n) => n.method === 'window/showMessage').map((n) => (n.params as { message: string }).message);
    await client.waitFor(() => client.diags(file).some((d) => d.code === 'require-tenant-rls') && shown().length > 0, 'findings and the configuration error');
    assert.match(shown()[0], /configuration error: .*\.sqlarchitect\.json: unknown rule "no-such-rule"/);
    const statuses = () => client.notifications.filter((n) => n.method === StatusNotification.method).length;
    const before = statuses();
    await client.open(file, 'CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id uuid);\n');
    await client.waitFor(() => statuses() > before && client.diags(file).some((d) => d.code === 'require-tenant-not-null'), 'the edit analysed');
    assert.equal(shown().length, 1, 'the same problem is not shown again on every analysis');
  });

  it('at start-up the migration set of an open file is analysed and published before the other sets', async () => {
    // Two projects in one workspace; the editor restores a tab of the second one.
    const files: Record<string, string> = {};
    for (let i = 1; i <= 9; i++) files[`billing/db/migrations/00${i}_step.sql`] = `CREATE TABLE step${i} (id int);\n`;
    files['shop/db/migrations/001_orders.sql'] = 'CREATE TABLE orders (id int);\n';
    const dir = tempWorkspace(files);
    const shop = path.join(dir, 'shop/db/migrations/001_orders.sql');
    client = new LspClient();
    const order: string[] = [];
    const idle = () => client!.notifications.some((n) => n.method === 'sqlArchitect/status' && (n.params as { state: string }).state === 'idle');
    let idleBeforeOpenFile: boolean | undefined;
    client.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => {
      if (!p.diagnostics.length) return;
      if (p.uri === uri(shop) && idleBeforeOpenFile === undefined) idleBeforeOpenFile = idle();
      order.push(p.uri === uri(shop) ? 'open file' : 'other set');
    });
    await client.initialize(dir);
    await client.open(shop, fs.readFileSync(shop, 'utf8'));
    await client.waitFor(() => idle() && order.includes('open file') && order.includes('other set'), 'both sets published');
    assert.equal(order[0], 'open file', `published in the order ${order.join(', ')}`);
    assert.equal(idleBeforeOpenFile, false, 'the status said idle before the open file had its diagnostics');
  });

  it('a keystroke re-sends only the diagnostics that change: another file is sent again when its related location moves', async () => {
    const dir = tempWorkspace({
      'db/migrations/20240101000000_parents.sql': 'CREATE TABLE parents (id bigint PRIMARY KEY, name text);\n',
      'db/migrations/20240102000000_children.sql': 'CREATE TABLE children (id bigint PRIMARY KEY, parent_id bigint REFERENCES parents (id));\n',
    });
    const parents = path.join(dir, 'db/migrations/20240101000000_parents.sql');
    const children = path.join(dir, 'db/migrations/20240102000000_children.sql');
    client = new LspClient();
    await client.initialize(dir);
    const fkIndex = () => client.diags(children).find((d) => d.code === 'require-foreign-key-index');
    const idles = () => client.notifications.filter((n) => n.method === StatusNotification.method && (n.params as StatusParams).state === 'idle').length;
    await client.waitFor(() => fkIndex() !== undefined && idles() > 0, 'the unindexed foreign key');
    assert.equal(fkIndex()!.relatedInformation?.[0].location.uri, uri(parents), 'the finding points at where parents is created');
    const sends = () => client.publishes.get(uri(children)) ?? 0;
    const parentsSends = () => client.publishes.get(uri(parents)) ?? 0;
    const type = async (text: string, version: number) => {
      const before = parentsSends();
      const idle = idles();
      await client.change(parents, text, version);
      // The file typed in is always sent; the status goes idle after every diagnostic of that keystroke was sent.
      await client.waitFor(() => parentsSends() > before && idles() > idle, `the keystroke analysed (version ${version})`);
    };
    const original = fs.readFileSync(parents, 'utf8');
    const idle = idles();
    await client.open(parents, original);
    await client.waitFor(() => idles() > idle, 'the opened file analysed');
    await type(`${original}-- a comment after the table\n`, 2);
    const settled = sends();
    await type(`${original}-- a comment after the table, longer\n`, 3);
    assert.equal(sends(), settled, 'children.sql shows the same diagnostics: not sent again');
    await type(`-- a line before the table\n${original}`, 4);
    assert.equal(sends(), settled + 1, 'the related location in parents.sql moved a line: children.sql is sent again');
    assert.equal(fkIndex()!.relatedInformation?.[0].location.range.start.line, 1);
  });

  it('a two-root workspace: each folder is analysed with its own tenantColumns', async () => {
    const sql = 'CREATE TABLE shop_items (id bigint PRIMARY KEY, shop_id bigint NOT NULL);\nCREATE TABLE org_items (id bigint PRIMARY KEY, org_ref bigint NOT NULL);\n';
    const shops = tempWorkspace({ 'migrations/001_items.sql': sql });
    const orgs = tempWorkspace({ 'migrations/001_items.sql': sql });
    client = new LspClient();
    client.folderSettings.set(uri(shops), { tenantColumns: ['shop_id'] });
    client.folderSettings.set(uri(orgs), { tenantColumns: ['org_ref'] });
    await client.initialize([shops, orgs]);
    const rlsLines = (root: string) => client.diags(path.join(root, 'migrations/001_items.sql')).filter((d) => d.code === 'require-tenant-rls').map((d) => d.range.start.line);
    await client.waitFor(() => rlsLines(shops).length > 0 && rlsLines(orgs).length > 0, 'tenant findings in both folders');
    assert.deepEqual(rlsLines(shops), [0], 'shop_items is the tenant table of the first folder');
    assert.deepEqual(rlsLines(orgs), [1], 'org_items is the tenant table of the second folder');
  });
});

describe('language server: embedded PostgreSQL requests', function () {
  this.timeout(180000);
  it('sqlArchitect/trace measures locks (inlay hints) and turns real errors into migration-fails diagnostics; verifyIsolation proves leaks', async () => {
    const dir = tempWorkspace({
      'db/20240101000000_init.sql': 'CREATE TABLE tenants (id uuid PRIMARY KEY);\nCREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id), body text);\n',
      'db/20240102000000_change.sql': 'CREATE INDEX notes_body_idx ON notes (body);\nALTER TABLE notes ALTER COLUMN nope SET NOT NULL;\n',
    });
    const client = new LspClient();
    try {
      await client.initialize(dir);
      const file = path.join(dir, 'db/20240102000000_change.sql');
      await client.waitFor(() => client.diags(file).some((d) => d.code === 'require-concurrent-index'), 'static findings');
      await client.open(file, fs.readFileSync(file, 'utf8'));
      const r = (await client.conn.sendRequest('sqlArchitect/trace', { uri: uri(file) })) as { statements: number; failures: number };
      assert.equal(r.failures, 1);
      await client.waitFor(() => client.diags(file).some((d) => d.code === 'migration-fails'), 'migration-fails diagnostic');
      const fail = client.diags(file).find((d) => d.code === 'migration-fails')!;
      assert.equal(fail.range.start.line, 1);
      assert.match(fail.message, /column "nope" of relation "notes" does not exist/);
      const hints = (await client.conn.sendRequest('textDocument/inlayHint', {
        textDocument: { uri: uri(file) }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } },
      })) as { position: { line: number }; label: string }[];
      assert.ok(hints.some((h) => h.position.line === 0 && /Share on notes/.test(h.label)), JSON.stringify(hints));
      const md = (await client.conn.sendRequest('sqlArchitect/report', { format: 'md' })) as string;
      assert.match(md, /## Measured locks \(PostgreSQL\)/);
      assert.match(md, /CREATE INDEX notes_body_idx.*\| notes: ShareLock \|/);
      assert.match(md, /error: column "nope" of relation "notes" does not exist/);
      const iso = (await client.conn.sendRequest('sqlArchitect/verifyIsolation', { uri: uri(file) })) as { tables: { table: string; status: string }[]; lines: string[]; summary: string };
      assert.deepEqual(iso.tables.map((t) => [t.table, t.status]), [['notes', 'leaks']]);
      // The client prints what the server words, as the CLI words it.
      assert.match(iso.lines[0], /^✘ LEAKS {6}notes \(tenant_id\): SELECT as tenant A returned 2 of 2 rows of tenant B/);
      assert.equal(iso.summary, '1 tenant tables: 0 isolated, 1 leak, 0 not testable.');
      // The report's tenant matrix now carries the proof, as it carries the measured locks.
      const proved = (await client.conn.sendRequest('sqlArchitect/report', { format: 'md' })) as string;
      assert.match(proved, /\| Isolated \| Isolation \(proved\) \|/);
      assert.match(proved, /\| ❌ leaks: SELECT as tenant A returned 2 of 2 rows of tenant B;[^|]*row level security is not enabled on the table \|/);
    } finally {
      await client.stop();
    }
  });
});

describe('language server: hover on a table keyed on the signed-in user', function () {
  this.timeout(60000);

  it('names the owner column and links the policy that keys the rows on the user', async () => {
    const dir = tempWorkspace({
      'supabase/migrations/20240101000000_todos.sql': [
        'create table todos (id bigint primary key, user_id uuid not null, title text not null);',
        'alter table todos enable row level security;',
        'create policy read_own on todos for select to authenticated using (user_id = (select auth.uid()));',
      ].join('\n') + '\n',
    });
    const file = path.join(dir, 'supabase/migrations/20240201000000_more.sql');
    const sql = 'create index todos_title_idx on todos (title);\n';
    fs.writeFileSync(file, sql);
    const client = new LspClient();
    try {
      await client.initialize(dir);
      await client.open(file, sql);
      await client.waitFor(() => client.diags(file).some((d) => d.code === 'require-concurrent-index'), 'findings of the open file');
      const h = (await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(file) }, position: { line: 0, character: 33 } })) as { contents: { value: string } };
      assert.match(h.contents.value, /\*\*Table todos\*\*/);
      assert.match(h.contents.value, /- Rows keyed on the signed-in user: `user_id` \(policy \[`read_own`\]\(file:\/\/[^)]*20240101000000_todos\.sql#L3\) compares it with the user\); `verify-isolation` proves it as two users/);
    } finally {
      await client.stop();
    }
  });
});
