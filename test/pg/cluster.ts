/**
 * A throwaway cluster of the Debian PostgreSQL found in /usr/lib/postgresql/<major>/bin (initdb + pg_ctl in a temp
 * dir, fsync off), for the tests that need a real server (--database-url).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0], 'bin') : undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** initdb refuses to run as root: as root, run the cluster's programs as the `postgres` system user. */
export function runAsOwner(bin: string, args: string[]): string {
  if (process.getuid?.() !== 0) return execFileSync(bin, args, { encoding: 'utf8' });
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { encoding: 'utf8' });
}

export interface Cluster {
  binDir: string;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  stop(): void;
}

/** Starts a cluster (superuser `postgres`, trust authentication); undefined when Debian's PostgreSQL is not installed. */
export async function startCluster(): Promise<Cluster | undefined> {
  const binDir = findBinDir();
  if (!binDir) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'sqla-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const t0 = performance.now();
  runAsOwner(path.join(binDir, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  runAsOwner(path.join(binDir, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-w', 'start',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
  console.log(`      throwaway cluster from ${binDir} on port ${port} started in ${Math.round(performance.now() - t0)} ms`);
  return {
    binDir, port, url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      if (existsSync(path.join(dir, 'data', 'postmaster.pid'))) runAsOwner(path.join(binDir, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For a `before` hook: a cluster, or the suite skipped with one line when Debian's PostgreSQL is not installed. */
export async function clusterOrSkip(ctx: Mocha.Context): Promise<Cluster> {
  const cluster = await startCluster();
  if (!cluster) {
    // Debian's server comes from scripts/install-test-tools.sh (CI runs it); without it only these suites wait.
    console.log('      SKIPPED: no /usr/lib/postgresql/*/bin/initdb on this machine');
    ctx.skip();
  }
  return cluster!;
}

/** Creates a database on the cluster after running `adminSql` (roles are cluster-wide), then runs `sql` in it; its URL. */
export async function createDatabase(cluster: Cluster, name: string, adminSql: string, sql: string): Promise<string> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    if (adminSql) await admin.query(adminSql);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = cluster.url.replace(/\/postgres$/, `/${name}`);
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(sql);
  } finally {
    await db.end();
  }
  return url;
}
