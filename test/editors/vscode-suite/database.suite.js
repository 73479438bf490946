const assert = require('node:assert/strict');
const vscode = require('vscode');
const { migration, openEditor, waitFor } = require('./helpers');

// The embedded PostgreSQL (PGlite) runs in the server's worker; these take a few seconds each.
describe('embedded PostgreSQL commands', function () {
  this.timeout(180000);

  it('SQL Architect: Trace Migration Locks measures the locks and shows them as inlay hints', async () => {
    const uri = migration('indexDocuments');
    await openEditor(uri);
    const r = await vscode.commands.executeCommand('sqlArchitect.traceLocks', uri.toString());
    assert.ok(r && r.statements > 0, JSON.stringify(r));
    assert.equal(r.failures, 0, 'the fixture migrations run on PostgreSQL');
    const doc = await vscode.workspace.openTextDocument(uri);
    const hints = await waitFor(async () => {
      const h = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', uri, new vscode.Range(0, 0, doc.lineCount, 0));
      return h && h.length ? h : undefined;
    }, 'inlay hints after the trace');
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.ok(labels.some((l) => /Share on documents/.test(l)), labels.join(' | '));
  });

  it('SQL Architect: Prove Tenant Isolation reports each tenant table', async () => {
    const r = await vscode.commands.executeCommand('sqlArchitect.proveIsolation', migration('tenants').toString());
    const byTable = Object.fromEntries(r.tables.map((t) => [t.table, t.status]));
    // attachments never gets row-level security in these tests (earlier suites may have secured others).
    assert.equal(byTable.attachments, 'leaks', JSON.stringify(r.tables));
    assert.match(r.tables.find((t) => t.table === 'attachments').details, /row level security is not enabled/);
    assert.ok(r.tables.every((t) => ['isolated', 'shared', 'leaks', 'untestable'].includes(t.status) && t.details.length > 0));
    // The output channel gets one line per table and the counts, worded by the server.
    assert.equal(r.lines.length, r.tables.length);
    assert.match(r.summary, /^\d+ tenant tables: \d+ isolated/);
  });
});
