// Shared helpers for front-end tests: temporary workspaces and running the built CLI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupMigrationSets, type SetInput } from '../rules/index';
import { collectSqlFiles } from '../io/files';

// The tests make throwaway git repositories. Git exports GIT_DIR, GIT_INDEX_FILE and the like to hooks: with them in
// the environment (npm test run from a hook), every git command of a test, and of the CLI under test, would work on
// the repository the tests are run from. These are the variables git itself clears for another repository
// (`git rev-parse --local-env-vars`).
for (const v of ['GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT', 'GIT_OBJECT_DIRECTORY', 'GIT_DIR',
  'GIT_WORK_TREE', 'GIT_IMPLICIT_WORK_TREE', 'GIT_GRAFT_FILE', 'GIT_INDEX_FILE', 'GIT_NO_REPLACE_OBJECTS', 'GIT_REPLACE_REF_BASE', 'GIT_PREFIX',
  'GIT_INTERNAL_SUPER_PREFIX', 'GIT_SHALLOW_FILE', 'GIT_COMMON_DIR']) delete process.env[v];

export const ROOT = path.resolve(__dirname, '..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const CORPUS = path.resolve(ROOT, '../shared/corpus');

/** Creates a temporary folder with the given files (path → text or bytes). */
export function tempWorkspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-'));
  for (const [p, content] of Object.entries(files)) {
    const full = path.join(dir, p);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

export interface CliRun { status: number | null; stdout: string; stderr: string }

export function runCli(args: string[], cwd: string = ROOT): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A text edit of the CLI's JSON contract: 1-based line/column, UTF-16 columns, end exclusive. */
export interface JsonEdit { file?: string; line: number; column: number; endLine: number; endColumn: number; newText: string }

/** Applies JSON-contract edits to a text, back to front, as an editor or a CI bot would. */
export function applyJsonEdits(text: string, edits: JsonEdit[]): string {
  const lines = text.split('\n');
  const offset = (l: number, c: number) => lines.slice(0, l - 1).reduce((n, s) => n + s.length + 1, 0) + c - 1;
  const sorted = [...edits].sort((a, b) => offset(b.line, b.column) - offset(a.line, a.column));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.line, e.column)) + e.newText + out.slice(offset(e.endLine, e.endColumn));
  return out;
}

/** The migration sets under `dir` as the engine groups them, with their files read. */
export function migrationSetsUnder(dir: string): SetInput[] {
  return groupMigrationSets(collectSqlFiles([dir], () => undefined)).map((s) => ({
    id: s.id,
    files: s.files.map((f) => ({ path: f.path, text: fs.readFileSync(f.path, 'utf8'), replayed: f.replayed })),
  }));
}
