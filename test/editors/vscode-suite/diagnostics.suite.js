const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');
const { FILES, codeOf, diagnostics, migration, waitFor, waitForDiagnostic, waitForNoDiagnostic, workspaceRoot } = require('./helpers');

describe('diagnostics on a multi-file migrations workspace', () => {
  it('reviews files that are not open: rule id as code, docs link, severity, range after a non-ASCII comment', async () => {
    const documents = migration('documents');
    const index = await waitForDiagnostic(documents, 'require-tenant-index');
    assert.equal(index.source, 'sql-architect');
    assert.equal(codeOf(index), 'require-tenant-index');
    assert.ok(index.code.target instanceof vscode.Uri, 'code.target is the codeDescription href');
    assert.match(index.code.target.toString(true), /require-tenant-index\.md$/);
    assert.equal(index.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual([index.range.start.line, index.range.start.character], [1, 0], 'anchored at CREATE TABLE, after the non-ASCII comment line');
    assert.match(index.message, /Tenant table documents has no index leading with tenant_id/);

    const rls = await waitForDiagnostic(documents, 'require-tenant-rls');
    assert.equal(rls.severity, vscode.DiagnosticSeverity.Error);
    assert.match(rls.message, /Safe recipe:[\s\S]*CREATE POLICY documents_tenant_isolation/);

    // A file the user never opened, deep in the set, is reviewed too.
    await waitForDiagnostic(migration('attachments'), 'require-tenant-index');
    await waitForDiagnostic(migration('indexDocuments'), 'require-concurrent-index');
    // The tenant registry is not tenant-scoped.
    assert.deepEqual(diagnostics(migration('tenants')).map(codeOf).filter((c) => c.startsWith('require-tenant')), []);
  });

  it('RLS enabled in a later migration: the CREATE TABLE is not "missing RLS"; the policy finding points back to it', async () => {
    const projects = migration('projects');
    const secure = migration('secureProjects');
    const policy = await waitForDiagnostic(secure, 'require-rls-policy');
    assert.equal(policy.severity, vscode.DiagnosticSeverity.Information);
    // The whole set counts: the earlier CREATE TABLE projects gets no require-tenant-rls.
    await waitFor(() => diagnostics(migration('documents'), 'require-tenant-rls').length > 0, 'the set to be analysed');
    const onProjects = diagnostics(projects).map(codeOf);
    for (const rule of ['require-tenant-rls', 'require-tenant-index', 'require-force-rls', 'require-rls-policy']) {
      assert.ok(!onProjects.includes(rule), `no ${rule} on CREATE TABLE projects (indexed, RLS enabled later): ${onProjects}`);
    }

    // No policy yet: FORCE would only lock the owner out, so it is not asked for.
    assert.deepEqual(diagnostics(secure, 'require-force-rls'), []);
    for (const d of [policy]) {
      assert.ok(d.relatedInformation && d.relatedInformation.length > 0, `${codeOf(d)} has related information`);
      const rel = d.relatedInformation.find((r) => r.location.uri.fsPath === projects.fsPath);
      assert.ok(rel, `${codeOf(d)} relates to ${FILES.projects}: ${JSON.stringify(d.relatedInformation.map((r) => path.basename(r.location.uri.fsPath)))}`);
      assert.equal(rel.location.range.start.line, 1, 'the related location is the CREATE TABLE projects statement');
    }
    assert.match(policy.relatedInformation[0].message, /projects is created here/);
  });

  it('a migration added and removed on disk (file watcher) re-analyses the earlier CREATE TABLE', async () => {
    const attachments = migration('attachments');
    const added = vscode.Uri.file(path.join(workspaceRoot(), 'db', 'migrations', '20240108000000_secure_attachments.sql'));
    await waitForDiagnostic(attachments, 'require-tenant-rls');
    await vscode.workspace.fs.writeFile(added, Buffer.from('ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;\n'));
    try {
      await waitForNoDiagnostic(attachments, 'require-tenant-rls');
      const policy = await waitForDiagnostic(added, 'require-rls-policy');
      assert.ok(policy.relatedInformation.some((r) => r.location.uri.fsPath === attachments.fsPath), 'points back to CREATE TABLE attachments');
    } finally {
      await vscode.workspace.fs.delete(added);
    }
    await waitForDiagnostic(attachments, 'require-tenant-rls');
    await waitFor(() => diagnostics(added).length === 0, 'the deleted file to lose its diagnostics');
  });
});
