// A live database's schema, as pg/catalog.ts reads it from pg_catalog (plain data), turned into the SQL pg_dump
// --schema-only would write for it. The set then starts from that SQL exactly as it would from a dump file: the same
// parser and the same model, so a dump and the database it came from give the same findings.
import type { SchemaBaseline } from '../engine/run';

export interface CatalogColumn {
  name: string;
  /** format_type(): `character varying(20)`, `timestamp with time zone`, `integer[]`. */
  type: string;
  notNull: boolean;
  /** pg_get_expr of the default. */
  default?: string;
  /** attidentity: `a` ALWAYS, `d` BY DEFAULT. */
  identity?: 'a' | 'd';
  /** attgenerated: `s` STORED (the default holds the expression). */
  generated?: 's';
  comment?: string;
}

export interface CatalogConstraint {
  name: string;
  /** contype: p, u, f, c, x. */
  type: string;
  /** pg_get_constraintdef: `PRIMARY KEY (id)`, `FOREIGN KEY (a) REFERENCES public.t(id) ON DELETE CASCADE`. */
  definition: string;
  validated: boolean;
}

export interface CatalogPolicy {
  name: string;
  permissive: boolean;
  /** ALL, SELECT, INSERT, UPDATE, DELETE. */
  command: string;
  /** Empty or `public`: every role. */
  roles: string[];
  using?: string;
  check?: string;
}

export interface CatalogTable {
  schema: string;
  name: string;
  partitioned: boolean;
  /** pg_get_partkeydef of a partitioned table: `RANGE (created_at)`. */
  partitionKey?: string;
  /** The parent of a partition and its bound (pg_get_expr of relpartbound): `FOR VALUES FROM (…) TO (…)`. */
  partitionOf?: { schema: string; name: string; bound: string };
  unlogged: boolean;
  owner: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  columns: CatalogColumn[];
  constraints: CatalogConstraint[];
  /** pg_get_indexdef of indexes that do not back a constraint. */
  indexes: string[];
  policies: CatalogPolicy[];
  /** Table privileges other than the owner's: grantee (`PUBLIC` for everyone) → privilege names. */
  grants: { grantee: string; privileges: string[] }[];
  comment?: string;
  /** pg_class.reltuples (undefined: never analysed) and pg_total_relation_size. */
  rows?: number;
  bytes?: number;
}

export interface CatalogSnapshot {
  /** Names the database in messages and origins, never with credentials: `shop on db.example.com:5432`. */
  label: string;
  /** server_version_num. */
  version: number;
  schemas: string[];
  extensions: { name: string; schema: string }[];
  roles: { name: string; superuser: boolean; bypassRls: boolean; login: boolean }[];
  tables: CatalogTable[];
  views: { schema: string; name: string; materialized: boolean; definition: string }[];
  /** pg_get_functiondef of functions and procedures that no extension owns. */
  functions: string[];
}

/** An identifier as pg_dump writes it: quoted when it must be (upper case, a keyword-looking or odd name). */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

// Reserved words that cannot be bare column or table names (a subset: those a schema plausibly uses as names).
const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'both', 'case', 'cast', 'check', 'collate', 'column',
  'constraint', 'create', 'default', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'for', 'foreign', 'from',
  'grant', 'group', 'having', 'in', 'into', 'is', 'join', 'leading', 'limit', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'primary', 'references', 'select', 'table', 'then', 'to', 'true', 'union', 'unique', 'user', 'using', 'when', 'where', 'window', 'with',
]);

