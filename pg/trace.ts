/** Replays statements on a Driver, one transaction each, and reads the locks and rewrites they caused. */
import { randomUUID } from 'node:crypto';
import { isNonTransactional, isServerWide, isTransactionControl } from './classify';
import { isDatabaseError, type Driver } from './driver';
import type { ExecStatement, LockInfo, RelationKind, TraceEntry, TraceError } from './types';

/** Table-level lock modes, weakest first (PostgreSQL docs, "Table-Level Locks"). */
export const LOCK_MODES = [
  'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
  'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock',
];

export function lockStrength(mode: string): number {
  return LOCK_MODES.indexOf(mode);
}

interface RelationState {
  name: string;
  kind: RelationKind;
  filenode: string;
}

/** User relations by oid. */
export type Snapshot = Map<string, RelationState>;

const KINDS: Record<string, RelationKind> = {
  r: 'table', p: 'table', i: 'index', I: 'index', m: 'matview', v: 'view', S: 'sequence', f: 'foreign table',
};

export function qualifiedName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

// Objects with oid >= 16384 (FirstNormalObjectId) are user objects; lower ones come with initdb.
const USER_RELATIONS = `
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`;

export async function readSnapshot(db: Driver): Promise<Snapshot> {
  const r = await db.query(`SELECT c.oid::text AS oid, c.relfilenode::text AS filenode, c.relkind::text AS kind,
      n.nspname AS schema, c.relname AS name ${USER_RELATIONS}`);
  const snap: Snapshot = new Map();
  for (const row of r.rows) {
    snap.set(String(row.oid), {
      name: qualifiedName(String(row.schema), String(row.name)),
      kind: KINDS[String(row.kind)] ?? 'other',
      filenode: String(row.filenode),
    });
  }
  return snap;
}

/**
 * Relations whose relfilenode changed between two snapshots; created and dropped ones are not rewrites.
 * ALTER COLUMN TYPE drops and recreates the indexes on the column under the same name but a new oid, so a
 * relation that replaced a vanished one of the same name and kind counts as rewritten if its storage is new
 * (when no rewrite is needed PostgreSQL hands the old index's relfilenode to the new one).
 */
export function rewrites(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  const vanished = new Map<string, RelationState>();
  for (const [oid, b] of before) if (!after.has(oid)) vanished.set(`${b.kind} ${b.name}`, b);
  for (const [oid, a] of after) {
    const b = before.get(oid) ?? vanished.get(`${a.kind} ${a.name}`);
    // Partitioned tables and indexes have no storage: relfilenode 0.
    if (b && b.filenode !== a.filenode && a.filenode !== '0' && b.filenode !== '0') out.push(a.name);
  }
  return out;
}

/**
 * Relation-level locks held by this backend, one entry per relation, strongest first. Relations that no
 * longer exist in pg_class were dropped by the statement and are named from `before`; oids unknown to both
 * are transient (the new heap of a rewrite) and are left out.
 */
