// The SQL Architect language server: LSP wiring only. `node dist/server.js --stdio` for any LSP client;
// VS Code starts it over stdio too (client/extension.ts). All analysis comes from rules/.
import v8 from 'node:v8';
import {
  CodeActionKind, CodeActionTriggerKind, createConnection, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType,
  MessageType, ProposedFeatures, type MessageReader, ShowMessageNotification, TextDocumentSyncKind, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TextDocuments } from 'vscode-languageserver/node';
import { BASELINE_FILE, docsUrl, fixPriority, type Finding, type SetResult } from '../rules/index';
import { startParser } from '../io/parser';
import { FIX_ALL_KIND, ServerCommands, SHOW_RULE_DOCS_COMMAND, StatusNotification, type EditorSettings, type InitializationOptions } from '../protocol/index';
import { actionTarget, codeActionsFor, fileToUri, fixAllEdit, MAX_DIAGNOSTICS_PER_FILE, OLDER_MIGRATION_NOTE, overflowDiagnostic, sameAsShown, shownOf, toDiagnostic, uriToFile, type Shown } from './convert';
import { hover } from './hover';
import { Workspace } from './workspace';
import { MigrationHistory } from './history';
import { registerCustomRequests } from './requests';
import { DatabaseFeatures, registerDatabaseRequests } from './database';
import { BaselineHints } from './baseline';
import { LiveSchemas } from './live-schema';
import { consoleToClient, StringMessageWriter } from './stdio-writer';

// The server lives long and re-analyses on every keystroke: a small live heap (about 30 MB after a 1,000-table
// migration) and tens of megabytes of garbage per analysis. V8 by default lets the old generation grow to several
// times what is live before collecting it (281 MB peak on the benchmark's edits, 357–441 MB editing PostgreSQL's
// regression suite). Growing it by 75 % of what is live at most keeps the peak at about 195 and 232 MB, for about
// 5 % more time per edit on the 1,000-table file and none measurable on the regression suite (README, "Performance").
v8.setFlagsFromString('--heap-growing-percent=75');

// Over --stdio the server writes its own messages (server/stdio-writer.ts); the other transports are the library's.
// Standard input is passed as the stream it is, as the library does for --stdio (it then also exits when the client
// closes it); the library takes a stream or a reader on each side, which its typings do not combine.
const stdio = process.argv.includes('--stdio');
const connection = stdio
  ? createConnection(ProposedFeatures.all, process.stdin as unknown as MessageReader, new StringMessageWriter(process.stdout))
  : createConnection(ProposedFeatures.all);
if (stdio) consoleToClient(connection.console);
const documents = new TextDocuments(TextDocument);
const ws = new Workspace();
/** Which migrations may have run (committed, not the newest): their quick fixes say so, fix-all on save skips them. */
const history = new MigrationHistory();
const parserReady = startParser();
const db = new DatabaseFeatures(connection, ws);
const live = new LiveSchemas(ws);
const baselines = new BaselineHints((m) => void connection.window.showWarningMessage(`SQL Architect: ${m}`));
let canRefreshHints = false;

let canCreateFiles = false;
let clientDocsCommand = false;
let hasConfigurationCapability = false;
let hasWatchedFilesRegistration = false;
let hasProgress = false;
let hasWorkspaceFolders = false;
/** Per URI, what was last published: the file's text then, and (when its text had not changed) what its diagnostics showed. */
const published = new Map<string, { text: string | undefined; shown?: Shown }>();
// Diagnostics wait until the workspace has been read: a file's findings depend on the rest of its migration set
// (a table created here may get row-level security in a later migration), so a document opened during start-up is
// not analysed alone.
let workspaceRead!: () => void;
const initialScan = new Promise<void>((resolve) => { workspaceRead = resolve; });
const ready = () => Promise.all([parserReady, initialScan]).then(() => undefined);
/** Initialization settings: the defaults of every folder when the client has no `workspace/configuration`. */
let initSettings: Partial<EditorSettings> = {};

