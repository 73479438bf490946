// The report front ends: `sql-architect report`, `--since REF` (check and report) on real git repositories, and the
// server's sqlArchitect/report request.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, runCli, tempWorkspace } from './helpers';
import { LspClient, uri } from './lsp-client';

const TENANTS = '-- Mandanten 🏢\nCREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);\n';
// The second migration: an unindexed, RLS-less tenant table with a plain-text SSN.
const DOCS = 'CREATE TABLE documents (\n  id bigint PRIMARY KEY,\n  tenant_id uuid NOT NULL REFERENCES tenants (id),\n  ssn text\n);\n';
// The first migration has findings of its own: an integer key and a timestamp without time zone.
const LEGACY = 'CREATE TABLE legacy (id serial PRIMARY KEY, at timestamp);\n';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=Test', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface JsonReport {
  version: number;
  since?: { ref?: string; files: string[] };
  summary: { findings: number; tenantTables: number };
  findingsByRule: { rule: string; locations: { loc: { file: string; line: number } }[] }[];
  tenantMatrix: { table: string; rlsEnabled: { status: string } }[];
  migrationRisk: { file: string }[];
}

describe('sql-architect report (CLI)', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is built by `npm test`'));

  it('writes Markdown to standard output by default, exit 0 even with error findings', () => {
    const r = runCli(['report', 'examples/migrations']);
    assert.equal(r.status, 0, r.stderr);
    for (const h of ['# SQL Architect: Design review', '## Summary', '## Tenant isolation', '## Sensitive data', '## Migration risk', '## Findings by rule', '## Schema overview']) {
      assert.ok(r.stdout.includes(h), h);
    }
    assert.match(r.stdout, /\| \[projects\]\(examples\/migrations\/20240102090000_create_projects\.sql#L1\) .*\| ✅ enabled \(\[20240105090000_secure_projects\.sql:2\]\(examples\/migrations\/20240105090000_secure_projects\.sql#L2\)\) \| ✅ forced/);
    assert.match(r.stdout, /```mermaid\nerDiagram\n/);
  });

  it('--format html --output FILE: a self-contained page whose links are relative to FILE', () => {
    const dir = tempWorkspace({ 'db/001_tenants.sql': TENANTS, 'db/002_documents.sql': DOCS });
    const r = runCli(['report', 'db', '--format', 'html', '--output', 'out/review.html'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const html = fs.readFileSync(path.join(dir, 'out/review.html'), 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /href="\.\.\/db\/002_documents\.sql#L1"/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none';/);
    assert.doesNotMatch(html, /<script\b|<link\b|\bsrc=/);
  });

  it('--format json: the versioned report', () => {
    const dir = tempWorkspace({ 'db/001_tenants.sql': TENANTS, 'db/002_documents.sql': DOCS });
    const r = runCli(['report', 'db', '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as JsonReport;
    assert.equal(json.version, 1);
    assert.deepEqual(json.tenantMatrix.map((t) => [t.table, t.rlsEnabled.status]), [['documents', 'no']]);
  });

  it('usage errors exit 2', () => {
    for (const args of [['report', '--format', 'sarif'], ['report', '--format', 'text'], ['report', '--pg-version', 'x'], ['report', '--config', 'nope.json']]) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^sql-architect: /);
    }
    assert.match(runCli(['--help']).stdout, /sql-architect report \[paths…\] \[--format md\|html\|json\]/);
  });

  describe('--since REF', () => {
    let repo: string;
    beforeEach(() => {
      repo = tempWorkspace({ '.sqlarchitect.json': '{ "isolation": "rls" }', 'db/001_tenants.sql': TENANTS + LEGACY });
      git(repo, 'init', '-q');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'first release');
      git(repo, 'tag', 'v1');
      fs.writeFileSync(path.join(repo, 'db/002_documents.sql'), DOCS);
    });

    it('report: only findings and migration risk of migrations added since the ref (uncommitted ones too)', () => {
      const full = JSON.parse(runCli(['report', 'db', '--format', 'json'], repo).stdout) as JsonReport;
      assert.ok(full.findingsByRule.some((g) => g.locations.some((l) => l.loc.file === 'db/001_tenants.sql')), 'the first migration has findings');
      const r = runCli(['report', 'db', '--format', 'json', '--since', 'v1'], repo);
      assert.equal(r.status, 0, r.stderr);
      const json = JSON.parse(r.stdout) as JsonReport;
      assert.deepEqual(json.since, { ref: 'v1', files: ['db/002_documents.sql'] });
      const files = new Set(json.findingsByRule.flatMap((g) => g.locations.map((l) => l.loc.file)));
      assert.deepEqual([...files], ['db/002_documents.sql']);
      assert.ok(json.findingsByRule.some((g) => g.rule === 'require-tenant-rls'), 'require-tenant-rls on documents');
      assert.ok(json.migrationRisk.every((f) => f.file === 'db/002_documents.sql'), JSON.stringify(json.migrationRisk));
      // The schema is still replayed whole: documents is a tenant table because of tenants in the old migration.
      assert.equal(json.summary.tenantTables, 1);
    });

    it('check: the same filter, also for a ref that is a commit of the history', () => {
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'documents');
      const r = runCli(['check', 'db', '--format', 'json', '--since', 'HEAD~1'], repo);
      assert.equal(r.status, 1, r.stderr);
      const json = JSON.parse(r.stdout) as { findings: { file: string; rule: string }[] };
      assert.ok(json.findings.length > 0, 'findings in the new migration');
      assert.deepEqual([...new Set(json.findings.map((f) => f.file))], ['db/002_documents.sql']);
      const all = JSON.parse(runCli(['check', 'db', '--format', 'json'], repo).stdout) as { findings: { file: string }[] };
      assert.ok(all.findings.some((f) => f.file === 'db/001_tenants.sql'), 'without --since the old migration has findings');
      // Nothing added since HEAD: nothing to report, exit 0.
      const none = runCli(['check', 'db', '--since', 'HEAD'], repo);
      assert.equal(none.status, 0, none.stdout);
      assert.match(none.stdout, /No problems found/);
    });

    it('an unknown ref, or a folder outside git: exit 2 with a clear message', () => {
      for (const cmd of ['check', 'report']) {
        const r = runCli([cmd, 'db', '--since', 'no-such-tag'], repo);
        assert.equal(r.status, 2, r.stdout);
        assert.match(r.stderr, /^sql-architect: --since no-such-tag: unknown git revision in .+\n$/);
        assert.doesNotMatch(r.stderr, /at \w+ \(|internal error/);
      }
      const outside = tempWorkspace({ 'db/001.sql': TENANTS });
      const r = runCli(['report', 'db', '--since', 'HEAD'], outside);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--since HEAD: db is not inside a git repository/);
      const dash = runCli(['check', 'db', '--since=--output=x'], repo);
      assert.equal(dash.status, 2);
      assert.match(dash.stderr, /not a git revision/);
    });
  });
});

describe('sqlArchitect/report (language server)', function () {
  this.timeout(60000);
  let client: LspClient;
  let dir: string;
  const docs = () => path.join(dir, 'db/002_documents.sql');

  beforeEach(async () => {
    dir = tempWorkspace({ 'db/001_tenants.sql': TENANTS, 'db/002_documents.sql': DOCS });
    client = new LspClient();
    await client.initialize(dir);
    await client.waitFor(() => client.diags(docs()).some((d) => d.code === 'require-tenant-rls'), 'the initial analysis');
  });
  afterEach(async () => {
    await client.stop();
  });

  it('webview HTML: nonce CSP with the webview source, links carry file URIs', async () => {
    const html = (await client.conn.sendRequest('sqlArchitect/report', { format: 'html', webview: { nonce: 'TmVvbg==', cspSource: 'https://file+.vscode-resource.vscode-cdn.net' } })) as string;
    assert.match(html, /content="default-src 'none'; style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net 'nonce-TmVvbg=='; script-src 'nonce-TmVvbg=='/);
    assert.ok(html.includes(`data-file="${uri(docs())}" data-line="1" data-column="1"`), 'a link to documents');
    assert.match(html, /<script nonce="TmVvbg==">/);
  });

  it('Markdown with links relative to the export folder; JSON; SARIF consistent with the diagnostics', async () => {
    const md = (await client.conn.sendRequest('sqlArchitect/report', { format: 'md', baseDir: path.join(dir, 'reports') })) as string;
    assert.match(md, /\[documents\]\(\.\.\/db\/002_documents\.sql#L1\)/);
    const json = JSON.parse((await client.conn.sendRequest('sqlArchitect/report', { format: 'json' })) as string) as JsonReport;
    assert.deepEqual(json.tenantMatrix.map((t) => t.table), ['documents']);
    const sarif = JSON.parse((await client.conn.sendRequest('sqlArchitect/report', { format: 'sarif' })) as string) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results;
    assert.equal(results.length, client.diags(docs()).length + client.diags(path.join(dir, 'db/001_tenants.sql')).length);
    assert.ok(results.some((x) => x.ruleId === 'require-tenant-rls' && x.locations[0].physicalLocation.artifactLocation.uri === 'db/002_documents.sql'), JSON.stringify(results.map((x) => x.ruleId)));
  });

  it('since: an unknown ref is an error response, not a crash', async () => {
    await assert.rejects(client.conn.sendRequest('sqlArchitect/report', { format: 'md', since: 'nope' }), /since nope: (unknown git revision|.* is not inside a git repository)/);
    const md = (await client.conn.sendRequest('sqlArchitect/report', { format: 'md' })) as string;
    assert.match(md, /## Tenant isolation/);
  });
});