export async function readLocks(db: Driver, before: Snapshot): Promise<LockInfo[]> {
  const r = await db.query(`SELECT l.relation::text AS oid, l.mode, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind
    FROM pg_catalog.pg_locks l
    LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
    LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE l.locktype = 'relation' AND l.pid = pg_catalog.pg_backend_pid() AND l.granted
      AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
      AND l.relation >= 16384`);
  const byRel = new Map<string, LockInfo>();
  for (const row of r.rows) {
    let name: string;
    let kind: RelationKind;
    let dropped = false;
    const created = !before.has(String(row.oid));
    let renamedFrom: string | undefined;
    if (row.name !== null && row.name !== undefined) {
      const schema = String(row.schema);
      if (schema === 'pg_catalog' || schema === 'information_schema' || schema.startsWith('pg_toast')) continue;
      name = qualifiedName(schema, String(row.name));
      kind = KINDS[String(row.kind)] ?? 'other';
      const old = before.get(String(row.oid));
      if (old && old.name !== name) renamedFrom = old.name;
    } else {
      const old = before.get(String(row.oid));
      if (!old) continue;
      ({ name, kind } = old);
      dropped = true;
    }
    const mode = String(row.mode);
    const existing = byRel.get(name);
    const info = existing ?? {
      relation: name, mode, modes: [], kind, ...(dropped ? { dropped } : {}), ...(created && !dropped ? { created } : {}),
      ...(renamedFrom ? { renamedFrom } : {}),
    };
    if (existing && (Boolean(existing.dropped) !== dropped || Boolean(existing.created) !== (created && !dropped))) {
      // The old relation was dropped and a new one of the same name created: it was rebuilt.
      delete info.dropped;
      delete info.created;
    }
    if (!info.modes.includes(mode)) info.modes.push(mode);
    byRel.set(name, info);
  }
  const out = [...byRel.values()];
  for (const info of out) {
    info.modes.sort((a, b) => lockStrength(b) - lockStrength(a));
    info.mode = info.modes[0];
  }
  const kindOrder = (k: RelationKind): number => (k === 'table' || k === 'matview' ? 0 : 1);
  return out.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || lockStrength(b.mode) - lockStrength(a.mode) ||
    a.relation.localeCompare(b.relation));
}

const OUT_OF_STEP = 'engine failure: PGlite lost step with its protocol after this statement (typically a stack ' +
  'overflow in a recursive function, which PGlite does not report); the engine was restarted without it';

/**
 * Hooks the worker sets so that the caller's watchdog covers inStep(): out of step, PGlite may spin inside
 * WASM and block the worker's event loop, so no timer in the worker could fire.
 */
export const stepGuard = {
  before: (_ms: number, _reason: string): void => undefined,
  after: (): void => undefined,
};

/** See Tracer.inStep. Always true on a real server. */
export async function inStep(db: Driver, reason = OUT_OF_STEP): Promise<boolean> {
  if (db.kind !== 'pglite') return true;
  stepGuard.before(10_000, reason);
  try {
    return await nonceRoundTrip(db);
  } finally {
    stepGuard.after();
  }
}

async function nonceRoundTrip(db: Driver): Promise<boolean> {
  const nonce = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  // Out of step, PGlite may also never answer: a trivial query that takes seconds means the same.
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), 5000); });
  try {
    const r = await Promise.race([db.query('SELECT $1::text AS nonce', [nonce]), timeout]);
    return r !== 'timeout' && r.rows.length === 1 && r.rows[0].nonce === nonce;
  } catch (e) {
    // An ordinary error (25P02 in an aborted transaction) is an answer in step; XX000 is the symptom.
    return isDatabaseError(e) && !e.code.startsWith('XX');
  } finally {
    clearTimeout(timer);
  }
}

/** The engine itself failed (not a PostgreSQL error): the worker must restart it. */
export class EngineFailure extends Error {}

