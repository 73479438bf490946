// Migration-set conventions: which files form a set, in which order they apply, and how a follow-up
// migration is named. Pure string work on paths (POSIX separators).

import { rememberedForList } from '../model/remember';
import { pushTo } from '../model/group';

export interface MigrationFile {
  path: string;
  /** Down migrations are checked for syntax but not replayed into the model. */
  replayed: boolean;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i) || '/';
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

const PRISMA_RE = /^(\d{8,})_[^/]*$/;

/** The sortable version of a migration file: numbers from its name, Prisma folder or Flyway prefix. */
export function migrationVersion(path: string): number[] | undefined {
  const base = basename(path);
  const parent = basename(dirname(path));
  if (base === 'migration.sql' && PRISMA_RE.test(parent)) return [Number(parent.match(PRISMA_RE)![1])];
  const flyway = /^[VU](\d+(?:[._]\d+)*)__/.exec(base);
  if (flyway) return flyway[1].split(/[._]/).map(Number);
  const num = /^(\d+)/.exec(base);
  if (num) return [Number(num[1])];
  return undefined;
}

export function isDownMigration(path: string): boolean {
  const b = basename(path).toLowerCase();
  return /\.down\.sql$/.test(b) || /^u\d/.test(b) || b === 'down.sql';
}

function compareVersions(a: number[] | undefined, b: number[] | undefined): number {
  if (a && !b) return -1;
  if (!a && b) return 1;
  if (!a || !b) return 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Orders files of one set as the migration tools apply them. */
export function orderMigrations(paths: string[]): MigrationFile[] {
  const sorted = [...paths].sort((x, y) => compareVersions(migrationVersion(x), migrationVersion(y)) || (x < y ? -1 : x > y ? 1 : 0));
  return sorted.map((path) => ({ path, replayed: !isDownMigration(path) }));
}

/** `<project>__<version>…`: the project part of a file name in a folder that flattens several projects. */
const PROJECT_PREFIX_RE = /^(.+?)__\d+[-_.]/;
const FLYWAY_PREFIX_RE = /^[VUR]\d+(?:[._]\d+)*$/i;

/**
 * Splits a folder whose files all carry a project prefix before their version (`supa-builder__20260131_x.sql`,
 * `tenant__0001-init.sql`) into one set per prefix, when there are at least two: several projects flattened
 * into one folder, which replayed as one set would collide on their objects. Otherwise one set.
 */
function splitByProject(folder: string, files: string[]): [string, string[]][] {
  const prefixes = files.map((f) => {
    const m = PROJECT_PREFIX_RE.exec(basename(f));
    return m && !FLYWAY_PREFIX_RE.test(m[1]) ? m[1] : undefined;
  });
  const distinct = new Set(prefixes);
  if (distinct.size < 2 || distinct.has(undefined)) return [[folder, files]];
  return [...distinct].map((p) => [`${folder}/${p}__*`, files.filter((_, i) => prefixes[i] === p)]);
}

/**
 * gobuffalo/pop and ory/popx name a migration `<version>_<name>[.<dialect>][.autocommit].(up|down).sql`, and for each
 * version and direction run the file of the database's dialect, else the generic one (no dialect, or `all`): popx's
 * `Migrations.SortAndFilter` adds "all" only when no file is more specific. On PostgreSQL a generic file with a
 * `.postgres.` twin never runs, nor does a file for another database; replaying them would apply a version twice.
 */
const POP_RE = /^(\d+)_[^.]+(?:\.([a-z0-9]+))?(\.autocommit)?\.(up|down)\.sql$/i;
const OTHER_DIALECTS = new Set(['mysql', 'sqlite', 'sqlite3', 'cockroach', 'cockroachdb', 'mariadb']);

function popName(path: string): { key: string; dialect?: string } | undefined {
  const m = POP_RE.exec(basename(path));
  if (!m) return undefined;
  const dialect = m[2]?.toLowerCase();
  // `x.autocommit.up.sql`: the marker, not a dialect.
  return { key: `${dirname(path)}\0${m[1]}\0${m[4].toLowerCase()}`, dialect: dialect === 'autocommit' || dialect === 'all' ? undefined : dialect };
}

/** The files of `paths` PostgreSQL never runs under pop's dialect rule, each with why. */
export function notRunOnPostgres(paths: readonly string[]): Map<string, string> {
  const names = paths.map(popName);
  const twins = new Map<string, string>();
  names.forEach((n, i) => { if (n?.dialect === 'postgres') twins.set(n.key, paths[i]); });
  const out = new Map<string, string>();
  names.forEach((n, i) => {
    if (!n) return;
    if (n.dialect && OTHER_DIALECTS.has(n.dialect)) out.set(paths[i], `a ${n.dialect} migration`);
    else if (!n.dialect && twins.has(n.key)) out.set(paths[i], `${basename(twins.get(n.key)!)} runs instead on PostgreSQL`);
  });
  return out;
}

/** The generic pop/popx files (no dialect in the name) of `paths`: in a project that supports several databases, each runs on all of them. */
export function genericPopFiles(paths: readonly string[]): Set<string> {
  return new Set(paths.filter((p) => { const n = popName(p); return n !== undefined && !n.dialect; }));
}

/** The folder of a migration's set: its own, or for a Prisma/Drizzle `<ts>_<name>/migration.sql` the one above. */
export function migrationFolder(p: string): string {
  const parent = dirname(p);
  return basename(p) === 'migration.sql' && PRISMA_RE.test(basename(parent)) ? dirname(parent) : parent;
}

/**
 * Groups `.sql` paths into migration sets by folder (a Prisma/Drizzle `<ts>_<name>/migration.sql` joins its
 * parent); a folder of several prefixed projects is one set per project, with the id `<folder>/<prefix>__*`.
 * Files PostgreSQL never runs under pop's dialect rule (`skipped`, by default `notRunOnPostgres`) are left out.
 */
export function groupMigrationSets(paths: string[], skipped: ReadonlyMap<string, string> = notRunOnPostgres(paths)): { id: string; files: MigrationFile[] }[] {
  const groups = new Map<string, string[]>();
  for (const p of paths) if (!skipped.has(p)) pushTo(groups, migrationFolder(p), p);
  const sets = [...groups.entries()].flatMap(([folder, files]) => splitByProject(folder, files));
  return sets.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, files]) => ({ id, files: orderMigrations(files) }));
}

