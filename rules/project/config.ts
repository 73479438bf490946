// The two sources of a set's configuration besides the defaults: the editor's settings (per workspace folder) and
// the text of a `.sqlarchitect.json`. Validated once, by resolveConfig; the file wins over the settings.
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ConfigError, resolveConfig, type ResolvedConfig } from '../engine/config';
import { allRuleIds } from '../engine/registry';

/** The `sqlArchitect.*` settings that shape the analysis (the editor's own settings are in protocol/). */
export interface AnalysisSettings {
  postgresVersion?: number | null;
  /** Empty: the default tenant columns. */
  tenantColumns?: string[];
  tenantSetting?: string | null;
  sensitiveColumns?: { include?: string[]; exclude?: string[] };
  rules?: Record<string, string>;
  /** Globs relative to the workspace folder. */
  migrationsGlob?: string[];
}

/** The settings as `.sqlarchitect.json` keys: unset and empty values leave the default. */
function settingsAsConfig(s: AnalysisSettings): [setting: string, key: string, value: unknown][] {
  const out: [string, string, unknown][] = [];
  if (s.postgresVersion !== undefined && s.postgresVersion !== null) out.push(['postgresVersion', 'postgresVersion', s.postgresVersion]);
  if (s.tenantColumns?.length) out.push(['tenantColumns', 'tenantColumns', s.tenantColumns]);
  if (s.tenantSetting) out.push(['tenantSetting', 'tenantSetting', s.tenantSetting]);
  if (s.sensitiveColumns) out.push(['sensitiveColumns', 'sensitiveColumns', s.sensitiveColumns]);
  if (s.migrationsGlob?.length) out.push(['migrationsGlob', 'migrations', s.migrationsGlob]);
  return out;
}

/**
 * Editor settings merged over `base`. A bad value is left out and reported (`sqlArchitect.<key>: why`); the
 * other settings still apply, and one bad rule severity does not drop the others.
 */
export function settingsToConfig(s: AnalysisSettings, base: ResolvedConfig): { config: ResolvedConfig; problems: string[] } {
  let config = base;
  const problems: string[] = [];
  const apply = (setting: string, raw: Record<string, unknown>) => {
    try {
      config = resolveConfig(raw, allRuleIds, config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`sqlArchitect.${setting}: ${e.message}`);
    }
  };
  for (const [setting, key, value] of settingsAsConfig(s)) apply(setting, { [key]: value });
  if (s.rules !== null && typeof s.rules === 'object') {
    for (const [id, severity] of Object.entries(s.rules)) apply('rules', { rules: { [id]: severity } });
  } else if (s.rules !== undefined) apply('rules', { rules: s.rules });
  return { config, problems };
}

/** A `.sqlarchitect.json` as the IO front found it. */
export interface ConfigSource {
  /** The file as named in messages. */
  path: string;
  /** Its folder, absolute: the base of its `migrations` globs. */
  dir: string;
  text?: string;
  /** Why it could not be read (text is then absent). */
  error?: string;
}

export interface ParsedConfigFile {
  config: ResolvedConfig;
  /** The keys the file sets (a `migrations` key makes its globs relative to the file). */
  keys: string[];
}

/** A `.sqlarchitect.json` text (JSON with comments) merged over `base`; throws ConfigError naming the file. */
export function parseConfigText(file: string, text: string, base: ResolvedConfig): ParsedConfigFile {
  const errors: ParseError[] = [];
  const json: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length) {
    const e = errors[0];
    const before = text.slice(0, e.offset).split('\n');
    throw new ConfigError('', `${file}:${before.length}:${before[before.length - 1].length + 1}: invalid JSON (${printParseErrorCode(e.error)})`);
  }
  try {
    const config = resolveConfig(json, allRuleIds, base);
    return { config, keys: Object.keys(json as object) };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.key, `${file}: ${e.message}`);
    throw e;
  }
}

/** A config file found by the IO front, merged over `base`; throws ConfigError when it is unreadable or wrong. */
export function parseConfigSource(source: ConfigSource, base: ResolvedConfig): ParsedConfigFile {
  if (source.text === undefined) throw new ConfigError('', `${source.path}: cannot read configuration (${source.error ?? 'error'})`);
  return parseConfigText(source.path, source.text, base);
}
