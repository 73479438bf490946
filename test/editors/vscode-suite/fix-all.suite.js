const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');
const { diagnostics, migration, openEditor, waitFor, waitForDiagnostic, waitForNoDiagnostic } = require('./helpers');

describe('fix all on save (editor.codeActionsOnSave: source.fixAll.sqlArchitect)', () => {
  before(async () => {
    await vscode.workspace.getConfiguration('editor').update('codeActionsOnSave', { 'source.fixAll.sqlArchitect': 'explicit' }, vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('editor').update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('saving applies the safe fix (the tenant index) and not the unsafe one (RLS)', async () => {
    const uri = migration('comments');
    const editor = await openEditor(uri);
    await waitForDiagnostic(uri, 'require-tenant-index');
    await waitForDiagnostic(uri, 'require-tenant-rls');
    await waitFor(() => {
      const v = vscode.workspace.getConfiguration('editor', editor.document).get('codeActionsOnSave');
      return v && v['source.fixAll.sqlArchitect'] === 'explicit';
    }, 'the codeActionsOnSave setting to apply');

    // The user types something, then saves (saving an unchanged file runs no save participants).
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    assert.ok(await editor.edit((b) => b.insert(end, '-- reviewed\n')));
    assert.equal(await editor.document.save(), true, 'the save succeeded');

    const text = editor.document.getText();
    assert.match(text, /CREATE INDEX comments_tenant_id_idx ON comments \(tenant_id\);/, 'the safe fix was applied on save');
    assert.doesNotMatch(text, /ROW LEVEL SECURITY|CREATE POLICY/, 'the unsafe RLS fix was not applied');
    assert.equal(editor.document.isDirty, false);
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), text, 'the fixed text is on disk');

    await waitForNoDiagnostic(uri, 'require-tenant-index');
    assert.ok(diagnostics(uri, 'require-tenant-rls').length > 0, 'the RLS finding remains for the user to decide');
  });
});
