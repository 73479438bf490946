// Configuration: the shape of `.sqlarchitect.json`, its defaults, and validation with messages that name the key.
import type { Severity } from './types';

export type RuleSetting = Severity | 'off';

/**
 * How a request becomes "tenant A" in the isolation proof (verify-isolation). Inferred from the policies when
 * absent; set it when the inference fails. `{tenant}` and `{user}` in claim values are replaced by the ids.
 */
export interface TenantContextConfig {
  /** The tenant id is put in this custom setting (current_setting('app.…')). */
  setting?: string;
  /** JWT claims of the signed-in user, as Supabase's request.jwt.claims (`sub` is the user unless given). */
  claims?: Record<string, unknown>;
  /** A row of this table makes the user a member of the tenant. `values`: other columns of that row, as text cast to the column type. */
  membership?: { table: string; userColumn: string; tenantColumn: string; values?: Record<string, string> };
  /** The tenant id is the signed-in user's id (each user is a tenant). */
  userIsTenant?: boolean;
  /** Each tenant is a database role named after its id: requests SET ROLE to it. */
  rolePerTenant?: boolean;
  /** The signed-in user's id is put in this custom setting instead of Supabase's request.jwt.claims. */
  userSetting?: string;
  /** The role requests run as (default: authenticated for Supabase users, else a probe role with all privileges). */
  role?: string;
}

/** Migration tools whose way of running a file (in a transaction or not) the analysis knows. See rules/project/runner.ts. */
export const RUNNERS = [
  'prisma', 'prisma-per-statement', 'goose', 'dbmate', 'golang-migrate', 'flyway', 'supabase', 'graphile-migrate', 'atlas',
  'popx', 'postgres-migrations', 'sqlx', 'drizzle', 'sqitch', 'dump', 'psql',
] as const;
export type RunnerId = (typeof RUNNERS)[number];

export type IsolationStrategy = 'rls' | 'application';

export interface ResolvedConfig {
  postgresVersion: number;
  tenantColumns: string[];
  tenantSetting: string;
  sensitiveColumns: { include: string[]; exclude: string[] };
  rules: Record<string, RuleSetting>;
  lockTimeout: string;
  /** Unset: decided per file from the migration tool (`runner`). */
  assumeInTransaction?: boolean;
  migrations: string[];
  /** The tenant registry tables (`organizations`), when inference should not decide. */
  tenantTables: string[];
  /** How the project isolates tenants; unset: inferred (RLS on any tenant table → rls). */
  isolation?: IsolationStrategy;
  /** Roles the application connects as; unset: inferred from policies, grants and platform conventions. */
  appRoles?: string[];
  /** Roles that bypass row-level security (BYPASSRLS, superusers, Supabase's service_role), besides the inferred ones. */
  bypassRoles: string[];
  /** The migration tool that runs the files; unset: inferred from file names and directives. */
  runner?: RunnerId;
  /**
   * The schema the set starts from (a pg_dump --schema-only file, Rails structure.sql, Supabase schema.sql), as
   * written in the configuration; project/pipeline.ts resolves it against the file's folder.
   */
  baseline?: string;
  /** Table sizes the user states: `"events": "large"`, `"plans": "small"` or a row count, by table name. */
  tableSizes: Record<string, TableSizeSetting>;
  /** Below this many rows a table is small: lock findings that grow with the table are reported as info. */
  smallTableRows: number;
  /** The keys the user set (configuration file or editor settings), so inference knows what not to override. */
  explicit: string[];
  /** verify-isolation: how a request becomes a tenant; unset: read from the policies. */
  tenantContext?: TenantContextConfig;
  /** verify-isolation: a SQL file (relative to the configuration file) run after the migrations, before the probe. */
  isolationSeed?: string;
}

export type TableSizeSetting = 'small' | 'large' | number;

export const DEFAULT_TENANT_COLUMNS = ['tenant_id', 'organization_id', 'org_id', 'workspace_id', 'team_id', 'account_id'];

export function defaultConfig(): ResolvedConfig {
  return {
    postgresVersion: 14,
    tenantColumns: [...DEFAULT_TENANT_COLUMNS],
    tenantSetting: 'app.current_tenant_id',
    sensitiveColumns: { include: [], exclude: [] },
    rules: {},
    lockTimeout: '2s',
    migrations: [],
    tenantTables: [],
    bypassRoles: [],
    tableSizes: {},
    smallTableRows: 10000,
    explicit: [],
  };
}

