// Helpers shared by the tenancy and RLS rules: ordering facts across the files of a set, finding the
// definition of a column or constraint inside its statement, rendering the RLS recipe, reading policies.
import type { FunctionModel, Origin, PolicyCall, PolicyModel, TableModel, TypeRef } from '../model/types';
import type { SetContext } from '../engine/types';
import type { ProjectModel } from '../project/types';
import { displayName, type SchemaModel } from '../model/schema';
import { escapeRe, identName, quoteIdent, tableSql, tenantPredicate, tenantTablesOf, typeSql, type TenantTable } from './util';
import { clipBytes, MAX_IDENTIFIER_BYTES } from '../model/names';
import { rememberedFor } from '../model/remember';

/** The tenant-scoped tables of the project, by table: built once per project (four set rules ask), never changed. */
export function tenantMap(ctx: SetContext): ReadonlyMap<TableModel, TenantTable> {
  return tenantsByTable(ctx.project);
}
const tenantsByTable = rememberedFor((project: ProjectModel): ReadonlyMap<TableModel, TenantTable> => new Map(tenantTablesOf(project).map((t) => [t.table, t])));

/** The DISABLE ROW LEVEL SECURITY statement in effect, when the table's history has one after the last ENABLE. */
export function rlsDisabledAt(ctx: SetContext, table: TableModel): Origin | undefined {
  return table.rlsEnabled ? undefined : switchedOffAt(ctx, table, 'enable-rls', 'disable-rls');
}

/** The NO FORCE ROW LEVEL SECURITY statement in effect, when FORCE was set and then removed. */
export function rlsUnforcedAt(ctx: SetContext, table: TableModel): Origin | undefined {
  return table.rlsForced ? undefined : switchedOffAt(ctx, table, 'force-rls', 'no-force-rls');
}

function switchedOffAt(ctx: SetContext, table: TableModel, on: string, off: string): Origin | undefined {
  for (let i = table.history.length - 1; i >= 0; i--) {
    const o = table.history[i];
    const acts = ctx.statementAt(o)?.actions ?? [];
    // The last of the two in one statement wins (ALTER TABLE t FORCE …, NO FORCE …).
    const last = [...acts].reverse().find((a) => a.type === on || a.type === off);
    if (last) return last.type === off ? o : undefined;
  }
  return undefined;
}

/** SECURITY DEFINER functions whose body names the table: they run as its owner, so FORCE filters them too. */
export function definerFunctionsReading(ctx: SetContext, table: TableModel): string[] {
  const word = new RegExp(`(^|[^\\w$])("?)${escapeRe(table.name)}\\2($|[^\\w$])`, 'i');
  return [...ctx.model.functions.values()].filter((f) => f.securityDefiner && f.body && word.test(f.body)).map((f) => displayName(f));
}

/* ---------------- SQL of the fixes ---------------- */

