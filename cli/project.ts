// Loads migration sets from disk and runs the core over them: the CLI's (and benchmark's) IO layer.
import path from 'node:path';
import {
  allRules, analyzeSet, defaultConfig, groupMigrationSets, initParser, ParseCache,
  type ResolvedConfig, type SetResult,
} from '../rules/index';
import { collectSqlFiles, filterByGlobs, findConfig, readSqlFile } from '../io/files';
import { loadConfigFile } from '../io/config';

export class UsageError extends Error {}

export interface LoadOptions {
  configFile?: string;
  pgVersion?: number;
  warn: (msg: string) => void;
}

export interface ProjectResult {
  sets: SetResult[];
  /** Absolute path → text of every analysed file. */
  texts: Map<string, string>;
  fileCount: number;
  configs: Map<string, ResolvedConfig>;
  /** The configuration each migration set was analysed with. */
  configOf: Map<string, ResolvedConfig>;
}

export async function loadProject(paths: string[], opts: LoadOptions): Promise<ProjectResult> {
  await initParser();
  const configs = new Map<string, ResolvedConfig>();
  const configOf = new Map<string, ResolvedConfig>();
  const explicit = opts.configFile ? loadConfigFile(opts.configFile) : undefined;
  const configFor = (dir: string): { config: ResolvedConfig; base: string } => {
    const file = explicit ? opts.configFile! : findConfig(dir);
    const key = file ?? '';
    let config = configs.get(key);
    if (!config) {
      config = explicit ?? (file ? loadConfigFile(file) : defaultConfig());
      if (opts.pgVersion !== undefined) config = { ...config, postgresVersion: opts.pgVersion };
      configs.set(key, config);
    }
    return { config, base: file ? path.dirname(file) : process.cwd() };
  };

  const files = collectSqlFiles(paths.length ? paths : ['.'], opts.warn);
  const texts = new Map<string, string>();
  const posix = (p: string) => p.split(path.sep).join('/');
  const groups = groupMigrationSets(files.map(posix));
  const cache = new ParseCache();
  const sets: SetResult[] = [];
  let fileCount = 0;
  for (const g of groups) {
    const { config, base } = configFor(g.id);
    configOf.set(g.id, config);
    const allowed = new Set(filterByGlobs(g.files.map((f) => f.path), config.migrations, base));
    const inputs = [];
    for (const f of g.files) {
      if (!allowed.has(f.path)) continue;
      const r = readSqlFile(f.path);
      if (r.problem) opts.warn(`${path.relative(process.cwd(), f.path) || f.path}:${r.problem}`);
      if (r.fatal || r.text === undefined) continue;
      texts.set(f.path, r.text);
      inputs.push({ path: f.path, text: r.text, replayed: f.replayed });
    }
    if (!inputs.length) continue;
    fileCount += inputs.length;
    const result = analyzeSet({ id: g.id, files: inputs }, { config, rules: allRules, cache });
    for (const e of result.internalErrors) opts.warn(`internal error (please report): ${e}`);
    sets.push(result);
  }
  return { sets, texts, fileCount, configs, configOf };
}
