/**
 * Tenant context: how a request becomes "tenant A". Read from the database after the replay — the table's
 * policies (pg_policy), the functions they call (pg_proc.prosrc, followed through SECURITY DEFINER helpers such
 * as basejump's has_role_on_account) and the tables those read — and turned into candidates: a custom setting,
 * JWT claims (Supabase auth.jwt()), a membership row linking the signed-in user (auth.uid(), read from
 * request.jwt.claims) to the tenant, the user being the tenant, or a role per tenant. The probe tries them.
 */
import type { TenantContextConfig } from '../rules/index';
import type { Driver } from './driver';
import { ident, literal, Untestable, type RowFactory, type TableInfo } from './rows';
import { qualifiedName } from './trace';

/** A context to try, with the reason it was inferred. */
export interface Candidate {
  context: TenantContextConfig;
  /** Where it comes from, in words (the policy or function that reads it). */
  why: string;
}

/** One side of the probe: user and tenant, what the request sets, and the tenants the user legitimately sees. */
export interface Identity {
  tenant: string;
  user?: string;
  role: string;
  settings: [string, string][];
  /** The tenant and every tenant the user is a member of (e.g. basejump's personal account). */
  own: string[];
}

export interface PolicyInfo {
  name: string;
  /** r select, a insert, w update, d delete, * all. */
  cmd: string;
  permissive: boolean;
  roles: string[];
  using?: string;
  check?: string;
}

const USERISH = /(^|[._])(user|uid|member|profile|person|principal|account_user|sub)([._]|id|$)/i;

/** `schema.table` for a TableInfo-like name, quoted. */
export function tableRef(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

/** Reads the policies of a table as PostgreSQL prints them. */
export async function loadPolicies(db: Driver, oid: string): Promise<PolicyInfo[]> {
  const r = await db.query(`SELECT p.polname AS name, p.polcmd::text AS cmd, p.polpermissive AS permissive,
      ARRAY(SELECT CASE WHEN x = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x)::text END FROM unnest(p.polroles) x)::text[] AS roles,
      pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS chk
    FROM pg_catalog.pg_policy p WHERE p.polrelid = $1::oid ORDER BY p.polname`, [oid]);
  return r.rows.map((p) => ({
    name: String(p.name), cmd: String(p.cmd), permissive: Boolean(p.permissive), roles: p.roles as string[],
    using: p.qual === null ? undefined : String(p.qual), check: p.chk === null ? undefined : String(p.chk),
  }));
}

interface FunctionInfo { schema: string; name: string; body: string; definer: boolean }

/** User functions (not PostgreSQL's, not an extension's) with their bodies. */
async function userFunctions(db: Driver): Promise<FunctionInfo[]> {
  const r = await db.query(`SELECT n.nspname AS schema, p.proname AS name, p.prosrc AS body, p.prosecdef AS definer
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass
        AND d.objid = p.oid AND d.deptype = 'e')`);
  return r.rows.map((f) => ({ schema: String(f.schema), name: String(f.name), body: String(f.body ?? ''), definer: Boolean(f.definer) }));
}

/** User tables by name. */
async function userTables(db: Driver): Promise<{ schema: string; name: string }[]> {
  const r = await db.query(`SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`);
  return r.rows.map((t) => ({ schema: String(t.schema), name: String(t.name) }));
}

const NAME = `(?:"(?:[^"]|"")+"|[A-Za-z_][\\w$]*)`;

/** The policy text plus the bodies of the functions it calls, followed through function bodies. */
function reachable(texts: string[], functions: FunctionInfo[]): { text: string; functions: FunctionInfo[] } {
  const seen = new Set<FunctionInfo>();
  let frontier = texts;
  for (let depth = 0; depth < 5 && frontier.length; depth++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const m of t.matchAll(new RegExp(`(?:(${NAME})\\s*\\.\\s*)?(${NAME})\\s*\\(`, 'g'))) {
        const schema = m[1] ? unquote(m[1]) : undefined;
        const name = unquote(m[2]);
        for (const f of functions) {
          if (f.name === name && (!schema || f.schema === schema) && !seen.has(f)) {
            seen.add(f);
            next.push(f.body);
          }
        }
      }
    }
    frontier = next;
  }
  return { text: [...texts, ...[...seen].map((f) => f.body)].join('\n'), functions: [...seen] };
}