connection.onInitialize((params: InitializeParams): InitializeResult => {
  for (const f of params.workspaceFolders ?? []) ws.addFolder(uriToFile(f.uri));
  if (!ws.folders.length && params.rootUri) ws.addFolder(uriToFile(params.rootUri));
  const caps = params.capabilities;
  canCreateFiles = Boolean(caps.workspace?.workspaceEdit?.documentChanges && caps.workspace.workspaceEdit.resourceOperations?.includes('create'));
  hasConfigurationCapability = Boolean(caps.workspace?.configuration);
  hasWatchedFilesRegistration = Boolean(caps.workspace?.didChangeWatchedFiles?.dynamicRegistration);
  hasProgress = Boolean(caps.window?.workDoneProgress);
  hasWorkspaceFolders = Boolean(caps.workspace?.workspaceFolders);
  canRefreshHints = Boolean(caps.workspace?.inlayHint?.refreshSupport);
  const init = (params.initializationOptions ?? {}) as InitializationOptions;
  clientDocsCommand = Boolean(init.clientCommands?.includes(SHOW_RULE_DOCS_COMMAND));
  initSettings = init.settings ?? {};
  ws.setSettings(initSettings);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
      hoverProvider: true,
      inlayHintProvider: true,
      executeCommandProvider: { commands: Object.values(ServerCommands) },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'sql-architect', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  if (hasConfigurationCapability) connection.client.register(DidChangeConfigurationNotification.type, undefined);
  if (hasWorkspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
      for (const f of e.removed) ws.removeFolder(uriToFile(f.uri));
      for (const f of e.added) ws.addFolder(uriToFile(f.uri));
      await parserReady;
      await refreshSettings();
      ws.scanFolders((m) => connection.console.warn(m));
      publishAll(ws.analyze(), true);
    });
  }
  if (hasWatchedFilesRegistration) {
    connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*.{sql,pgsql,psql}' }, { globPattern: '**/.sqlarchitect.json' }, { globPattern: `**/${BASELINE_FILE}` }],
    });
  }
  try {
    await parserReady;
    await refreshSettings();
    const progress = hasProgress ? await connection.window.createWorkDoneProgress() : undefined;
    progress?.begin('SQL Architect', 0, 'Reading migrations…');
    status('analysing');
    const count = ws.scanFolders((m) => connection.console.warn(m));
    progress?.report(50, `Analysing ${count} files…`);
    // The migration sets of the files already open come first (whole, since every file has been read): in a large
    // workspace their diagnostics need not wait for the other sets. The full analysis then reuses them.
    const open = ws.openFiles();
    if (open.length) {
      // Written out before the rest of the analysis holds the event loop.
      await publishAll(ws.analyze(open, { incremental: false }), false, false);
    }
    // Written out before anything else runs: the incremental analysis of an open file's set (its didOpen, queued
    // behind start-up) would otherwise hold the event loop while a large file's diagnostics wait in the pipe.
    await publishAll(ws.analyze(undefined, { incremental: false }), true);
    progress?.done();
  } finally {
    workspaceRead();
  }
  void refreshLiveSchemas();
});

/** Reads the live databases the settings name, in the background; the review is redone when one arrives or fails. */
function refreshLiveSchemas(force = false): Promise<void> {
  return live.refresh(force).then((changed) => { if (changed) publishAll(ws.analyze(), true); }, (e) => connection.console.error(`live schema: ${(e as Error).message}`));
}

/** Settings are resource-scoped: one `workspace/configuration` item per workspace folder, plus the unscoped one. */
async function refreshSettings(): Promise<void> {
  if (!hasConfigurationCapability) return;
  const folders = [...ws.folders];
  const items = [{ section: 'sqlArchitect' }, ...folders.map((f) => ({ section: 'sqlArchitect', scopeUri: fileToUri(f) }))];
  const [defaults, ...perFolder] = (await connection.workspace.getConfiguration(items)) as (Partial<EditorSettings> | null)[];
  ws.setSettings({ ...initSettings, ...(defaults ?? {}) }, new Map(folders.map((f, i) => [f, { ...initSettings, ...(perFolder[i] ?? {}) }])));
}