/** A policy name not yet used on the table: `<table>_tenant_isolation`. */
export function isolationPolicyName(table: TableModel): string {
  // The table's own spelling (quoted when needed), cut to PostgreSQL's 63-byte identifier limit.
  const base = clipBytes(`${table.name}_tenant_isolation`, MAX_IDENTIFIER_BYTES);
  const taken = new Set(table.policies.map((p) => p.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** CREATE POLICY <table>_tenant_isolation … comparing the tenant column with the tenant setting. */
export function isolationPolicySql(table: TableModel, column: string, type: TypeRef, setting: string): string {
  const pred = tenantPredicate(column, type, setting);
  return `CREATE POLICY ${quoteIdent(isolationPolicyName(table))} ON ${tableSql(table)}\n  USING (${pred})\n  WITH CHECK (${pred});`;
}

export interface IsolationPolicy {
  /** The policy, after `prelude` when there is one. */
  sql: string;
  /** SQL the predicate needs first (a helper function), included in `sql`. */
  prelude?: string;
  /** The expression that decides a row's tenant, as the project writes it. */
  predicate: string;
  /** Where the style comes from, in words: "as policy "x" on projects does", or the tenant setting. */
  source: string;
  /** It reads the tenant setting, which the application must set in every transaction before it sees any row. */
  readsSetting?: boolean;
}

/**
 * The tenant policy a table should get, in the project's own style: when the tenant tables have a policy that
 * scopes rows by their tenant key (`has_role_on_account(account_id)`, `org_id IN (SELECT private.my_orgs())`), the
 * same expression on this table's key and for the same roles; otherwise a comparison with the tenant setting.
 */
export function projectIsolationPolicy(ctx: SetContext, table: TableModel, column: string): IsolationPolicy {
  const best = policyStyle(ctx.project);
  const name = quoteIdent(isolationPolicyName(table));
  if (best) {
    // The project's expression, with the calls PostgreSQL would run once per row made once per statement.
    const predicate = wrapPerRowCalls(ctx, best.policy, 'using', best.template).split('\u0000').join(quoteIdent(column));
    const to = best.roles.length ? `\n  TO ${best.roles.map(quoteIdent).join(', ')}` : '';
    return {
      sql: `CREATE POLICY ${name} ON ${tableSql(table)}${to}\n  USING (${predicate})\n  WITH CHECK (${predicate});`,
      predicate,
      source: `as policy "${best.name}" on ${displayName(best.on)} does`,
    };
  }
  // Supabase: the session is a user (auth.uid()), not a tenant setting; its tenants are the rows of the membership table.
  const member = ctx.project.roles.platform.id === 'supabase' ? membershipTable(ctx.project) : undefined;
  if (member && member.table === table) {
    // The membership table itself: a policy on it that reads it again recurses (PostgreSQL's "infinite recursion
    // detected in policy"). A SECURITY DEFINER function reads it as its owner, outside RLS: a user sees, and may add,
    // rows of the tenants they already belong to.
    // Everything schema-qualified: the function runs with an empty search_path.
    const schema = `${quoteIdent(table.schema)}.`;
    const fn = `${schema}${quoteIdent(identName('is_member_of', member.key))}`;
    const type = typeSql(table.columns.get(member.key)?.type ?? { name: 'text', mods: [], array: false, start: 0 });
    const prelude = `CREATE FUNCTION ${fn}(${quoteIdent(`p_${member.key}`)} ${type}) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$\n  SELECT EXISTS (SELECT 1 FROM ${schema}${quoteIdent(table.name)} WHERE ${quoteIdent(member.user)} = (SELECT auth.uid()) AND ${quoteIdent(member.key)} = ${quoteIdent(`p_${member.key}`)})\n$$;`;
    const predicate = `${fn}(${quoteIdent(column)})`;
    return {
      prelude,
      sql: `${prelude}\nCREATE POLICY ${name} ON ${tableSql(table)}\n  TO authenticated\n  USING (${predicate})\n  WITH CHECK (${predicate});`,
      predicate,
      source: `through a SECURITY DEFINER function that reads ${displayName(table)} as its owner (a policy on it that queries it recurses)`,
    };
  }
  if (member) {
    const predicate = `EXISTS (SELECT 1 FROM ${tableSql(member.table)} m WHERE m.${quoteIdent(member.user)} = (SELECT auth.uid()) AND m.${quoteIdent(member.key)} = ${quoteIdent(table.name)}.${quoteIdent(column)})`;
    return {
      sql: `CREATE POLICY ${name} ON ${tableSql(table)}\n  TO authenticated\n  USING (${predicate})\n  WITH CHECK (${predicate});`,
      predicate,
      source: `through ${displayName(member.table)}, the ${member.key} values auth.uid() is a member of`,
    };
  }
  const type = table.columns.get(column)?.type ?? { name: 'text', mods: [], array: false, start: 0 };
  const predicate = tenantPredicate(column, type, ctx.config.tenantSetting);
  return { sql: isolationPolicySql(table, column, type, ctx.config.tenantSetting), predicate, source: `comparing ${column} with current_setting('${ctx.config.tenantSetting}', true)`, readsSetting: true };
}

/**
 * The table that links users to tenants (`user_roles (user_id, organization_id)` unique together), the first created
 * among the tenant tables; once per project.
 */
function membershipTable(project: ProjectModel): { table: TableModel; key: string; user: string } | undefined {
  return membership(project).found;
}
const membership = rememberedFor((project: ProjectModel): { found?: { table: TableModel; key: string; user: string } } => {
  for (const { table, column } of tenantTablesOf(project)) {
    const user = membershipPartner(table, column);
    if (user) return { found: { table, key: column, user } };
  }
  return {};
});

/** A tenant policy written as a template (the tenant key replaced by NUL), as first seen. */
interface PolicyStyle { template: string; roles: string[]; name: string; on: TableModel; policy: PolicyModel }

const styleCache = new WeakMap<ProjectModel, { best?: PolicyStyle }>();

/**
 * The project's most used tenant policy template (ties: the one seen first), computed once per set rather than once
 * per table: linear in the number of policies.
 */
function policyStyle(project: ProjectModel): PolicyStyle | undefined {
  const cached = styleCache.get(project);
  if (cached) return cached.best;
  const counts = new Map<string, { n: number; style: PolicyStyle }>();
  for (const key of project.tenancy.keys.values()) {
    for (const p of key.table.policies) {
      if (!p.permissive || p.usingAlwaysTrue || !p.usingText || (p.command !== 'all' && p.command !== 'select')) continue;
      const word = new RegExp(`(?<![\\w."])("?)${escapeRe(key.column)}\\1(?![\\w"])`, 'g');
      // The key must appear once: a second one is likely another table's column in a subquery.
      if ((p.usingText.match(word) ?? []).length !== 1) continue;
      const template = p.usingText.replace(word, '\u0000');
      const hit = counts.get(template) ?? { n: 0, style: { template, roles: p.roles.filter((r) => r !== 'public'), name: p.name, on: key.table, policy: p } };
      hit.n++;
      counts.set(template, hit);
    }
  }
  let best: { n: number; style: PolicyStyle } | undefined;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  styleCache.set(project, { best: best?.style });
  return best?.style;
}


/* ---------------- calls a policy runs once per row ---------------- */

/** Functions that read the session, not the row: Supabase's auth helpers and PostgreSQL's settings. */
const SESSION_FUNCTIONS = new Set(['auth.uid', 'auth.jwt', 'auth.role', 'auth.email', 'current_setting', 'pg_catalog.current_setting']);

/** The calls of a policy that read nothing of the row yet cost something each time (no-per-row-policy-call). */
export function perRowCalls(ctx: SetContext, policy: PolicyModel): PolicyCall[] {
  return (policy.calls ?? []).filter((c) => c.runs.some((name) => costlyFunction(ctx, name)));
}

/** A session function, or one of the project's that is not IMMUTABLE (and not a trigger). */
function costlyFunction(ctx: SetContext, name: string): boolean {
  if (SESSION_FUNCTIONS.has(name)) return true;
  const f = setFunction(ctx, name);
  return f !== undefined && !f.returnsTrigger && f.volatility !== 'immutable';
}

/** A function the migrations define, by the name a policy calls it (`authorize`, `private.my_orgs`). */
export function setFunction(ctx: SetContext, name: string): FunctionModel | undefined {
  const { qualified, bare } = functionsByName(ctx.model);
  return name.includes('.') ? qualified.get(name) : bare.get(name);
}

/**
 * The migrations' functions by lower-cased name, once per model (each policy call is looked up, several times): as
 * `schema.name`, the first of that name; and bare, public's, or else the first in any schema (search_path).
 */
const functionsByName = rememberedFor((model: SchemaModel) => {
  const qualified = new Map<string, FunctionModel>();
  const bare = new Map<string, FunctionModel>();
  for (const f of model.functions.values()) {
    const name = f.name.toLowerCase();
    const key = `${f.schema.toLowerCase()}.${name}`;
    if (!qualified.has(key)) qualified.set(key, f);
    const seen = bare.get(name);
    if (!seen || (f.schema === 'public' && seen.schema !== 'public')) bare.set(name, f);
  }
  return { qualified, bare };
});

/** A call as written in its file. */
export function callText(ctx: SetContext, policy: PolicyModel, c: PolicyCall): string {
  return (ctx.fileText(c.file ?? policy.origin.file) ?? '').slice(c.span.start, c.span.end);
}

/** `text` (an expression of the policy's clause) with each of its per-row calls written `(SELECT …)`. */
function wrapPerRowCalls(ctx: SetContext, policy: PolicyModel, clause: PolicyCall['clause'], text: string): string {
  let out = text;
  for (const written of new Set(perRowCalls(ctx, policy).filter((c) => c.clause === clause).map((c) => callText(ctx, policy, c)))) {
    if (written) out = out.replace(new RegExp(`(?<!\\(\\s*select\\s+)${escapeRe(written)}`, 'gi'), `(SELECT ${written})`);
  }
  return out;
}

export function enableRlsSql(table: TableModel): string {
  return `ALTER TABLE ${tableSql(table)} ENABLE ROW LEVEL SECURITY;`;
}

export function forceRlsSql(table: TableModel): string {
  return `ALTER TABLE ${tableSql(table)} FORCE ROW LEVEL SECURITY;`;
}

/* ---------------- policies ---------------- */

export type Command = 'select' | 'insert' | 'update' | 'delete';
export const COMMANDS: Command[] = ['select', 'insert', 'update', 'delete'];

export interface PolicyExpr {
  clause: 'USING' | 'WITH CHECK';
  columns: string[];
  alwaysTrue: boolean;
  text?: string;
}

function appliesTo(p: PolicyModel, cmd: Command): boolean {
  return p.command === 'all' || p.command === cmd;
}

/**
 * The expression that decides `side` of `cmd` for a policy: reads (SELECT, and the rows UPDATE and DELETE
 * may touch) use USING; writes (INSERT, and the new row of UPDATE) use WITH CHECK, and an ALL or UPDATE
 * policy without WITH CHECK uses its USING for both. https://www.postgresql.org/docs/current/sql-createpolicy.html
 */
export function policyExpr(p: PolicyModel, cmd: Command, side: 'read' | 'write'): PolicyExpr | undefined {
  if (!appliesTo(p, cmd)) return undefined;
  const using: PolicyExpr | undefined = p.usingColumns
    ? { clause: 'USING', columns: p.usingColumns, alwaysTrue: Boolean(p.usingAlwaysTrue), text: p.usingText }
    : undefined;
  const check: PolicyExpr | undefined = p.checkColumns
    ? { clause: 'WITH CHECK', columns: p.checkColumns, alwaysTrue: Boolean(p.checkAlwaysTrue), text: p.checkText }
    : undefined;
  if (side === 'read') return cmd === 'insert' ? undefined : using;
  if (cmd !== 'insert' && cmd !== 'update') return undefined;
  return check ?? (p.command === 'all' || p.command === 'update' ? using : undefined);
}

/** `false`, `1 = 0`, `'f'::boolean`: a policy expression that admits no row. */
function alwaysFalse(e: PolicyExpr | undefined): boolean {
  return Boolean(e?.text && /^[\s(]*(false|'(f|false|n|no|off|0)'\s*::\s*bool(ean)?|1\s*=\s*0|0\s*=\s*1)[\s)]*$/i.test(e.text));
}

/** The expression restricts rows to `column` values (or admits none at all). */
export function constrains(e: PolicyExpr | undefined, column: string): boolean {
  return Boolean(e && !e.alwaysTrue && (e.columns.includes(column) || alwaysFalse(e)));
}

/** Roles that stand for "whoever runs the query", including the table owner. */
const ANY_ROLE = new Set(['public', 'current_user', 'session_user', 'current_role']);

/** The policy applies to every role (no TO clause, TO PUBLIC, TO CURRENT_USER …), the owner included. */
export function appliesToAnyRole(p: PolicyModel): boolean {
  return p.roles.length === 0 || p.roles.some((r) => ANY_ROLE.has(r));
}

/**
 * A membership table links users to tenants: its primary key or a unique key is exactly (tenant column, other).
 * Returns that other column (`user_id` of `account_user (user_id, account_id)`).
 */
export function membershipPartner(table: TableModel, tenantColumn: string): string | undefined {
  const keys = [
    ...table.constraints.filter((c) => c.kind === 'primary' || c.kind === 'unique').map((c) => c.columns),
    ...table.indexes.filter((i) => i.unique && !i.partial).map((i) => i.columns),
  ];
  for (const k of keys) {
    const other = k.length === 2 && k.includes(tenantColumn) ? k.find((c) => c !== tenantColumn) : undefined;
    if (other && /(^|_)(user|member|profile|person|principal|identity)(_?id)?$/i.test(other)) return other;
  }
  return undefined;
}

/** Roles a policy applies to; no TO clause means PUBLIC. */
function rolesOf(p: PolicyModel): string[] {
  return p.roles.length ? p.roles : ['public'];
}

/** The restrictive policy applies to every role the permissive one does. */
export function rolesCovered(restrictive: PolicyModel, permissive: PolicyModel): boolean {
  const r = rolesOf(restrictive);
  return r.includes('public') || rolesOf(permissive).every((x) => r.includes(x));
}

/** Column names of an index element list, with the columns inside expression elements `(a,b)` spelled out. */
export function indexColumnNames(columns: readonly string[]): string[] {
  return columns.flatMap((c) => (c.startsWith('(') ? c.slice(1, -1).split(',') : [c]));
}