/** Tables a text reads (`FROM x`, `JOIN s.x`), resolved against the database's tables. */
function tablesRead(text: string, tables: { schema: string; name: string }[]): { schema: string; name: string }[] {
  const out: { schema: string; name: string }[] = [];
  for (const m of text.matchAll(new RegExp(`\\b(?:from|join)\\s+(?:(${NAME})\\s*\\.\\s*)?(${NAME})`, 'gi'))) {
    const schema = m[1] ? unquote(m[1]) : undefined;
    const name = unquote(m[2]);
    for (const t of tables) {
      if (t.name === name && (!schema || t.schema === schema) && !out.includes(t)) out.push(t);
    }
  }
  return out;
}

/** Custom settings read with current_setting('…'). */
function settingsRead(text: string): string[] {
  return [...new Set([...text.matchAll(/current_setting\(\s*'([^']+)'/gi)].map((m) => m[1]))];
}

interface ClaimPath { path: (string | number)[]; equals?: string; differs?: string }

/** JSON paths read from the JWT (`auth.jwt() -> 'o' ->> 'id'`, `current_setting('request.jwt.claims')::jsonb ->> 'x'`). */
function claimPaths(text: string): ClaimPath[] {
  const out: ClaimPath[] = [];
  const anchor = /auth\.jwt\(\)|current_setting\('request\.jwt\.claims'(?:::text)?(?:,\s*true)?\)\)?(?:::jsonb?)?/gi;
  for (const m of text.matchAll(anchor)) {
    let i = m.index! + m[0].length;
    const path: (string | number)[] = [];
    const step = /^\s*\)*\s*(->>|->)\s*\(?(?:'((?:[^']|'')*)'(?:::\w+)?|(-?\d+))\)?/;
    for (;;) {
      const s = step.exec(text.slice(i));
      if (!s) break;
      path.push(s[2] !== undefined ? s[2].replace(/''/g, "'") : Number(s[3]));
      i += s[0].length;
    }
    if (!path.length) continue;
    const after = /^\s*\)*\s*(=|<>|!=)\s*'((?:[^']|'')*)'/.exec(text.slice(i));
    const cmp: ClaimPath = { path };
    if (after) {
      if (after[1] === '=') cmp.equals = after[2];
      else cmp.differs = after[2];
    }
    out.push(cmp);
  }
  for (const m of text.matchAll(/current_setting\('request\.jwt\.claim\.([\w.-]+)'/gi)) {
    if (!['sub', 'role', 'email'].includes(m[1])) out.push({ path: [m[1]] });
  }
  return out;
}

/** Sets a JSON path in an object, creating objects (string keys) or arrays (number keys) on the way. */
function setPath(target: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    const container = cur as Record<string | number, unknown>;
    if (last) {
      if (container[key] === undefined) container[key] = value;
      return;
    }
    const nextIsIndex = typeof path[i + 1] === 'number';
    if (container[key] === undefined || typeof container[key] !== 'object') {
      container[key] = nextIsIndex ? Array.from({ length: Number(path[i + 1]) + 1 }, () => 'sqla') : {};
    }
    cur = container[key] as Record<string, unknown>;
  }
}

/** Replaces {tenant} and {user} in claim values. */
export function fillClaims(claims: unknown, tenant: string, user: string | undefined): unknown {
  if (typeof claims === 'string') return claims.replace(/\{tenant\}/g, tenant).replace(/\{user\}/g, user ?? '');
  if (Array.isArray(claims)) return claims.map((c) => fillClaims(c, tenant, user));
  if (claims && typeof claims === 'object') {
    return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, fillClaims(v, tenant, user)]));
  }
  return claims;
}

/** Columns a text compares with the signed-in user's id (auth.uid(), or a user setting). */
function userColumns(text: string, userExprs: string[]): Set<string> {
  const out = new Set<string>();
  for (const u of userExprs) {
    for (const m of text.matchAll(new RegExp(`(${NAME})\\s*\\)*\\s*=\\s*\\(*\\s*(?:SELECT\\s+)?${u}`, 'gi'))) out.add(unquote(m[1]));
    for (const m of text.matchAll(new RegExp(`${u}(?:\\s+AS\\s+\\w+)?\\s*\\)*\\s*=\\s*\\(*\\s*(?:${NAME}\\s*\\.\\s*)?(${NAME})`, 'gi'))) out.add(unquote(m[1]));
  }
  return out;
}

