// Git for `--since REF` (CLI `check` and `report`), the editor's report export and its quick fixes
// (server/history.ts): which migrations were added after a revision. The only git caller.
import type * as childProcess from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A since problem (not a git repository, unknown revision, git missing): shown as is, no stack trace. */
export class SinceError extends Error {}

export interface SinceOptions {
  /** How the option is named in messages: `--since` on the command line. */
  label?: string;
  /** How a folder is named in messages (e.g. relative to the working directory). */
  display?: (dir: string) => string;
}

function git(cwd: string, args: string[]): { status: number | null; stdout: Buffer; stderr: string; missing: boolean } {
  // Loaded on first use: child_process pulls in net and stream, which `check` without --since does not need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof childProcess;
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
export function newFilesSince(files: readonly string[], ref: string, opts: SinceOptions = {}): Set<string> {
  const label = opts.label ?? '--since';
  const display = opts.display ?? ((dir: string) => dir);
  if (!ref || ref.startsWith('-')) throw new SinceError(`${label} "${ref}": not a git revision`);
  const tops = new Map<string, string>();
  const present = new Map<string, Set<string>>();
  const out = new Set<string>();
  for (const file of files) {
    const dir = path.dirname(realpath(file));
    let top = tops.get(dir);
    if (!top) {
      const r = git(dir, ['rev-parse', '--show-toplevel']);
      if (r.missing) throw new SinceError(`${label} needs git, which is not installed or not on PATH`);
      if (r.status !== 0) throw new SinceError(`${label} ${ref}: ${display(dir)} is not inside a git repository`);
      top = realpath(r.stdout.toString('utf8').trim());
      tops.set(dir, top);
    }
    let known = present.get(top);
    if (!known) {
      const commit = git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      if (commit.status !== 0) throw new SinceError(`${label} ${ref}: unknown git revision in ${display(top)} (try a tag, a branch or a commit such as HEAD~1)`);
      const sha = commit.stdout.toString('utf8').trim();
      const ls = git(top, ['ls-tree', '-r', '-z', '--name-only', sha]);
      if (ls.status !== 0) throw new SinceError(`${label} ${ref}: git ls-tree failed: ${ls.stderr}`);
      known = new Set(ls.stdout.toString('utf8').split('\0').filter(Boolean).map((p) => path.join(top!, p)));
      present.set(top, known);
    }
    if (!known.has(realpath(file))) out.add(file);
  }
  return out;
}
