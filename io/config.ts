// Reading `.sqlarchitect.json`: shared by the CLI and the language server.
import fs from 'node:fs';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { allRuleIds, ConfigError, defaultConfig, resolveConfig, type ResolvedConfig } from '../rules/index';

/** Reads and validates a config file; throws ConfigError with the file named in the message. */
export function loadConfigFile(file: string, base: ResolvedConfig = defaultConfig()): ResolvedConfig {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('', `${file}: cannot read configuration (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // JSON with comments, as VS Code edits it; a syntax error is reported at its line and column.
  const errors: ParseError[] = [];
  const json: unknown = parseJsonc(raw, errors, { allowTrailingComma: true });
  if (errors.length) {
    const e = errors[0];
    const before = raw.slice(0, e.offset).split('\n');
    throw new ConfigError('', `${file}:${before.length}:${before[before.length - 1].length + 1}: invalid JSON (${printParseErrorCode(e.error)})`);
  }
  try {
    return resolveConfig(json, allRuleIds, base);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.key, `${file}: ${e.message}`);
    throw e;
  }
}