function status(state: 'analysing' | 'idle'): void {
  const findings = [...ws.results.values()].reduce((n, r) => n + r.findings.length, 0);
  const databases = live.inUse();
  void connection.sendNotification(StatusNotification, { state, findings, problems: ws.configProblems, ...(databases.length ? { databases } : {}) });
}

/** Configuration problems already shown: each is shown once, until it is fixed. */
let shownProblems = new Set<string>();

/**
 * Publishes diagnostics of the given sets, skipping files whose diagnostics did not change. After a full analysis
 * (`all`), files no set analyses any more (deleted, or left out by the globs) lose their diagnostics. `idle` false:
 * more analysis follows at once, so the status stays "analysing".
 */
function publishAll(results: SetResult[], all = false, idle = true): Promise<unknown> {
  const sent: Promise<void>[] = [];
  db.invalidate(results);
  const problems = new Set(ws.configProblems.map((p) => p.message));
  // A notification, not window/showMessageRequest: nothing to answer, and every client shows it.
  for (const p of problems) {
    if (!shownProblems.has(p)) void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `SQL Architect: configuration error: ${p}` });
  }
  shownProblems = problems;
  const seen = new Set<string>();
  for (const r of results) {
    const byFile = new Map<string, Finding[]>();
    for (const f of r.files) byFile.set(f.path, []);
    for (const f of [...r.findings, ...db.extraDiagnostics(r.id)]) byFile.get(f.file)?.push(f);
    const baselined = baselines.baselined(r);
    for (const [file, findings] of byFile) {
      const settings = ws.settingsFor(file);
      const visible = settings.enable && (settings.scope === 'workspace' || ws.isOpen(file)) ? findings : [];
      const shown = visible.length > MAX_DIAGNOSTICS_PER_FILE ? visible.slice(0, MAX_DIAGNOSTICS_PER_FILE) : visible;
      const uri = fileToUri(file);
      seen.add(uri);
      // A file whose text changed since its last diagnostics is being typed in: they are sent without comparing them.
      const text = ws.text(file);
      const last = published.get(uri);
      const overflowAt = visible[shown.length]?.start;
      if (last?.shown && last.text === text && sameAsShown(ws, last.shown, shown, baselined, visible.length, overflowAt)) continue;
      // The file being typed in is not compared next time (its text changes again), so what it showed is not kept.
      published.set(uri, { text, ...(!last || last.text === text ? { shown: shownOf(ws, shown, baselined, visible.length, overflowAt) } : {}) });
      const diags = shown.map((f) => toDiagnostic(ws, f, baselined.has(f)));
      if (visible.length > shown.length) diags.push(overflowDiagnostic(ws, file, visible[shown.length], visible.length - shown.length));
      sent.push(connection.sendDiagnostics({ uri, diagnostics: diags }));
    }
  }
  if (all) {
    for (const uri of [...published.keys()]) {
      if (seen.has(uri)) continue;
      published.delete(uri);
      sent.push(connection.sendDiagnostics({ uri, diagnostics: [] }));
    }
  }
  if (idle) status('idle');
  return Promise.all(sent);
}

