const assert = require('node:assert/strict');
const vscode = require('vscode');
const { FILES, codeActions, diagnostics, migration, openEditor, waitFor, waitForDiagnostic, waitForNoDiagnostic } = require('./helpers');

describe('commands', () => {
  it('sqlArchitect.reanalyzeWorkspace re-reads the workspace and reports files and findings', async () => {
    const result = await vscode.commands.executeCommand('sqlArchitect.reanalyzeWorkspace');
    assert.ok(result && typeof result.files === 'number' && typeof result.findings === 'number', JSON.stringify(result));
    assert.ok(result.files >= Object.keys(FILES).length, `all ${Object.keys(FILES).length} migrations analysed: ${JSON.stringify(result)}`);
    assert.ok(result.findings > 0);
    await waitForDiagnostic(migration('attachments'), 'require-tenant-rls');
  });

  it('sqlArchitect.applySafeFixes applies the safe fixes of the active file only', async () => {
    const uri = migration('attachments');
    const editor = await openEditor(uri);
    await waitForDiagnostic(uri, 'require-tenant-index');
    assert.equal(await vscode.commands.executeCommand('sqlArchitect.applySafeFixes'), true);
    const text = editor.document.getText();
    assert.match(text, /CREATE INDEX attachments_tenant_id_idx ON attachments \(tenant_id\);/);
    assert.doesNotMatch(text, /ROW LEVEL SECURITY/, 'unsafe fixes are not applied');
    await waitForNoDiagnostic(uri, 'require-tenant-index');
    assert.ok(diagnostics(uri, 'require-tenant-rls').length > 0);
  });

  it('sqlArchitect.applySafeFixes in a file without safe fixes changes nothing', async () => {
    const uri = migration('tenants');
    const editor = await openEditor(uri);
    const before = editor.document.getText();
    assert.equal(await vscode.commands.executeCommand('sqlArchitect.applySafeFixes'), false);
    assert.equal(editor.document.getText(), before);
  });

  it('sqlArchitect.showRuleDocs (the "Show documentation" quick fix) previews the bundled rule page', async () => {
    const uri = migration('attachments');
    const diag = await waitForDiagnostic(uri, 'require-tenant-rls');
    const actions = await codeActions(uri, diag.range);
    const docs = actions.find((a) => a.title === 'Show documentation for require-tenant-rls');
    assert.ok(docs && docs.command, `a docs action with a command: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(docs.command.command, 'sqlArchitect.showRuleDocs');
    await vscode.commands.executeCommand(docs.command.command, ...(docs.command.arguments || []));
    const tab = await waitFor(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /require-tenant-rls/.test(t.label)),
      'a markdown preview of require-tenant-rls.md',
    );
    assert.match(tab.input.viewType, /markdown\.preview/);
    await vscode.window.tabGroups.close(tab);
  });
});
