// Project loading, the IO half: finds the .sql files and the config files on disk and reads them; the core's
// pipeline (rules/project/pipeline.ts) does the rest. The CLI loads a whole project here; the language server keeps
// its own texts (open documents win over disk) and takes the config lookup from io/config.ts.
import fs from 'node:fs';
import path from 'node:path';
import { analyzeProject, ConfigError, defaultConfig, ParseCache, parseConfigSource, planProject, type Project, type SchemaBaseline } from '../rules/index';
import { startParser } from './parser';
import { ConfigFiles, readConfigSource } from './config';
import { collectSqlFiles, readSqlFile, toPosix } from './files';

export interface LoadOptions {
  /** A config file for every set instead of the nearest one above each folder (`--config`). */
  configFile?: string;
  pgVersion?: number;
  /** A live database's schema (--database-url): every set starts from it instead of its "baseline" file. */
  database?: SchemaBaseline;
  /**
   * The files whose findings are wanted (`--since`, `--changed-files`), chosen from every file of the sets before
   * they are analysed: statement rules then run on those files only (AnalyzeOptions.scope).
   */
  scope?: (files: readonly string[]) => ReadonlySet<string>;
  warn: (msg: string) => void;
}

/**
 * Reads and analyses the migrations under `paths` (default: the working directory). A configuration problem
 * throws ConfigError naming the file; unreadable files are warned about and left out.
 */
export async function loadProjectFromDisk(paths: string[], opts: LoadOptions): Promise<Project> {
  // The WebAssembly compiles in the background while the files are found and read.
  const parser = startParser();
  const explicit = opts.configFile !== undefined ? readConfigSource(opts.configFile) : undefined;
  // A bad --config is an error even when there is nothing to check.
  if (explicit) parseConfigSource(explicit, defaultConfig());
  const configs = new ConfigFiles();
  const files = collectSqlFiles(paths.length ? paths : ['.'], opts.warn).map(toPosix);
  const plan = planProject(files, {
    configFile: explicit ? () => explicit : (dir) => configs.lookup(dir),
    overrides: { postgresVersion: opts.pgVersion },
    folderFiles: listFolder,
  });
  if (plan.problems.length) throw new ConfigError('', plan.problems[0].message);
  for (const s of opts.database ? [] : plan.sets) {
    if (s.baseline && !fs.existsSync(s.baseline)) throw new ConfigError('baseline', `${s.configFile ?? s.id}: "baseline": ${path.relative(process.cwd(), s.baseline) || s.baseline} does not exist`);
  }
  const read = (file: string) => {
    const r = readSqlFile(file);
    if (r.problem) opts.warn(`${path.relative(process.cwd(), file) || file}:${r.problem}`);
    return r.fatal ? undefined : r.text;
  };
  const scope = opts.scope?.(plan.sets.flatMap((s) => s.files.map((f) => f.path)));
  await parser;
  const project = analyzeProject(plan, read, new ParseCache(), opts.database, scope);
  for (const p of project.problems ?? []) opts.warn(p.message);
  for (const s of project.sets) for (const e of s.internalErrors) opts.warn(`internal error (please report): ${e}`);
  return project;
}

/** The names in a folder (none when it cannot be read): whether a pop/popx project also has migrations for other databases. */
function listFolder(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
