// Embedded PostgreSQL from the language server: lock trace (inlay hints + migration-fails diagnostics) and
// the tenant-isolation proof. The engine runs in a worker thread, so the server stays responsive.
import fs from 'node:fs';
import path from 'node:path';
import { InlayHint, InlayHintKind, ResponseError, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import { PgEngine, type ExecStatement, type IsolationResult, type TraceEntry } from '../pg/index';
import { fileStatements, isolationTables, migrationFailures, replayStatements, tookBlockingLock } from '../pg/from-analysis';
import { isolationLine, isolationSummary, type Finding, type ReportOptions, type SetResult, type VerdictLine } from '../rules/index';
import { TraceRequest, VerifyIsolationRequest, type TraceResult, type VerifyIsolationResult } from '../protocol/index';
import { readSqlFile } from '../io/files';
import { findConfig } from '../io/config';
import { fileToUri, toDiagnostic, uriToFile } from './convert';
import type { Workspace } from './workspace';

export class DatabaseFeatures {
  private engine: PgEngine | undefined;
  /** Trace entries per file, from the last trace of its set. */
  readonly traces = new Map<string, TraceEntry[]>();
  /** migration-fails findings per set, until a file of the set changes. */
  readonly failures = new Map<string, Finding[]>();
  /** The file texts the trace of a set was taken on: hints are dropped when the text changes. */
  private readonly tracedTexts = new Map<string, string>();
  /** The last isolation proof per set, with the texts it was run on. */
  private readonly proofs = new Map<string, { tables: IsolationResult[]; texts: Map<string, string> }>();

  constructor(private readonly connection: Connection, private readonly ws: Workspace) {}

  private engineUrl: string | undefined;

  /** The engine for a set: the server in its folder's `sqlArchitect.databaseUrl`, else embedded PGlite. */
  private getEngine(setId: string): PgEngine {
    const url = this.ws.settingsFor(setId).databaseUrl || undefined;
    if (this.engine && this.engineUrl !== url) void this.engine.close().catch(() => undefined);
    if (!this.engine || this.engineUrl !== url) {
      // The default .vsix leaves PGlite out (5 MB budget): say what to do instead of failing obscurely.
      if (!url && !fs.existsSync(path.join(__dirname, 'pglite.wasm')) && !canResolvePglite()) {
        throw new ResponseError(1, 'Embedded PostgreSQL (PGlite) is not part of this package. Set "sqlArchitect.databaseUrl" to a PostgreSQL server, or install the full package (npm run package:full).');
      }
      this.engine = new PgEngine({ keepWarm: !url, statementTimeoutMs: 60000, databaseUrl: url });
      this.engineUrl = url;
    }
    return this.engine;
  }

  async close(): Promise<void> {
    await this.engine?.close();
    this.engine = undefined;
  }

  /** Forgets trace results of files whose text changed since they were traced. */
  invalidate(results: SetResult[]): void {
    for (const r of results) {
      const stale = r.files.some((f) => this.tracedTexts.has(f.path) && this.tracedTexts.get(f.path) !== f.text);
      if (!stale) continue;
      this.failures.delete(r.id);
      for (const f of r.files) { this.traces.delete(f.path); this.tracedTexts.delete(f.path); }
    }
  }

  /** The last trace as plain rows for the report (only files whose text did not change since). */
  measured(): { file: string; line: number; sql: string; locks: { relation: string; mode: string }[]; rewrites: string[]; ms: number; error?: string }[] | undefined {
    if (this.traces.size === 0) return undefined;
    return [...this.traces.values()].flat().map((e) => ({
      file: e.file, line: e.line, sql: e.sql, rewrites: e.rewrites, ms: e.ms,
      locks: e.locks.filter((l) => !l.created && l.kind === 'table').map((l) => ({ relation: l.relation, mode: l.mode })),
      error: e.error ? `${e.error.message}${e.error.code ? ` (SQLSTATE ${e.error.code})` : ''}` : undefined,
    }));
  }

  extraDiagnostics(setId: string): Finding[] {
    return this.failures.get(setId) ?? [];
  }

  async trace(file?: string): Promise<TraceResult> {
    const sets = file ? [this.ws.resultFor(file)].filter((s): s is SetResult => Boolean(s)) : [...this.ws.results.values()];
    let statements = 0;
    let blocking = 0;
    for (const set of sets) {
      const entries = await this.getEngine(set.id).traceStatements(replayStatements(set));
      for (const f of set.files) { this.traces.set(f.path, []); this.tracedTexts.set(f.path, f.text); }
      for (const e of entries) this.traces.get(e.file)?.push(e);
      this.failures.set(set.id, migrationFailures(set, entries));
      statements += entries.length;
      blocking += entries.filter(tookBlockingLock).length;
    }
    const failures = sets.reduce((n, s) => n + (this.failures.get(s.id)?.length ?? 0), 0);
    return { statements, failures, blocking, files: sets.flatMap((s) => s.files.map((f) => fileToUri(f.path))) };
  }

  async verifyIsolation(file?: string): Promise<VerifyIsolationResult> {
    const sets = file ? [this.ws.resultFor(file)].filter((s): s is SetResult => Boolean(s)) : [...this.ws.results.values()];
    const tables: VerdictLine[] = [];
    for (const set of sets) {
      const config = this.ws.configOf(set.id);
      const t = isolationTables(set, config);
      if (!t.length) continue;
      const r = await this.getEngine(set.id).verifyIsolation(replayStatements(set), {
        tenantSetting: config.tenantSetting, tenantContext: config.tenantContext, tenantColumns: config.tenantColumns,
        seed: this.seed(set.id, config.isolationSeed), tables: t,
      });
      this.proofs.set(set.id, { tables: r.tables, texts: new Map(set.files.map((f) => [f.path, f.text])) });
      tables.push(...r.tables.map((x) => (sets.length > 1 ? { ...x, set: set.id } : x)));
    }
    return { tables, lines: tables.map(isolationLine), summary: isolationSummary(tables) };
  }

  /** The isolationSeed file of a set (relative to its .sqlarchitect.json); unreadable: none, with a warning. */
  private seed(setId: string, seed: string | undefined): ExecStatement[] {
    if (!seed) return [];
    const config = findConfig(setId);
    const file = path.resolve(config ? path.dirname(config) : setId, seed);
    const r = readSqlFile(file);
    if (r.problem) this.connection.console.warn(`${file} (isolationSeed): ${r.problem}`);
    return r.text === undefined ? [] : fileStatements(file, r.text);
  }

  /** The last isolation proof for the report's tenant matrix (sets whose files did not change since). */
  proved(): ReportOptions['isolation'] {
    if (this.proofs.size === 0) return undefined;
    const out: NonNullable<ReportOptions['isolation']> = [];
    for (const [setId, proof] of this.proofs) {
      const current = this.ws.results.get(setId);
      if (!current || current.files.some((f) => proof.texts.get(f.path) !== f.text)) continue;
      for (const t of proof.tables) out.push({ setId, table: t.table, tenantColumn: t.tenantColumn, perUser: t.perUser, status: t.status, details: t.details });
    }
    return out;
  }

  /** One hint at the end of each traced statement's first line: the locks PostgreSQL took, rewrites, time. */
  inlayHints(uri: string): InlayHint[] {
    const file = uriToFile(uri);
    const entries = this.traces.get(file);
    const text = this.ws.text(file);
    if (!entries || text === undefined || this.tracedTexts.get(file) !== text) return [];
    const lines = text.split('\n');
    return entries.map((e) => {
      const line = e.line - 1;
      const locks = e.locks.filter((l) => !l.created && l.kind === 'table').map((l) => `${l.mode.replace(/Lock$/, '')} on ${l.relation}`);
      const label = e.error ? `✘ ${e.error.message}` : `🔒 ${locks.join(', ') || 'no blocking lock'}${e.rewrites.length ? ` · rewrites ${e.rewrites.join(', ')}` : ''} · ${e.ms.toFixed(1)} ms`;
      return { position: { line, character: lines[line]?.length ?? 0 }, label: ` ${label}`, kind: InlayHintKind.Type, paddingLeft: true };
    });
  }

  diagnosticsFor(setId: string): Diagnostic[] {
    return this.extraDiagnostics(setId).map((f) => toDiagnostic(this.ws, f));
  }
}

export function registerDatabaseRequests(connection: Connection, db: DatabaseFeatures, ready: () => Promise<void>, republish: () => void, canRefreshHints: () => boolean): void {
  connection.onRequest(TraceRequest, async (params) => {
    await ready();
    const r = await db.trace(params?.uri ? uriToFile(params.uri) : undefined);
    republish();
    if (canRefreshHints()) void connection.sendRequest('workspace/inlayHint/refresh');
    return r;
  });
  connection.onRequest(VerifyIsolationRequest, async (params) => {
    await ready();
    return db.verifyIsolation(params?.uri ? uriToFile(params.uri) : undefined);
  });
  connection.languages.inlayHint.on((params) => db.inlayHints(params.textDocument.uri));
  connection.onShutdown(() => db.close());
}

function canResolvePglite(): boolean {
  try {
    require.resolve('@electric-sql/pglite');
    return true;
  } catch {
    return false;
  }
}
