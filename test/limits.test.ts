// Input past the size limits is reported once (`analysis-limit`, info) and skipped, never a long freeze: a statement
// over 1 MB, a file over 20 MB, and more findings in one file than the editor is sent. And the editor never shows a
// finding that the rest of the migration set contradicts: nothing is published before the workspace has been read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { allRules, analyzeSet, defaultConfig, initParser, ParseCache, type SetResult } from '../rules/index';
import { hugeStatement } from '../bench/generate';
import { LspClient, uri, type Diag } from './lsp-client';
import { tempWorkspace } from './helpers';

const FILE = 'db/migrations/20240101000000_big.sql';

function analyse(text: string, cache?: ParseCache): SetResult {
  return analyzeSet({ id: 'db/migrations', files: [{ path: FILE, text }] }, { config: defaultConfig(), rules: allRules, cache });
}

describe('size limits', function () {
  this.timeout(120000);
  before(() => initParser());

  it('a statement over 1 MB is one analysis-limit finding; the statements around it are analysed', () => {
    const huge = hugeStatement(1.5 * 1024 * 1024);
    const text = `CREATE TABLE a (id int);\n${huge}CREATE TABLE b (id int);\n`;
    for (const cache of [undefined, new ParseCache(true)]) {
      const r = analyse(text, cache);
      assert.deepEqual(r.internalErrors, []);
      const limit = r.findings.filter((f) => f.rule === 'analysis-limit');
      assert.equal(limit.length, 1, JSON.stringify(limit));
      assert.equal(limit[0].severity, 'info');
      assert.equal(limit[0].start, text.indexOf('SELECT'));
      assert.ok(limit[0].end - limit[0].start < 200, 'the finding covers the start of the statement, not megabytes');
      assert.match(limit[0].message, /This statement is 1\.5 MB, more than the 1 MB/);
      assert.deepEqual(r.findings.filter((f) => f.rule === 'require-primary-key').map((f) => text.slice(f.start, f.end).split('\n')[0]), ['CREATE TABLE a', 'CREATE TABLE b']);
      assert.deepEqual(r.findings.filter((f) => f.rule === 'syntax-error'), []);
    }
  });

  it('a file over 20 MB is one analysis-limit finding on its first line and is not parsed', () => {
    const line = 'INSERT INTO t VALUES (1);\n';
    const text = line.repeat(Math.ceil((20.5 * 1024 * 1024) / line.length));
    const r = analyse(text);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.start, f.end]), [['analysis-limit', 0, line.length - 1]]);
    assert.match(r.findings[0].message, /This file is 21 MB, more than the 20 MB SQL Architect analyses: it was skipped/);
    assert.equal(r.files[0].statements.length, 0);
  });

  it('analysis-limit can be turned off', () => {
    const r = analyzeSet({ id: 'db', files: [{ path: FILE, text: hugeStatement(1.1 * 1024 * 1024) }] }, { config: { ...defaultConfig(), rules: { 'analysis-limit': 'off' } }, rules: allRules });
    assert.deepEqual(r.findings, []);
  });
});

describe('language server: limits and start-up', function () {
  this.timeout(120000);
  let client: LspClient | undefined;
  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  it('sends at most 10,000 diagnostics for a file, and one more saying how many are not shown', async () => {
    // 5,100 tables without a primary key and with a money column: 10,200 findings in one file.
    const sql = Array.from({ length: 5100 }, (_, i) => `CREATE TABLE t${i} (price money);\n`).join('');
    const dir = tempWorkspace({ [FILE]: sql });
    client = new LspClient();
    await client.initialize(dir);
    const file = path.join(dir, FILE);
    await client.waitFor(() => client!.diags(file).length > 0, 'diagnostics of the big file', 110000);
    const diags = client.diags(file);
    assert.equal(diags.length, 10001);
    const last = diags[diags.length - 1];
    assert.equal(last.code, 'analysis-limit');
    assert.equal(last.severity, 3, 'information');
    assert.match(last.message, /^200 more findings in this file, from here on, are not shown: the editor gets at most 10000 per file/);
    assert.ok(diags.slice(0, -1).every((d) => d.code === 'require-primary-key' || d.code === 'no-money-type'));
  });

  it('shows at most 20 related locations per diagnostic, the last saying how many more there are', async () => {
    // 30 tenant tables, none with row-level security: one require-tenant-rls finding relating the other 29.
    const sql = ['CREATE TABLE tenants (id uuid PRIMARY KEY);',
      ...Array.from({ length: 30 }, (_, i) => `CREATE TABLE t${i} (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id));\nCREATE INDEX ON t${i} (tenant_id);`)].join('\n');
    const dir = tempWorkspace({ [FILE]: `${sql}\n` });
    client = new LspClient();
    await client.initialize(dir);
    const file = path.join(dir, FILE);
    await client.waitFor(() => client!.diags(file).some((d) => d.code === 'require-tenant-rls'), 'require-tenant-rls', 60000);
    const rls = client.diags(file).find((d) => d.code === 'require-tenant-rls')!;
    const related = rls.relatedInformation ?? [];
    assert.equal(related.length, 20);
    assert.ok(related.slice(0, 19).every((r) => /^t\d+ is tenant-scoped by tenant_id/.test(r.message)), JSON.stringify(related.slice(0, 3)));
    assert.equal(related[19].message, '…and 10 more locations (`sql-architect check --format json` lists them all)');
    assert.deepEqual(related[19].location.range, rls.range);
  });

  it('publishes nothing for a document opened at start-up until its whole migration set is read', async () => {
    // The table gets row-level security nine migrations later: require-tenant-rls must never be shown on it.
    const files: Record<string, string> = {
      '.sqlarchitect.json': '{ "isolation": "rls" }',
      'db/migrations/20240101000000_tenants.sql': 'CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);\n',
      'db/migrations/20240102000000_documents.sql': 'CREATE TABLE documents (\n  id bigint PRIMARY KEY,\n  tenant_id uuid NOT NULL REFERENCES tenants (id)\n);\nCREATE INDEX documents_tenant_idx ON documents (tenant_id);\n',
    };
    for (let i = 3; i <= 9; i++) files[`db/migrations/2024010${i}000000_step.sql`] = `CREATE TABLE step${i} (id bigint PRIMARY KEY);\n`;
    files['db/migrations/20240110000000_rls.sql'] = "ALTER TABLE documents ENABLE ROW LEVEL SECURITY;\nALTER TABLE documents FORCE ROW LEVEL SECURITY;\nCREATE POLICY documents_tenant ON documents USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);\n";
    const dir = tempWorkspace(files);
    const docs = path.join(dir, 'db/migrations/20240102000000_documents.sql');
    client = new LspClient();
    const seen: Diag[][] = [];
    client.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => {
      if (p.uri === uri(docs)) seen.push(p.diagnostics);
    });
    await client.initialize(dir);
    // Opened right away, as an editor restoring its tabs does: before the server has read the folder.
    await client.open(docs, fs.readFileSync(docs, 'utf8'));
    await client.waitFor(() => client!.notifications.some((n) => n.method === 'sqlArchitect/status' && (n.params as { state: string }).state === 'idle'), 'initial analysis');
    await client.waitFor(() => seen.length > 0, 'diagnostics of the opened document');
    assert.deepEqual(seen.flat().filter((d) => d.code === 'require-tenant-rls').map((d) => d.message), [], 'a finding the later migration contradicts was shown');
  });
});