function addSeconds(ts: string, n: number): string {
  // YYYYMMDDHHMMSS timestamps: add n seconds with calendar carry.
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(ts);
  if (!m) return String(BigInt(ts) + BigInt(n)).padStart(ts.length, '0');
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6] + n));
  const p = (x: number, w = 2) => String(x).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

// The names and versions of a set, computed once per set (rules ask for follow-up names per finding).
/** The version as exact text: 20-digit timestamps (ory/popx) do not fit a double. */
function versionKey(path: string): string {
  const base = basename(path);
  const parent = basename(dirname(path));
  const m = (base === 'migration.sql' && PRISMA_RE.test(parent) ? /^(\d+)/.exec(parent) : /^[VU](\d+(?:[._]\d+)*)__/.exec(base) ?? /^(\d+)/.exec(base));
  return m ? m[1].split(/[._]/).map((d) => d.replace(/^0+(?=\d)/, '')).join('.') : `name:${path}`;
}

interface Taken { taken: Set<string>; versionsTaken: Set<string>; prefixes: Set<string> }
const takenNames = rememberedForList((existing: readonly string[]): Taken => ({
  taken: new Set(existing),
  versionsTaken: new Set(existing.map(versionKey)),
  // Leading digits of every file and folder name: a candidate version already used is skipped cheaply.
  prefixes: new Set(existing.flatMap((p) => p.split('/').slice(-2).map((n) => /^\d+/.exec(n)?.[0]).filter((x): x is string => Boolean(x)))),
}));

/** A flattened set's files of each project, its prefix taken off: the same list each time, so that takenNames is computed once. */
const projectFiles = rememberedForList((_existing: readonly string[]) => new Map<string, string[]>());

/**
 * A path for a new migration that applies right after `current`, in the folder's own naming convention,
 * not colliding with `existing`.
 */
export function followUpMigrationPath(current: string, existing: readonly string[], slug: string): string {
  // A flattened project's files (`multitenant__0007-x.sql`): named within the project, the prefix kept.
  const project = PROJECT_PREFIX_RE.exec(basename(current));
  if (project && !FLYWAY_PREFIX_RE.test(project[1])) {
    const prefix = `${project[1]}__`;
    const strip = (p: string) => `${dirname(p)}/${basename(p).slice(prefix.length)}`;
    const byPrefix = projectFiles(existing);
    let files = byPrefix.get(prefix);
    if (!files) {
      files = existing.filter((p) => basename(p).startsWith(prefix)).map(strip);
      byPrefix.set(prefix, files);
    }
    const inner = followUpMigrationPath(strip(current), files, slug);
    return `${dirname(inner)}/${prefix}${basename(inner)}`;
  }
  const { taken, versionsTaken, prefixes } = takenNames(existing);
  const dir = dirname(current);
  const base = basename(current);
  const parent = basename(dir);
  const free = (p: string) => !taken.has(p) && !versionsTaken.has(versionKey(p));
  // Prisma / Drizzle: <timestamp>_<name>/migration.sql
  if (base === 'migration.sql' && PRISMA_RE.test(parent)) {
    const ts = parent.match(PRISMA_RE)![1];
    for (let i = 1; i < 1000; i++) {
      const p = `${dirname(dir)}/${addSeconds(ts, i)}_${slug}/migration.sql`;
      if (free(p)) return p;
    }
  }
  // Flyway: V1__x.sql → V1.1__<slug>.sql (Flyway versions may have dotted parts).
  const fw = /^V(\d+(?:[._]\d+)*)__/.exec(base);
  if (fw) {
    for (let i = 1; i < 1000; i++) {
      const p = `${dir}/V${fw[1]}.${i}__${slug}.sql`;
      if (free(p)) return p;
    }
  }
  const num = /^(\d+)([_-])/.exec(base);
  if (num) {
    const digits = num[1];
    // A PostgreSQL-only migration of a pop/popx project has a PostgreSQL-only follow-up (a generic one runs everywhere).
    const suffix = /\.postgres(\.autocommit)?\.up\.sql$/i.test(base) ? '.postgres.up.sql' : /\.up\.sql$/i.test(base) ? '.up.sql' : '.sql';
    const make = (v: string) => `${dir}/${v}${num[2]}${slug}${suffix}`;
    if (digits.length >= 12) {
      for (let i = 1; i < 100000; i++) {
        const v = addSeconds(digits, i);
        if (prefixes.has(v)) continue;
        const p = make(v);
        if (free(p)) return p;
      }
    }
    // Sequence numbers: the next one if free, else after the last one of the set.
    const next = String(Number(digits) + 1).padStart(digits.length, '0');
    if (free(make(next))) return make(next);
    const max = Math.max(...existing.map((p) => migrationVersion(p)?.[0] ?? 0));
    return make(String(max + 1).padStart(digits.length, '0'));
  }
  const stem = base.replace(/\.sql$/i, '');
  for (let i = 1; i < 1000; i++) {
    const p = `${dir}/${stem}_${slug}${i > 1 ? `_${i}` : ''}.sql`;
    if (!taken.has(p)) return p;
  }
  return `${dir}/${stem}_${slug}.sql`;
}