export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(message);
  }
}

const SEVERITIES = ['off', 'info', 'warning', 'error'];

export const SETTING_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_.]*$/;
/** `schema.table` or `table`, unquoted. */
export const TABLE_NAME_RE = /^([A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/;

function settingName(key: string, v: unknown): string {
  if (typeof v !== 'string' || !SETTING_NAME_RE.test(v)) {
    throw new ConfigError(key, `"${key}" must be a custom setting name with a prefix, such as "app.current_tenant_id"`);
  }
  return v;
}

const CONTEXT_KEYS = ['setting', 'claims', 'membership', 'userIsTenant', 'rolePerTenant', 'userSetting', 'role'];

function tenantContext(v: unknown): TenantContextConfig {
  const key = 'tenantContext';
  const example = '{ "setting": "app.current_tenant_id" } or { "membership": { "table": "account_user", "userColumn": "user_id", "tenantColumn": "account_id" } }';
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, `"${key}" must be an object such as ${example}`);
  const out: TenantContextConfig = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const at = `${key}.${k}`;
    switch (k) {
      case 'setting': out.setting = settingName(at, x); break;
      case 'userSetting': out.userSetting = settingName(at, x); break;
      case 'claims':
        if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new ConfigError(at, `"${at}" must be an object of JWT claims such as { "org_id": "{tenant}" }`);
        out.claims = x as Record<string, unknown>;
        break;
      case 'userIsTenant': case 'rolePerTenant':
        if (typeof x !== 'boolean') throw new ConfigError(at, `"${at}" must be true or false`);
        out[k] = x;
        break;
      case 'role':
        if (typeof x !== 'string' || !x) throw new ConfigError(at, `"${at}" must be a role name`);
        out.role = x;
        break;
      case 'membership': {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new ConfigError(at, `"${at}" must be an object with "table", "userColumn" and "tenantColumn"`);
        const m = x as Record<string, unknown>;
        for (const mk of Object.keys(m)) {
          if (!['table', 'userColumn', 'tenantColumn', 'values'].includes(mk)) throw new ConfigError(`${at}.${mk}`, `unknown key "${at}.${mk}" (expected "table", "userColumn", "tenantColumn" or "values")`);
        }
        if (typeof m.table !== 'string' || !TABLE_NAME_RE.test(m.table)) throw new ConfigError(`${at}.table`, `"${at}.table" must be a table name such as "basejump.account_user"`);
        for (const c of ['userColumn', 'tenantColumn'] as const) {
          if (typeof m[c] !== 'string' || !m[c]) throw new ConfigError(`${at}.${c}`, `"${at}.${c}" must be a column name`);
        }
        const values = m.values === undefined ? {} : m.values;
        if (values === null || typeof values !== 'object' || Array.isArray(values) || Object.values(values).some((y) => typeof y !== 'string')) {
          throw new ConfigError(`${at}.values`, `"${at}.values" must be an object of column → value, such as { "role": "owner" }`);
        }
        out.membership = { table: m.table, userColumn: m.userColumn as string, tenantColumn: m.tenantColumn as string, values: values as Record<string, string> };
        break;
      }
      default:
        throw new ConfigError(at, `unknown key "${at}" (expected one of ${CONTEXT_KEYS.map((c) => `"${c}"`).join(', ')})`);
    }
  }
  return out;
}

/**
 * Validates a parsed `.sqlarchitect.json` object and merges it over `base`. Throws ConfigError naming the
 * offending key. `knownRules` lists the rule ids of the registry.
 */
/** The "rules" key: rule id → severity, every id known. */
function ruleSettings(v: unknown, knownRules: readonly string[]): Record<string, RuleSetting> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('rules', '"rules" must be an object of rule id → "off" | "info" | "warning" | "error"');
  const out: Record<string, RuleSetting> = {};
  for (const [id, sev] of Object.entries(v as Record<string, unknown>)) {
    if (!knownRules.includes(id)) throw new ConfigError(`rules.${id}`, `unknown rule "${id}" in "rules"`);
    if (typeof sev !== 'string' || !SEVERITIES.includes(sev)) throw new ConfigError(`rules.${id}`, `"rules.${id}" must be one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`);
    out[id] = sev as RuleSetting;
  }
  return out;
}

