/** Database drivers used inside the worker: PGlite (in-process WASM PostgreSQL) or a real server via `pg`. */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync as exists, readFileSync } from 'node:fs';
import type { Extensions, PGlite as PGliteType, PGliteOptions } from '@electric-sql/pglite';
import type { Client } from 'pg';

// require(), not import: a bundler then takes PGlite's CommonJS build. Its ES module build finds its files
// through import.meta.url, which is empty once bundled into the CommonJS worker. Loaded on first use, so the
// CLI and the language server, which only talk to the worker, never load it (the build keeps it out of them).
type PGliteModule = typeof import('@electric-sql/pglite');
let pgliteModule: PGliteModule | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadPglite = (): PGliteModule => (pgliteModule ??= require('@electric-sql/pglite') as PGliteModule);
// node-postgres too: loading it (and the undici, http2 and crypto modules it pulls in) costs ~70 ms at start-up, and
// only --database-url needs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const newClient = (config: { connectionString: string }): Client => new (require('pg') as typeof import('pg')).Client(config);
type PGlite = PGliteType;

export interface QueryResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
}

export interface Driver {
  readonly kind: 'pglite' | 'postgres';
  readonly serverVersionNum: number;
  /** Name of a probe role unique to this database (roles are cluster-wide on a real server). */
  readonly probeRole: string;
  /** Simple-query protocol: the text may hold several statements, no parameters. */
  exec(sql: string): Promise<void>;
  /** Extended protocol: one statement, `$1` parameters, returns rows and the affected-row count. */
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
  close(): Promise<void>;
}

/** A PostgreSQL error carries a 5-character SQLSTATE; anything else is an engine or driver failure. */
export function isDatabaseError(e: unknown): e is { message: string; code: string; position?: string | number; detail?: string; hint?: string; column?: string; constraint?: string; table?: string; schema?: string } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((e as { code: string }).code);
}

/** PGlite's spi bundle holds several small extensions. */
const BUNDLE_OF: Record<string, string> = { autoinc: 'spi', insert_username: 'spi', moddatetime: 'spi', refint: 'spi' };

/**
 * Directories that may hold PGlite's files (pglite.wasm, initdb.wasm, pglite.data, `uuid-ossp.tar.gz`, …):
 * beside this script (a bundle whose build copies them) and PGlite's own dist directory in node_modules.
 */
function tarballDirs(): string[] {
  const dirs = [__dirname];
  try {
    dirs.push(path.dirname(require.resolve('@electric-sql/pglite')));
  } catch {
    // Bundled without node_modules: only the directory of the bundle.
  }
  return dirs;
}

/**
 * Extension descriptors for the contrib extensions PGlite ships as tarballs, built here rather than
 * imported from `@electric-sql/pglite/contrib/*`: those locate their tarball relative to their own file,
 * which breaks once bundled. Extensions without a tarball are left out; CREATE EXTENSION then fails with
 * 0A000 "extension … is not available", as on a server without the package.
 */
export function pgliteExtensions(names: string[]): Extensions {
  const out: Extensions = {};
  const dirs = tarballDirs();
  for (const name of names) {
    const file = `${BUNDLE_OF[name] ?? name}.tar.gz`;
    const dir = dirs.find((d) => exists(path.join(d, file)));
    if (!dir) continue;
    const bundlePath = pathToFileURL(path.join(dir, file));
    out[name.replace(/\W/g, '_')] = { name, setup: async () => ({ bundlePath }) };
  }
  return out;
}

class PgliteDriver implements Driver {
  readonly kind = 'pglite' as const;
  readonly probeRole = 'sqla_probe';
  constructor(private readonly db: PGlite, readonly serverVersionNum: number) {}
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }
  async query(sql: string, params: unknown[] = []): Promise<QueryResult> {
    const r = await this.db.query<Record<string, unknown>>(sql, params);
    return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
  }
  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/**
 * Starts PGlite instances. The first start runs initdb (about 1 s); its data directory is kept as a template
 * so that later fresh databases load it instead (about 0.4 s). With `prepareNext` an instance for the next
 * job is started in the background while the caller is idle.
 */
export class PgliteFactory {
  private template?: Blob;
  private prepared?: Promise<PGlite>;
  private artifacts?: Pick<PGliteOptions, 'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle'>;

