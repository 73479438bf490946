// Helpers for the extension-host suites: they run inside VS Code's (code-server's) extension host,
// so `vscode` is the real API. The workspace is a temporary copy of test/fixtures/workspace.
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

const EXTENSION_ID = 'sql-architect.sql-architect';
const SOURCE = 'sql-architect';

/** Suite output: tagged so the runner can tell it from the workbench's own console messages. */
function log(message) {
  console.log(`[suite] ${message}`);
}

/** The fixture's migrations (test/fixtures/workspace/db/migrations). */
const FILES = {
  tenants: '20240101000000_create_tenants.sql',
  projects: '20240102000000_create_projects.sql',
  documents: '20240103000000_create_documents.sql',
  secureProjects: '20240104000000_secure_projects.sql',
  comments: '20240105000000_create_comments.sql',
  indexDocuments: '20240106000000_index_documents.sql',
  attachments: '20240107000000_create_attachments.sql',
};

function workspaceRoot() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

/** Uri of a migration by its FILES key. */
function migration(key) {
  assert.ok(FILES[key], `unknown fixture file ${key}`);
  return vscode.Uri.file(path.join(workspaceRoot(), 'db', 'migrations', FILES[key]));
}

/** The rule id of a diagnostic: `code` is `{ value, target }` when the server sent a codeDescription. */
function codeOf(d) {
  return d.code && typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

/** SQL Architect's diagnostics of `uri`, optionally only those of one rule. */
function diagnostics(uri, rule) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE && (!rule || codeOf(d) === rule));
}

function describeDiagnostics(uri) {
  return JSON.stringify(diagnostics(uri).map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`));
}

/**
 * Resolves with the first truthy value of `check()` (sync or async), re-checking whenever diagnostics,
 * documents or the configuration change and every 100 ms until `timeoutMs`. Rejects with `what` and the
 * last error `check` threw on timeout. No fixed sleeps: it returns as soon as the condition holds.
 */
function waitFor(check, what, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    let done = false;
    let running = false;
    let lastError;
    const subs = [];
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const s of subs) s.dispose();
      if (err) reject(err);
      else resolve(value);
    };
    const test = async () => {
      if (done || running) return;
      running = true;
      try {
        const value = await check();
        if (value) finish(undefined, value);
      } catch (e) {
        lastError = e;
      } finally {
        running = false;
      }
    };
    subs.push(vscode.languages.onDidChangeDiagnostics(test));
    subs.push(vscode.workspace.onDidChangeTextDocument(test));
    subs.push(vscode.workspace.onDidChangeConfiguration(test));
    const poll = setInterval(test, 100);
    const timer = setTimeout(() => {
      finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`));
    }, timeoutMs);
    void test();
  });
}

/** Waits until `uri` has a diagnostic of `rule`; returns it. */
function waitForDiagnostic(uri, rule, timeoutMs) {
  return waitFor(() => diagnostics(uri, rule)[0], `${rule} on ${path.basename(uri.fsPath)}`, timeoutMs).catch((e) => {
    throw new Error(`${e.message}; diagnostics now: ${describeDiagnostics(uri)}`);
  });
}

/** Waits until `uri` has no diagnostic of `rule`. */
function waitForNoDiagnostic(uri, rule, timeoutMs) {
  return waitFor(() => diagnostics(uri, rule).length === 0, `${rule} to disappear from ${path.basename(uri.fsPath)}`, timeoutMs).catch((e) => {
    throw new Error(`${e.message}; diagnostics now: ${describeDiagnostics(uri)}`);
  });
}

async function openEditor(uri) {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** The code actions VS Code offers for `range` (quick fixes from the server, with the diagnostics in range as context). */
async function codeActions(uri, range, kind) {
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind);
  return (actions || []).filter((a) => a && typeof a.title === 'string');
}

/** Applies the code action whose title starts with `titlePrefix` for the diagnostic; returns the action. */
async function applyQuickFix(uri, diagnostic, titlePrefix) {
  const actions = await codeActions(uri, diagnostic.range);
  const action = actions.find((a) => a.title.startsWith(titlePrefix));
  assert.ok(action, `no action "${titlePrefix}…"; offered: ${actions.map((a) => a.title).join(' | ')}`);
  assert.ok(action.edit, `action "${action.title}" has no edit`);
  assert.equal(await vscode.workspace.applyEdit(action.edit), true, `applyEdit(${action.title}) failed`);
  return action;
}

/** Markdown of all hovers at a position, joined. */
async function hoverText(uri, position) {
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position)) || [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

/** Position of the first occurrence of `needle` (plus `delta` characters) in a document. */
function positionOf(doc, needle, delta = 0) {
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `"${needle}" not in ${doc.uri.fsPath}`);
  return doc.positionAt(offset + delta);
}

module.exports = {
  log, EXTENSION_ID, SOURCE, FILES, workspaceRoot, migration, codeOf, diagnostics, describeDiagnostics, waitFor,
  waitForDiagnostic, waitForNoDiagnostic, openEditor, codeActions, applyQuickFix, hoverText, positionOf,
};
