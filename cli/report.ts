// `sql-architect report`: the design review report as Markdown, HTML or JSON; and `--since REF`, which limits
// findings to the migrations added after a git revision (for `check` and `report`). The only git caller.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildReport, defaultConfig, defaultHref, renderHtml, renderJson, renderMarkdown, type ResolvedConfig } from '../rules/index';
import { findConfig } from '../io/files';
import { displayPath } from './format';
import { loadProject, UsageError, type ProjectResult } from './project';
import { runIsolation } from './trace';

/** A --since problem (not a git repository, unknown revision, git missing): exit 2 with just this message. */
export class SinceError extends Error {}

function git(cwd: string, args: string[]): { status: number | null; stdout: Buffer; stderr: string; missing: boolean } {
  const r = spawnSync('git', ['-C', cwd, ...args], { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024, windowsHide: true });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: (r.stderr ?? Buffer.alloc(0)).toString('utf8').trim(), missing };
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The files (of `files`, absolute paths) that did not exist at git revision `ref`: migrations added since, committed
 * or not. Each file is looked up in the repository that contains it. Throws SinceError with a clear message when a
 * file is not in a git repository, the revision is unknown, or git is not installed.
 */
export function newFilesSince(files: readonly string[], ref: string): Set<string> {
  if (!ref || ref.startsWith('-')) throw new SinceError(`--since "${ref}": not a git revision`);
  const tops = new Map<string, string>();
  const present = new Map<string, Set<string>>();
  const out = new Set<string>();
  for (const file of files) {
    const dir = path.dirname(realpath(file));
    let top = tops.get(dir);
    if (!top) {
      const r = git(dir, ['rev-parse', '--show-toplevel']);
      if (r.missing) throw new SinceError('--since needs git, which is not installed or not on PATH');
      if (r.status !== 0) throw new SinceError(`--since ${ref}: ${displayPath(dir)} is not inside a git repository`);
      top = realpath(r.stdout.toString('utf8').trim());
      tops.set(dir, top);
    }
    let known = present.get(top);
    if (!known) {
      const commit = git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      if (commit.status !== 0) throw new SinceError(`--since ${ref}: unknown git revision in ${displayPath(top)} (try a tag, a branch or a commit such as HEAD~1)`);
      const sha = commit.stdout.toString('utf8').trim();
      const ls = git(top, ['ls-tree', '-r', '-z', '--name-only', sha]);
      if (ls.status !== 0) throw new SinceError(`--since ${ref}: git ls-tree failed: ${ls.stderr}`);
      known = new Set(ls.stdout.toString('utf8').split('\0').filter(Boolean).map((p) => path.join(top!, p)));
      present.set(top, known);
    }
    if (!known.has(realpath(file))) out.add(file);
  }
  return out;
}

/** The project with only the findings of `files` (the --since filter of `check`). */
export function limitToFiles(project: ProjectResult, files: ReadonlySet<string>): ProjectResult {
  return { ...project, sets: project.sets.map((s) => ({ ...s, findings: s.findings.filter((f) => files.has(f.file)) })) };
}

/** The configuration loadProject used for a set (the same lookup: --config, else the nearest file, else defaults). */
export function configForSet(project: ProjectResult, setId: string, configFile: string | undefined): ResolvedConfig {
  const key = configFile ?? findConfig(setId) ?? '';
  return project.configs.get(key) ?? project.configs.get('') ?? defaultConfig();
}

export async function report(paths: string[], values: Record<string, string | boolean | undefined>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const format = String(values.format ?? 'md');
  if (!['md', 'markdown', 'html', 'json'].includes(format)) throw new UsageError(`--format must be md, html or json for report (got "${format}")`);
  let pgVersion: number | undefined;
  if (values['pg-version'] !== undefined) {
    pgVersion = Number(values['pg-version']);
    if (!Number.isInteger(pgVersion) || pgVersion < 9 || pgVersion > 30) throw new UsageError(`--pg-version must be a PostgreSQL major version such as 14 (got "${values['pg-version']}")`);
  }
  const configFile = values.config as string | undefined;
  if (configFile !== undefined && !fs.existsSync(configFile)) throw new UsageError(`--config ${configFile}: no such file`);
  const project = await loadProject(paths, { configFile, pgVersion, warn: (m) => err(`warning: ${m}`) });
  if (project.fileCount === 0) err('warning: no .sql files found');
  const ref = values.since as string | undefined;
  const since = ref !== undefined ? { ref, newFiles: newFilesSince([...project.texts.keys()], ref) } : undefined;
  // --prove-isolation: the tenant matrix gets the verdicts of the isolation proof on PostgreSQL.
  const isolation = values['prove-isolation']
    ? [...(await runIsolation(project, values['database-url'] as string | undefined, configFile, (m) => err(`warning: ${m}`))).results]
      .flatMap(([setId, tables]) => tables.map((t) => ({ setId, table: t.table, status: t.status, details: t.details })))
    : undefined;
  const model = buildReport(project.sets, { configFor: (id) => configForSet(project, id, configFile), relPath: displayPath, since, isolation });

  // Links point at the migrations from where the report is written.
  const output = values.output as string | undefined;
  const outDir = output ? path.dirname(path.resolve(output)) : process.cwd();
  const href = (file: string) => defaultHref(path.relative(outDir, path.resolve(file)).split(path.sep).join('/') || file);
  const text = format === 'json' ? renderJson(model) : format === 'html' ? renderHtml(model, { href }) : renderMarkdown(model, { href });
  if (output) {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(output, text);
  } else out(text);
  return 0;
}
