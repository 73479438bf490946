// Project loading, the IO-free half: files → migration sets → configuration (defaults, the editor settings of the
// set's workspace folder, `.sqlarchitect.json`, command-line overrides) → globs → analysis. The CLI and the language
// server both run it; io/project.ts finds and reads the files. Paths use POSIX separators.
import picomatch from 'picomatch/posix';
import { ConfigError, defaultConfig, type ResolvedConfig } from '../engine/config';
import { groupMigrationSets, migrationFolder, notRunOnPostgres, type MigrationFile } from '../engine/migrations';
import { allRules } from '../engine/registry';
import { analyzeSet, ParseCache, type FileInput, type SchemaBaseline, type SetResult } from '../engine/run';
import { parseConfigSource, settingsToConfig, type AnalysisSettings, type ConfigSource } from './config';

export interface ProjectFolder {
  /** Absolute: a workspace folder. Its settings' `migrationsGlob` is relative to it. */
  path: string;
  settings?: AnalysisSettings;
}

export interface PlanOptions {
  /** The `.sqlarchitect.json` that applies to a migration folder (the nearest above it, or the one given). */
  configFile(dir: string): ConfigSource | undefined;
  /** Workspace folders and their settings; a set takes those of the innermost folder that holds it. */
  folders?: readonly ProjectFolder[];
  /** Settings of sets outside every folder. */
  defaultSettings?: AnalysisSettings;
  /** Wins over settings and file (the CLI's `--pg-version`). */
  overrides?: { postgresVersion?: number };
  /** Files kept although the globs leave them out: documents open in the editor. */
  keep?(file: string): boolean;
  /**
   * The names of the files in a migration folder, when the IO front can list it: a folder's pop/popx migrations for
   * other databases count even when only some of its files are checked. Without it, the files given tell.
   */
  folderFiles?(folder: string): readonly string[];
}

export interface SetPlan {
  id: string;
  /** The workspace folder that holds the set. */
  folder?: string;
  config: ResolvedConfig;
  /** The `.sqlarchitect.json` applied, if any. */
  configFile?: string;
  /** The files the globs select, in apply order. */
  files: MigrationFile[];
  /** The schema dump the set starts from ("baseline" in .sqlarchitect.json), absolute. */
  baseline?: string;
  /** Its folder holds pop/popx migrations for other databases, or `.postgres.` twins of generic ones: its generic files run on other databases too. */
  otherDatabases?: boolean;
}

export interface ConfigProblem {
  /** The config file, or the workspace folder whose settings are wrong. */
  file: string;
  message: string;
}

export interface ProjectPlan {
  sets: SetPlan[];
  problems: ConfigProblem[];
  /** Every file left out because PostgreSQL never runs it (`notRunOnPostgres`), with why. */
  leftOut?: { path: string; why: string }[];
}

/** An analysed project: what the CLI's formats, the report and the editor's exports read. */
export interface Project {
  sets: SetResult[];
  /** Path → text of every analysed file. */
  texts: Map<string, string>;
  fileCount: number;
  /** The configuration each set was analysed with. */
  configOf: Map<string, ResolvedConfig>;
  /** A baseline that could not be read (the set was analysed without it). */
  problems?: ConfigProblem[];
  /**
   * The files left out because PostgreSQL never runs them (`notRunOnPostgres`), with why; a set's are those of its
   * folder (`migrationFolder`), and a folder of only `.mysql.` files has no set.
   */
  leftOut?: { path: string; why: string }[];
}

interface Globs { patterns: string[]; base: string }

/** The innermost of `folders` that holds `path` (or is it). */
export function innermostFolder(folders: readonly string[], path: string): string | undefined {
  let best: string | undefined;
  for (const f of folders) if (isInside(f, path) && (!best || f.length > best.length)) best = f;
  return best;
}

function isInside(dir: string, path: string): boolean {
  const d = dir.endsWith('/') ? dir : `${dir}/`;
  return path === dir || path.startsWith(d);
}

