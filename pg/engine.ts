/**
 * The caller's side of the engine: starts the worker thread, sends it jobs, and recovers when the engine
 * inside dies (WASM abort, out of memory, a statement that never returns): the worker is replaced, the
 * statements that had succeeded are replayed untraced to rebuild the state, and the replay goes on.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Worker as WorkerType } from 'node:worker_threads';
import { planEnvironment } from './classify';
import { linkConsequences } from './consequences';
import { dropDatabases } from './driver';
import type { FromWorker, Phase, ReplayJob, ScriptJob, WorkerJob } from './protocol';
import type {
  EngineOptions, ExecStatement, IsolationOptions, IsolationResult, PgEngineOptions, ScriptResult, TraceEntry,
} from './types';

const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
const STARTUP_TIMEOUT_MS = 120_000;
/** Restarts without progress after which the remaining statements are reported as not run. */
const MAX_FRUITLESS_RESTARTS = 2;

type Outcome =
  | { ok: true }
  | { ok: false; kind: 'failed'; message: string }
  | { ok: false; kind: 'crash'; message: string; phase: Phase };

/** Locates the worker script: next to this module (tsc output or tsx), or `pg-worker.js` beside a bundle. */
export function resolveWorkerScript(explicit?: string): { code: string; eval: boolean } | { file: string } {
  const fromEnv = explicit ?? process.env.SQLA_PG_WORKER;
  const ts = __filename.endsWith('.ts');
  const candidates = fromEnv ? [fromEnv] : ts
    ? [path.join(__dirname, 'worker.ts')]
    : [path.join(__dirname, 'worker.js'), path.join(__dirname, 'pg-worker.js')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`pg worker script not found (looked for ${candidates.join(', ')}); set EngineOptions.workerPath`);
  if (!file.endsWith('.ts')) return { file };
  // Running from TypeScript sources (tests through tsx): register tsx inside the worker too. (Resolved
  // through a variable so that bundlers do not try to bundle tsx.)
  const resolve = require.resolve;
  const tsx = resolve(['tsx', 'cjs'].join('/'));
  return { code: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, eval: true };
}

function roleCandidates(stmts: string[]): string[] {
  const out = new Set<string>();
  for (const s of stmts) {
    for (const m of s.matchAll(/create\s+(?:role|user|group)\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[\w$]+)/gi)) {
      out.add(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1].toLowerCase());
    }
  }
  return [...out];
}

function notRun(st: ExecStatement, message: string): TraceEntry {
  return { file: st.file, line: st.line, sql: st.sql, locks: [], rewrites: [], ms: 0, error: { message } };
}

/**
 * A long-lived engine: one worker thread reused across jobs. Each job still gets a fresh database.
 * With `keepWarm`, the worker starts the next PGlite instance while idle, for the language server.
 */
export class PgEngine {
  private worker?: WorkerType;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly statementTimeoutMs: number;

  constructor(private readonly options: PgEngineOptions = {}) {
    this.statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  }

