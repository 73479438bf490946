// Configuration: the shape of `.sqlarchitect.json`, its defaults, and validation with messages that name the key.
import type { Severity } from './types';

export type RuleSetting = Severity | 'off';

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

/**
 * Validates a parsed `.sqlarchitect.json` object and merges it over `base`. Throws ConfigError naming the
 * offending key. `knownRules` lists the rule ids of the registry.
 */
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
        if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_.]*$/.test(v)) {
          throw new ConfigError(key, '"tenantSetting" must be a custom setting name with a prefix, such as "app.current_tenant_id"');
        }
        out.tenantSetting = v;
        break;
      case 'sensitiveColumns': {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, '"sensitiveColumns" must be an object with "include" and "exclude" arrays');
        for (const [k, list] of Object.entries(v as Record<string, unknown>)) {
          if (k !== 'include' && k !== 'exclude') throw new ConfigError(`${key}.${k}`, `unknown key "${key}.${k}" (expected "include" or "exclude")`);
          out.sensitiveColumns[k] = stringArray(`${key}.${k}`, list);
        }
        break;
      }
      case 'rules': {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(key, '"rules" must be an object of rule id → "off" | "info" | "warning" | "error"');
        for (const [id, sev] of Object.entries(v as Record<string, unknown>)) {
          if (!knownRules.includes(id)) throw new ConfigError(`rules.${id}`, `unknown rule "${id}" in "rules"`);
          if (typeof sev !== 'string' || !SEVERITIES.includes(sev)) throw new ConfigError(`rules.${id}`, `"rules.${id}" must be one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`);
          out.rules[id] = sev as RuleSetting;
        }
        break;
      }
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
