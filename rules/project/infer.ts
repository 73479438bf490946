// Builds the project model of one migration set from its final schema and its files, before any rule runs.
import type { ResolvedConfig } from '../engine/config';
import type { SchemaModel } from '../model/schema';
import type { TableModel } from '../model/types';
import { inferConventions } from './conventions';
import { inferRoles } from './roles';
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