  /**
   * Starts the worker and a PGlite instance ahead of the next job (the language server calls it at start-up
   * and may call it when idle). Resolves when the instance is up. Jobs queued meanwhile wait for it.
   */
  warmUp(): Promise<void> {
    return this.serialize(async () => {
      const w = this.ensureWorker();
      if (this.options.databaseUrl) return;
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(timer); w.off('message', onMsg); w.off('exit', done); w.unref(); resolve(); };
        const onMsg = (m: FromWorker): void => { if (m.type === 'prepared') done(); };
        const timer = setTimeout(done, STARTUP_TIMEOUT_MS);
        w.on('message', onMsg);
        w.once('exit', done);
        w.ref();
        w.postMessage({ type: 'prepare' });
      });
    });
  }

  traceStatements(stmts: ExecStatement[]): Promise<TraceEntry[]> {
    return this.serialize(async () => (await this.replay(stmts)).replay);
  }

  verifyIsolation(stmts: ExecStatement[], opts: Omit<IsolationOptions, keyof EngineOptions>):
    Promise<{ replay: TraceEntry[]; tables: IsolationResult[] }> {
    // The seed runs after the migrations, traced like them: its errors are reported at its own lines.
    return this.serialize(() => this.replay([...stmts, ...(opts.seed ?? [])], opts));
  }

  executeScript(setupSql: string[], sql: string[]): Promise<ScriptResult> {
    return this.serialize(() => this.script(setupSql, sql));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ensureWorker(): WorkerType {
    if (this.worker) return this.worker;
    const script = resolveWorkerScript(this.options.workerPath);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as { Worker: typeof WorkerType };
    // What the engine prints (PGlite's own output) goes to stderr: stdout is the CLI's report, or the language
    // server's protocol over --stdio, where one stray line would break the connection.
    const w = 'file' in script ? new Worker(script.file, { stdout: true }) : new Worker(script.code, { eval: true, stdout: true });
    w.stdout.on('data', (d: Buffer) => process.stderr.write(d));
    // An idle worker must not keep the process alive; it is ref'ed while a job runs.
    w.unref();
    w.on('error', () => undefined);
    w.once('exit', () => { if (this.worker === w) this.worker = undefined; });
    this.worker = w;
    return w;
  }

  private async killWorker(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate().catch(() => undefined);
  }

  private base(sqls: string[]): Omit<ReplayJob, 'kind' | 'statements' | 'start' | 'prelude' | 'priorEntries' | 'isolation'> {
    return {
      databaseUrl: this.options.databaseUrl,
      env: planEnvironment(sqls, this.options.supabaseEnvironment ?? true),
      statementTimeoutMs: this.statementTimeoutMs,
      prepareNext: Boolean(this.options.keepWarm),
      dropDatabases: [],
      roleCandidates: roleCandidates(sqls),
    };
  }

  /** Runs one job in the worker; resolves when it is done, failed, or the worker died or stalled. */
  private runJob(job: WorkerJob, onMessage: (m: FromWorker) => void): Promise<Outcome> {
    const w = this.ensureWorker();
    return new Promise<Outcome>((resolve) => {
      let phase: Phase = 'starting';
      /** The phase in which the work failed: the worker reports 'cleanup' before a fatal error. */
      let workPhase: Phase = 'starting';
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = (o: Outcome): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        w.off('message', onMsg);
        w.off('exit', onExit);
        w.off('error', onError);
        if (this.worker === w) w.unref();
        resolve(o);
      };
      const arm = (guard?: { ms: number; reason: string }): void => {
        clearTimeout(timer);
        const ms = guard?.ms ?? (phase === 'starting' || phase === 'cleanup'
          ? Math.max(STARTUP_TIMEOUT_MS, this.statementTimeoutMs) : this.statementTimeoutMs);
        timer = setTimeout(() => {
          void this.killWorker();
          const message = guard?.reason ?? `no answer from the engine within ${ms} ms (statement timeout); the engine was restarted`;
          finish({ ok: false, kind: 'crash', phase: workPhase, message });
        }, ms);
      };
      const onMsg = (m: FromWorker): void => {
        if (m.type === 'phase') {
          phase = m.phase;
          if (m.phase !== 'cleanup') workPhase = m.phase;
        }
        arm(m.type === 'guard' ? m : undefined);
        if (m.type === 'done') finish({ ok: true });
        else if (m.type === 'failed') finish({ ok: false, kind: 'failed', message: m.message });
        else if (m.type === 'fatal') {
          void this.killWorker();
          finish({ ok: false, kind: 'crash', phase: workPhase, message: m.message });
        } else onMessage(m);
      };
      const onExit = (code: number): void => finish({ ok: false, kind: 'crash', phase: workPhase, message: `engine worker exited (code ${code})` });
      const onError = (e: Error): void => {
        void this.killWorker();
        finish({ ok: false, kind: 'crash', phase: workPhase, message: `engine worker crashed: ${e.message}` });
      };
      w.on('message', onMsg);
      w.on('exit', onExit);
      w.on('error', onError);
      w.ref();
      arm();
      w.postMessage({ type: 'job', job });
    });
  }

  private async replay(stmts: ExecStatement[], iso?: Omit<IsolationOptions, keyof EngineOptions>):
    Promise<{ replay: TraceEntry[]; tables: IsolationResult[] }> {
    const entries: (TraceEntry | undefined)[] = new Array(stmts.length).fill(undefined);
    const tables: (IsolationResult | undefined)[] = iso ? new Array(iso.tables.length).fill(undefined) : [];
    const base = this.base(stmts.map((s) => s.sql));
    let next = 0;
    let nextTable = 0;
    let fruitless = 0;
    let current = -1;
    const orphans: string[] = [];
    let database: string | undefined;
    for (;;) {
      const prelude: number[] = [];
      for (let i = 0; i < next; i++) if (entries[i] && !entries[i]!.error && !entries[i]!.skipped) prelude.push(i);
      const job: ReplayJob = {
        ...base, kind: 'replay', statements: stmts, start: next, prelude, dropDatabases: orphans.splice(0),
        priorEntries: entries.slice(0, next).filter((e): e is TraceEntry => e !== undefined),
        isolation: iso && {
          tenantSetting: iso.tenantSetting, tables: iso.tables, startTable: nextTable,
          probeMemberOf: iso.probeMemberOf ?? (stmts.some((s) => /\bauthenticated\b/i.test(s.sql)) ? ['authenticated'] : []),
          tenantContext: iso.tenantContext, tenantColumns: iso.tenantColumns ?? [],
        },
      };
      database = undefined;
      current = -1;
      const outcome = await this.runJob(job, (m) => {
        if (m.type === 'started') current = m.index;
        else if (m.type === 'entry') { entries[m.index] = m.entry; next = m.index + 1; fruitless = 0; }
        else if (m.type === 'table') { tables[m.index] = m.result; nextTable = m.index + 1; fruitless = 0; }
        else if (m.type === 'database') database = m.name;
      });
      if (outcome.ok) break;
      if (outcome.kind === 'failed') {
        if (database && this.options.databaseUrl) await dropDatabases(this.options.databaseUrl, [database]).catch(() => undefined);
        throw new Error(outcome.message);
      }
      const phase = outcome.phase;
      if (database) orphans.push(database);
      if (phase === 'replay' && current >= next && current < stmts.length) {
        // The statement that was running when the engine died is the one reported; the replay goes on after it.
        entries[current] = notRun(stmts[current], outcome.message);
        next = current + 1;
        continue;
      }
      if (phase === 'isolation' && iso && current >= nextTable && current < iso.tables.length) {
        const t = iso.tables[current];
        tables[current] = { table: t.schema && t.schema !== 'public' ? `${t.schema}.${t.table}` : t.table,
          tenantColumn: t.tenantColumn, ...(t.perUser ? { perUser: true } : {}), status: 'untestable', details: outcome.message };
        nextTable = current + 1;
        continue;
      }
      if (++fruitless > MAX_FRUITLESS_RESTARTS) {
        const msg = `not run: the engine could not recover (${outcome.message})`;
        for (let i = next; i < stmts.length; i++) entries[i] ??= notRun(stmts[i], msg);
        if (iso) {
          iso.tables.forEach((t, i) => {
            tables[i] ??= { table: t.schema && t.schema !== 'public' ? `${t.schema}.${t.table}` : t.table,
              tenantColumn: t.tenantColumn, ...(t.perUser ? { perUser: true } : {}), status: 'untestable', details: msg };
          });
        }
        break;
      }
    }
    if (orphans.length && this.options.databaseUrl) await dropDatabases(this.options.databaseUrl, orphans).catch(() => undefined);
    const replay = entries.map((e, i) => e ?? notRun(stmts[i], 'not run'));
    linkConsequences(replay);
    return {
      replay,
      tables: tables.filter((t): t is IsolationResult => t !== undefined),
    };
  }

  private async script(setup: string[], sql: string[]): Promise<ScriptResult> {
    const result: ScriptResult = { errors: [], setupErrors: [] };
    let current = -1;
    let database: string | undefined;
    const job: ScriptJob = { ...this.base([...setup, ...sql]), kind: 'script', setup, sql };
    const outcome = await this.runJob(job, (m) => {
      if (m.type === 'started') current = m.index;
      else if (m.type === 'scriptError') (m.which === 'setup' ? result.setupErrors : result.errors).push(m.error);
      else if (m.type === 'database') database = m.name;
    });
    if (!outcome.ok && outcome.kind === 'failed') throw new Error(outcome.message);
    if (!outcome.ok) {
      const phase = outcome.phase;
      if (database && this.options.databaseUrl) await dropDatabases(this.options.databaseUrl, [database]).catch(() => undefined);
      const list = phase === 'setup' ? setup : sql;
      const into = phase === 'setup' ? result.setupErrors : result.errors;
      const from = phase === 'setup' || phase === 'script' ? Math.max(current, 0) : 0;
      into.push({ index: from, message: outcome.message });
      for (let i = from + 1; i < list.length; i++) into.push({ index: i, message: 'not run: the engine failed earlier' });
      if (phase === 'setup') sql.forEach((_, i) => result.errors.push({ index: i, message: 'not run: the engine failed during setup' }));
    }
    return result;
  }
}

