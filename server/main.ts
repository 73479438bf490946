// The SQL Architect language server: LSP wiring only. `node dist/server.js --stdio` for any LSP client;
// VS Code starts it over IPC. All analysis comes from rules/.
import {
  CodeActionKind, createConnection, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType,
  ProposedFeatures, TextDocumentSyncKind, type Diagnostic, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TextDocuments } from 'vscode-languageserver/node';
import { docsUrl, initParser, type SetResult } from '../rules/index';
import { codeActionsFor, fileToUri, fixAllEdit, toDiagnostic, uriToFile } from './convert';
import { hover } from './hover';
import { DEFAULT_SETTINGS, Workspace, type EditorSettings } from './workspace';
import { registerCustomRequests } from './requests';
import { DatabaseFeatures, registerDatabaseRequests } from './database';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const ws = new Workspace();
const parserReady = initParser();
const db = new DatabaseFeatures(connection, ws);
let canRefreshHints = false;

let canCreateFiles = false;
let clientDocsCommand = false;
let hasConfigurationCapability = false;
let hasWatchedFilesRegistration = false;
let hasProgress = false;
let hasWorkspaceFolders = false;
const published = new Map<string, string>();

const FIX_ALL_KIND = 'source.fixAll.sqlArchitect';

connection.onInitialize((params: InitializeParams): InitializeResult => {
  for (const f of params.workspaceFolders ?? []) ws.folders.push(uriToFile(f.uri));
  if (!ws.folders.length && params.rootUri) ws.folders.push(uriToFile(params.rootUri));
  const caps = params.capabilities;
  canCreateFiles = Boolean(caps.workspace?.workspaceEdit?.documentChanges && caps.workspace.workspaceEdit.resourceOperations?.includes('create'));
  hasConfigurationCapability = Boolean(caps.workspace?.configuration);
  hasWatchedFilesRegistration = Boolean(caps.workspace?.didChangeWatchedFiles?.dynamicRegistration);
  hasProgress = Boolean(caps.window?.workDoneProgress);
  hasWorkspaceFolders = Boolean(caps.workspace?.workspaceFolders);
  canRefreshHints = Boolean(caps.workspace?.inlayHint?.refreshSupport);
  const init = (params.initializationOptions ?? {}) as { clientCommands?: string[]; settings?: Partial<EditorSettings> };
  clientDocsCommand = Boolean(init.clientCommands?.includes('sqlArchitect.showRuleDocs'));
  if (init.settings) ws.settings = { ...DEFAULT_SETTINGS, ...init.settings };
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
      hoverProvider: true,
      inlayHintProvider: true,
      executeCommandProvider: { commands: ['sqlArchitect.server.showRuleDocs', 'sqlArchitect.server.reanalyze'] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'sql-architect', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  if (hasConfigurationCapability) connection.client.register(DidChangeConfigurationNotification.type, undefined);
  if (hasWorkspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
      for (const f of e.added) ws.folders.push(uriToFile(f.uri));
      await parserReady;
      ws.scanFolders((m) => connection.console.warn(m));
      publishAll(ws.analyze());
    });
  }
  if (hasWatchedFilesRegistration) {
    connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*.{sql,pgsql,psql}' }, { globPattern: '**/.sqlarchitect.json' }],
    });
  }
  await parserReady;
  await refreshSettings();
  const progress = hasProgress ? await connection.window.createWorkDoneProgress() : undefined;
  progress?.begin('SQL Architect', 0, 'Reading migrations…');
  status('analysing');
  const count = ws.scanFolders((m) => connection.console.warn(m));
  progress?.report(50, `Analysing ${count} files…`);
  publishAll(ws.analyze());
  progress?.done();
});

async function refreshSettings(): Promise<void> {
  if (!hasConfigurationCapability) return;
  const folder = ws.folders[0];
  const s = (await connection.workspace.getConfiguration({ section: 'sqlArchitect', scopeUri: folder ? fileToUri(folder) : undefined })) as Partial<EditorSettings> | null;
  ws.settings = { ...DEFAULT_SETTINGS, ...(s ?? {}) };
}

function status(state: 'analysing' | 'idle'): void {
  const findings = [...ws.results.values()].reduce((n, r) => n + r.findings.length, 0);
  void connection.sendNotification('sqlArchitect/status', { state, findings, problems: ws.configProblems });
}

