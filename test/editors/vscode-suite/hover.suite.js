const assert = require('node:assert/strict');
const vscode = require('vscode');
const { hoverText, migration, positionOf, waitFor, waitForDiagnostic } = require('./helpers');

describe('hover', () => {
  it('on a CREATE INDEX: the SHARE lock, what waits, and the CONCURRENTLY alternative', async () => {
    const uri = migration('indexDocuments');
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitForDiagnostic(uri, 'require-concurrent-index');
    const at = positionOf(doc, 'CREATE INDEX', 2);
    const text = await waitFor(async () => {
      const t = await hoverText(uri, at);
      return /SHARE/.test(t) ? t : undefined;
    }, 'a lock hover on CREATE INDEX');
    assert.match(text, /`documents`: \*\*SHARE\*\* \(CREATE INDEX\)/);
    assert.match(text, /Writes wait: \*\*yes\*\*/);
    assert.match(text, /CREATE INDEX CONCURRENTLY documents_title_idx/);
  });

  it('on a table name: tenant column and row-level security status across migrations', async () => {
    const uri = migration('indexDocuments');
    const doc = await vscode.workspace.openTextDocument(uri);
    const onDocuments = await waitFor(async () => {
      const t = await hoverText(uri, positionOf(doc, 'ON documents', 5));
      return /\*\*Table documents\*\*/.test(t) ? t : undefined;
    }, 'a table hover on documents');
    assert.match(onDocuments, /Tenant key: `tenant_id` \(foreign-key: tenant_id references the tenant table tenants\)/);
    assert.match(onDocuments, /Row-level security: \*\*not enabled\*\*/);
    assert.match(onDocuments, /20240103000000_create_documents\.sql/, 'links the migration that created it');

    const secure = migration('secureProjects');
    const secureDoc = await vscode.workspace.openTextDocument(secure);
    const onProjects = await waitFor(async () => {
      const t = await hoverText(secure, positionOf(secureDoc, 'TABLE projects', 7));
      return /\*\*Table projects\*\*/.test(t) ? t : undefined;
    }, 'a table hover on projects');
    assert.match(onProjects, /Row-level security: enabled \(\[20240104000000_secure_projects\.sql\]/);
    assert.match(onProjects, /\*\*not forced\*\*/);
  });
});
