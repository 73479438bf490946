const assert = require('node:assert/strict');
const vscode = require('vscode');
const { codeOf, diagnostics, migration, waitFor, waitForDiagnostic, waitForNoDiagnostic } = require('./helpers');

/** Every SQL Architect diagnostic of the workspace with this rule id. */
function everywhere(rule) {
  return vscode.languages.getDiagnostics().flatMap(([uri, list]) => list.filter((d) => d.source === 'sql-architect' && codeOf(d) === rule).map(() => uri.fsPath));
}

describe('settings', () => {
  afterEach(async () => {
    await vscode.workspace.getConfiguration('sqlArchitect').update('rules', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('turning a rule off in sqlArchitect.rules re-analyses: its diagnostics disappear, and come back when it is on again', async () => {
    const attachments = migration('attachments');
    await waitForDiagnostic(attachments, 'require-tenant-index');
    await waitForDiagnostic(attachments, 'require-tenant-rls');
    assert.ok(everywhere('require-tenant-index').length >= 3, 'documents, comments and attachments lack a tenant index');

    await vscode.workspace.getConfiguration('sqlArchitect').update('rules', { 'require-tenant-index': 'off' }, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => everywhere('require-tenant-index').length === 0, 'require-tenant-index to disappear from every file');
    assert.ok(diagnostics(attachments, 'require-tenant-rls').length > 0, 'other rules still report');

    await vscode.workspace.getConfiguration('sqlArchitect').update('rules', { 'require-tenant-index': 'error' }, vscode.ConfigurationTarget.Workspace);
    const back = await waitFor(() => diagnostics(attachments, 'require-tenant-index').find((d) => d.severity === vscode.DiagnosticSeverity.Error), 'require-tenant-index back as an error');
    assert.ok(back);

    await vscode.workspace.getConfiguration('sqlArchitect').update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => diagnostics(attachments, 'require-tenant-index').find((d) => d.severity === vscode.DiagnosticSeverity.Warning), 'require-tenant-index back at its default severity');
    await waitForNoDiagnostic(migration('tenants'), 'require-tenant-index');
  });
});
