// Finding .sql files and reading them safely. IO lives here, not in rules/.
import fs from 'node:fs';
import path from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.hg', '.svn', '.test-tools']);

/** All `.sql` files under the given paths (files are taken as given), as absolute paths, sorted. */
export function collectSqlFiles(paths: string[], warn: (msg: string) => void): string[] {
  const out = new Set<string>();
  const visit = (p: string, depth: number) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      warn(`${p}: no such file or directory`);
      return;
    }
    if (st.isFile()) { out.add(path.resolve(p)); return; }
    if (!st.isDirectory() || depth > 40) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(p, { withFileTypes: true });
    } catch (e) {
      warn(`${p}: cannot read directory (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) visit(path.join(p, e.name), depth + 1); }
      else if (e.isFile() && /\.(sql|pgsql|psql)$/i.test(e.name)) out.add(path.resolve(p, e.name));
    }
  };
  for (const p of paths) visit(p, 0);
  return [...out].sort();
}

export interface ReadResult {
  text?: string;
  /** A clear reason when the file cannot be analysed, or a warning when it was decoded with replacements. */
  problem?: string;
  fatal?: boolean;
}

const MAX_BYTES = 64 * 1024 * 1024;

/** Reads a file as UTF-8. Binary files are refused; invalid UTF-8 is decoded with U+FFFD and reported. */
export function readSqlFile(file: string): ReadResult {
  let buf: Buffer;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size > MAX_BYTES) return { problem: `file is ${(size / 1048576).toFixed(0)} MB, larger than the 64 MB limit; skipped`, fatal: true };
    buf = fs.readFileSync(fd);
  } catch (e) {
    return { problem: `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, fatal: true };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    const line = buf.subarray(0, nul).toString('latin1').split('\n').length;
    return { problem: `line ${line}: binary content (a NUL byte at offset ${nul}); not a SQL text file, skipped`, fatal: true };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    text = new TextDecoder('utf-8').decode(buf);
    const bad = text.indexOf('\ufffd');
    const line = bad < 0 ? 1 : text.slice(0, bad).split('\n').length;
    return { text: stripBom(text), problem: `line ${line}: invalid UTF-8; decoded with replacement characters` };
  }
  return { text: stripBom(text) };
}

function stripBom(t: string): string {
  // Keep offsets stable for editors: a BOM is replaced by nothing only at the very start.
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
}

/** A path with POSIX separators, as the core's migration-set conventions expect. */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Walks up from `start` (a file or folder) to the nearest file called `name`. */
export function findUp(start: string, name: string): string | undefined {
  let dir = path.resolve(start);
  try {
    if (fs.statSync(dir).isFile()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
