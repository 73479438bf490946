// The design review report as plain data: what buildReport produces and every renderer reads. Versioned: the JSON
// export is this object, so fields are only ever added.
import type { Category, Severity } from '../engine/types';
import type { IndexModel } from '../model/types';
import type { IsolationVerdict } from './isolation';

/** Where a fact comes from. `file` is the display path the caller chose (relPath); line and column are 1-based UTF-16. */
export interface Loc {
  file: string;
  line: number;
  column: number;
}

/** One cell of the tenant matrix: a yes/no fact with the statement that established it. */
export interface Cell {
  status: 'yes' | 'no' | 'partial' | 'n/a';
  text: string;
  loc?: Loc;
}

export type AreaId = 'tenancy' | 'security' | 'locking' | 'design' | 'syntax';

export interface Verdict {
  area: AreaId;
  title: string;
  /** fail: an error-severity finding; warn: a warning; ok: nothing worse than info. */
  status: 'ok' | 'warn' | 'fail';
  text: string;
}

export interface Summary {
  sets: number;
  files: number;
  tables: number;
  tenantTables: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byCategory: Record<Category, number>;
  verdicts: Verdict[];
}

export interface PolicyFact {
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  using?: string;
  withCheck?: string;
  /** USING compares a tenant column (undefined: the policy has no USING). */
  usingTenant?: boolean;
  checkTenant?: boolean;
  /** Every command the policy covers is limited to the tenant (itself, or by a restrictive policy). */
  scoped: boolean;
  loc: Loc;
}

export interface KeyFact {
  name: string;
  kind: 'primary' | 'unique' | 'unique-index' | 'foreign';
  columns: readonly string[];
  /** Foreign keys: the referenced table (display name) and columns. */
  references?: string;
  refColumns?: readonly string[];
  includesTenant: boolean;
  /** Exempt from the tenant rule (a generated, globally unique single column; a key to a non-tenant table). */
  exempt: boolean;
  loc: Loc;
}

export interface TenantRow {
  set: string;
  table: string;
  loc: Loc;
  tenantColumn: { name: string; type: string; notNull: boolean; loc: Loc };
  index: Cell;
  rlsEnabled: Cell;
  rlsForced: Cell;
  policies: Cell;
  policyList: PolicyFact[];
  unique: Cell;
  foreignKeys: Cell;
  keys: KeyFact[];
  /** RLS enabled, at least one policy, every permissive policy tenant-scoped, forced (or policies for named roles only). */
  isolated: boolean;
  /** Why it is not isolated, in words. */
  gaps: string[];
  /** The verdict of the last isolation proof on PostgreSQL (verify-isolation), when one ran for this table. */
  proved?: ProvedIsolation;
}

/** A table's verdict from the tenant-isolation proof on a real PostgreSQL. */
export interface ProvedIsolation {
  status: IsolationVerdict;
  /** What each probe step saw, or the step that could not be done. */
  details: string;
}

export interface SensitiveColumn {
  set: string;
  table: string;
  column: string;
  type: string;
  kind: string;
  why: string;
  /** Readable by anyone who can read the table (plain type, no COMMENT saying it is encrypted or hashed). */
  inClear: boolean;
  /** How it is stored, in words: `plain text`, `bytea (ciphertext or hash)`, `domain public.secret`… */
  storage: string;
  loc: Loc;
}

export interface RiskLock {
  table: string;
  /** The table's size when a live database or "tableSizes" says: `about 40 M rows, 18 GB`. */
  size?: string;
  mode: string;
  what: string;
  waits: string;
  blocksReads: boolean;
  blocksWrites: boolean;
  rewrite: boolean;
  scan: boolean;
}

export interface RiskStatement {
  loc: Loc;
  sql: string;
  inTransaction: boolean;
  lockTimeoutSet: boolean;
  locks: RiskLock[];
}

export interface RiskFile {
  set: string;
  file: string;
  statements: RiskStatement[];
}

export interface FindingLocation {
  loc: Loc;
  severity: Severity;
  message: string;
}

export interface RuleFindings {
  rule: string;
  title: string;
  category: Category;
  /** The most severe severity among its findings. */
  severity: Severity;
  rationale: string;
  docs: string;
  locations: FindingLocation[];
}

export interface ColumnFact {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  primaryKey: boolean;
  foreignKey: boolean;
  tenant: boolean;
  sensitive: boolean;
  comment?: string;
  loc: Loc;
}

