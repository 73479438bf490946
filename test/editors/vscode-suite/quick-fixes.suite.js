const assert = require('node:assert/strict');
const { applyQuickFix, codeActions, codeOf, diagnostics, migration, openEditor, waitForDiagnostic, waitForNoDiagnostic } = require('./helpers');

describe('quick fixes (vscode.executeCodeActionProvider + workspace.applyEdit)', () => {
  it('"Add index …" inserts the tenant index after CREATE TABLE; require-tenant-index goes, require-tenant-rls stays', async () => {
    const uri = migration('documents');
    const editor = await openEditor(uri);
    const diag = await waitForDiagnostic(uri, 'require-tenant-index');

    const titles = (await codeActions(uri, diag.range)).map((a) => a.title);
    for (const t of ['Ignore require-tenant-index for this statement', 'Ignore require-tenant-index in this file', 'Show documentation for require-tenant-index']) {
      assert.ok(titles.includes(t), `offers "${t}": ${titles.join(' | ')}`);
    }
    const action = await applyQuickFix(uri, diag, 'Add index documents_tenant_id_idx');
    assert.equal(action.isPreferred, true, 'the index fix is the preferred action');
    assert.match(editor.document.getText(), /now\(\)\n\);\n\nCREATE INDEX documents_tenant_id_idx ON documents \(tenant_id\);\n/);

    await waitForNoDiagnostic(uri, 'require-tenant-index');
    assert.ok(diagnostics(uri, 'require-tenant-rls').length > 0, 'the RLS finding is still there');
  });

  it('"Enable row-level security …" inserts ENABLE, FORCE (the app connects as the owner) and the tenant policy; the RLS findings go', async () => {
    const uri = migration('documents');
    const editor = await openEditor(uri);
    const diag = await waitForDiagnostic(uri, 'require-tenant-rls');
    await applyQuickFix(uri, diag, 'Enable row-level security on documents');
    const text = editor.document.getText();
    assert.match(text, /ALTER TABLE documents ENABLE ROW LEVEL SECURITY;/);
    assert.match(text, /ALTER TABLE documents FORCE ROW LEVEL SECURITY;/);
    assert.match(text, /CREATE POLICY documents_tenant_isolation ON documents\s+USING \(tenant_id = NULLIF\(\(SELECT current_setting\('app\.current_tenant_id', true\)\), ''\)::uuid\)/);
    for (const rule of ['require-tenant-rls', 'require-force-rls', 'require-rls-policy']) await waitForNoDiagnostic(uri, rule);
    const left = diagnostics(uri).map(codeOf).filter((c) => /tenant|rls|polic/.test(c));
    assert.deepEqual(left, [], 'documents has no tenant-isolation findings left');
  });

  it('the policy fix on a later migration adds FORCE and the tenant policy after ENABLE ROW LEVEL SECURITY', async () => {
    const uri = migration('secureProjects');
    const editor = await openEditor(uri);
    const diag = await waitForDiagnostic(uri, 'require-rls-policy');
    await applyQuickFix(uri, diag, 'Add a policy on projects that scopes rows by tenant_id');
    assert.match(editor.document.getText(), /ENABLE ROW LEVEL SECURITY;\n\nALTER TABLE projects FORCE ROW LEVEL SECURITY;\nCREATE POLICY projects_tenant_isolation ON projects/);
    await waitForNoDiagnostic(uri, 'require-rls-policy');
    assert.deepEqual(diagnostics(uri, 'require-force-rls'), [], 'the policy now applies to the owner too');
  });
});