export function toTraceError(e: unknown): TraceError {
  if (isDatabaseError(e)) {
    const pos = e.position === undefined || e.position === '' ? undefined : Number(e.position);
    return {
      message: e.message, code: e.code,
      ...(pos !== undefined && !Number.isNaN(pos) ? { position: pos } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
    };
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { message: `engine failure: ${msg}` };
}

export interface ReplayHooks {
  started(index: number): void;
  entry(index: number, entry: TraceEntry): void;
}

function elapsed(t0: number): number {
  return Math.round((performance.now() - t0) * 100) / 100;
}

/** Is the engine still answering? Called after a failure that did not come from PostgreSQL. */
async function healthy(db: Driver): Promise<boolean> {
  try {
    await db.exec('ROLLBACK');
    await db.query('SELECT 1');
    return true;
  } catch (e) {
    return isDatabaseError(e);
  }
}

export class Tracer {
  private snapshot?: Snapshot;
  constructor(private readonly db: Driver) {}

  /** Runs statements without tracing (rebuilding state after an engine restart). Errors are ignored. */
  async replaySilently(stmts: ExecStatement[], tick: () => void): Promise<void> {
    for (const st of stmts) {
      try {
        await this.db.exec(st.sql);
      } catch (e) {
        if (!isDatabaseError(e)) throw new EngineFailure(toTraceError(e).message);
        await this.db.exec('ROLLBACK').catch(() => undefined);
      }
      tick();
    }
    this.snapshot = undefined;
  }

  async trace(stmts: ExecStatement[], start: number, hooks: ReplayHooks): Promise<void> {
    for (let i = start; i < stmts.length; i++) {
      hooks.started(i);
      const entry = await this.traceOne(stmts[i]);
      hooks.entry(i, entry);
      if (!entry.error) continue;
      const code = entry.error.code;
      // Class XX (internal error) or a JS-level failure out of PGlite leaves its single backend in an unknown
      // state; a real server's session is checked instead.
      const broken = this.db.kind === 'pglite'
        ? code === undefined || code.startsWith('XX')
        : code === undefined && !(await healthy(this.db));
      if (broken) throw new EngineFailure(entry.error.message);
    }
  }

  /**
   * PGlite can lose step with its own protocol stream: after a runaway recursion a statement "succeeds" with
   * no rows and the error surfaces on a later query ("ERRORDATA_STACK_SIZE exceeded"), shifting every
   * answer after it. A round trip with a fresh nonce right after each statement catches that on the
   * statement that caused it.
   */
  private inStep(): Promise<boolean> {
    return inStep(this.db);
  }

  async traceOne(st: ExecStatement): Promise<TraceEntry> {
    const base: TraceEntry = { file: st.file, line: st.line, sql: st.sql, locks: [], rewrites: [], ms: 0 };
    if (isTransactionControl(st.sql)) return { ...base, skipped: 'transaction control is managed by the tracer' };
    if (this.db.kind === 'postgres' && isServerWide(st.sql)) {
      return { ...base, skipped: 'acts on the whole server; not run against a shared server' };
    }
    const nonTx = st.transactional === false ||
      (st.transactional === undefined && isNonTransactional(st.sql, this.db.serverVersionNum));
    const before = this.snapshot ?? await readSnapshot(this.db);
    this.snapshot = before;
    if (nonTx) {
      // Locks cannot be read once such a statement has finished, and it cannot run inside BEGIN.
      const t0 = performance.now();
      try {
        await this.db.exec(st.sql);
      } catch (e) {
        this.snapshot = undefined;
        return { ...base, ms: elapsed(t0), error: toTraceError(e) };
      }
      const ms = elapsed(t0);
      if (!(await this.inStep())) return { ...base, ms, error: { message: OUT_OF_STEP } };
      const after = await readSnapshot(this.db);
      this.snapshot = after;
      return { ...base, ms, rewrites: rewrites(before, after) };
    }
    await this.db.exec('BEGIN');
    const t0 = performance.now();
    try {
      await this.db.exec(st.sql);
    } catch (e) {
      const ms = elapsed(t0);
      await this.db.exec('ROLLBACK').catch(() => undefined);
      return { ...base, ms, error: toTraceError(e) };
    }
    const ms = elapsed(t0);
    if (!(await this.inStep())) return { ...base, ms, error: { message: OUT_OF_STEP } };
    let locks: LockInfo[];
    let after: Snapshot;
    try {
      locks = await readLocks(this.db, before);
      after = await readSnapshot(this.db);
    } catch (e) {
      // e.g. the statement switched to a role that cannot read the catalogs, or aborted the transaction.
      await this.db.exec('ROLLBACK').catch(() => undefined);
      return { ...base, ms, error: { ...toTraceError(e), message: `reading the lock trace failed: ${toTraceError(e).message}` } };
    }
    try {
      // Deferred constraints and constraint triggers fire at COMMIT, so COMMIT itself can fail.
      await this.db.exec('COMMIT');
    } catch (e) {
      await this.db.exec('ROLLBACK').catch(() => undefined);
      return { ...base, ms, locks, error: toTraceError(e) };
    }
    this.snapshot = after;
    return { ...base, ms, locks, rewrites: rewrites(before, after) };
  }
}