export interface ConstraintFact {
  name: string;
  kind: string;
  columns: readonly string[];
  references?: string;
  refColumns?: readonly string[];
  validated: boolean;
  loc: Loc;
}

/** An index of the schema model, located for links. */
export interface IndexFact extends Omit<IndexModel, 'origin'> {
  loc: Loc;
}

export interface TableFact {
  set: string;
  /** Display name: `t` for public.t, `schema.t` otherwise. */
  name: string;
  schema: string;
  loc: Loc;
  comment?: string;
  tenantColumn?: string;
  rls: 'off' | 'enabled' | 'forced';
  partitioned: boolean;
  columns: ColumnFact[];
  constraints: ConstraintFact[];
  indexes: IndexFact[];
  /** Files that changed the table, in apply order. */
  history: Loc[];
}

export interface Relationship {
  set: string;
  name: string;
  from: string;
  fromColumns: readonly string[];
  to: string;
  toColumns: readonly string[];
  /** The referenced table is part of the reviewed schema (not e.g. auth.users of a platform). */
  toKnown: boolean;
  /** Every referencing column is NOT NULL. */
  required: boolean;
  loc: Loc;
}

export interface ReportModel {
  version: 1;
  title: string;
  /** Set when the report is limited to migrations added after a git ref. */
  since?: { ref?: string; files: string[] };
  sets: string[];
  files: string[];
  summary: Summary;
  /** What the analysis inferred about each set (tenants, isolation, roles, runner, conventions). */
  inferred: InferredSet[];
  tenantColumns: string[];
  tenantMatrix: TenantRow[];
  sensitive: SensitiveColumn[];
  migrationRisk: RiskFile[];
  findingsByRule: RuleFindings[];
  tables: TableFact[];
  relationships: Relationship[];
  /** Mermaid `erDiagram` text of the tables and their foreign keys. */
  erDiagram: string;
  /** Locks PostgreSQL really took, from the last lock trace (Trace Migration Locks); absent until one ran. */
  measuredLocks?: MeasuredLock[];
  /** A tenant-isolation proof ran (Prove Tenant Isolation, report --prove-isolation): the matrix has its column. */
  isolationProved?: true;
  /** The proof's verdicts on tables whose policies key rows on the signed-in user (each user is the "tenant"). */
  userIsolation?: UserIsolationRow[];
  /** Rule code that threw while the report's analysis ran (reported, never fatal). */
  internalErrors: string[];
}

/** A table whose policies key its rows on the signed-in user, with the isolation proof's verdict for two users. */
export interface UserIsolationRow extends ProvedIsolation {
  set: string;
  table: string;
  /** The column the policies compare with the signed-in user. */
  column: string;
}

/** One statement replayed on PostgreSQL: the locks read from pg_locks before COMMIT. */
export interface MeasuredLock {
  at: Loc;
  sql: string;
  locks: { relation: string; mode: string }[];
  rewrites: string[];
  ms: number;
  error?: string;
}

/** An inference of the project model and why: a sentence and, when there is one, where it was seen. */
export interface InferredFact {
  text: string;
  loc?: Loc;
}

/** What SQL Architect inferred about one migration set before any rule ran (rules/project/), and how to correct it. */
export interface InferredSet {
  set: string;
  /** The schema the set starts from: a dump file, or a live database (`database`: its name, host and port). */
  baseline?: { file?: string; database?: string; tables: number };
  runner: {
    id: string;
    label: string;
    configured: boolean;
    evidence: InferredFact;
    /** How many files run in the tool's transaction, as one implicit transaction, or statement by statement. */
    modes: { tool: number; implicit: number; none: number };
    /** Files that run differently from most (an opt-out directive, a single statement), with the reason. */
    exceptions: { file: string; mode: 'tool' | 'implicit' | 'none'; why: string }[];
  };
  isolation: { strategy: 'rls' | 'application'; configured: boolean; evidence: InferredFact };
  platform: { id: string; evidence?: InferredFact };
  roles: { appRoles: string[]; connectsAsOwner: boolean; bypassRoles: string[]; evidence: InferredFact };
  tenantTables: { table: string; evidence: InferredFact }[];
  tenantKeys: { table: string; column: string; kind: string; evidence: InferredFact; loc: Loc }[];
  /** Columns named like a tenant key that the model decided are not one. */
  rejected: { table: string; column: string; reason: string }[];
  /** Tables whose policies key rows on the signed-in user: the isolation proof probes them as two users. */
  userTables: { table: string; column: string; evidence: InferredFact }[];
  conventions: { id: string; text: string; count: number; loc?: Loc }[];
}
