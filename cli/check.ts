// `sql-architect check` and `sql-architect baseline`: load, scope (--since, --changed-files), fix (--fix), subtract
// the baseline, format, exit status (--fail-on).
import fs from 'node:fs';
import path from 'node:path';
import {
  BASELINE_FILE, createBaseline, filterFindings, matchBaseline, newestMigration, pushTo, type Baseline, type BaselineEntry, type Finding, type SetResult,
} from '../rules/index';
import { baselineRelPath, findBaseline, readBaseline, writeBaseline } from '../io/baseline';
import { newFilesSince } from '../io/git';
import { CHECK_FORMATS, displayPath, formatCheck, type CheckFormat } from './format';
import { formatDiff, planFixes, writeFixes } from './fix';
import { emptyProject, loadPaths, migrationFolders, requireExistingPaths } from './paths';
import { databaseOption, loadProject, UsageError, type ProjectResult } from './project';

type Values = Record<string, string | boolean | undefined>;
/** Writes; a promise when the output must drain before more is written. */
type Out = (s: string) => unknown;

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
const RANK: Record<string, number> = { info: 1, warning: 2, error: 3 };

function pgVersionOption(values: Values): number | undefined {
  if (values['pg-version'] === undefined) return undefined;
  const v = Number(values['pg-version']);
  if (!Number.isInteger(v) || v < 9 || v > 30) throw new UsageError(`--pg-version must be a PostgreSQL major version such as 14 (got "${values['pg-version']}")`);
  return v;
}

function configOption(values: Values): string | undefined {
  if (values.config !== undefined && !fs.existsSync(String(values.config))) throw new UsageError(`--config ${values.config}: no such file`);
  return values.config as string | undefined;
}

/** The baselines that apply: --baseline FILE for every set, else the nearest .sqlarchitect-baseline.json above each. */
class Baselines {
  private readonly loaded = new Map<string, Baseline>();
  constructor(private readonly explicit: string | undefined, private readonly disabled: boolean) {
    if (explicit !== undefined && !fs.existsSync(explicit)) throw new UsageError(`--baseline ${explicit}: no such file (create it with sql-architect baseline)`);
  }
  fileFor(setId: string): string | undefined {
    if (this.disabled) return undefined;
    return this.explicit ?? findBaseline(setId);
  }
  get(file: string): Baseline {
    let b = this.loaded.get(file);
    if (!b) { b = readBaseline(file); this.loaded.set(file, b); }
    return b;
  }
  /** Findings the baselines accept, and entries of in-scope files that no longer occur. */
  match(sets: SetResult[], scope: ReadonlySet<string>): { baselined: Set<Finding>; stale: { file: string; entry: BaselineEntry }[] } {
    const byFile = new Map<string, SetResult[]>();
    for (const s of sets) {
      const file = this.fileFor(s.id);
      if (file) pushTo(byFile, file, s);
    }
    const baselined = new Set<Finding>();
    const stale: { file: string; entry: BaselineEntry }[] = [];
    for (const [file, group] of byFile) {
      const m = matchBaseline(group, this.get(file), baselineRelPath(file), scope);
      for (const f of m.baselined) baselined.add(f);
      for (const entry of m.stale) stale.push({ file, entry });
    }
    return { baselined, stale };
  }
}

/**
 * Loads the project for the paths, or for the migration folders of --changed-files; returns the files in scope. The
 * scope is chosen before the analysis, which then runs the statement rules on those files only (a pre-commit hook
 * on one migration of a long history skips the rest), except for --fix, which checks its edits against the whole set.
 */