export function resolveConfig(raw: unknown, knownRules: readonly string[], base: ResolvedConfig = defaultConfig()): ResolvedConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('', 'the configuration must be a JSON object');
  const o = raw as Record<string, unknown>;
  const out: ResolvedConfig = { ...base, sensitiveColumns: { ...base.sensitiveColumns }, rules: { ...base.rules }, tableSizes: { ...base.tableSizes }, explicit: [...base.explicit] };
  const stringArray = (key: string, v: unknown): string[] => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(key, `"${key}" must be an array of strings`);
    return v as string[];
  };
  for (const [key, v] of Object.entries(o)) {
    if (key !== '$schema' && !out.explicit.includes(key)) out.explicit.push(key);
    switch (key) {
      case '$schema':
        break;
      case 'postgresVersion':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 9 || v > 30) throw new ConfigError(key, '"postgresVersion" must be a PostgreSQL major version such as 14');
        out.postgresVersion = v;
        break;
      case 'tenantColumns':
        out.tenantColumns = stringArray(key, v);
        break;
      case 'tenantSetting':
        out.tenantSetting = settingName(key, v);
        break;
      case 'tenantContext':
        out.tenantContext = tenantContext(v);
        break;
      case 'isolationSeed':
        if (typeof v !== 'string' || !v) throw new ConfigError(key, '"isolationSeed" must be the path of a SQL file, such as "supabase/seed.sql"');
        out.isolationSeed = v;
        break;
      case 'sensitiveColumns':
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, '"sensitiveColumns" must be an object with "include" and "exclude" arrays');
        for (const [k, list] of Object.entries(v as Record<string, unknown>)) {
          if (k !== 'include' && k !== 'exclude') throw new ConfigError(`${key}.${k}`, `unknown key "${key}.${k}" (expected "include" or "exclude")`);
          out.sensitiveColumns[k] = stringArray(`${key}.${k}`, list);
        }
        break;
      case 'rules':
        Object.assign(out.rules, ruleSettings(v, knownRules));
        break;
      case 'lockTimeout':
        if (typeof v !== 'string' || !/^\d+\s*(ms|s|min)?$/.test(v)) throw new ConfigError(key, '"lockTimeout" must be a duration such as "2s" or "500ms"');
        out.lockTimeout = v;
        break;
      case 'assumeInTransaction':
        if (typeof v !== 'boolean') throw new ConfigError(key, '"assumeInTransaction" must be true or false');
        out.assumeInTransaction = v;
        break;
      case 'migrations':
        out.migrations = stringArray(key, v);
        break;
      case 'tenantTables':
        out.tenantTables = stringArray(key, v);
        break;
      case 'isolation':
        if (v !== 'rls' && v !== 'application') throw new ConfigError(key, '"isolation" must be "rls" (row-level security isolates tenants) or "application" (the application filters by tenant)');
        out.isolation = v;
        break;
      case 'appRoles':
        out.appRoles = stringArray(key, v);
        break;
      case 'bypassRoles':
        out.bypassRoles = stringArray(key, v);
        break;
      case 'runner':
        if (typeof v !== 'string' || !(RUNNERS as readonly string[]).includes(v)) throw new ConfigError(key, `"runner" must be one of ${RUNNERS.map((r) => `"${r}"`).join(', ')}`);
        out.runner = v as RunnerId;
        break;
      case 'baseline':
        if (typeof v !== 'string' || !v.trim()) throw new ConfigError(key, '"baseline" must be the path of a schema dump (pg_dump --schema-only, Rails structure.sql, Supabase schema.sql), relative to this file');
        out.baseline = v;
        break;
      case 'tableSizes': {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, '"tableSizes" must be an object of table name → "small", "large" or a row count');
        for (const [table, size] of Object.entries(v as Record<string, unknown>)) {
          if (size !== 'small' && size !== 'large' && !(typeof size === 'number' && Number.isFinite(size) && size >= 0)) {
            throw new ConfigError(`tableSizes.${table}`, `"tableSizes.${table}" must be "small", "large" or a row count such as 40000000`);
          }
          out.tableSizes[table] = size as TableSizeSetting;
        }
        break;
      }
      case 'smallTableRows':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(key, '"smallTableRows" must be a row count such as 10000');
        out.smallTableRows = v;
        break;
      default:
        throw new ConfigError(key, `unknown key "${key}"`);
    }
  }
  return out;
}
