// Which tables list the tenants, which column of every other table says whose a row is, and how the project keeps
// tenants apart. A foreign key to the registry confirms a tenant key; a name alone is weaker and is checked against
// the registry's key type, so `team_id text` of a Slack integration is not taken for the project's `teams.id uuid`.
import type { ResolvedConfig } from '../engine/config';
import type { SchemaModel } from '../model/schema';
import { displayName } from '../model/schema';
import type { Origin, TableModel } from '../model/types';
import { isRegistryNamed, isUserTable, normName, referencedColumn, sameKeyType, tenantStems } from './names';
import type { Evidence, RejectedKey, Roles, TenantKey, Tenancy } from './types';
import { pushTo } from '../model/group';

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
    pushTo(groups, key, f);
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

/** What the name rules of the configuration say: the tenant key names, their stems, and whether the user set them. */
interface KeyNames {
  names: Set<string>;
  stems: ReturnType<typeof tenantStems>;
  configured: boolean;
}

export function inferTenancy(model: SchemaModel, config: ResolvedConfig, roles: Roles): Tenancy {
  const naming: KeyNames = { names: new Set(config.tenantColumns.map(normName)), stems: tenantStems(config.tenantColumns), configured: config.explicit.includes('tenantColumns') };
  const fks = singleColumnFks(model);
  const { registries, hubColumns } = findRegistries(model, config, fks, naming);
  const keys = new Map<TableModel, TenantKey>();
  const rejected: RejectedKey[] = [];
  const registryOfName = new Map<string, TableModel>();
  for (const f of fks) if (registries.has(f.target)) registryOfName.set(normName(f.column), f.target);
  const tenantNamed = (c: string) => naming.names.has(normName(c)) || hubColumns.has(normName(c));
  // Each table's foreign keys, grouped once: looking them up in the list of all of them per table was quadratic.
  const fksOf = new Map<TableModel, Fk[]>();
  for (const f of fks) {
    pushTo(fksOf, f.table, f);
  }
  for (const t of model.tables.values()) {
    if (t.temporary || registries.has(t) || t.partitionOf) continue;
    const own = fksOf.get(t) ?? [];
    const key = configuredKey(t, naming) ?? registryKey(t, own, registries, tenantNamed)
      ?? keyByName(model, t, { own, registries, registryOfName, tenantNamed, rejected });
    if (key) keys.set(t, key);
  }
  markOptionalKeys(keys);
  return { registries: [...registries].map(([table, evidence]) => ({ table, evidence })), keys, rejected, isolation: inferIsolation(keys, config, roles) };
}

/**
 * The tables that list the tenants: configured ones; tables tenant-named columns refer to, named like a tenant table
 * or referred to so from two tables or more (`organization_id → organizations`, `"teamID" → "Team"`); else a hub.
 */
function findRegistries(model: SchemaModel, config: ResolvedConfig, fks: Fk[], { names, stems, configured: configuredColumns }: KeyNames): { registries: Map<TableModel, Evidence>; hubColumns: Set<string> } {
  const registries = new Map<TableModel, Evidence>();
  for (const name of config.tenantTables) {
    const t = findTable(model, name);
    if (t) registries.set(t, { text: `configured in tenantTables ("${name}")` });
  }
  const byTarget = new Map<TableModel, Fk[]>();
  for (const f of fks) {
    if (!names.has(normName(f.column))) continue;
    if (isUserTable(f.target) && !configuredColumns) continue;
    pushTo(byTarget, f.target, f);
  }
  for (const [target, list] of byTarget) {
    if (registries.has(target)) continue;
    const from = new Set(list.map((f) => f.table));
    if (!isRegistryNamed(target, stems) && from.size < 2 && !configuredColumns) continue;
    const f = list[0];
    registries.set(target, { text: `referenced by ${f.column} from ${from.size} table${from.size === 1 ? '' : 's'} (first ${displayName(f.table)})`, origin: f.origin });
  }
  // A registry that itself belongs to another registry (teams of an organization) is a tenant table, not a tenant.
  for (let changed = true; changed;) {
    changed = false;
    for (const r of [...registries.keys()]) {
      if (config.tenantTables.length && registries.get(r)?.text.startsWith('configured')) continue;
      if (fks.some((f) => f.table === r && registries.has(f.target) && f.target !== r && names.has(normName(f.column)))) {
        registries.delete(r);
        changed = true;
      }
    }
  }
  const hubColumns = new Set<string>();
  if (registries.size === 0) {
    const hub = hubRegistry(model, fks);
    if (hub) {
      registries.set(hub.table, hub.evidence);
      hubColumns.add(normName(hub.column));
    }
  }
  return { registries, hubColumns };
}

/** 1. A column the user named in tenantColumns. */
function configuredKey(t: TableModel, { names, configured: configuredColumns }: KeyNames): TenantKey | undefined {
  const configured = configuredColumns ? [...t.columns.values()].find((c) => names.has(normName(c.name))) : undefined;
  if (!configured) return undefined;
  return { table: t, column: configured.name, kind: 'configured', evidence: { text: `${configured.name} is in tenantColumns` }, origin: configured.origin };
}

