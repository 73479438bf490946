// The report in real VS Code (code-server + chromium): Show Design Review Report renders the webview, a click on a
// link in it opens the migration at the line, and Export Report… writes every format. Skipped when the editor test
// tools are not installed (scripts/install-test-tools.sh).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromiumPath, codeServerPath, launchChromium, makeScratchDir, removeScratchDir, startCodeServer, workbenchUrl, type CodeServer } from './editors/code-server';
import { ROOT } from './helpers';

const EVIL = '<img src=x onerror=alert(1)>';

const WORKSPACE: Record<string, string> = {
  'db/migrations/001_tenants.sql': '-- Mandanten 🏢\nCREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);\n',
  'db/migrations/002_documents.sql': 'CREATE TABLE documents (\n  id bigint PRIMARY KEY,\n  tenant_id uuid NOT NULL REFERENCES tenants (id),\n  ssn text\n);\n',
  'db/migrations/003_evil.sql': `CREATE TABLE "${EVIL}" (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, "<script>alert(1)</script>" text);\n`,
};

// Runs inside the extension host (plain JS, `require('vscode')`). Logs REPORT-READY once the panel shows, then waits
// for the outer test to click a link in the webview and checks the editor that opens.
const EXTHOST_TEST = String.raw`
const vscode = require('vscode');
const assert = require('assert');
const fs = require('fs');
const path = require('path');

function waitFor(event, pred, what, ms) {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const timer = setTimeout(() => { sub.dispose(); reject(new Error('timed out waiting for ' + what)); }, ms);
    const sub = event(() => { if (pred()) { clearTimeout(timer); sub.dispose(); resolve(); } });
  });
}

exports.run = async function () {
  const ws = vscode.workspace.workspaceFolders[0].uri.fsPath;
  const docs = vscode.Uri.file(path.join(ws, 'db/migrations/002_documents.sql'));
  await vscode.extensions.getExtension('sql-architect.sql-architect').activate();
  await waitFor(vscode.languages.onDidChangeDiagnostics, () => vscode.languages.getDiagnostics(docs).some((d) => d.code && (d.code.value || d.code) === 'require-tenant-rls'), 'diagnostics on documents', 60000);

  const html = await vscode.commands.executeCommand('sqlArchitect.showReport');
  assert.strictEqual(typeof html, 'string', 'showReport returns the panel HTML');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(csp && /^default-src 'none'; style-src \S+ 'nonce-[A-Za-z0-9+/=]+'; script-src 'nonce-[A-Za-z0-9+/=]+'/.test(csp[1]), csp && csp[1]);
  const nonce = /'nonce-([^']+)'/.exec(csp[1])[1];
  for (const s of html.match(/<script\b[^>]*>/g)) assert.strictEqual(s, '<script nonce="' + nonce + '">');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped table name');
  assert.ok(!html.includes('<img src=x') && !html.includes('<script>alert(1)'), 'no raw HTML from names');
  assert.ok(html.includes('data-file="' + docs.toString() + '"'), 'links carry the file URI');
  const reportTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('sqlArchitect.report'));
  await waitFor(vscode.window.tabGroups.onDidChangeTabs, () => Boolean(reportTab()), 'a report tab', 30000);

  for (const [format, check] of [['md', '## Tenant isolation'], ['html', '<!DOCTYPE html>'], ['sarif', '"version": "2.1.0"'], ['json', '"version": 1']]) {
    const target = vscode.Uri.file(path.join(ws, 'out', 'report.' + format));
    const written = await vscode.commands.executeCommand('sqlArchitect.exportReport', { format, uri: target.toString() });
    assert.strictEqual(written, target.toString());
    const text = fs.readFileSync(target.fsPath, 'utf8');
    assert.ok(text.includes(check), format + ': ' + text.slice(0, 200));
  }
  const md = fs.readFileSync(path.join(ws, 'out/report.md'), 'utf8');
  assert.ok(md.includes('](../db/migrations/002_documents.sql#L1)'), 'export links are relative to the export');

  // The outer test clicks the first link to documents (line 1) in the webview.
  await vscode.commands.executeCommand('sqlArchitect.showReport');
  const opened = waitFor(vscode.window.onDidChangeActiveTextEditor, () => {
    const e = vscode.window.activeTextEditor;
    return Boolean(e && e.document.uri.toString() === docs.toString());
  }, 'the click to open documents', 60000);
  console.log('REPORT-READY');
  await opened;
  const editor = vscode.window.activeTextEditor;
  assert.strictEqual(editor.selection.active.line, 2, 'the tenant column link opens line 3');
  console.log('REPORT-OK');
};
`;

