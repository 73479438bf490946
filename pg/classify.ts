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
/** Other roles of a Supabase database, created only when the input names them. */
const SUPABASE_EXTRA_ROLES = [
  'authenticator', 'supabase_admin', 'supabase_auth_admin', 'supabase_storage_admin', 'supabase_realtime_admin',
  'dashboard_user', 'pgbouncer',
];

/** What to prepare in a fresh database before the replay. Computed from the whole input. */
export interface EnvironmentPlan {
  /** Supabase roles to create (those the input does not create itself). */
  roles: string[];
  /** The input looks like a Supabase project: add Supabase's default grants to those roles. */
  supabaseGrants: boolean;
  authSchema: boolean;
  storageSchema: boolean;
  realtimeSchema: boolean;
  extensionsSchema: boolean;
  /**
   * Extensions Supabase preinstalls in schema `extensions` (on the search_path there) that the input uses
   * without creating: SQL extension names, e.g. 'uuid-ossp'.
   */
  preinstalled: string[];
  /** Extensions named by CREATE EXTENSION in the input, plus `preinstalled`: PGlite loads those it ships. */
  extensions: string[];
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
  const extensions = new Set<string>();
  for (const m of text.matchAll(/create\s+extension\s+(?:if\s+not\s+exists\s+)?"?([\w-]+)"?/gi)) {
    extensions.add(m[1].toLowerCase());
  }
  if (!enabled) {
    return { roles: [], supabaseGrants: false, authSchema: false, storageSchema: false, realtimeSchema: false,
      extensionsSchema: false, preinstalled: [], extensions: [...extensions] };
  }
  const creates = (r: string): boolean =>
    new RegExp(`create\\s+(role|user)\\s+(if\\s+not\\s+exists\\s+)?"?${r}"?\\b`, 'i').test(text);
  const roles = [
    ...SUPABASE_ROLES.filter((r) => !creates(r)),
    ...SUPABASE_EXTRA_ROLES.filter((r) => new RegExp(`\\b${r}\\b`, 'i').test(text) && !creates(r)),
  ];
  const supabaseGrants = /\b(anon|authenticated|service_role)\b/i.test(text) || referencesSchema(text, 'auth');
  const createsExtension = (name: string): boolean =>
    new RegExp(`create\\s+extension\\s+(if\\s+not\\s+exists\\s+)?"?${name}"?`, 'i').test(text);
  const preinstalled: string[] = [];
  // Used but never created: the project relies on a database where they are preinstalled, as on Supabase.
  if (/\buuid_generate_v[14]\s*\(/i.test(text) && !createsExtension('uuid-ossp')) preinstalled.push('uuid-ossp');
  if (/\b(gen_salt|crypt|digest|hmac|pgp_sym_encrypt|pgp_sym_decrypt|gen_random_bytes)\s*\(/i.test(text) &&
    !createsExtension('pgcrypto')) preinstalled.push('pgcrypto');
  for (const e of preinstalled) extensions.add(e);
  return {
    roles,
    supabaseGrants,
    authSchema: referencesSchema(text, 'auth') && !createsSchema(text, 'auth'),
    storageSchema: referencesSchema(text, 'storage') && !createsSchema(text, 'storage'),
    realtimeSchema: referencesSchema(text, 'realtime') && !createsSchema(text, 'realtime'),
    extensionsSchema: (preinstalled.length > 0 || referencesSchema(text, 'extensions')) && !createsSchema(text, 'extensions'),
    preinstalled,
    extensions: [...extensions],
  };
}
