/** Classifies statements by their leading keywords: transaction control, no-transaction-block, server-wide. */

/** Removes leading whitespace, `-- …` and (nested) `/* … *\/` comments. */
export function stripLeadingComments(sql: string): string {
  let i = 0;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i])) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      if (nl < 0) return '';
      i = nl + 1;
    } else if (sql.startsWith('/*', i)) {
      // PostgreSQL block comments nest, unlike C's.
      let depth = 0;
      while (i < sql.length) {
        if (sql.startsWith('/*', i)) { depth++; i += 2; }
        else if (sql.startsWith('*/', i)) { depth--; i += 2; if (depth === 0) break; }
        else i++;
      }
    } else {
      return sql.slice(i);
    }
  }
}

/** The statement text, comments and string literals blanked, keywords lower-cased, whitespace collapsed. */
function normalized(sql: string): string {
  return stripLeadingComments(sql)
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** BEGIN / COMMIT / ROLLBACK / SAVEPOINT … written in the migration itself. */
export function isTransactionControl(sql: string): boolean {
  const s = normalized(sql);
  // END is PostgreSQL's synonym of COMMIT, ABORT of ROLLBACK; BEGIN ATOMIC only occurs inside function bodies.
  return /^(begin|start transaction|commit|end|rollback|abort|savepoint|release|prepare transaction)\b/.test(s);
}

/**
 * Statements that PostgreSQL refuses inside a transaction block (PreventInTransactionBlock).
 * `serverVersionNum` matters for ALTER TYPE … ADD VALUE, allowed in a transaction only since 12.
 */
export function isNonTransactional(sql: string, serverVersionNum = 180000): boolean {
  const s = normalized(sql);
  return (
    /^create (unique )?index concurrently\b/.test(s) ||
    /^drop index concurrently\b/.test(s) ||
    /^reindex\b.*\bconcurrently\b/.test(s) ||
    /^reindex (\([^)]*\) )?(database|system)\b/.test(s) ||
    /^vacuum\b/.test(s) ||
    /^(create|drop) (database|tablespace)\b/.test(s) ||
    /^alter database \S+ set tablespace\b/.test(s) ||
    /^alter system\b/.test(s) ||
    /^(create|drop) subscription\b/.test(s) ||
    /^alter table\b.*\bdetach partition\b.*\b(concurrently|finalize)\b/.test(s) ||
    /^cluster$/.test(s) ||
    (serverVersionNum < 120000 && /^alter type\b.*\badd value\b/.test(s))
  );
}

/** Statements that act on the whole cluster; they are not run against a shared real server. */
export function isServerWide(sql: string): boolean {
  const s = normalized(sql);
  return /^((create|drop|alter) (database|tablespace)|alter system)\b/.test(s);
}

const SUPABASE_ROLES = ['anon', 'authenticated', 'service_role'];

/** Contrib extensions shipped with PGlite 0.5 (module name under @electric-sql/pglite/contrib). */
export const PGLITE_CONTRIB = [
  'amcheck', 'auto_explain', 'bloom', 'btree_gin', 'btree_gist', 'citext', 'cube', 'dict_int', 'dict_xsyn',
  'earthdistance', 'file_fdw', 'fuzzystrmatch', 'hstore', 'intarray', 'isn', 'lo', 'ltree', 'moddatetime',
  'pageinspect', 'pg_buffercache', 'pg_freespacemap', 'pg_stat_statements', 'pg_surgery', 'pg_trgm',
  'pg_visibility', 'pg_walinspect', 'pgcrypto', 'seg', 'tablefunc', 'tcn', 'tsm_system_rows',
  'tsm_system_time', 'unaccent', 'uuid_ossp',
];

/** What to prepare in a fresh database before the replay. Computed from the whole input. */
export interface EnvironmentPlan {
  /** Supabase roles to create (those the input does not create itself). */
  roles: string[];
  /** The input looks like a Supabase project: add Supabase's default grants to those roles. */
  supabaseGrants: boolean;
  authSchema: boolean;
  storageSchema: boolean;
  extensionsSchema: boolean;
  /** PGlite contrib modules to load (named by CREATE EXTENSION in the input). */
  pgliteExtensions: string[];
}

function createsSchema(text: string, name: string): boolean {
  return new RegExp(`create\\s+schema\\s+(if\\s+not\\s+exists\\s+)?"?${name}"?(\\s|;|$)`, 'i').test(text);
}

function referencesSchema(text: string, name: string): boolean {
  return new RegExp(`(^|[^\\w$."])"?${name}"?\\s*\\.\\s*["\\w]`, 'i').test(text) ||
    new RegExp(`\\bschema\\s+"?${name}"?\\b`, 'i').test(text);
}

export function planEnvironment(sqls: string[], enabled = true): EnvironmentPlan {
  const text = sqls.join(';\n');
  const pgliteExtensions = new Set<string>();
  for (const m of text.matchAll(/create\s+extension\s+(?:if\s+not\s+exists\s+)?"?([\w-]+)"?/gi)) {
    const mod = m[1].toLowerCase().replace(/-/g, '_');
    if (PGLITE_CONTRIB.includes(mod)) pgliteExtensions.add(mod);
  }
  if (!enabled) {
    return { roles: [], supabaseGrants: false, authSchema: false, storageSchema: false, extensionsSchema: false,
      pgliteExtensions: [...pgliteExtensions] };
  }
  const roles = SUPABASE_ROLES.filter(
    (r) => !new RegExp(`create\\s+(role|user)\\s+(if\\s+not\\s+exists\\s+)?"?${r}"?\\b`, 'i').test(text),
  );
  const supabaseGrants = /\b(anon|authenticated|service_role)\b/i.test(text) || referencesSchema(text, 'auth');
  return {
    roles,
    supabaseGrants,
    authSchema: referencesSchema(text, 'auth') && !createsSchema(text, 'auth'),
    storageSchema: referencesSchema(text, 'storage') && !createsSchema(text, 'storage'),
    extensionsSchema: referencesSchema(text, 'extensions') && !createsSchema(text, 'extensions'),
    pgliteExtensions: [...pgliteExtensions],
  };
}