function remoteUri(serverUrl: string, absPath: string): string {
  return `vscode-remote://${new URL(serverUrl).host}${path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/')}`;
}

describe('design review report in VS Code (code-server)', function () {
  this.timeout(240_000);
  let server: CodeServer | undefined;
  let scratch: string;

  before(async function () {
    if (!codeServerPath() || !chromiumPath()) {
      // code-server and Chromium come from scripts/install-test-tools.sh (CI runs it); without them there is no VS Code to drive.
      console.log('SKIPPED: code-server not installed (run scripts/install-test-tools.sh)');
      this.skip();
    }
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/extension.js')), 'dist/extension.js is built by `npm test`');
    scratch = makeScratchDir('sqla-report-');
    for (const [p, text] of Object.entries(WORKSPACE)) {
      fs.mkdirSync(path.dirname(path.join(scratch, 'ws', p)), { recursive: true });
      fs.writeFileSync(path.join(scratch, 'ws', p), text);
    }
    fs.mkdirSync(path.join(scratch, 'exthost'));
    fs.writeFileSync(path.join(scratch, 'exthost', 'index.js'), EXTHOST_TEST);
    server = await startCodeServer({ workspace: path.join(scratch, 'ws') });
  });
  after(async () => {
    await server?.stop();
    if (scratch) removeScratchDir(scratch);
  });

  it('shows the report, opens a migration at the line from a link, exports every format', async () => {
    const url = server!.url;
    const session = await launchChromium();
    const log: string[] = [];
    try {
      const page = await session.browser.newPage({ viewport: { width: 1400, height: 900 } });
      let dialogs = 0;
      page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
      let exit!: (code: number | string) => void;
      const exited = new Promise<number | string>((r) => (exit = r));
      let ready!: () => void;
      const readyP = new Promise<void>((r) => (ready = r));
      await page.exposeFunction('codeAutomationExit', (code: unknown) => exit(typeof code === 'number' ? code : String(code)));
      await page.exposeFunction('codeAutomationLog', (_type: unknown, args: unknown) => {
        const line = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
        log.push(line);
        if (line.includes('REPORT-READY')) ready();
      });
      const payload: [string, string][] = [
        ['extensionDevelopmentPath', remoteUri(url, ROOT)],
        ['extensionTestsPath', remoteUri(url, path.join(scratch, 'exthost'))],
      ];
      await page.goto(workbenchUrl(url, path.join(scratch, 'ws'), payload), { timeout: 60_000 });
      const outcome = await Promise.race([readyP.then(() => 'ready' as const), exited]);
      assert.equal(outcome, 'ready', `the extension host test ended early (exit ${outcome}):\n${log.slice(-40).join('\n')}`);

      // The webview: VS Code's outer iframe, then the content frame.
      const content = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      const evil = content.locator('table.matrix td', { hasText: EVIL });
      await evil.first().waitFor({ timeout: 30_000 });
      assert.equal(await content.locator('img').count(), 0, 'no <img> element from a table name');
      if (process.env.SQLA_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.SQLA_SCREENSHOTS, 'report-webview.png') });
      const link = content.locator('table.matrix a[data-file$="002_documents.sql"][data-line="3"]').first();
      await link.click();
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<string>((r) => { timer = setTimeout(() => r('timeout'), 90_000); })]);
      clearTimeout(timer);
      assert.equal(code, 0, log.slice(-40).join('\n'));
      assert.ok(log.some((l) => l.includes('REPORT-OK')), 'the extension host test ran to the end');
      assert.equal(dialogs, 0, 'no alert() ran');
    } finally {
      await session.close();
    }
  });
});
