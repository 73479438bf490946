/** Public types of the embedded-PostgreSQL engine (replay, lock trace, tenant-isolation probe). */
import type { IsolationVerdict, TenantContextConfig, VerdictLine } from '../rules/index';

export interface ExecStatement {
  file: string;
  /** 1-based line of the statement's first character in `file`. */
  line: number;
  /** Statement text without the trailing ';'. */
  sql: string;
  /**
   * false for statements that cannot run in a transaction block (CREATE/DROP INDEX CONCURRENTLY,
   * REINDEX CONCURRENTLY, VACUUM, CREATE DATABASE, …). When undefined it is detected from the SQL text.
   */
  transactional?: boolean;
}

export type RelationKind = 'table' | 'index' | 'matview' | 'view' | 'sequence' | 'foreign table' | 'other';

export interface LockInfo {
  /** Schema-qualified unless in `public`, e.g. "t" or "auth.users". */
  relation: string;
  /** Strongest mode held on the relation, as PostgreSQL names it: 'AccessExclusiveLock'. */
  mode: string;
  /** Every mode held on the relation, strongest first. */
  modes: string[];
  kind: RelationKind;
  /** The statement dropped the relation; its name comes from the catalog as it was before the statement. */
  dropped?: boolean;
  /** The statement created the relation: nobody else can have been waiting on it. */
  created?: boolean;
  /** The statement renamed the relation (or moved it to another schema): its name before, as others knew it. */
  renamedFrom?: string;
}

export interface TraceError {
  message: string;
  /** SQLSTATE; absent for engine failures (WASM abort, crash, timeout). */
  code?: string;
  /** 1-based character offset into the statement text. */
  position?: number;
  detail?: string;
  hint?: string;
  /**
   * A "does not exist" error whose object an earlier statement failed to create (or whose extension was
   * not available): the root failed statement. Callers may report only the root.
   */
  consequenceOf?: { file: string; line: number };
}

export interface TraceEntry {
  file: string;
  line: number;
  sql: string;
  locks: LockInfo[];
  /** Relations whose relfilenode changed: the table or index was rewritten. */
  rewrites: string[];
  /** Wall time of the statement itself, in milliseconds. */
  ms: number;
  error?: TraceError;
  /** Why the statement was not run. */
  skipped?: string;
}

export interface EngineOptions {
  /** Use a real server through `pg` instead of PGlite: a scratch database is created there and dropped after. */
  databaseUrl?: string;
  /**
   * A statement that does not finish within this time is reported as an error and the engine is
   * restarted (PGlite ignores statement_timeout, so this is enforced from outside). Default 60 000.
   */
  statementTimeoutMs?: number;
  /** Create the Supabase roles / auth schema stubs before replay (see environment.ts). Default true. */
  supabaseEnvironment?: boolean;
  /** Path of the compiled worker script, when the default lookup next to this module does not fit the bundle. */
  workerPath?: string;
}

export interface PgEngineOptions extends EngineOptions {
  /**
   * Long-lived engine (language server): keep a template of the fresh data directory and start the next
   * PGlite instance as soon as a job ends, so that the next job does not wait for start-up.
   */
  keepWarm?: boolean;
}

export interface IsolationTable {
  schema: string;
  table: string;
  tenantColumn: string;
  /**
   * The rows belong to users, not tenants: the policies compare `tenantColumn` with the signed-in user. The probe
   * runs as two users, and a read that a policy grants every user regardless of owner is `shared`, not a leak.
   */
  perUser?: boolean;
}

export interface IsolationOptions extends EngineOptions {
  /** The setting the policies read, e.g. 'app.current_tenant_id': tried when the policies name no other context. */
  tenantSetting: string;
  tables: IsolationTable[];
  /** How a request becomes "tenant A"; inferred from the policies when absent. */
  tenantContext?: TenantContextConfig;
  /** Tenant column names, for finding the tenant column of a membership table. */
  tenantColumns?: string[];
  /** Statements run after the migrations and before the probe (the isolationSeed file). */
  seed?: ExecStatement[];
  /**
   * Roles the probe role is made a member of, so that policies written `TO authenticated` apply to it.
   * Default: ['authenticated'] when the input mentions that role.
   */
  probeMemberOf?: string[];
}

/** `shared`: on a per-user table, every write is isolated and reads are open to other users by a policy that says so. */
export type IsolationStatus = IsolationVerdict;

/** A table's verdict (`table` schema-qualified unless public), before a front end names its set. */
export type IsolationResult = Omit<VerdictLine, 'set'>;

export interface ScriptError {
  index: number;
  message: string;
  code?: string;
}

export interface ScriptResult {
  errors: ScriptError[];
  /** Errors in the setup statements (index into setupSql). */
  setupErrors: ScriptError[];
}