function qualified(schema: string, name: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const ALL_TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/** The SQL of a schema, in pg_dump's order and forms (the parts the model reads). */
export function catalogSql(c: CatalogSnapshot): string {
  const out: string[] = [`-- The schema of ${c.label}, read from pg_catalog by SQL Architect.`, "SELECT pg_catalog.set_config('search_path', '', false);"];
  for (const s of c.schemas) if (s !== 'public') out.push(`CREATE SCHEMA ${quoteIdentifier(s)};`);
  for (const e of c.extensions) out.push(`CREATE EXTENSION IF NOT EXISTS ${quoteIdentifier(e.name)} WITH SCHEMA ${quoteIdentifier(e.schema)};`);
  // pg_dump leaves roles out; the database knows which bypass row-level security.
  for (const r of c.roles) {
    const attrs = [r.superuser ? 'SUPERUSER' : '', r.bypassRls ? 'BYPASSRLS' : '', r.login ? 'LOGIN' : ''].filter(Boolean);
    out.push(`CREATE ROLE ${quoteIdentifier(r.name)}${attrs.length ? ` ${attrs.join(' ')}` : ''};`);
  }
  for (const f of c.functions) out.push(`${f.replace(/^CREATE OR REPLACE /, 'CREATE ').trimEnd()};`);
  for (const t of c.tables) {
    const name = qualified(t.schema, t.name);
    const cols = t.columns.map((col) => {
      const parts = [`    ${quoteIdentifier(col.name)} ${col.type}`];
      if (col.generated && col.default) parts.push(`GENERATED ALWAYS AS (${col.default}) STORED`);
      // A default that takes a sequence's next value comes after the sequence, in an ALTER TABLE of its own.
      else if (col.default && !/\bnextval\(/.test(col.default)) parts.push(`DEFAULT ${col.default}`);
      if (col.notNull) parts.push('NOT NULL');
      return parts.join(' ');
    });
    // pg_dump writes validated CHECK constraints into the table.
    for (const k of t.constraints) if (k.type === 'c' && k.validated) cols.push(`    CONSTRAINT ${quoteIdentifier(k.name)} ${k.definition}`);
    out.push(`CREATE${t.unlogged ? ' UNLOGGED' : ''} TABLE ${name} (\n${cols.join(',\n')}\n)${t.partitionKey ? `\nPARTITION BY ${t.partitionKey}` : ''};`);
    if (t.comment !== undefined) out.push(`COMMENT ON TABLE ${name} IS ${literal(t.comment)};`);
    for (const col of t.columns) if (col.comment !== undefined) out.push(`COMMENT ON COLUMN ${name}.${quoteIdentifier(col.name)} IS ${literal(col.comment)};`);
    out.push(`ALTER TABLE ${name} OWNER TO ${quoteIdentifier(t.owner)};`);
  }
  for (const t of c.tables) {
    const name = qualified(t.schema, t.name);
    if (t.partitionOf) out.push(`ALTER TABLE ONLY ${qualified(t.partitionOf.schema, t.partitionOf.name)} ATTACH PARTITION ${name} ${t.partitionOf.bound};`);
    for (const col of t.columns) {
      if (col.identity) out.push(`ALTER TABLE ${name} ALTER COLUMN ${quoteIdentifier(col.name)} ADD GENERATED ${col.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY;`);
      else if (col.default && !col.generated && /\bnextval\(/.test(col.default)) out.push(`ALTER TABLE ONLY ${name} ALTER COLUMN ${quoteIdentifier(col.name)} SET DEFAULT ${col.default};`);
    }
  }
  for (const v of c.views) {
    out.push(`CREATE ${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${qualified(v.schema, v.name)} AS\n${v.definition.trim().replace(/;$/, '')}${v.materialized ? '\n  WITH NO DATA' : ''};`);
  }
  for (const t of c.tables) {
    for (const k of t.constraints) {
      if (k.type === 'p' || k.type === 'u' || k.type === 'x' || (k.type === 'c' && !k.validated)) out.push(`ALTER TABLE ONLY ${qualified(t.schema, t.name)} ADD CONSTRAINT ${quoteIdentifier(k.name)} ${k.definition};`);
    }
  }
  for (const t of c.tables) for (const i of t.indexes) out.push(`${i};`);
  for (const t of c.tables) {
    for (const k of t.constraints) if (k.type === 'f') out.push(`ALTER TABLE ${k.validated ? 'ONLY ' : ''}${qualified(t.schema, t.name)} ADD CONSTRAINT ${quoteIdentifier(k.name)} ${k.definition};`);
  }
  for (const t of c.tables) {
    const name = qualified(t.schema, t.name);
    for (const p of t.policies) {
      const roles = p.roles.filter((r) => r !== 'public');
      out.push([
        `CREATE POLICY ${quoteIdentifier(p.name)} ON ${name}`, p.permissive ? '' : ' AS RESTRICTIVE', p.command !== 'ALL' ? ` FOR ${p.command}` : '',
        roles.length ? ` TO ${roles.map(quoteIdentifier).join(', ')}` : '', p.using ? ` USING (${p.using})` : '', p.check ? ` WITH CHECK (${p.check})` : '', ';',
      ].join(''));
    }
    if (t.rlsEnabled) out.push(`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY;`);
    if (t.rlsForced) out.push(`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY;`);
  }
  for (const t of c.tables) {
    for (const g of t.grants) {
      const all = ALL_TABLE_PRIVILEGES.every((p) => g.privileges.includes(p));
      const grantee = g.grantee === 'PUBLIC' ? 'PUBLIC' : quoteIdentifier(g.grantee);
      out.push(`GRANT ${all ? 'ALL' : g.privileges.join(',')} ON TABLE ${qualified(t.schema, t.name)} TO ${grantee};`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The baseline a set starts from when a live database backs the review. */
export function catalogBaseline(c: CatalogSnapshot): SchemaBaseline {
  const sizes: Record<string, { rows?: number; bytes?: number }> = {};
  for (const t of c.tables) if (t.rows !== undefined || t.bytes !== undefined) sizes[`${t.schema}.${t.name}`] = { rows: t.rows, bytes: t.bytes };
  return { path: `(database ${c.label})`, text: catalogSql(c), database: { label: c.label, sizes } };
}