/** 2. A foreign key to a registry; tenant-named columns first. `own`: the table's foreign keys. */
function registryKey(t: TableModel, own: Fk[], registries: Map<TableModel, Evidence>, tenantNamed: (c: string) => boolean): TenantKey | undefined {
  const toRegistry = own.filter((f) => registries.has(f.target) && t.columns.has(f.column))
    .sort((a, b) => Number(tenantNamed(b.column)) - Number(tenantNamed(a.column)));
  if (!toRegistry.length) return undefined;
  const f = toRegistry[0];
  return {
    table: t, column: f.column, kind: 'foreign-key', registry: f.target, origin: t.columns.get(f.column)!.origin,
    evidence: { text: `${f.column} references the tenant table ${displayName(f.target)}`, origin: f.origin },
  };
}

interface NameContext {
  /** The table's own single-column foreign keys. */
  own: Fk[];
  registries: Map<TableModel, Evidence>;
  registryOfName: Map<string, TableModel>;
  tenantNamed: (c: string) => boolean;
  /** Where the columns named like a tenant key but taken for something else go, with the reason. */
  rejected: RejectedKey[];
}

/** 3. A name alone: kept when it cannot be someone else's id. */
function keyByName(model: SchemaModel, t: TableModel, { own, registries, registryOfName, tenantNamed, rejected }: NameContext): TenantKey | undefined {
  const cols = [...t.columns.values()];
  const origin = (c: string) => t.columns.get(c)!.origin;
  for (const c of cols) {
    if (!tenantNamed(c.name)) continue;
    // A polymorphic reference (`workspaceType` + `workspaceID`, Rails' `owner_type` + `owner_id`) points at rows of
    // several kinds of owner, a user as often as a team: not a tenant key.
    const kindColumn = cols.find((k) => normName(k.name) === normName(c.name).replace(/(id|uuid)$/, 'type'));
    if (kindColumn) {
      rejected.push({ table: t, column: c.name, reason: `${c.name} is polymorphic: ${kindColumn.name} says which kind of owner it points at` });
      continue;
    }
    const ownFk = own.find((f) => f.column === c.name);
    if (ownFk) {
      rejected.push({ table: t, column: c.name, reason: `${c.name} references ${displayName(ownFk.target)}, which is not a tenant table` });
      continue;
    }
    const declared = registryOfName.get(normName(c.name));
    // The project declares this column as a foreign key to its tenant table elsewhere; this table declares foreign
    // keys for other columns but not for this one: a deliberate omission, another system's id.
    // Only when the set has a tenant table the column could have referenced.
    if (registries.size > 0 && t.constraints.some((k) => k.kind === 'foreign')) {
      rejected.push({
        table: t, column: c.name,
        reason: declared
          ? `${c.name} is named like the tenant key, but unlike elsewhere in the set it has no foreign key to ${displayName(declared)} while ${displayName(t)} declares others: not taken as its tenant key (a foreign key, or "tenantColumns" in .sqlarchitect.json, would make it one)`
          : `${c.name} is named like a tenant key, but ${displayName(t)} declares foreign keys for other columns and none for ${c.name}: not taken as its tenant key (a foreign key, or "tenantColumns" in .sqlarchitect.json, would make it one)`,
      });
      continue;
    }
    if (registries.size > 0) {
      const match = (declared ? [declared] : [...registries.keys()]).map((r) => {
        const key = referencedColumn(model, { schema: r.schema, name: r.name }, undefined);
        return { r, key, type: key ? r.columns.get(key.column)?.type : undefined };
      }).find((x) => sameKeyType(c.type, x.type));
      if (match) {
        return {
          table: t, column: c.name, kind: 'name-and-type', registry: match.r, origin: origin(c.name),
          evidence: { text: `${c.name} is named like a tenant key and has the type of ${displayName(match.r)}.${match.key!.column}, but no foreign key to it` },
        };
      }
      rejected.push({ table: t, column: c.name, reason: `${c.name} is named like a tenant key, but it has no foreign key to the tenant table${registries.size > 1 ? 's' : ''} ${[...registries.keys()].map(displayName).join(', ')} and not their key type: probably another system's id` });
      continue;
    }
    return { table: t, column: c.name, kind: 'name', origin: origin(c.name), evidence: { text: `${c.name} is named like a tenant key (no tenant table in the set confirms it)` } };
  }
  return undefined;
}

/** A nullable key beside other nullable foreign keys: the table holds rows of several scopes (global, per user, per tenant). */
function markOptionalKeys(keys: Map<TableModel, TenantKey>): void {
  for (const key of keys.values()) {
    const col = key.table.columns.get(key.column);
    if (!col || col.notNull) continue;
    const others = key.table.constraints.filter((c) => c.kind === 'foreign' && c.columns.length === 1 && c.columns[0] !== key.column && !key.table.columns.get(c.columns[0])?.notNull).map((c) => c.columns[0]);
    if (others.length) key.optional = `${key.column} is nullable like ${others.join(', ')}: the table holds rows of several scopes`;
  }
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
