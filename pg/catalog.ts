// Reads a live database's schema from pg_catalog, read-only and in one repeatable-read transaction, as plain data
// (rules/model/catalog.ts turns it into the SQL the set starts from): tables, columns, constraints, indexes, row-level
// security, policies, owners, grants, views, functions, the roles and whether they bypass RLS, and table sizes.
// The connection string is never part of a message: the database is named by host, port and name only.
import type { Client as PgClient } from 'pg';
import { catalogBaseline, type CatalogSnapshot, type CatalogTable, type SchemaBaseline } from '../rules/index';
import { isDatabaseError } from './driver';

/** What the reader needs of a connection: `pg`'s Client and PGlite both have it. */
export interface Queryable {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The schema could not be read; the message says why and names the database, never the connection string. */
export class LiveSchemaError extends Error {}

/** `shop on db.example.com:5432`: the database of a connection URL without user or password. */
export function databaseLabel(url: string): string {
  try {
    const u = new URL(url);
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
    return `${db} on ${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return 'the database';
  }
}

// The schemas and relations that are the application's: not the system's, not an extension's.
const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;
const NOT_EXTENSION = (catalog: string, oid: string) => `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
const RELS = `SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMA} AND ${NOT_EXTENSION('pg_catalog.pg_class', 'c.oid')}`;

const COMMANDS: Record<string, string> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string => String(v ?? '');
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
/** A json_agg column: drivers parse json; a text array, if one comes, is split by them too. */
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : typeof v === 'string' ? (JSON.parse(v) as T[]) : []);

/**
 * Reads the schema through `db` in one read-only REPEATABLE READ transaction (one consistent snapshot), with an empty
 * search_path so that every name comes out schema-qualified, as pg_dump writes them.
 */
export async function readCatalog(db: Queryable, label: string, timeoutMs = 30000): Promise<CatalogSnapshot> {
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await db.query(`SET LOCAL statement_timeout = ${Math.max(1000, Math.floor(timeoutMs))}`);
    await db.query("SET LOCAL search_path = ''");
    const snapshot = await readInTransaction(db, label);
    await db.query('COMMIT');
    return snapshot;
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    if (e instanceof LiveSchemaError) throw e;
    throw new LiveSchemaError(`${label}: ${(e as Error).message}`);
  }
}

async function readInTransaction(db: Queryable, label: string): Promise<CatalogSnapshot> {
  const q = async (what: string, sql: string) => {
    try {
      return (await db.query(sql)).rows;
    } catch (e) {
      if (isDatabaseError(e) && e.code === '42501') {
        throw new LiveSchemaError(`${label}: the role may not read ${what} (${e.message}). Connect as a role that can read the schema, such as the owner of the tables.`);
      }
      throw new LiveSchemaError(`${label}: cannot read ${what}: ${(e as Error).message}`);
    }
  };
  const version = Number((await q('the server version', "SELECT pg_catalog.current_setting('server_version_num') AS v"))[0].v);
  if (version < 120000) throw new LiveSchemaError(`${label}: PostgreSQL ${Math.floor(version / 10000)} is older than 12, which the schema reader needs`);

  const schemas = (await q('the schemas', `SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION('pg_catalog.pg_namespace', 'n.oid')} ORDER BY 1`)).map((r) => str(r.nspname));
  const extensions = (await q('the extensions', `SELECT e.extname, n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname <> 'plpgsql' ORDER BY 1`)).map((r) => ({ name: str(r.extname), schema: str(r.nspname) }));
  const roles = (await q('the roles', `SELECT rolname, rolsuper, rolbypassrls, rolcanlogin FROM pg_catalog.pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY 1`))
    .map((r) => ({ name: str(r.rolname), superuser: r.rolsuper === true, bypassRls: r.rolbypassrls === true, login: r.rolcanlogin === true }));

  const tableRows = await q('the tables', `
    SELECT c.oid::int8 AS oid, n.nspname, c.relname, c.relkind, c.relpersistence, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
      c.relrowsecurity, c.relforcerowsecurity, c.reltuples::float8 AS reltuples,
      CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,
      CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound, pn.nspname AS parent_schema, pc.relname AS parent_name,
      pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
      CASE WHEN c.relkind = 'p'
        THEN (SELECT sum(pg_catalog.pg_total_relation_size(t.relid))::float8 FROM pg_catalog.pg_partition_tree(c.oid) t)
        ELSE pg_catalog.pg_total_relation_size(c.oid)::float8 END AS bytes,
      CASE WHEN c.relkind = 'p'
        THEN (SELECT sum(GREATEST(k.reltuples, 0))::float8 FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_catalog.pg_class k ON k.oid = t.relid WHERE t.isleaf) END AS partition_rows
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
    LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
    WHERE c.oid IN (${RELS}) ORDER BY n.nspname, c.relname`);
  const tables = new Map<string, CatalogTable>();
  for (const r of tableRows) {
    // reltuples is -1 (PostgreSQL 14+) or 0 with no pages before the first VACUUM or ANALYZE: unknown.
    const reltuples = num(r.reltuples);
    const rows = r.relkind === 'p' ? num(r.partition_rows) : reltuples !== undefined && reltuples >= 0 ? reltuples : undefined;
    tables.set(str(r.oid), {
      schema: str(r.nspname), name: str(r.relname), partitioned: r.relkind === 'p', partitionKey: opt(r.partkey),
      partitionOf: r.bound && r.parent_name ? { schema: str(r.parent_schema), name: str(r.parent_name), bound: str(r.bound) } : undefined,
      unlogged: r.relpersistence === 'u', owner: str(r.owner), rlsEnabled: r.relrowsecurity === true, rlsForced: r.relforcerowsecurity === true,
      columns: [], constraints: [], indexes: [], policies: [], grants: [], comment: opt(r.comment), rows, bytes: num(r.bytes),
    });
  }
  const of = (r: Record<string, unknown>) => tables.get(str(r.rel));

  for (const r of await q('the columns', `
    SELECT a.attrelid::int8 AS rel, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
      pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity::text AS identity, a.attgenerated::text AS generated,
      pg_catalog.col_description(a.attrelid, a.attnum) AS comment
    FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid IN (${RELS}) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`)) {
    of(r)?.columns.push({
      name: str(r.attname), type: str(r.type), notNull: r.attnotnull === true, default: opt(r.def),
      identity: r.identity === 'a' || r.identity === 'd' ? r.identity : undefined, generated: r.generated === 's' ? 's' : undefined, comment: opt(r.comment),
    });
  }
  // As pg_dump: a partition's own key constraints, but not the CHECKs and foreign keys it inherits from its parent.
  for (const r of await q('the constraints', `
    SELECT k.conrelid::int8 AS rel, k.conname, k.contype::text AS contype, pg_catalog.pg_get_constraintdef(k.oid) AS def, k.convalidated
    FROM pg_catalog.pg_constraint k
    WHERE k.conrelid IN (${RELS}) AND k.contype IN ('p', 'u', 'f', 'c', 'x') AND k.conislocal AND (k.conparentid = 0 OR k.contype <> 'f')
    ORDER BY k.conrelid, k.conname`)) {
    of(r)?.constraints.push({ name: str(r.conname), type: str(r.contype), definition: str(r.def), validated: r.convalidated !== false });
  }
  for (const r of await q('the indexes', `
    SELECT i.indrelid::int8 AS rel, pg_catalog.pg_get_indexdef(i.indexrelid) AS def
    FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    WHERE i.indrelid IN (${RELS}) AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
    ORDER BY ic.relname`)) {
    of(r)?.indexes.push(str(r.def));
  }
  for (const r of await q('the row-level security policies', `
    SELECT p.polrelid::int8 AS rel, p.polname, p.polpermissive, p.polcmd::text AS cmd,
      (SELECT pg_catalog.json_agg(CASE WHEN o = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(o) END) FROM unnest(p.polroles) o) AS roles,
      pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
    FROM pg_catalog.pg_policy p WHERE p.polrelid IN (${RELS}) ORDER BY p.polrelid, p.polname`)) {
    of(r)?.policies.push({
      name: str(r.polname), permissive: r.polpermissive !== false, command: COMMANDS[str(r.cmd)] ?? 'ALL',
      roles: list<string>(r.roles), using: opt(r.qual), check: opt(r.with_check),
    });
  }
  // The owner's own privileges are implied; pg_dump writes the others.
  for (const r of await q('the table privileges', `
    SELECT c.oid::int8 AS rel, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee,
      pg_catalog.json_agg(a.privilege_type ORDER BY a.privilege_type) AS privileges
    FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
    WHERE c.oid IN (${RELS}) AND a.grantee <> c.relowner GROUP BY c.oid, a.grantee ORDER BY 1, 2`)) {
    of(r)?.grants.push({ grantee: str(r.grantee), privileges: list<string>(r.privileges) });
  }
  const views = (await q('the views', `
    SELECT n.nspname, c.relname, c.relkind = 'm' AS materialized, pg_catalog.pg_get_viewdef(c.oid) AS def
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND ${USER_SCHEMA} AND ${NOT_EXTENSION('pg_catalog.pg_class', 'c.oid')} ORDER BY 1, 2`))
    .map((r) => ({ schema: str(r.nspname), name: str(r.relname), materialized: r.materialized === true, definition: str(r.def) }));
  const functions = (await q('the functions', `
    SELECT pg_catalog.pg_get_functiondef(p.oid) AS def FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND ${USER_SCHEMA} AND ${NOT_EXTENSION('pg_catalog.pg_proc', 'p.oid')} ORDER BY n.nspname, p.proname, p.oid`))
    .map((r) => str(r.def));

  return { label, version, schemas, extensions, roles, tables: [...tables.values()], views, functions };
}

/** The schema of the database at `url` as the baseline of the review. Throws LiveSchemaError with a message for the user. */
export async function readLiveSchema(url: string, timeoutMs = 30000): Promise<SchemaBaseline> {
  const label = databaseLabel(url);
  // Loaded on use: node-postgres costs ~40 ms of start-up that a check without --database-url should not pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as { Client: typeof PgClient };
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: 'sql-architect' });
  // A dropped connection is reported by the query that fails; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === '28P01' || code === '28000' ? 'the server refused the role or its password'
      : code === '3D000' ? 'the database does not exist'
        : code === 'ECONNREFUSED' ? 'connection refused (is the server running, on that port?)'
          : code === 'ENOTFOUND' ? 'the host name does not resolve' : (e as Error).message;
    await client.end().catch(() => undefined);
    throw new LiveSchemaError(`cannot connect to ${label}: ${why}`);
  }
  try {
    return catalogBaseline(await readCatalog(client, label, timeoutMs));
  } finally {
    await client.end().catch(() => undefined);
  }
}
