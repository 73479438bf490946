// The project model: what SQL Architect infers about a migration set before any rule runs — which tables hold
// tenants and which column says whose a row is, how the project isolates tenants, who connects to the database,
// which tool runs the migrations (and so which statements share a transaction), and the project's conventions.
// Every inference carries its evidence, so the report, `sql-architect explain` and hover can show why a rule fired,
// and every one can be overridden in .sqlarchitect.json.
import type { RunnerId, IsolationStrategy } from '../engine/config';
import type { Origin, TableModel } from '../model/types';

/** Why the model believes something: a sentence and, when there is one, where it was seen. */
export interface Evidence {
  text: string;
  origin?: Origin;
}

/** How sure the model is that a column holds the tenant: configured, a foreign key to the registry, or a name only. */
export type TenantEvidenceKind = 'configured' | 'foreign-key' | 'name-and-type' | 'name';

export interface TenantKey {
  table: TableModel;
  column: string;
  kind: TenantEvidenceKind;
  evidence: Evidence;
  /** Where the tenant column was defined: the statement the user must act on. */
  origin: Origin;
  /** The registry table the column refers to, when known. */
  registry?: TableModel;
  /**
   * The key is nullable next to other nullable scope columns (`userId`, `projectId`): the table holds rows of several
   * scopes (global, per user, per tenant), so a NULL key is a design, not a gap.
   */
  optional?: string;
}

/** A column whose name looks like a tenant key but that the model decided is not one, with the reason. */
export interface RejectedKey {
  table: TableModel;
  column: string;
  reason: string;
}

export interface Tenancy {
  /** Tables that list the tenants (organizations, accounts, …). */
  registries: { table: TableModel; evidence: Evidence }[];
  /** Tenant-scoped tables and their key, by table. */
  keys: Map<TableModel, TenantKey>;
  rejected: RejectedKey[];
  isolation: { strategy: IsolationStrategy; configured: boolean; evidence: Evidence };
}

export type Platform = 'supabase' | 'plain';

export interface Roles {
  platform: { id: Platform; evidence?: Evidence };
  /** The roles the application connects as; empty when it connects as the table owner. */
  appRoles: string[];
  appRolesEvidence: Evidence;
  /** Roles that bypass row-level security (BYPASSRLS, superusers, Supabase service_role). */
  bypassRoles: string[];
  /** The application connects as the role that owns the tables (so RLS needs FORCE to apply to it). */
  connectsAsOwner: boolean;
  /** The migrations grant some table to a role or to PUBLIC: access is given table by table. */
  grantsTables: boolean;
}

/** How a file's statements share transactions under the set's migration tool. */
export type FileTxMode =
  /** The tool wraps the file in BEGIN … COMMIT. */
  | 'tool'
  /** The tool sends the whole file as one multi-statement query: one implicit transaction (unless it holds one statement). */
  | 'implicit'
  /** Each statement commits on its own (psql -f, per-statement runners, opt-outs). */
  | 'none';

export interface Runner {
  id: RunnerId;
  label: string;
  configured: boolean;
  evidence: Evidence;
  /** How one file of the set runs; `why` names the rule or directive that decided. */
  fileMode(path: string): { mode: FileTxMode; why: string };
  /** Statements of a file that refuse a transaction block run alone (Supabase CLI ≥ 2.109, Flyway auto-detection). */
  splitsNonTransactional: boolean;
  /**
   * The logical migration a file belongs to: the file itself, or for ory/popx the files that share a version
   * timestamp (one migration generated into one file per statement). Tables created in it are new to it.
   */
  migrationOf(path: string): string;
  /**
   * ory/popx, when the set already names files `….autocommit.up.sql`: popx runs such a file outside its transaction,
   * so a statement that refuses one can have a migration of its own. (gobuffalo/pop has no such opt-out.)
   */
  autocommitFiles?: boolean;
}

export interface Convention {
  id: 'timestamp-without-time-zone' | 'json' | 'int-keys' | 'no-lock-timeout';
  /** What the project does consistently, in words. */
  text: string;
  /** Where it does it (capped). */
  places: Origin[];
  count: number;
}

export interface ProjectModel {
  tenancy: Tenancy;
  roles: Roles;
  runner: Runner;
  conventions: Map<Convention['id'], Convention>;
}
