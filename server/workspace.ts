// The language server's state: workspace files (from disk, overlaid by open documents), migration sets,
// and the latest analysis of each set. No LSP types here.
import path from 'node:path';
import {
  allRules, allRuleIds, analyzeSet, statementContaining, defaultConfig, groupMigrationSets, ParseCache, LineIndex, type ResolvedConfig, type RuleSetting, type SetResult,
  type Statement,
} from '../rules/index';
import { collectSqlFiles, findConfig, readSqlFile, filterByGlobs } from '../io/files';
import { loadConfigFile } from '../io/config';

export interface EditorSettings {
  enable: boolean;
  run: 'onType' | 'onSave';
  scope: 'workspace' | 'openFiles';
  postgresVersion?: number;
  tenantColumns?: string[];
  tenantSetting?: string;
  sensitiveColumns?: { include?: string[]; exclude?: string[] };
  rules?: Record<string, string>;
  migrationsGlob?: string[];
  /** A real server for trace / isolation; empty: embedded PGlite. */
  databaseUrl?: string | null;
}

export const DEFAULT_SETTINGS: EditorSettings = { enable: true, run: 'onType', scope: 'workspace' };

export interface ConfigProblem {
  file: string;
  message: string;
}

export class Workspace {
  readonly folders: string[] = [];
  /** Texts of `.sql` files read from disk. */
  private readonly disk = new Map<string, string>();
  /** Texts of documents open in the editor (they win over disk). */
  private readonly open = new Map<string, string>();
  private readonly cache = new ParseCache(true);
  readonly results = new Map<string, SetResult>();
  private readonly setOf = new Map<string, string>();
  private readonly lineIndexes = new Map<string, LineIndex>();
  settings: EditorSettings = { ...DEFAULT_SETTINGS };
  configProblems: ConfigProblem[] = [];

  /** Reads every `.sql` file of the workspace folders from disk. */
  scanFolders(warn: (m: string) => void): number {
    for (const f of collectSqlFiles(this.folders, warn)) this.readFromDisk(f, warn);
    return this.disk.size;
  }

  readFromDisk(file: string, warn: (m: string) => void = () => undefined): void {
    const r = readSqlFile(file);
    if (r.problem) warn(`${file}:${r.problem}`);
    if (r.text === undefined || r.fatal) this.disk.delete(file);
    else this.disk.set(file, r.text);
  }

  removeFromDisk(file: string): void {
    this.disk.delete(file);
    if (!this.open.has(file)) this.cache.delete(file);
  }

  setOpen(file: string, text: string): void {
    this.open.set(file, text);
  }

  close(file: string): void {
    this.open.delete(file);
  }

  isOpen(file: string): boolean {
    return this.open.has(file);
  }

  text(file: string): string | undefined {
    return this.open.get(file) ?? this.disk.get(file);
  }

  lineIndex(file: string): LineIndex {
    const text = this.text(file) ?? '';
    let idx = this.lineIndexes.get(file);
    if (!idx || idx.text !== text) {
      idx = new LineIndex(text);
      this.lineIndexes.set(file, idx);
    }
    return idx;
  }

  allFiles(): string[] {
    return [...new Set([...this.disk.keys(), ...this.open.keys()])].sort();
  }

  setIdOf(file: string): string | undefined {
    return this.setOf.get(file);
  }

  /** The configuration of a set: defaults, then editor settings, then `.sqlarchitect.json` (the file wins). */
  configFor(setId: string): ResolvedConfig {
    const s = this.settings;
    let config: ResolvedConfig = {
      ...defaultConfig(),
      ...(s.postgresVersion ? { postgresVersion: s.postgresVersion } : {}),
      ...(s.tenantColumns?.length ? { tenantColumns: s.tenantColumns } : {}),
      ...(s.tenantSetting ? { tenantSetting: s.tenantSetting } : {}),
      sensitiveColumns: { include: s.sensitiveColumns?.include ?? [], exclude: s.sensitiveColumns?.exclude ?? [] },
      rules: Object.fromEntries(Object.entries(s.rules ?? {}).filter(([id, v]) => allRuleIds.includes(id) && ['off', 'info', 'warning', 'error'].includes(v)).map(([id, v]) => [id, v as RuleSetting])),
      migrations: s.migrationsGlob ?? [],
    };
    const file = findConfig(setId);
    if (file) {
      try {
        config = loadConfigFile(file, config);
      } catch (e) {
        this.configProblems.push({ file, message: (e as Error).message });
      }
    }
    return config;
  }

  /** Regroups files into migration sets and analyses the sets (all, or those containing `only`). */
  analyze(only?: string[]): SetResult[] {
    const files = this.allFiles();
    const groups = groupMigrationSets(files);
    // A deleted file is in no group any more: its set is the one it belonged to before.
    const before = new Map(this.setOf);
    this.setOf.clear();
    for (const g of groups) for (const f of g.files) this.setOf.set(f.path, g.id);
    const wanted = only ? new Set(only.map((f) => this.setOf.get(f) ?? before.get(f)).filter(Boolean)) : undefined;
    if (!only) this.configProblems = [];
    const done: SetResult[] = [];
    for (const id of [...this.results.keys()]) if (!groups.some((g) => g.id === id)) this.results.delete(id);
    for (const g of groups) {
      if (wanted && !wanted.has(g.id)) continue;
      const config = this.configFor(g.id);
      const base = findConfig(g.id);
      const allowed = new Set(filterByGlobs(g.files.map((f) => f.path), config.migrations, base ? path.dirname(base) : g.id));
      const inputs = g.files
        .filter((f) => allowed.has(f.path) || this.open.has(f.path))
        .map((f) => ({ path: f.path, text: this.text(f.path) ?? '', replayed: f.replayed }));
      const result = analyzeSet({ id: g.id, files: inputs }, { config, rules: allRules, cache: this.cache });
      this.results.set(g.id, result);
      done.push(result);
    }
    return done;
  }

  resultFor(file: string): SetResult | undefined {
    const id = this.setOf.get(file);
    return id ? this.results.get(id) : undefined;
  }

  statementAt(file: string, offset: number): Statement | undefined {
    const r = this.resultFor(file);
    return r ? statementContaining(r.files, file, offset) : undefined;
  }
}