async function load(paths: string[], values: Values, err: Out): Promise<{ project: ProjectResult; scope: Set<string> }> {
  const warn = (m: string) => err(`warning: ${m}`);
  const changed = values['changed-files'] === true;
  if (changed && !paths.length) throw new UsageError('--changed-files needs the changed .sql files as arguments');
  let changedFiles: string[] = [];
  const choose = (files: readonly string[]): ReadonlySet<string> => {
    let scope = new Set(files);
    if (changed) {
      const wanted = new Set(changedFiles.map((p) => path.resolve(p)));
      scope = new Set([...scope].filter((f) => wanted.has(f)));
    }
    if (values.since !== undefined) {
      const added = newFilesSince([...scope], String(values.since), { display: displayPath });
      scope = new Set([...scope].filter((f) => added.has(f)));
    }
    return scope;
  };
  // Chosen once (--since asks git): from every file of the sets before a scoped analysis, else from those read.
  let chosen: ReadonlySet<string> | undefined;
  const scopeOf = (files: readonly string[]) => (chosen ??= choose(files));
  const scoped = (changed || values.since !== undefined) && !values.fix && !values['fix-dry-run'];
  const opts = { configFile: configOption(values), pgVersion: pgVersionOption(values), database: await databaseOption(values), warn, ...(scoped ? { scope: scopeOf } : {}) };
  let project: ProjectResult;
  if (changed) {
    // Staged files the config excludes are simply not checked: a hook must not block them.
    changedFiles = requireExistingPaths(paths, values, warn);
    const folder = changedFiles.find((p) => fs.statSync(p).isDirectory());
    if (folder) throw new UsageError(`--changed-files takes files, not folders (got ${folder})`);
    project = changedFiles.length ? await loadProject(migrationFolders(changedFiles), opts) : emptyProject();
  } else project = await loadPaths(paths, values, opts);
  const all = [...project.texts.keys()];
  const inScope = scopeOf(all);
  return { project, scope: new Set(all.filter((f) => inScope.has(f))) };
}

