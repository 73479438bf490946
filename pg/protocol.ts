/** Messages between the engine (caller's thread) and its worker thread. */
import type { TenantContextConfig } from '../rules/index';
import type { EnvironmentPlan } from './classify';
import type { ExecStatement, IsolationResult, IsolationTable, ScriptError, TraceEntry } from './types';

interface JobBase {
  databaseUrl?: string;
  env: EnvironmentPlan;
  statementTimeoutMs: number;
  /** Start a PGlite instance for the next job once this one is done (long-lived engines). */
  prepareNext: boolean;
  /** Scratch databases a crashed worker left behind on the server. */
  dropDatabases: string[];
  /** Roles the input creates: dropped from a real server after the run if they did not exist before. */
  roleCandidates: string[];
}

export interface ReplayJob extends JobBase {
  kind: 'replay';
  statements: ExecStatement[];
  /** Index of the first statement to trace. */
  start: number;
  /** Indexes (< start) of statements to replay untraced first: state rebuilt after an engine restart. */
  prelude: number[];
  /** Entries before `start`, for the isolation report's references to replay errors. */
  priorEntries: TraceEntry[];
  isolation?: {
    tenantSetting: string;
    tables: IsolationTable[];
    /** Index of the first table to check. */
    startTable: number;
    probeMemberOf?: string[];
    tenantContext?: TenantContextConfig;
    tenantColumns: string[];
  };
}

export interface ScriptJob extends JobBase {
  kind: 'script';
  setup: string[];
  sql: string[];
}

export type WorkerJob = ReplayJob | ScriptJob;

export type Phase = 'starting' | 'prelude' | 'replay' | 'isolation' | 'setup' | 'script' | 'cleanup';

export type ToWorker = { type: 'job'; job: WorkerJob } | { type: 'prepare' };

export type FromWorker =
  | { type: 'phase'; phase: Phase }
  | { type: 'tick' }
  /**
   * The next step must answer within `ms` (a trivial query); if not, the engine is stuck and `reason` is
   * the error to report. Any later message ends the guard.
   */
  | { type: 'guard'; ms: number; reason: string }
  | { type: 'started'; index: number }
  | { type: 'entry'; index: number; entry: TraceEntry }
  | { type: 'table'; index: number; result: IsolationResult }
  | { type: 'scriptError'; which: 'setup' | 'sql'; error: ScriptError }
  | { type: 'database'; name: string }
  | { type: 'done' }
  /** Answer to 'prepare': a PGlite instance for the next job is running. */
  | { type: 'prepared' }
  /** The job cannot run at all (PGlite does not start, the server refuses the connection). */
  | { type: 'failed'; message: string }
  /** The engine broke while running; the worker exits and the caller restarts it. */
  | { type: 'fatal'; message: string };