  /**
   * PGlite's WebAssembly modules and file-system bundle, compiled once per worker and handed to every
   * instance, from beside this script (bundle) or from node_modules.
   */
  private async loadArtifacts(): Promise<Pick<PGliteOptions, 'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle'>> {
    if (this.artifacts) return this.artifacts;
    const dir = tarballDirs().find((d) => exists(path.join(d, 'pglite.wasm')) && exists(path.join(d, 'initdb.wasm')) &&
      exists(path.join(d, 'pglite.data')));
    if (!dir) return {};
    // The tsconfig has no DOM lib, where the WebAssembly global is declared.
    const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<PGliteOptions['pgliteWasmModule']> } }).WebAssembly;
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all(
      ['pglite.wasm', 'initdb.wasm'].map((f) => wasm.compile(readFileSync(path.join(dir, f)))));
    this.artifacts = { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([readFileSync(path.join(dir, 'pglite.data'))]) };
    return this.artifacts;
  }

  /** `keepTemplate`: the worker is long-lived, so keep the first data directory as a template (costs ~0.2 s once). */
  async create(extensionNames: string[], keepTemplate: boolean): Promise<Driver> {
    const extensions = pgliteExtensions(extensionNames);
    let db: PGlite | undefined;
    // Extensions are registered when an instance starts: the prepared one has none.
    if (Object.keys(extensions).length === 0 && this.prepared) {
      db = await this.prepared.catch(() => undefined);
      this.prepared = undefined;
    }
    db ??= await this.start(extensions, keepTemplate);
    const v = await db.query<{ v: string }>('SELECT pg_catalog.current_setting(\'server_version_num\') AS v');
    return new PgliteDriver(db, Number(v.rows[0].v));
  }

  prepareNext(): void {
    if (!this.prepared) {
      this.prepared = this.start({}, true);
      this.prepared.catch(() => { this.prepared = undefined; });
    }
  }

  /** Resolves once the instance started by prepareNext() is up (or failed to start). */
  async waitPrepared(): Promise<void> {
    await this.prepared?.catch(() => undefined);
  }

  async dispose(): Promise<void> {
    const p = this.prepared;
    this.prepared = undefined;
    const db = await p?.catch(() => undefined);
    if (db && !db.closed) await db.close();
  }

  private async start(extensions: Extensions, keepTemplate: boolean): Promise<PGlite> {
    const artifacts = await this.loadArtifacts();
    if (this.template) return loadPglite().PGlite.create({ ...artifacts, loadDataDir: this.template, extensions });
    const db = await loadPglite().PGlite.create({ ...artifacts, extensions });
    // The template must be taken before anything runs in the database, so it is a pristine cluster.
    if (keepTemplate) this.template = await db.dumpDataDir('none');
    return db;
  }
}

/** Replaces the database name in a postgres:// URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

class PostgresDriver implements Driver {
  readonly kind = 'postgres' as const;
  constructor(private readonly client: Client, readonly serverVersionNum: number, readonly probeRole: string,
    private readonly cleanup: () => Promise<void>) {}
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
  async query(sql: string, params: unknown[] = []): Promise<QueryResult> {
    const r = await this.client.query(sql, params);
    return { rows: r.rows as Record<string, unknown>[], affectedRows: r.rowCount ?? 0 };
  }
  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
    await this.cleanup();
  }
}

/**
 * Opens a scratch database `sqla_<random>` on a real server, created from template0 so that nothing the
 * server's template1 holds leaks in. Closing drops it, plus the roles that appeared during the run and are
 * named in `roleCandidates` (roles are cluster-wide and would otherwise outlive the scratch database).
 */
export async function openPostgres(url: string, onDatabase: (name: string) => void,
  roleCandidates: () => string[]): Promise<Driver> {
  const admin = newClient({ connectionString: url });
  await admin.connect();
  try {
    const version = Number((await admin.query('SHOW server_version_num')).rows[0].server_version_num);
    const suffix = randomBytes(6).toString('hex');
    const name = `sqla_${suffix}`;
    const rolesBefore = new Set((await admin.query('SELECT rolname FROM pg_catalog.pg_roles')).rows.map((r) => r.rolname as string));
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    onDatabase(name);
    const client = newClient({ connectionString: withDatabase(url, name) });
    const probeRole = `sqla_probe_${suffix}`;
    const cleanup = async (): Promise<void> => {
      try {
        await dropDatabase(admin, name, version);
        const wanted = new Set([probeRole, ...roleCandidates()].map((r) => r.toLowerCase()));
        const now = (await admin.query('SELECT rolname FROM pg_catalog.pg_roles')).rows.map((r) => r.rolname as string);
        for (const role of now) {
          if (rolesBefore.has(role) || !wanted.has(role.toLowerCase())) continue;
          await admin.query(`DROP ROLE IF EXISTS "${role.replace(/"/g, '""')}"`).catch(() => undefined);
        }
      } finally {
        await admin.end().catch(() => undefined);
      }
    };
    try {
      await client.connect();
    } catch (e) {
      await cleanup();
      throw e;
    }
    return new PostgresDriver(client, version, probeRole, cleanup);
  } catch (e) {
    await admin.end().catch(() => undefined);
    throw e;
  }
}

async function dropDatabase(admin: Client, name: string, version: number): Promise<void> {
  // WITH (FORCE) (PostgreSQL 13+) terminates sessions still connected to the database.
  await admin.query(`DROP DATABASE IF EXISTS ${name}${version >= 130000 ? ' WITH (FORCE)' : ''}`);
}

/** Drops scratch databases left behind by a worker that crashed. */
export async function dropDatabases(url: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = newClient({ connectionString: url });
  await admin.connect();
  try {
    const version = Number((await admin.query('SHOW server_version_num')).rows[0].server_version_num);
    for (const n of names) {
      if (/^sqla_[0-9a-f]+$/.test(n)) await dropDatabase(admin, n, version).catch(() => undefined);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