/** Publishes diagnostics of the given sets, skipping files whose diagnostics did not change. */
function publishAll(results: SetResult[]): void {
  db.invalidate(results);
  for (const p of ws.configProblems) connection.window.showErrorMessage(`SQL Architect: configuration error: ${p.message}`);
  for (const r of results) {
    const byFile = new Map<string, Diagnostic[]>();
    for (const f of r.files) byFile.set(f.path, []);
    if (ws.settings.enable) for (const f of [...r.findings, ...db.extraDiagnostics(r.id)]) byFile.get(f.file)?.push(toDiagnostic(ws, f));
    for (const [file, diags] of byFile) {
      const visible = ws.settings.scope === 'workspace' || ws.isOpen(file) ? diags : [];
      const uri = fileToUri(file);
      const key = JSON.stringify(visible);
      if (published.get(uri) === key) continue;
      published.set(uri, key);
      void connection.sendDiagnostics({ uri, diagnostics: visible });
    }
  }
  status('idle');
}

// Edits arrive in bursts while typing: analyse once per turn of the event loop, for the files touched.
let pending = new Set<string>();
let scheduled = false;
function schedule(file: string): void {
  pending.add(file);
  if (scheduled) return;
  scheduled = true;
  setImmediate(async () => {
    await parserReady;
    scheduled = false;
    const files = [...pending];
    pending = new Set();
    publishAll(ws.analyze(files));
  });
}

documents.onDidOpen((e) => {
  const file = uriToFile(e.document.uri);
  ws.setOpen(file, e.document.getText());
  schedule(file);
});
documents.onDidChangeContent((e) => {
  const file = uriToFile(e.document.uri);
  ws.setOpen(file, e.document.getText());
  if (ws.settings.run === 'onType') schedule(file);
});
documents.onDidSave((e) => {
  if (ws.settings.run === 'onSave') schedule(uriToFile(e.document.uri));
});
documents.onDidClose((e) => {
  const file = uriToFile(e.document.uri);
  ws.close(file);
  ws.readFromDisk(file);
  schedule(file);
});

connection.onDidChangeWatchedFiles(async (params) => {
  await parserReady;
  let configChanged = false;
  const touched: string[] = [];
  for (const c of params.changes) {
    const file = uriToFile(c.uri);
    if (file.endsWith('.sqlarchitect.json')) { configChanged = true; continue; }
    if (c.type === FileChangeType.Deleted) {
      ws.removeFromDisk(file);
      if (!ws.isOpen(file)) {
        published.delete(c.uri);
        void connection.sendDiagnostics({ uri: c.uri, diagnostics: [] });
      }
    } else ws.readFromDisk(file);
    touched.push(file);
  }
  publishAll(configChanged ? ws.analyze() : ws.analyze(touched));
});

connection.onDidChangeConfiguration(async () => {
  await parserReady;
  await refreshSettings();
  publishAll(ws.analyze());
});


connection.onCodeAction((params) => {
  const file = uriToFile(params.textDocument.uri);
  const only = params.context.only;
  if (only && only.some((k) => FIX_ALL_KIND.startsWith(k) || k === CodeActionKind.SourceFixAll)) {
    const result = ws.resultFor(file);
    const edit = result ? fixAllEdit(ws, file, result.findings, canCreateFiles) : undefined;
    return edit ? [{ title: 'Fix all safe SQL Architect problems', kind: FIX_ALL_KIND, edit }] : [];
  }
  const actions = params.context.diagnostics.flatMap((d) => codeActionsFor(params.textDocument.uri, d, { canCreateFiles, clientDocsCommand }));
  // Several findings can share a line: offer every fix first (tenancy and security before locking and design,
  // the preferred one of each first), then the ignore actions, then the documentation links.
  const rank = (a: (typeof actions)[number]) => {
    const rule = String(a.diagnostics?.[0]?.code ?? '');
    const kind = a.command ? 3 : a.title.startsWith('Ignore ') ? 2 : 1;
    const area = /tenant|rls|policy|sensitive|security|grant/.test(rule) ? 0 : rule === 'require-lock-timeout' ? 2 : 1;
    return kind * 10 + (kind === 1 ? area : 0) + (a.isPreferred ? 0 : 0.5);
  };
  return actions.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map((x) => x.a);
});

connection.onHover((params) => {
  const file = uriToFile(params.textDocument.uri);
  const id = ws.setIdOf(file);
  if (!id) return null;
  const offset = ws.lineIndex(file).offset(params.position.line, params.position.character);
  return hover(ws, file, offset, ws.configFor(id).tenantColumns);
});

connection.onExecuteCommand(async (params) => {
  if (params.command === 'sqlArchitect.server.showRuleDocs') {
    const rule = String(params.arguments?.[0] ?? '');
    await connection.window.showDocument({ uri: docsUrl(rule), external: true });
  }
  if (params.command === 'sqlArchitect.server.reanalyze') {
    ws.scanFolders((m) => connection.console.warn(m));
    publishAll(ws.analyze());
  }
});

registerCustomRequests(connection, ws, () => parserReady, (results) => publishAll(results), () => db.measured(), () => db.proved());
registerDatabaseRequests(connection, db, () => parserReady, () => publishAll([...ws.results.values()]), () => canRefreshHints);

documents.listen(connection);
connection.listen();
