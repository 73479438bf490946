const vscode = require('vscode');
const { log, waitFor } = require('./helpers');

describe('design review report', () => {
  it('sqlArchitect.showReport opens a webview panel', async () => {
    await vscode.commands.executeCommand('sqlArchitect.showReport');
    const tab = await waitFor(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview),
      'a webview tab',
    );
    log(`report webview: "${tab.label}" (${tab.input.viewType})`);
  });
});
