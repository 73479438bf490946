// A minimal LSP client over stdio for protocol tests and the benchmark: real JSON-RPC to dist/server.js.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { URI } from 'vscode-uri';

export interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number; code?: string; source?: string; message: string;
  codeDescription?: { href: string };
  relatedInformation?: { location: { uri: string; range: Diag['range'] }; message: string }[];
  data?: unknown;
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly diagnostics = new Map<string, Diag[]>();
  /** How many times the diagnostics of each URI were published. */
  readonly publishes = new Map<string, number>();
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  stderr = '';

  /** `env`: settings for the server's process, over this process's environment. */
  constructor(serverPath = path.resolve(__dirname, '../dist/server.js'), env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.proc.stderr!.on('data', (d) => { this.stderr += String(d); });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.publishes.set(p.uri, (this.publishes.get(p.uri) ?? 0) + 1);
      this.check();
    });
    this.conn.onNotification((method: string, params: unknown) => { this.notifications.push({ method, params }); this.check(); });
    this.conn.onRequest('workspace/configuration', (p: { items: { scopeUri?: string }[] }) =>
      p.items.map((item) => (item.scopeUri !== undefined && this.folderSettings.get(item.scopeUri)) || this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('workspace/applyEdit', () => ({ applied: true }));
    this.conn.listen();
  }

  /** What `workspace/configuration` answers: per folder URI (resource-scoped settings), else `settings`. */
  settings: Record<string, unknown> = {};
  readonly folderSettings = new Map<string, Record<string, unknown>>();

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      if (w.pred()) { w.resolve(); return false; }
      return true;
    });
  }

  /** Resolves when `pred` holds after a notification, or rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({ pred, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  /** Opens one workspace folder, or several (a multi-root workspace). */
  async initialize(folder: string | string[], capabilities: Record<string, unknown> = {}, initializationOptions: Record<string, unknown> = {}): Promise<unknown> {
    const folders = typeof folder === 'string' ? [folder] : folder;
    const result = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: URI.file(folders[0]).toString(),
      workspaceFolders: folders.map((f) => ({ uri: URI.file(f).toString(), name: path.basename(f) })),
      capabilities: {
        workspace: { configuration: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] }, didChangeWatchedFiles: { dynamicRegistration: true } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['markdown'] } },
        ...capabilities,
      },
      initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  open(file: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: URI.file(file).toString(), languageId: 'sql', version, text } });
  }

  change(file: string, text: string, version: number): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: URI.file(file).toString(), version }, contentChanges: [{ text }] });
  }

  diags(file: string): Diag[] {
    return this.diagnostics.get(URI.file(file).toString()) ?? [];
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch { /* the server may already be gone */ }
    this.conn.dispose();
    this.proc.kill();
  }
}

export function uri(file: string): string {
  return URI.file(file).toString();
}