/** Replays the statements on a fresh database and traces the locks and rewrites of each. */
export async function traceStatements(stmts: ExecStatement[], opts: EngineOptions = {}): Promise<TraceEntry[]> {
  const engine = new PgEngine(opts);
  try {
    return await engine.traceStatements(stmts);
  } finally {
    await engine.close();
  }
}

/** Replays the statements, then probes each tenant table's row-level security as an unprivileged role. */
export async function verifyIsolation(stmts: ExecStatement[], opts: IsolationOptions):
  Promise<{ replay: TraceEntry[]; tables: IsolationResult[] }> {
  const { tenantSetting, tables, probeMemberOf, tenantContext, tenantColumns, seed, ...engineOpts } = opts;
  const engine = new PgEngine(engineOpts);
  try {
    return await engine.verifyIsolation(stmts, { tenantSetting, tables, probeMemberOf, tenantContext, tenantColumns, seed });
  } finally {
    await engine.close();
  }
}

/** Runs `setupSql` then `sql` (each element autocommitted) on a fresh database; reports the errors of `sql`. */
export async function executeScript(setupSql: string[], sql: string[], opts: EngineOptions = {}): Promise<ScriptResult> {
  const engine = new PgEngine(opts);
  try {
    return await engine.executeScript(setupSql, sql);
  } finally {
    await engine.close();
  }
}