/**
 * Columns of the table that its policies compare with the signed-in user (`actor_id = auth.uid()`): a row the
 * user may write carries the user there, so the probe's INSERT for tenant B does too.
 */
export function policyUserColumns(info: TableInfo, policies: PolicyInfo[], context: TenantContextConfig): string[] {
  const exprs = ['auth\\.uid\\(\\)'];
  if (context.userSetting) exprs.push(`\\(*\\s*current_setting\\('${context.userSetting.replace(/\./g, '\\.')}'[^)]*\\)\\)?(?:::\\w+)?`);
  const text = policies.flatMap((p) => [p.using, p.check]).filter(Boolean).join('\n');
  const cols = userColumns(text, exprs);
  return info.columns.filter((c) => cols.has(c.name)).map((c) => c.name);
}

/** The literal a text compares a column with (`ur.role = 'admin'`), if any. */
function comparedLiterals(text: string, column: string): string[] {
  const re = new RegExp(`(?:^|[^\\w$])"?${column.replace(/[$]/g, '\\$')}"?\\s*\\)*\\s*=\\s*'((?:[^']|'')*)'`, 'gi');
  return [...new Set([...text.matchAll(re)].map((m) => m[1].replace(/''/g, "'")))];
}

/** The user functions and tables, read once per probe: the probe's own objects are temporary and not among them. */
export interface Catalog {
  functions: FunctionInfo[];
  tables: { schema: string; name: string }[];
}

export async function readCatalog(db: Driver): Promise<Catalog> {
  return { functions: await userFunctions(db), tables: await userTables(db) };
}

export interface InferInput {
  info: TableInfo;
  tenantColumn: string;
  /** The config's tenant setting: tried last when no policy names one. */
  tenantSetting: string;
  tenantColumns: string[];
  policies: PolicyInfo[];
  catalog: Catalog;
}

/**
 * Candidate contexts for a table, most specific first. None of them is trusted: the probe keeps the one under
 * which a user of tenant A really sees or changes its own rows.
 */
