const assert = require('node:assert/strict');
const vscode = require('vscode');
const { EXTENSION_ID, migration, openEditor, waitFor } = require('./helpers');

describe('activation', () => {
  it('activates for a .sql file and starts the language client', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    const editor = await openEditor(migration('documents'));
    assert.equal(editor.document.languageId, 'sql');
    await waitFor(() => ext.isActive, 'the extension to activate');
    const api = ext.exports;
    assert.ok(api && api.client, 'activate() returns { client }');
    await waitFor(() => api.client.isRunning(), 'the language client to be running');
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['sqlArchitect.reanalyzeWorkspace', 'sqlArchitect.applySafeFixes', 'sqlArchitect.showRuleDocs']) {
      assert.ok(commands.includes(c), `command ${c} is registered`);
    }
  });
});