export async function checkCommand(paths: string[], values: Values, out: Out, err: Out, version: string): Promise<number> {
  const format = String(values.format ?? 'text') as CheckFormat;
  if (!CHECK_FORMATS.includes(format)) throw new UsageError(`--format must be ${CHECK_FORMATS.slice(0, -1).join(', ')} or ${CHECK_FORMATS[CHECK_FORMATS.length - 1]} (got "${format}")`);
  const failOn = String(values['fail-on'] ?? (values['exit-zero'] ? 'never' : 'error'));
  if (!(FAIL_ON as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on must be error, warning, info or never (got "${failOn}")`);
  if (values.fix && values['fix-dry-run']) throw new UsageError('use either --fix or --fix-dry-run');
  const baselines = new Baselines(values.baseline as string | undefined, values['no-baseline'] === true);
  const { project: loaded, scope } = await load(paths, values, err);

  // What check reports: findings in scope that no baseline accepts. --fix fixes exactly those.
  const shownBy = (baselined: ReadonlySet<Finding>) => (f: Finding) => (scope.has(f.file) || !loaded.texts.has(f.file)) && !baselined.has(f);
  const reported = (sets: SetResult[]) => new Set(sets.flatMap((s) => s.findings).filter(shownBy(baselines.match(sets, scope).baselined)));
  let project = loaded;
  if (values.fix || values['fix-dry-run']) {
    const plan = planFixes(loaded, reported, fixableFiles(loaded, paths, values, scope));
    for (const n of plan.notes) err(`warning: ${n}`);
    const created = [...plan.changes].filter(([, c]) => c.before === undefined).map(([f]) => displayPath(f));
    if (values['fix-dry-run']) {
      await writeOrPrint(values, formatDiff(plan.changes), out);
      err(`${plan.fixed} fix${plan.fixed === 1 ? '' : 'es'} would change ${plan.changes.size} file${plan.changes.size === 1 ? '' : 's'}${created.length ? ` (new: ${created.join(', ')})` : ''}; nothing was written.`);
      return exitStatus([...reported(plan.project.sets)], failOn);
    }
    const written = writeFixes(plan.changes, (m) => err(`warning: ${m}`));
    err(`Applied ${plan.fixed} fix${plan.fixed === 1 ? '' : 'es'} to ${written.length} file${written.length === 1 ? '' : 's'}${created.length ? ` (new: ${created.join(', ')})` : ''}.`);
    project = plan.project;
    for (const f of written) scope.add(f);
  }

  const { baselined, stale } = baselines.match(project.sets, scope);
  // A predicate, not a set of the findings shown: 70,000 of them at the end of the 20,000-table check.
  const view = filterFindings(project, shownBy(baselined));
  const footer: string[] = [];
  if (baselined.size) footer.push(`${baselined.size} more finding${baselined.size === 1 ? ' is' : 's are'} in the baseline and not shown.`);
  if (stale.length) {
    footer.push(`${stale.length} baseline entr${stale.length === 1 ? 'y no longer occurs' : 'ies no longer occur'}: run sql-architect baseline to shrink the baseline.`);
    for (const s of stale) footer.push(`    ${displayPath(s.file)}: ${s.entry.file} ${s.entry.rule}${s.entry.statement ? ` "${s.entry.statement}"` : ''}`);
  }
  const color = format === 'text' && !values['no-color'] && !values.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  await writeOrPrint(values, formatCheck(format, view, { version, color, footer: format === 'text' ? footer : undefined }), out);
  if (format !== 'text') for (const l of footer) err(l);
  return exitStatus(view.sets.flatMap((s) => s.findings), failOn);
}

/**
 * The existing files --fix may change. With --since or --changed-files, the files in scope (new or changed ones);
 * otherwise the files named on the command line and the newest migration of each set: older ones may have run.
 */
function fixableFiles(project: ProjectResult, paths: string[], values: Values, scope: ReadonlySet<string>): (file: string) => boolean {
  if (values.since !== undefined || values['changed-files'] === true) return (file) => scope.has(file);
  const named = new Set(paths.filter((p) => fs.existsSync(p) && fs.statSync(p).isFile()).map((p) => path.resolve(p)));
  for (const set of project.sets) {
    const newest = newestMigration(set.files);
    if (newest) named.add(newest);
  }
  return (file) => named.has(file);
}

function exitStatus(findings: Finding[], failOn: string): number {
  if (failOn === 'never') return 0;
  return findings.some((f) => RANK[f.severity] >= RANK[failOn]) ? 1 : 0;
}

/** Writes the text, or its pieces as they come, to --output or standard output (waiting for a pipe to drain). */
async function writeOrPrint(values: Values, text: string | Iterable<string>, out: Out): Promise<void> {
  const pieces = typeof text === 'string' ? [text] : text;
  if (values.output) {
    fs.mkdirSync(path.dirname(path.resolve(String(values.output))), { recursive: true });
    const fd = fs.openSync(String(values.output), 'w');
    try {
      for (const p of pieces) fs.writeSync(fd, p);
    } finally {
      fs.closeSync(fd);
    }
  } else {
    for (const p of pieces) {
      const wait = out(p);
      if (wait instanceof Promise) await wait;
    }
  }
}

/** `sql-architect baseline [paths…]`: records today's findings so check reports only new ones. */
export async function baselineCommand(paths: string[], values: Values, out: Out, err: Out): Promise<number> {
  const file = path.resolve(String(values.baseline ?? BASELINE_FILE));
  const { project } = await load(paths, { ...values, 'changed-files': false, since: undefined }, err);
  const previous = fs.existsSync(file) ? readBaseline(file).findings : [];
  const baseline = createBaseline(project.sets, baselineRelPath(file), previous);
  writeBaseline(file, baseline);
  const now = project.sets.reduce((n, s) => n + s.findings.length, 0);
  const kept = baseline.findings.length - now;
  out(`Wrote ${displayPath(file)}: ${now} finding${now === 1 ? '' : 's'} in ${project.fileCount} file${project.fileCount === 1 ? '' : 's'}${kept ? ` (and ${kept} kept for files not checked now)` : ''}.\n`);
  const unseen = project.sets.filter((s) => findBaseline(s.id) !== file).map((s) => displayPath(s.id));
  if (!values.baseline && unseen.length) err(`warning: check finds ${BASELINE_FILE} by looking in the folders above each migration folder; ${unseen.join(', ')} will not see this one unless you pass --baseline ${displayPath(file)}`);
  return 0;
}
