// Finding and reading `.sqlarchitect-baseline.json` (the CLI and the language server), and writing it (the CLI).
import fs from 'node:fs';
import path from 'node:path';
import { BASELINE_FILE, parseBaseline, serializeBaseline, type Baseline } from '../rules/index';
import { findUp } from './files';
import { writeFileAtomic } from './write';

/** A baseline file that cannot be read or is not a baseline: the message names the file. */
export class BaselineError extends Error {}

/** The nearest baseline file above a migration folder. */
export function findBaseline(start: string): string | undefined {
  return findUp(start, BASELINE_FILE);
}

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new BaselineError(`${file}: cannot read the baseline (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parseBaseline(text);
  } catch (e) {
    throw new BaselineError(`${file}: ${(e as Error).message}`);
  }
}

export function writeBaseline(file: string, baseline: Baseline): void {
  writeFileAtomic(file, serializeBaseline(baseline));
}

/** Paths in a baseline are relative to its folder, with POSIX separators. */
export function baselineRelPath(baselineFile: string): (file: string) => string {
  const dir = path.dirname(path.resolve(baselineFile));
  return (file) => path.relative(dir, file).split(path.sep).join('/');
}
