// Finding and reading `.sqlarchitect.json`: shared by the CLI and the language server. Parsing and validation are
// the core's (rules/project/config.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigSource } from '../rules/index';
import { findUp, toPosix } from './files';

export const CONFIG_FILE = '.sqlarchitect.json';

/** Walks up from `start` (a file or folder) to the nearest `.sqlarchitect.json`. */
export function findConfig(start: string): string | undefined {
  return findUp(start, CONFIG_FILE);
}

/** A config file's text, or why it cannot be read. `file` is named in messages as given. */
export function readConfigSource(file: string): ConfigSource {
  const dir = toPosix(path.dirname(path.resolve(file)));
  try {
    return { path: file, dir, text: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    return { path: file, dir, error: (e as NodeJS.ErrnoException).code ?? 'error' };
  }
}

/**
 * The nearest config file above each folder, read once and kept until `clear()`: the language server analyses on
 * every keystroke and clears this when a config file changes.
 */
export class ConfigFiles {
  private readonly found = new Map<string, string | undefined>();
  private readonly read = new Map<string, ConfigSource>();

  lookup(dir: string): ConfigSource | undefined {
    if (!this.found.has(dir)) this.found.set(dir, findConfig(dir));
    const file = this.found.get(dir);
    if (!file) return undefined;
    let source = this.read.get(file);
    if (!source) {
      source = readConfigSource(file);
      this.read.set(file, source);
    }
    return source;
  }

  clear(): void {
    this.found.clear();
    this.read.clear();
  }
}