// Edits arrive in bursts while typing: analyse once per turn of the event loop, for the files touched.
let pending = new Set<string>();
let scheduled = false;
function schedule(file: string): void {
  pending.add(file);
  if (scheduled) return;
  scheduled = true;
  setImmediate(async () => {
    await ready();
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
  if (ws.settingsFor(file).run === 'onType') schedule(file);
});
documents.onDidSave((e) => {
  const file = uriToFile(e.document.uri);
  if (ws.settingsFor(file).run === 'onSave') schedule(file);
});
documents.onDidClose((e) => {
  const file = uriToFile(e.document.uri);
  ws.close(file);
  ws.readFromDisk(file);
  schedule(file);
});

connection.onDidChangeWatchedFiles(async (params) => {
  await ready();
  history.forget();
  let configChanged = false;
  let baselineChanged = false;
  const touched: string[] = [];
  for (const c of params.changes) {
    const file = uriToFile(c.uri);
    if (file.endsWith('.sqlarchitect.json')) { configChanged = true; continue; }
    if (file.endsWith(BASELINE_FILE)) { baselineChanged = true; continue; }
    if (c.type === FileChangeType.Deleted) {
      ws.removeFromDisk(file);
      if (!ws.isOpen(file)) {
        published.delete(c.uri);
        void connection.sendDiagnostics({ uri: c.uri, diagnostics: [] });
      }
    } else ws.readFromDisk(file);
    touched.push(file);
  }
  if (baselineChanged) baselines.invalidate();
  const analysed = configChanged ? ws.analyze() : ws.analyze(touched);
  publishAll(baselineChanged ? [...ws.results.values()] : analysed, configChanged);
});

connection.onDidChangeConfiguration(async () => {
  await ready();
  await refreshSettings();
  publishAll(ws.analyze(), true);
  void refreshLiveSchemas();
});


connection.onCodeAction((params) => {
  const file = uriToFile(params.textDocument.uri);
  const only = params.context.only;
  if (only && only.some((k) => FIX_ALL_KIND.startsWith(k) || k === CodeActionKind.SourceFixAll)) {
    const result = ws.resultFor(file);
    // On save (an automatic request), a migration which may have run is left alone: saving it is no choice to change
    // what it does. Asked for (the Apply Safe Fixes command, the source action menu), it is fixed, and said so.
    const older = result !== undefined && history.mayHaveRun(result.id, result.files, file);
    if (older && params.context.triggerKind === CodeActionTriggerKind.Automatic) return [];
    const edit = result ? fixAllEdit(ws, file, result.findings, canCreateFiles) : undefined;
    return edit ? [{ title: `Fix all safe SQL Architect problems${older ? OLDER_MIGRATION_NOTE : ''}`, kind: FIX_ALL_KIND, edit }] : [];
  }
  // The fixes of each diagnostic are built now, from the finding it was made from (diagnostics do not carry them).
  const result = ws.resultFor(file);
  const findings = result ? [...result.findings, ...db.extraDiagnostics(result.id)] : [];
  const older = result !== undefined && params.context.diagnostics.length > 0 && history.mayHaveRun(result.id, result.files, file);
  const actions = params.context.diagnostics.flatMap((d) => codeActionsFor(params.textDocument.uri, d, { canCreateFiles, clientDocsCommand }, actionTarget(ws, file, findings, d, older)));
  // Several findings can share a line: offer every fix first (tenancy and security before locking and design,
  // the preferred one of each first), then the ignore actions, then the documentation links.
  const rank = (a: (typeof actions)[number]) => {
    const rule = String(a.diagnostics?.[0]?.code ?? '');
    const kind = a.command ? 3 : a.title.startsWith('Ignore ') ? 2 : 1;
    return kind * 10 + (kind === 1 ? fixPriority(rule) : 0) + (a.isPreferred ? 0 : 0.5);
  };
  return actions.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map((x) => x.a);
});

connection.onHover((params) => {
  const file = uriToFile(params.textDocument.uri);
  const id = ws.setIdOf(file);
  if (!id) return null;
  const offset = ws.lineIndex(file).offset(params.position.line, params.position.character);
  return hover(ws, file, offset, ws.configOf(id));
});

connection.onExecuteCommand(async (params) => {
  if (params.command === ServerCommands.showRuleDocs) {
    const rule = String(params.arguments?.[0] ?? '');
    await connection.window.showDocument({ uri: docsUrl(rule), external: true });
  }
  if (params.command === ServerCommands.reanalyze) {
    ws.scanFolders((m) => connection.console.warn(m));
    await live.refresh(true);
    publishAll(ws.analyze(), true);
  }
});

registerCustomRequests(connection, ws, ready, (results) => publishAll(results, true), () => db.measured(), () => db.proved(), () => live.refresh(true));
registerDatabaseRequests(connection, db, ready, () => publishAll([...ws.results.values()]), () => canRefreshHints);

documents.listen(connection);
connection.listen();
