/**
 * Worker-thread entry: owns the PGlite instances (or the `pg` connection) so that replay never blocks the
 * caller's thread. One job at a time; progress is posted message by message so that the caller can tell
 * where the engine was when it died.
 */
import { parentPort } from 'node:worker_threads';
import { environmentSql } from './environment';
import { dropDatabases, isDatabaseError, openPostgres, PgliteFactory, type Driver } from './driver';
import { IsolationProbe } from './isolation';
import type { FromWorker, Phase, ReplayJob, ScriptJob, ToWorker, WorkerJob } from './protocol';
import { EngineFailure, stepGuard, toTraceError, Tracer } from './trace';
import type { TraceEntry } from './types';

const port = parentPort;
if (!port) throw new Error('pg/worker must run in a worker thread');

const factory = new PgliteFactory();
const post = (m: FromWorker): void => port.postMessage(m);
const phase = (p: Phase): void => post({ type: 'phase', phase: p });
stepGuard.before = (ms, reason) => post({ type: 'guard', ms, reason });
stepGuard.after = () => post({ type: 'tick' });

async function open(job: WorkerJob): Promise<Driver> {
  if (job.databaseUrl) {
    if (job.dropDatabases.length) await dropDatabases(job.databaseUrl, job.dropDatabases);
    const db = await openPostgres(job.databaseUrl, (name) => post({ type: 'database', name }),
      () => [...job.roleCandidates, ...job.env.roles]);
    // The server cancels a runaway statement itself (SQLSTATE 57014), before the caller's watchdog fires.
    await db.exec(`SET statement_timeout = ${Math.max(1000, job.statementTimeoutMs - 2000)}`);
    return db;
  }
  return factory.create(job.env.extensions, job.prepareNext);
}

async function prepare(db: Driver, job: WorkerJob): Promise<void> {
  for (const sql of environmentSql(job.env)) {
    try {
      await db.exec(sql);
    } catch (e) {
      throw new Error(`environment setup failed: ${toTraceError(e).message}\n${sql}`);
    }
  }
}

async function runReplay(db: Driver, job: ReplayJob): Promise<void> {
  const tracer = new Tracer(db);
  if (job.prelude.length) {
    phase('prelude');
    await tracer.replaySilently(job.prelude.map((i) => job.statements[i]), () => post({ type: 'tick' }));
  }
  phase('replay');
  const entries: TraceEntry[] = [...job.priorEntries];
  await tracer.trace(job.statements, job.start, {
    started: (index) => post({ type: 'started', index }),
    entry: (index, entry) => { entries[index] = entry; post({ type: 'entry', index, entry }); },
  });
  if (!job.isolation) return;
  phase('isolation');
  const iso = job.isolation;
  const probe = new IsolationProbe(db, { tenantSetting: iso.tenantSetting, tenantColumns: iso.tenantColumns,
    memberOf: iso.probeMemberOf, tenantContext: iso.tenantContext, supabase: job.env.supabaseGrants }, entries.filter(Boolean));
  await probe.setup();
  for (let i = iso.startTable; i < iso.tables.length; i++) {
    post({ type: 'started', index: i });
    let result;
    try {
      result = await probe.check(iso.tables[i]);
    } catch (e) {
      throw e instanceof EngineFailure ? e : new EngineFailure(toTraceError(e).message);
    }
    post({ type: 'table', index: i, result });
  }
}

async function runScript(db: Driver, job: ScriptJob): Promise<void> {
  for (const [which, list] of [['setup', job.setup], ['sql', job.sql]] as const) {
    phase(which === 'setup' ? 'setup' : 'script');
    for (let i = 0; i < list.length; i++) {
      post({ type: 'started', index: i });
      try {
        await db.exec(list[i]);
      } catch (e) {
        if (!isDatabaseError(e)) throw new EngineFailure(toTraceError(e).message);
        // A failed statement may leave an explicit transaction of the script open and aborted.
        await db.exec('ROLLBACK').catch(() => undefined);
        post({ type: 'scriptError', which, error: { index: i, message: e.message, code: e.code } });
      }
    }
  }
}

async function run(job: WorkerJob): Promise<void> {
  phase('starting');
  let db: Driver;
  try {
    db = await open(job);
  } catch (e) {
    post({ type: 'failed', message: `could not start the database: ${toTraceError(e).message}` });
    return;
  }
  try {
    await prepare(db, job);
  } catch (e) {
    await db.close().catch(() => undefined);
    post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  let fatal: string | undefined;
  try {
    if (job.kind === 'replay') await runReplay(db, job);
    else await runScript(db, job);
  } catch (e) {
    if (e instanceof EngineFailure) fatal = e.message;
    else if (!isDatabaseError(e)) fatal = toTraceError(e).message;
    else fatal = `engine failure: unexpected error: ${e.message}`;
  }
  phase('cleanup');
  // A broken engine may never answer close(); do not wait for it forever.
  const closing = db.close().catch(() => undefined);
  if (fatal === undefined) await closing;
  else await Promise.race([closing, new Promise((r) => setTimeout(r, 5000).unref())]);
  if (fatal !== undefined) {
    // A broken WASM instance can keep memory and state: the caller terminates this worker and starts another.
    post({ type: 'fatal', message: fatal });
    return;
  }
  if (job.prepareNext && !job.databaseUrl) factory.prepareNext();
  post({ type: 'done' });
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'prepare') {
    factory.prepareNext();
    void factory.waitPrepared().then(() => post({ type: 'prepared' }));
  } else {
    void run(m.job);
  }
});