/** `to` relative to the folder `from`, POSIX. */
function relativePath(from: string, to: string): string {
  const a = from.split('/').filter(Boolean);
  const b = to.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** `rel` against the folder `dir` (both POSIX; an absolute `rel` stays), with `.` and `..` resolved. */
export function resolvePath(dir: string, rel: string): string {
  const parts: string[] = [];
  for (const p of (rel.startsWith('/') ? rel : `${dir}/${rel}`).split('/')) {
    if (p === '..') parts.pop();
    else if (p && p !== '.') parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/** Groups files into migration sets and resolves each set's configuration and globs. Reads nothing itself. */
export function planProject(files: readonly string[], opts: PlanOptions): ProjectPlan {
  const problems: ConfigProblem[] = [];
  const report = (file: string, message: string) => {
    if (!problems.some((p) => p.file === file && p.message === message)) problems.push({ file, message });
  };
  const resolved = new Map<string, { config: ResolvedConfig; globs?: Globs; configFile?: string; baseline?: string }>();
  const resolve = (setId: string) => {
    const folders = opts.folders ?? [];
    const inner = innermostFolder(folders.map((f) => f.path), setId);
    const folder = folders.find((f) => f.path === inner);
    const source = opts.configFile(setId);
    const key = `${folder?.path ?? ''}\0${source?.path ?? ''}`;
    let hit = resolved.get(key);
    if (hit) return { folder, ...hit };
    let config = defaultConfig();
    let globs: Globs | undefined;
    let baseline: string | undefined;
    const settings = folder ? folder.settings : opts.defaultSettings;
    if (settings) {
      const s = settingsToConfig(settings, config);
      config = s.config;
      for (const m of s.problems) report(folder?.path ?? 'settings', m);
      // migrationsGlob is relative to the workspace folder; outside every folder it has nothing to be relative to.
      if (folder && config.migrations.length) globs = { patterns: config.migrations, base: folder.path };
    }
    if (source) {
      try {
        const file = parseConfigSource(source, config);
        config = file.config;
        if (file.keys.includes('migrations')) globs = { patterns: config.migrations, base: source.dir };
        // The baseline is relative to the file that names it.
        if (config.baseline) baseline = resolvePath(source.dir, config.baseline);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        report(source.path, e.message);
      }
    }
    if (opts.overrides?.postgresVersion !== undefined) config = { ...config, postgresVersion: opts.overrides.postgresVersion };
    hit = { config, globs, configFile: source?.path, baseline };
    resolved.set(key, hit);
    return { folder, ...hit };
  };

  const skipped = notRunOnPostgres(files);
  // A pop/popx project for several databases: it has files for another one, or a generic file that a `.postgres.` twin
  // replaces on PostgreSQL (why else write both?). Its generic files run on the others.
  // Also a folder's files not given here, when the IO front can list it; once per folder (flattened projects share one).
  const multiDatabase = new Map([...skipped.keys()].map((p) => [migrationFolder(p), true]));
  const isMultiDatabase = (dir: string): boolean => {
    let yes = multiDatabase.get(dir);
    if (yes === undefined) {
      yes = notRunOnPostgres((opts.folderFiles?.(dir) ?? []).map((name) => `${dir}/${name}`)).size > 0;
      multiDatabase.set(dir, yes);
    }
    return yes;
  };
  const groups = groupMigrationSets([...files], skipped).map((g) => ({ g, ...resolve(g.id) }));
  // A schema dump that is some set's baseline is not a migration set of its own.
  const baselines = new Set(groups.map((x) => x.baseline).filter((b): b is string => b !== undefined));
  const sets: SetPlan[] = [];
  for (const { g, folder, config, globs, configFile, baseline } of groups) {
    let selected = g.files.filter((f) => !baselines.has(f.path));
    if (!selected.length) continue;
    if (globs?.patterns.length) {
      const match = picomatch(globs.patterns, { dot: true });
      selected = selected.filter((f) => match(relativePath(globs.base, f.path)) || opts.keep?.(f.path));
    }
    const otherDatabases = isMultiDatabase(migrationFolder(g.files[0].path));
    sets.push({ id: g.id, folder: folder?.path, config, configFile, files: selected, ...(baseline ? { baseline } : {}), ...(otherDatabases ? { otherDatabases } : {}) });
  }
  const leftOut = [...skipped].map(([path, why]) => ({ path, why }));
  return { sets, problems, ...(leftOut.length ? { leftOut } : {}) };
}

/** The inputs of a planned set: files `read` cannot give are left out (the IO front said why). */
export function setInputs(plan: SetPlan, read: (file: string) => string | undefined): FileInput[] {
  const out: FileInput[] = [];
  for (const f of plan.files) {
    const text = read(f.path);
    if (text !== undefined) out.push({ path: f.path, text, replayed: f.replayed });
  }
  return out;
}

/** `scope`: the files whose findings are wanted (AnalyzeOptions.scope); all of them when not given. */
export function analyzePlannedSet(plan: SetPlan, inputs: FileInput[], cache?: ParseCache, baseline?: SchemaBaseline, scope?: ReadonlySet<string>): SetResult {
  return analyzeSet({ id: plan.id, files: inputs, baseline, ...(plan.otherDatabases ? { otherDatabases: true } : {}) }, { config: plan.config, rules: allRules, cache, scope });
}

/**
 * The schema a set starts from: the live database when one backs the review (it wins), else the set's baseline
 * file, read with `read`. A file that cannot be read is a problem naming the configuration file.
 */
export function setBaseline(plan: SetPlan, read: (file: string) => string | undefined, database?: SchemaBaseline): { baseline?: SchemaBaseline; problem?: ConfigProblem } {
  if (database) return { baseline: database };
  if (!plan.baseline) return {};
  const text = read(plan.baseline);
  if (text === undefined) return { problem: { file: plan.configFile ?? plan.id, message: `${plan.configFile ?? plan.id}: "baseline": cannot read ${plan.baseline}` } };
  return { baseline: { path: plan.baseline, text } };
}

/**
 * Analyses every planned set that has a readable file; `database`: a live database's schema for every set; `scope`:
 * the files whose findings are wanted (see AnalyzeOptions.scope), all of them when not given.
 */
export function analyzeProject(plan: ProjectPlan, read: (file: string) => string | undefined, cache = new ParseCache(), database?: SchemaBaseline, scope?: ReadonlySet<string>): Project {
  const project: Project = { sets: [], texts: new Map(), fileCount: 0, configOf: new Map(), ...(plan.leftOut ? { leftOut: plan.leftOut } : {}) };
  for (const s of plan.sets) {
    project.configOf.set(s.id, s.config);
    const inputs = setInputs(s, read);
    if (!inputs.length) continue;
    for (const f of inputs) project.texts.set(f.path, f.text);
    project.fileCount += inputs.length;
    const { baseline, problem } = setBaseline(s, read, database);
    if (problem) (project.problems ??= []).push(problem);
    project.sets.push(analyzePlannedSet(s, inputs, cache, baseline, scope));
  }
  return project;
}

