// Which tables list the tenants, which column of every other table says whose a row is, and how the project keeps
// tenants apart. A foreign key to the registry confirms a tenant key; a name alone is weaker and is checked against
// the registry's key type, so `team_id text` of a Slack integration is not taken for the project's `teams.id uuid`.
import type { ResolvedConfig } from '../engine/config';
import type { SchemaModel } from '../model/schema';
import { displayName } from '../model/schema';
import type { Origin, TableModel } from '../model/types';
import { isRegistryNamed, isUserTable, normName, referencedColumn, sameKeyType, tenantStems } from './names';
import type { Evidence, RejectedKey, Roles, TenantKey, Tenancy } from './types';

interface Fk {
  table: TableModel;
  column: string;
  target: TableModel;
  origin: Origin;
}

function singleColumnFks(model: SchemaModel): Fk[] {
  const out: Fk[] = [];
  for (const t of model.tables.values()) {
    for (const c of t.constraints) {
      if (c.kind !== 'foreign' || c.columns.length !== 1 || !c.refTable) continue;
      const target = model.table(c.refTable);
      if (target && target !== t) out.push({ table: t, column: c.columns[0], target, origin: c.origin });
    }
  }
  return out;
}

function findTable(model: SchemaModel, name: string): TableModel | undefined {
  const parts = name.split('.');
  return parts.length > 1 ? model.table({ schema: parts[0], name: parts.slice(1).join('.') }) : model.table({ name });
}

