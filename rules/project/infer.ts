// Builds the project model of one migration set from its final schema and its files, before any rule runs.
import type { ResolvedConfig } from '../engine/config';
import type { SchemaModel } from '../model/schema';
import type { TableModel } from '../model/types';
import { inferConventions } from './conventions';
import { administers, inferRoles } from './roles';
import { inferRunner, type RunnerFile } from './runner';
import { inferTenancy } from './tenancy';
import type { ProjectModel } from './types';

export function inferProject(model: SchemaModel, files: readonly RunnerFile[], config: ResolvedConfig, markers: readonly string[] = []): ProjectModel {
  const roles = inferRoles(model, config, files.map((f) => f.path));
  return {
    tenancy: inferTenancy(model, config, roles),
    roles,
    runner: inferRunner(files, config, markers),
    conventions: inferConventions(model),
  };
}

/** The table is reachable by the roles the application connects as (so its rows need row-level security). */
export function reachableByApp(project: ProjectModel, table: TableModel): boolean {
  const r = project.roles;
  if (r.connectsAsOwner) return true;
  if (table.publicGrants.length > 0) return true;
  if (table.grants.some((g) => r.appRoles.includes(g.role))) return true;
  // Supabase grants every table of public to anon and authenticated by default privileges.
  return r.platform.id === 'supabase' && table.schema === 'public';
}

/**
 * The roles the application connects as may write the table (INSERT or UPDATE). False when the migrations grant it
 * to them for reading only, and nothing else opens it (basejump's billing tables: authenticated may SELECT, the
 * payment provider's webhook writes as service_role).
 */
export function writableByApp(project: ProjectModel, table: TableModel): boolean {
  const r = project.roles;
  if (r.connectsAsOwner) return true;
  const writes = (privileges: string[]) => privileges.some((p) => p === 'all' || p === 'insert' || p === 'update');
  if (table.publicGrants.some((g) => writes(g.privileges))) return true;
  if (table.grants.some((g) => r.appRoles.includes(g.role) && writes(g.privileges))) return true;
  // Supabase's default privileges give anon and authenticated everything on new tables of public.
  if (r.platform.id === 'supabase' && table.schema === 'public') return true;
  // Granted to nobody the application connects as: default privileges the migrations do not show may open it.
  return !table.grants.some((g) => r.appRoles.includes(g.role));
}

/**
 * Row-level security on the table holds back a role that reaches it, so a table without policies denies rows to
 * someone who reads it. Not so when the grants the migrations make on the table name only administrators (Supabase
 * Storage grants storage.objects to postgres alone and leaves its policies to each project), nor, when the
 * application connects as the owner, for a table the migrations grant to no one while granting others: the owner
 * is not held back (without FORCE), and deny-all to everyone else is the design. Where the migrations grant nothing
 * at all, default privileges they cannot show may open the table (Supabase's public schema), so it is reported.
 */
export function restrictsReachingRole(project: ProjectModel, table: TableModel): boolean {
  if (!reachableByApp(project, table)) return false;
  const roles = project.roles;
  if (table.publicGrants.length > 0) return true;
  if (roles.connectsAsOwner && table.rlsForced) return true;
  if (table.grants.length > 0) return table.grants.some((g) => !administers(roles, g.role));
  return !roles.connectsAsOwner || !roles.grantsTables;
}
