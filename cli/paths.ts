// Command-line paths: a path that does not exist, or a run with no .sql file to check, is a usage error naming the
// path (as ESLint does), unless --no-error-on-unmatched-pattern.
import fs from 'node:fs';
import path from 'node:path';
import { migrationFolder } from '../rules/index';
import { displayPath } from '../io/paths';
import { loadProject, UsageError, type LoadOptions, type ProjectResult } from './project';

type Values = Record<string, string | boolean | undefined>;

const optOut = (values: Values) => values['no-error-on-unmatched-pattern'] === true;

/** Throws a UsageError for the first path that does not exist. */
export function requireExistingPaths(paths: string[], values: Values, warn: (m: string) => void): string[] {
  const missing = new Set(paths.filter((p) => !fs.existsSync(p)));
  if (missing.size && !optOut(values)) throw new UsageError(`${[...missing].join(', ')}: no such file or directory`);
  for (const p of missing) warn(`${p}: no such file or directory`);
  return paths.filter((p) => !missing.has(p));
}

/** Throws a UsageError when a given path (or the whole run) holds no .sql file that was analysed. */
export function requireSqlFiles(paths: string[], analysed: Iterable<string>, values: Values, warn: (m: string) => void): void {
  const files = new Set(analysed);
  const given = paths.length ? paths : ['.'];
  // Files given one by one (a pre-commit hook passes hundreds) are looked up; only folders need a scan.
  const empty = given.filter((p) => {
    const abs = path.resolve(p);
    if (files.has(abs)) return false;
    const dir = abs.endsWith(path.sep) ? abs : abs + path.sep;
    for (const f of files) if (f.startsWith(dir)) return false;
    return true;
  });
  if (!empty.length) return;
  if (!optOut(values)) throw new UsageError(`${empty.join(', ')}: no .sql files found`);
  for (const p of empty) warn(`${p}: no .sql files found`);
}

/** The migration folder each changed file belongs to (a Prisma `<ts>_<name>/migration.sql` belongs to the folder above). */
export function migrationFolders(files: string[]): string[] {
  const posix = (p: string) => path.resolve(p).split(path.sep).join('/');
  return [...new Set(files.map((f) => migrationFolder(posix(f)).split('/').join(path.sep)))];
}

/** loadProject over the paths that exist: a usage error for a missing path or a path without .sql files, unless opted out. */
export async function loadPaths(paths: string[], values: Values, opts: LoadOptions): Promise<ProjectResult> {
  const existing = requireExistingPaths(paths, values, opts.warn);
  if (paths.length && !existing.length) return emptyProject();
  const project = await loadProject(existing, opts);
  // A file left out because PostgreSQL never runs it (ory/popx dialect files) was found, not missing: say why.
  const leftOut = project.leftOut ?? [];
  const named = new Set(existing.map((p) => path.resolve(p)));
  for (const f of leftOut) if (named.has(path.resolve(f.path))) opts.warn(`${displayPath(f.path)}: left out, PostgreSQL never runs it (${f.why})`);
  requireSqlFiles(existing, [...project.texts.keys(), ...leftOut.map((f) => f.path)], values, opts.warn);
  return project;
}

export function emptyProject(): ProjectResult {
  return { sets: [], texts: new Map(), fileCount: 0, configOf: new Map() };
}