/** Columns that partition many tables the way a tenant key does, though not named like one (Ory's `nid` → networks). */
function hubRegistry(model: SchemaModel, fks: Fk[]): { table: TableModel; column: string; evidence: Evidence } | undefined {
  const groups = new Map<string, Fk[]>();
  for (const f of fks) {
    if (isUserTable(f.target)) continue;
    const key = `${normName(f.column)}\u0000${f.target.schema}.${f.target.name}`;
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  let best: { table: TableModel; column: string; evidence: Evidence; n: number } | undefined;
  for (const list of groups.values()) {
    const tables = new Set(list.map((f) => f.table));
    // In most tables of the set, as a tenant key is (danbooru's post_id is in a fifth of them: a parent, not a tenant).
    if (tables.size < 5 || tables.size < 0.5 * (model.tables.size - 1)) continue;
    // The column leads or joins the unique keys of the tables it partitions: uniqueness is per partition.
    const scopedKeys = [...tables].filter((t) => t.indexes.some((i) => i.unique && i.columns.length > 1 && i.columns.some((c) => normName(c) === normName(list[0].column)))).length;
    if (scopedKeys < 2 || (best && best.n >= tables.size)) continue;
    const { target, column } = list[0];
    best = {
      table: target, column, n: tables.size,
      evidence: { text: `${displayName(target)} is referenced by ${column} from ${tables.size} tables, and ${column} is part of the unique keys of ${scopedKeys} of them: it partitions the data the way a tenant key does`, origin: target.created },
    };
  }
  return best;
}

export function inferTenancy(model: SchemaModel, config: ResolvedConfig, roles: Roles): Tenancy {
  const configuredColumns = config.explicit.includes('tenantColumns');
  const names = new Set(config.tenantColumns.map(normName));
  const stems = tenantStems(config.tenantColumns);
  const fks = singleColumnFks(model);
  const registries = new Map<TableModel, Evidence>();

  for (const name of config.tenantTables) {
    const t = findTable(model, name);
    if (t) registries.set(t, { text: `configured in tenantTables ("${name}")` });
  }
  // A table that tenant-named columns refer to, and that is named like a tenant table or is referred to so from
  // two tables or more: `organization_id → organizations`, `"teamID" → "Team"`.
  const byTarget = new Map<TableModel, Fk[]>();
  for (const f of fks) {
    if (!names.has(normName(f.column))) continue;
    if (isUserTable(f.target) && !configuredColumns) continue;
    const list = byTarget.get(f.target) ?? [];
    list.push(f);
    byTarget.set(f.target, list);
  }
  for (const [target, list] of byTarget) {
    if (registries.has(target)) continue;
    const from = new Set(list.map((f) => f.table));
    if (!isRegistryNamed(target, stems) && from.size < 2 && !configuredColumns) continue;
    const f = list[0];
    registries.set(target, { text: `referenced by ${f.column} from ${from.size} table${from.size === 1 ? '' : 's'} (first ${displayName(f.table)})`, origin: f.origin });
  }
  const hubColumns = new Set<string>();
  if (registries.size === 0) {
    const hub = hubRegistry(model, fks);
    if (hub) {
      registries.set(hub.table, hub.evidence);
      hubColumns.add(normName(hub.column));
    }
  }

  const keys = new Map<TableModel, TenantKey>();
  const rejected: RejectedKey[] = [];
  const registryOfName = new Map<string, TableModel>();
  for (const f of fks) if (registries.has(f.target)) registryOfName.set(normName(f.column), f.target);
  const fksOf = new Map<TableModel, Fk[]>();
  for (const f of fks) {
    const list = fksOf.get(f.table);
    if (list) list.push(f); else fksOf.set(f.table, [f]);
  }

  for (const t of model.tables.values()) {
    if (t.temporary || registries.has(t) || t.partitionOf) continue;
    const cols = [...t.columns.values()];
    const tenantNamed = (c: string) => names.has(normName(c)) || hubColumns.has(normName(c));
    const origin = (c: string) => t.columns.get(c)!.origin;
    // 1. A column the user named.
    const configured = configuredColumns ? cols.find((c) => names.has(normName(c.name))) : undefined;
    if (configured) {
      keys.set(t, { table: t, column: configured.name, kind: 'configured', evidence: { text: `${configured.name} is in tenantColumns` }, origin: origin(configured.name) });
      continue;
    }
    // 2. A foreign key to a registry; tenant-named columns first.
    const own = fksOf.get(t) ?? [];
    const toRegistry = own.filter((f) => registries.has(f.target) && t.columns.has(f.column))
      .sort((a, b) => Number(tenantNamed(b.column)) - Number(tenantNamed(a.column)));
    if (toRegistry.length) {
      const f = toRegistry[0];
      keys.set(t, {
        table: t, column: f.column, kind: 'foreign-key', registry: f.target, origin: origin(f.column),
        evidence: { text: `${f.column} references the tenant table ${displayName(f.target)}`, origin: f.origin },
      });
      continue;
    }
    // 3. A name alone: kept when it cannot be someone else's id.
    for (const c of cols) {
      if (!tenantNamed(c.name)) continue;
      const ownFk = own.find((f) => f.column === c.name);
      if (ownFk) {
        rejected.push({ table: t, column: c.name, reason: `${c.name} references ${displayName(ownFk.target)}, which is not a tenant table` });
        continue;
      }
      const declared = registryOfName.get(normName(c.name));
      // The project declares this column as a foreign key to its tenant table elsewhere; this table declares foreign
      // keys for other columns but not for this one: a deliberate omission, another system's id.
      if (declared && own.length > 0) {
        rejected.push({ table: t, column: c.name, reason: `${c.name} is named like the tenant key, but unlike elsewhere in the set it has no foreign key to ${displayName(declared)} while ${displayName(t)} declares others: probably another system's id` });
        continue;
      }
      if (registries.size > 0) {
        const match = (declared ? [declared] : [...registries.keys()]).map((r) => {
          const key = referencedColumn(model, { schema: r.schema, name: r.name }, undefined);
          return { r, key, type: key ? r.columns.get(key.column)?.type : undefined };
        }).find((x) => sameKeyType(c.type, x.type));
        if (match) {
          keys.set(t, {
            table: t, column: c.name, kind: 'name-and-type', registry: match.r, origin: origin(c.name),
            evidence: { text: `${c.name} is named like a tenant key and has the type of ${displayName(match.r)}.${match.key!.column}, but no foreign key to it` },
          });
          break;
        }
        rejected.push({ table: t, column: c.name, reason: `${c.name} is named like a tenant key, but it has no foreign key to the tenant table${registries.size > 1 ? 's' : ''} ${[...registries.keys()].map(displayName).join(', ')} and not their key type: probably another system's id` });
        continue;
      }
      keys.set(t, { table: t, column: c.name, kind: 'name', origin: origin(c.name), evidence: { text: `${c.name} is named like a tenant key (no tenant table in the set confirms it)` } });
      break;
    }
  }

  return { registries: [...registries].map(([table, evidence]) => ({ table, evidence })), keys, rejected, isolation: inferIsolation(keys, config, roles) };
}

function inferIsolation(keys: Map<TableModel, TenantKey>, config: ResolvedConfig, roles: Roles): Tenancy['isolation'] {
  if (config.isolation) return { strategy: config.isolation, configured: true, evidence: { text: `configured: "isolation": "${config.isolation}"` } };
  const tables = [...keys.keys()];
  const withRls = tables.filter((t) => t.rlsEnabled ?? t.rlsEverEnabled);
  if (withRls.length) {
    return {
      strategy: 'rls', configured: false,
      evidence: { text: `row-level security is enabled on ${withRls.length} of ${tables.length} tenant tables (first ${displayName(withRls[0])})`, origin: withRls[0].rlsEnabled ?? withRls[0].rlsEverEnabled },
    };
  }
  if (roles.platform.id === 'supabase') {
    return { strategy: 'rls', configured: false, evidence: { text: 'a Supabase project: its Data API exposes tables to the anon and authenticated roles, and row-level security is what keeps tenants apart', origin: roles.platform.evidence?.origin } };
  }
  return {
    strategy: 'application', configured: false,
    evidence: { text: tables.length ? `no tenant table enables row-level security: the application filters by tenant` : 'no tenant tables' },
  };
}
