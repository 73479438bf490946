// Who connects to the database: the roles the application uses, the roles that bypass row-level security, and
// whether the application connects as the tables' owner (the case where RLS needs FORCE to apply at all).
import type { ResolvedConfig } from '../engine/config';
import type { SchemaModel } from '../model/schema';
import { displayName } from '../model/schema';
import type { Origin } from '../model/types';
import type { Evidence, Roles } from './types';

/** Supabase's API roles and the roles its platform gives BYPASSRLS (or superuser). https://supabase.com/docs/guides/database/postgres/roles */
const SUPABASE_APP_ROLES = ['anon', 'authenticated'];
const SUPABASE_BYPASS = ['service_role', 'postgres', 'supabase_admin', 'supabase_auth_admin', 'supabase_storage_admin', 'supabase_realtime_admin'];
const SUPABASE_AUTH_FUNCTIONS = new Set(['auth.uid', 'auth.jwt', 'auth.role', 'auth.email']);
/**
 * The administrator every installation creates: the bootstrap superuser of self-hosted PostgreSQL and of Supabase,
 * the master user (and usual table owner) of managed services. Grants and policies naming it keep it working, they
 * do not say the application connects as it.
 */
const ADMIN_ROLES = new Set(['postgres']);
/** Role names that stand for "whoever runs the query". */
const ANY_ROLE = new Set(['public', 'current_user', 'session_user', 'current_role', '']);

function supabaseEvidence(model: SchemaModel, paths: readonly string[]): Evidence | undefined {
  const path = paths.find((p) => /(^|\/)supabase\/migrations\//.test(p));
  if (path) return { text: `migrations live in ${path.slice(0, path.indexOf('supabase/migrations/') + 'supabase/migrations'.length)}` };
  for (const t of model.tables.values()) {
    for (const p of t.policies) {
      const role = p.roles.find((r) => SUPABASE_APP_ROLES.includes(r) || r === 'service_role');
      if (role) return { text: `policy "${p.name}" on ${displayName(t)} is for the Supabase role ${role}`, origin: p.origin };
      const fn = p.functions?.find((f) => SUPABASE_AUTH_FUNCTIONS.has(f));
      if (fn) return { text: `policy "${p.name}" on ${displayName(t)} calls ${fn}()`, origin: p.origin };
    }
    const g = t.grants.find((x) => SUPABASE_APP_ROLES.includes(x.role) || x.role === 'service_role');
    if (g) return { text: `${displayName(t)} is granted to the Supabase role ${g.role}`, origin: g.origin };
    const fk = t.constraints.find((c) => c.kind === 'foreign' && c.refTable?.schema === 'auth' && c.refTable.name === 'users');
    if (fk) return { text: `${displayName(t)} references auth.users`, origin: fk.origin };
  }
  for (const [schema, roles] of model.schemaUsage) {
    const role = [...roles.keys()].find((r) => SUPABASE_APP_ROLES.includes(r));
    if (role) return { text: `schema ${schema} is granted to the Supabase role ${role}`, origin: roles.get(role) };
  }
  return undefined;
}

export function inferRoles(model: SchemaModel, config: ResolvedConfig, paths: readonly string[]): Roles {
  const supabase = supabaseEvidence(model, paths);
  const bypass = new Set(config.bypassRoles);
  if (supabase) for (const r of SUPABASE_BYPASS) bypass.add(r);
  for (const r of model.roles.values()) if (r.bypassRls || r.superuser) bypass.add(r.name);

  let appRoles: string[];
  let evidence: Evidence;
  if (config.appRoles) {
    appRoles = [...config.appRoles];
    evidence = { text: `configured: "appRoles": [${appRoles.map((r) => `"${r}"`).join(', ')}]` };
  } else if (supabase) {
    appRoles = [...SUPABASE_APP_ROLES];
    evidence = { text: 'Supabase: the Data API connects as anon (signed out) and authenticated (signed in)' };
  } else {
    // Roles that policies are written for, or that tables are granted to, are the roles the application uses.
    const named = new Map<string, Origin>();
    const name = (r: string, origin: Origin) => { if (!bypass.has(r) && !ADMIN_ROLES.has(r) && !named.has(r)) named.set(r, origin); };
    for (const t of model.tables.values()) {
      for (const p of t.policies) for (const r of p.roles) if (!ANY_ROLE.has(r)) name(r, p.origin);
      for (const g of t.grants) name(g.role, g.origin);
    }
    appRoles = [...named.keys()];
    const first = [...named.values()][0];
    evidence = appRoles.length
      ? { text: `policies and grants name ${appRoles.join(', ')}: the application connects as ${appRoles.length === 1 ? 'that role' : 'those roles'}, not as the tables' owner`, origin: first }
      : { text: 'no policy or grant names a role: the application is taken to connect as the role that owns the tables' };
  }
  return {
    platform: supabase ? { id: 'supabase', evidence: supabase } : { id: 'plain' },
    appRoles,
    appRolesEvidence: evidence,
    bypassRoles: [...bypass],
    connectsAsOwner: appRoles.length === 0,
    grantsTables: [...model.tables.values()].some((t) => t.grants.length > 0 || t.publicGrants.length > 0),
  };
}

/** The policy applies to a role the application connects as (or to everyone). */
export function policyReachesApp(roles: Roles, policyRoles: readonly string[]): boolean {
  if (policyRoles.length === 0 || policyRoles.some((r) => ANY_ROLE.has(r))) return true;
  if (roles.connectsAsOwner) return policyRoles.some((r) => !roles.bypassRoles.includes(r));
  return policyRoles.some((r) => roles.appRoles.includes(r));
}

/** Every role the policy is for bypasses row-level security anyway (Supabase's service_role). */
export function onlyBypassRoles(roles: Roles, policyRoles: readonly string[]): boolean {
  return policyRoles.length > 0 && policyRoles.every((r) => roles.bypassRoles.includes(r));
}

/** The role is not held back by row-level security: it bypasses it, or it is the installation's administrator (postgres). */
export function administers(roles: Roles, role: string): boolean {
  return roles.bypassRoles.includes(role) || (ADMIN_ROLES.has(role) && !roles.appRoles.includes(role));
}