export async function inferContexts(rows: RowFactory, input: InferInput): Promise<Candidate[]> {
  const { info, tenantColumn, policies } = input;
  const texts = policies.flatMap((p) => [p.using, p.check].filter((x): x is string => Boolean(x)));
  const { text, functions: called } = reachable(texts, input.catalog.functions);
  const via = called.length ? ` (through ${called.map((f) => `${qualifiedName(f.schema, f.name)}()`).join(', ')})` : '';
  const out: Candidate[] = [];
  const add = (c: Candidate): void => {
    if (!out.some((o) => JSON.stringify(o.context) === JSON.stringify(c.context))) out.push(c);
  };

  const settings = settingsRead(text).filter((s) => !/^request\.jwt\./i.test(s));
  const jwt = /auth\.(uid|jwt|email|role)\s*\(|request\.jwt/i.test(text);
  const userSettings = settings.filter((s) => USERISH.test(s.split('.').slice(1).join('.')));
  const tenantSettings = settings.filter((s) => !userSettings.includes(s));

  for (const s of tenantSettings) add({ context: { setting: s }, why: `the policies read current_setting('${s}')${via}` });

  // JWT claims: paths compared with a literal get it; paths compared with anything else carry the tenant.
  const paths = jwt ? claimPaths(text) : [];
  const fixedClaims: Record<string, unknown> = {};
  for (const p of paths) {
    if (p.equals !== undefined) setPath(fixedClaims, p.path, p.equals);
    else if (p.differs !== undefined) setPath(fixedClaims, p.path, `sqla_not_${p.differs}`);
  }
  const tenantPaths = paths.filter((p) => p.equals === undefined && p.differs === undefined);
  const baseClaims = Object.keys(fixedClaims).length ? fixedClaims : undefined;
  if (tenantPaths.length) {
    const claims = JSON.parse(JSON.stringify(fixedClaims)) as Record<string, unknown>;
    for (const p of tenantPaths) setPath(claims, p.path, '{tenant}');
    add({ context: { claims }, why: `the policies read the tenant from the JWT (${tenantPaths.map((p) => p.path.join('.')).join(', ')})${via}` });
  }

  // Membership: a table the policies read that links a user column to a tenant column.
  const identities: { userSetting?: string; exprs: string[] }[] = [];
  if (jwt) identities.push({ exprs: ['auth\\.uid\\(\\)', `\\(+\\s*current_setting\\('request\\.jwt\\.claim\\.sub'[^)]*\\)\\)?(?:::uuid)?`] });
  for (const s of userSettings) {
    identities.push({ userSetting: s, exprs: [`\\(*\\s*current_setting\\('${s.replace(/\./g, '\\.')}'[^)]*\\)\\)?(?:::\\w+)?`] });
  }
  const own = info.columns.find((c) => c.name === tenantColumn)!;
  const registry = info.fks.find((f) => f.columns.length === 1 && f.columns[0] === tenantColumn);
  const read = tablesRead(text, input.catalog.tables);
  if (!read.some((t) => t.schema === info.schema && t.name === info.table) && new RegExp(`\\bauth\\.uid\\(\\)`).test(text)) {
    read.push({ schema: info.schema, name: info.table });
  }
  for (const id of identities) {
    const users = userColumns(text, id.exprs);
    for (const t of read) {
      if (registry && t.schema === registry.refSchema && t.name === registry.refTable) continue;
      const m = await rows.loadTable(t.schema, t.name);
      if (!m) continue;
      const userCol = m.columns.find((c) => users.has(c.name) && c.name !== tenantColumn);
      if (!userCol) continue;
      const tenantCol = m.columns.find((c) => c.name === tenantColumn && c.base === own.base) ??
        (registry && m.columns.find((c) => m.fks.some((f) => f.columns.length === 1 && f.columns[0] === c.name &&
          f.refSchema === registry.refSchema && f.refTable === registry.refTable))) ??
        m.columns.find((c) => input.tenantColumns.includes(c.name) && c.base === own.base && c !== userCol);
      if (!tenantCol) continue;
      // Other columns with a few meaningful values (a role enum, a CHECK's IN list): one candidate each,
      // the value the policies compare with first.
      const variants: Record<string, string>[] = [{}];
      for (const c of m.columns) {
        if (c === userCol || c === tenantCol) continue;
        const choices = rows.choices(m, c);
        if (!choices.length || (!text.includes(c.name) && c.category === 'B')) continue;
        const preferred = comparedLiterals(text, c.name).filter((l) => choices.includes(l));
        const ordered = [...preferred, ...choices.filter((x) => !preferred.includes(x))].slice(0, 4);
        if (variants.length * ordered.length > 8) continue;
        const next: Record<string, string>[] = [];
        for (const v of variants) for (const o of ordered) next.push({ ...v, [c.name]: o });
        variants.splice(0, variants.length, ...next);
      }
      for (const values of variants) {
        const membership = { table: qualifiedName(m.schema, m.table), userColumn: userCol.name, tenantColumn: tenantCol.name,
          ...(Object.keys(values).length ? { values } : {}) };
        const extra = Object.entries(values).map(([k, v]) => `, ${k} = ${v}`).join('');
        add({
          context: { membership, ...(id.userSetting ? { userSetting: id.userSetting } : {}), ...(baseClaims ? { claims: baseClaims } : {}) },
          why: `the policies${via} look up ${qualifiedName(m.schema, m.table)} (${userCol.name} = the signed-in user, ` +
            `${tenantCol.name} = the tenant${extra})`,
        });
      }
    }
    // The tenant column compared with the user itself: each user is a tenant.
    if (users.has(tenantColumn)) {
      add({ context: { userIsTenant: true, ...(id.userSetting ? { userSetting: id.userSetting } : {}), ...(baseClaims ? { claims: baseClaims } : {}) },
        why: `the policies compare ${tenantColumn} with the signed-in user${via}` });
    }
  }
  if (/\b(current_user|session_user|current_role)\b/i.test(text)) {
    add({ context: { rolePerTenant: true }, why: `the policies compare with current_user${via}` });
  }
  if (!out.length || !tenantSettings.includes(input.tenantSetting)) {
    add({ context: { setting: input.tenantSetting }, why: `the tenantSetting of the configuration (${input.tenantSetting})` });
  }
  return out;
}

/** The signed-in user comes from Supabase's JWT (request.jwt.claims), not from a setting of the application. */
export function usesJwt(context: TenantContextConfig): boolean {
  return Boolean((context.membership || context.userIsTenant || context.claims) && !context.userSetting);
}

/**
 * The role a request runs as: the context's; in a Supabase project (or for a JWT user) `authenticated`, with
 * its real privileges, as PostgREST does; else the probe role, which has every privilege on the table as an
 * application's role would.
 */
export async function requestRole(db: Driver, context: TenantContextConfig, probeRole: string, supabase: boolean): Promise<string> {
  if (context.role) return context.role;
  if (!usesJwt(context) && !supabase) return probeRole;
  const r = await db.query(`SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated'`);
  return r.rows.length ? 'authenticated' : probeRole;
}

/** "a.b" → [schema, table]; a bare name is searched in every schema, public first. */
async function resolveTable(db: Driver, name: string): Promise<{ schema: string; table: string } | undefined> {
  const dot = name.indexOf('.');
  if (dot > 0) return { schema: name.slice(0, dot), table: name.slice(dot + 1) };
  const r = await db.query(`SELECT n.nspname AS schema FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = $1 AND c.relkind IN ('r', 'p') ORDER BY n.nspname <> 'public', n.nspname LIMIT 1`, [name]);
  return r.rows.length ? { schema: String(r.rows[0].schema), table: name } : undefined;
}

/**
 * Creates what makes `tenant` the current tenant under `context` (as the superuser, inside the probe's
 * transaction): the user, its membership row, the tenant's role. Throws Untestable naming the step that failed.
 */
export async function setUpIdentity(db: Driver, rows: RowFactory, context: TenantContextConfig, tenant: string,
  role: string, grantRole: (role: string) => Promise<void>): Promise<Identity> {
  const id: Identity = { tenant, role, settings: [], own: [tenant] };
  const needsUser = Boolean(context.membership || context.userIsTenant || context.claims || context.userSetting);
  if (needsUser) id.user = context.userIsTenant ? tenant : await createUser(db, rows, context);
  if (context.membership) {
    const m = context.membership;
    const where = await resolveTable(db, m.table);
    const info = where && await rows.loadTable(where.schema, where.table);
    if (!info) throw new Untestable(`membership table ${m.table} does not exist`);
    const col = (n: string) => {
      const c = info.columns.find((x) => x.name === n);
      if (!c) throw new Untestable(`membership table ${m.table} has no column ${n}`);
      return c;
    };
    const fixed = new Map<string, string>([
      [m.userColumn, `${literal(id.user!)}::${col(m.userColumn).type}`],
      [m.tenantColumn, `${literal(tenant)}::${col(m.tenantColumn).type}`],
    ]);
    for (const [k, v] of Object.entries(m.values ?? {})) fixed.set(k, `${literal(v)}::${col(k).type}`);
    try {
      await rows.insertRow(info.schema, info.table, fixed);
    } catch (e) {
      if (!(e instanceof Untestable)) throw e;
      // The row may exist already: a trigger that made the user a member, or a seed file.
      if (!(await rows.existingRow(info, fixed))) throw new Untestable(`could not make the user a member of the tenant in ${m.table}: ${e.message}`);
    }
    const r = await db.query(`SELECT DISTINCT ${ident(m.tenantColumn)}::text AS t FROM ${tableRef(info.schema, info.table)}
      WHERE ${ident(m.userColumn)} = ${literal(id.user!)}::${col(m.userColumn).type} AND ${ident(m.tenantColumn)} IS NOT NULL`);
    for (const row of r.rows) if (!id.own.includes(String(row.t))) id.own.push(String(row.t));
  }
  if (context.rolePerTenant) {
    if (Buffer.byteLength(tenant) > 63) throw new Untestable(`tenant id ${tenant} is too long for a role name`);
    id.role = tenant;
    // CREATE ROLE is transactional: the role goes away with the probe's ROLLBACK.
    await db.exec(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${literal(tenant)})
      THEN CREATE ROLE ${ident(tenant)} NOLOGIN NOBYPASSRLS NOSUPERUSER; END IF; END $$`);
    await grantRole(tenant);
  }
  if (context.setting) id.settings.push([context.setting, tenant]);
  if (context.userSetting && id.user) id.settings.push([context.userSetting, id.user]);
  if (id.user !== undefined) {
    // PostgREST puts the verified JWT in request.jwt.claims (and, before v10, request.jwt.claim.<name>).
    const claims = { ...(fillClaims(context.claims ?? {}, tenant, id.user) as Record<string, unknown>) };
    claims.sub ??= id.user;
    claims.role ??= id.role;
    claims.aud ??= 'authenticated';
    id.settings.push(['request.jwt.claims', JSON.stringify(claims)]);
    for (const [k, v] of Object.entries(claims)) {
      if (typeof v === 'string' && /^[\w-]+$/.test(k)) id.settings.push([`request.jwt.claim.${k}`, v]);
    }
  }
  return id;
}

/**
 * The signed-in user: a row of the table the membership's user column references, else of auth.users (a
 * Supabase user, so that sign-up triggers run as they would), else a fresh id.
 */
async function createUser(db: Driver, rows: RowFactory, context: TenantContextConfig): Promise<string> {
  let ref: { schema: string; table: string; column: string } | undefined;
  let userType = 'uuid';
  if (context.membership) {
    const where = await resolveTable(db, context.membership.table);
    const info = where && await rows.loadTable(where.schema, where.table);
    const fk = info?.fks.find((f) => f.columns.length === 1 && f.columns[0] === context.membership!.userColumn);
    if (fk) ref = { schema: fk.refSchema, table: fk.refTable, column: fk.refColumns[0] };
    userType = info?.columns.find((c) => c.name === context.membership!.userColumn)?.base ?? 'uuid';
  }
  if (!ref && userType === 'uuid' && await rows.loadTable('auth', 'users')) ref = { schema: 'auth', table: 'users', column: 'id' };
  if (ref) {
    try {
      const row = await rows.insertRow(ref.schema, ref.table, new Map());
      const v = row[ref.column];
      if (v !== null && v !== undefined) return v;
    } catch (e) {
      if (!(e instanceof Untestable)) throw e;
      throw new Untestable(`could not create a user in ${qualifiedName(ref.schema, ref.table)}: ${e.message}`);
    }
  }
  const r = await db.query(userType === 'uuid' ? 'SELECT gen_random_uuid()::text AS u' : `SELECT 'sqla_user_' || floor(random() * 1e9)::text AS u`);
  return String(r.rows[0].u);
}

/** Enters the request as `id`: SET LOCAL ROLE and the settings (transaction-local, like SET LOCAL). */
export async function enter(db: Driver, id: Identity): Promise<void> {
  await db.exec(`SET LOCAL ROLE ${ident(id.role)}`);
  for (const [name, value] of id.settings) await db.query('SELECT pg_catalog.set_config($1, $2, true)', [name, value]);
}

/** A context in the syntax of `tenantContext` in .sqlarchitect.json. */
export function contextJson(context: TenantContextConfig): string {
  return JSON.stringify(context);
}

/** The context in words, for the verdict. */
export function describeContext(context: TenantContextConfig, role: string, table?: string): string {
  const parts: string[] = [];
  if (context.setting) parts.push(`${context.setting} = the tenant`);
  if (context.membership) {
    const m = context.membership;
    const values = Object.entries(m.values ?? {}).map(([k, v]) => `, ${k} = ${v}`).join('');
    const what = `(${m.userColumn} = the user, ${m.tenantColumn} = the tenant${values})`;
    parts.push(m.table === table ? `the user owns a row of ${m.table} ${what}` : `a member through ${m.table} ${what}`);
  }
  if (context.userIsTenant) parts.push('the signed-in user is the tenant');
  if (context.claims) parts.push(`JWT claims ${JSON.stringify(context.claims)}`);
  if (context.rolePerTenant) parts.push('a role named after the tenant');
  const user = context.membership || context.userIsTenant || context.claims || context.userSetting;
  if (user) parts.push(context.userSetting ? `user in ${context.userSetting}` : 'signed in through request.jwt.claims');
  parts.push(role.startsWith("a probe role") ? `as ${role}` : `as role ${role}`);
  return parts.join(', ');
}
