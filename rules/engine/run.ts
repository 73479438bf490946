// The runner: replays each migration set into a schema model, runs every rule, applies suppressions and
// severities. Pure: text in, findings out.
import { parseFile, type ParsedFile, LineIndex, StatementCache } from '../parser/adapter';
import type { SchemaModel } from '../model/schema';
import { inferProject } from '../project/infer';
import type { ProjectModel } from '../project/types';
import type { Statement } from '../model/types';
import { NONE, orNone } from '../model/lists';
import type { ResolvedConfig } from './config';
import type { FileContext, Finding, Fix, HeldLock, Report, Rule, SetContext, TxKind } from './types';
import { checkMessageId, messageOnRead, reportMessage } from './messages';
import { genericPopFiles } from './migrations';
import type { LockPlan } from '../locks';
import { RuleMemo } from './memo';
import { sizedEntry, sizeNote } from './sizes';
import { parsedSetFile, ReplaySnapshots, replayedStatements, replayFiles, startingModel } from './set-files';
import { renderedMessage, StatementPass } from './statement-pass';
import type { StatementMap } from './statement-map';
import { dynamicSqlFindings, limitFindings, severityOf, Suppressions, syntaxErrorFindings } from './meta-findings';

export interface FileInput {
  path: string;
  text: string;
  /** False for down migrations: syntax only. Defaults to true. */
  replayed?: boolean;
}

/**
 * The schema a set starts from: a dump file replayed before the first migration and not itself reviewed, or the
 * schema of a live database rendered as SQL (model/catalog.ts) with its table sizes.
 */
export interface SchemaBaseline {
  /** The dump file, or for a live database a label that names no file (origins in it are not linked). */
  path: string;
  text: string;
  /** Read from a live database: rows and bytes per table, by `schema.name`. */
  database?: { label: string; sizes: Record<string, { rows?: number; bytes?: number }> };
}

export interface SetInput {
  id: string;
  /** The schema before the first migration of the set. */
  baseline?: SchemaBaseline;
  /** In apply order. */
  files: FileInput[];
  /** Tool files found beside the set (`migration_lock.toml`, `atlas.sum`, `.gmrc`, `supabase/config.toml`), for the runner. */
  markers?: string[];
  /** The project's pop/popx migrations also run on other databases (its folder has `.mysql.`, `.sqlite3.`, … files, or `.postgres.` twins of generic ones). */
  otherDatabases?: boolean;
}

/** Per-statement facts computed once by the engine; kept for hover, reports and the lock trace comparison. */
export interface StatementFacts {
  inTransaction: boolean;
  /** Who opened the transaction the statement runs in. */
  txKind: TxKind;
  /** Why the statement is (or is not) in a transaction: the tool's rule or the BEGIN. */
  txWhy: string;
  lockTimeoutSet: boolean;
  locks: LockPlan;
  /** Locks that earlier statements of the same transaction already hold on the tables this statement locks. */
  held: readonly HeldLock[];
}

export interface SetResult {
  id: string;
  /** The schema the set started from, when one was given. */
  baseline?: { path: string; text: string; database?: string; statements: number; tables: number };
  model: SchemaModel;
  project: ProjectModel;
  files: FileContext[];
  findings: Finding[];
  facts: StatementMap<StatementFacts>;
  /** Rule code that threw; reported by front ends, never fatal. */
  internalErrors: string[];
  /** As given in SetInput: the set's generic pop/popx files also run on other databases (they get no fixes). */
  otherDatabases?: boolean;
}

/** Reuses parses of unchanged files between runs (the language server keeps one). */
export class ParseCache {
  private readonly entries = new Map<string, { text: string; parsed: ParsedFile }>();
  private readonly statements = new Map<string, StatementCache>();
  /** Per migration set, in incremental mode: its statement-rule results and where its final schema replays from. */
  private readonly sets = new Map<string, { memo: RuleMemo; replay: ReplaySnapshots }>();
  /**
   * incremental (for editors): re-parse only the statements of a file whose text changed, and reuse what statement
   * rules reported on unchanged statements when it depends on nothing else (rules/engine/memo.ts).
   */
  constructor(private readonly incremental = false) {}
  private set(setId: string): { memo: RuleMemo; replay: ReplaySnapshots } | undefined {
    if (!this.incremental) return undefined;
    let s = this.sets.get(setId);
    if (!s) {
      s = { memo: new RuleMemo(), replay: new ReplaySnapshots() };
      this.sets.set(setId, s);
    }
    return s;
  }
  /** The statement-rule results of a migration set, in incremental mode. */
  memo(setId: string): RuleMemo | undefined {
    return this.set(setId)?.memo;
  }
  /** Where the final schema of a migration set is replayed from, in incremental mode. */
  replay(setId: string): ReplaySnapshots | undefined {
    return this.set(setId)?.replay;
  }
  /** Forgets a migration set that no longer exists. */
  dropSet(setId: string): void {
    this.sets.delete(setId);
  }
  get(path: string, text: string): ParsedFile {
    const hit = this.entries.get(path);
    if (hit && hit.text === text) return hit.parsed;
    let stmts: StatementCache | undefined;
    if (this.incremental) {
      stmts = this.statements.get(path) ?? new StatementCache();
      this.statements.set(path, stmts);
    }
    const parsed = parseFile(path, text, stmts);
    this.entries.set(path, { text, parsed });
    return parsed;
  }
  delete(path: string): void {
    this.entries.delete(path);
    this.statements.delete(path);
  }
  /** Statements parsed so far in incremental mode (tests check that unchanged ones are not parsed again). */
  get statementParses(): number {
    let n = 0;
    for (const c of this.statements.values()) n += c.parses;
    return n;
  }
}

export interface AnalyzeOptions {
  config: ResolvedConfig;
  rules: readonly Rule[];
  cache?: ParseCache;
  /**
   * The files whose findings are wanted (the CLI's --since and --changed-files): statement rules do not run on the
   * statements of the other files, whose findings would be dropped. Everything else is as in a whole analysis.
   */
  scope?: ReadonlySet<string>;
}

export function analyzeSet(input: SetInput, opts: AnalyzeOptions): SetResult {
  const { config, rules } = opts;
  const cache = opts.cache ?? new ParseCache();
  const files = input.files.map((f) => parsedSetFile(f, cache));
  const parsedByPath = new Map(files.map((f) => [f.ctx.path, f.parsed]));
  const contexts = files.map((f) => f.ctx);
  const baseline = input.baseline && parsedSetFile({ path: input.baseline.path, text: input.baseline.text }, cache);
  // Set rules find the statements of origins in the baseline too (its objects are the project's objects).
  const contextOf = new Map([...contexts, ...(baseline ? [baseline.ctx] : [])].map((f) => [f.path, f]));

  // Pass 1: the final schema, then what the project is (tenants, roles, runner, conventions).
  const startKey = [baseline?.parsed, input.baseline?.database];
  const snapshots = cache.replay(input.id);
  let baselineTables: number;
  let finalModel: SchemaModel;
  if (snapshots) {
    finalModel = snapshots.replay(startKey, files, () => startingModel(baseline, input.baseline));
    baselineTables = snapshots.startTables;
  } else {
    const start = startingModel(baseline, input.baseline);
    baselineTables = start.tables.size;
    finalModel = replayFiles(start, files);
  }
  const project = inferProject(finalModel, files.filter((f) => f.ctx.replayed).map((f) => ({ path: f.ctx.path, text: f.ctx.text })), config, input.markers);

  // Pass 2: every statement with the schema as it stood just before it, its facts and the statement rules.
  const pass = new StatementPass({
    startModel: () => startingModel(baseline, input.baseline), finalModel, project, config,
    rules: rules.filter((r) => r.check), allPaths: input.files.map((f) => f.path), memo: cache.memo(input.id),
    start: startKey, resume: snapshots?.resume(), scope: opts.scope,
  }).run(files);

  // Set rules: the whole set at once.
  const setCtx: SetContext = {
    model: finalModel,
    project,
    files: contexts,
    config,
    statementAt: (o) => statementIn(contextOf.get(o.file), o.span.start),
    factsAt: (s) => pass.facts.get(s),
    fileText: (p) => contextOf.get(p)?.text,
  };
  // Findings: severities, sizes, suppressions; then the engine's own (in this order: unused ignores come last). A set
  // rule's reports become findings as they come (runSetRules).
  const ignores = new Suppressions(parsedByPath);
  // A pop/popx file every database runs: a fix would add PostgreSQL-only SQL to the others' migration (advice stays).
  const sharedFiles = input.otherDatabases ? genericPopFiles(input.files.map((f) => f.path)) : new Set<string>();
  const scope: FindingScope = { input, config, facts: pass.facts, contextOf, baselinePath: baseline?.ctx.path, ignores, sharedFiles };
  const fromRules: Finding[] = [];
  for (const r of pass.raw) addFinding(fromRules, r.rule, r.report, r.message, r.statement, r.file, scope);
  runSetRules(rules, setCtx, pass.internalErrors, cache.memo(input.id) !== undefined, fromRules, scope);
  const findings = [
    ...fromRules,
    ...dynamicSqlFindings(files, config, ignores),
    ...syntaxErrorFindings(contexts, config, ignores),
    ...limitFindings(contexts, parsedByPath, config, ignores),
    ...ignores.unusedFindings(contexts, config, rules),
  ];
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || (a.rule < b.rule ? -1 : 1)));

  const baselineInfo = baseline && input.baseline
    ? { path: input.baseline.path, text: input.baseline.text, database: input.baseline.database?.label, statements: replayedStatements(baseline).length, tables: baselineTables }
    : undefined;
  return {
    id: input.id, ...(baselineInfo ? { baseline: baselineInfo } : {}), model: finalModel, project, files: contexts, findings, facts: pass.facts,
    internalErrors: pass.internalErrors, ...(input.otherDatabases ? { otherDatabases: true } : {}),
  };
}

/**
 * The set rules' findings, added to `out`. A rule that hands the same report objects to later analyses
 * (require-lock-timeout keeps a file's) freezes them: in the editor (`incremental`) their messages are rendered once.
 * Others make new reports each time, and looking every one up (3,500 in the generated 1,000-table migration) cost more
 * than rendering it.
 */
function runSetRules(rules: readonly Rule[], ctx: SetContext, internalErrors: string[], incremental: boolean, out: Finding[], scope: FindingScope): void {
  // A check renders each message when its finding is read (messageOnRead); an editor reads them at every keystroke.
  const message = (rule: Rule, report: Report) => {
    if (!incremental) return checkMessageId(rule, report);
    return Object.isFrozen(report) ? renderedMessage(rule, report) : reportMessage(rule, report);
  };
  for (const rule of rules) {
    if (!rule.checkSet) continue;
    try {
      // Each report becomes a finding as it comes: no rule's reports are kept after it ran (70,000 of them in the
      // 20,000-table check). A report on a statement a DO block runs is treated as a statement rule's is (fixes kept
      // out of the block, the recipe's note on the block).
      for (const report of rule.checkSet(ctx)) {
        addFinding(out, rule, report, message(rule, report), report.statement?.embedded ? report.statement : undefined, report.file ?? '', scope);
      }
    } catch (e) {
      internalErrors.push(`${rule.id}: ${(e as Error).message}`);
    }
  }
}

interface FindingScope {
  input: SetInput;
  config: ResolvedConfig;
  facts: StatementMap<StatementFacts>;
  contextOf: Map<string, FileContext>;
  baselinePath: string | undefined;
  ignores: Suppressions;
  sharedFiles: ReadonlySet<string>;
}

/**
 * A rule's report as a finding, added to `findings`: configured severity, table sizes, the finding's statement,
 * ignore comments (none when the rule is off, the report is on the baseline or an ignore comment suppresses it).
 */
function addFinding(
  findings: Finding[], rule: Rule, report: Report, rendered: string | undefined, statement: Statement | undefined, file: string, scope: FindingScope,
): void {
  const { input, config, facts, contextOf, baselinePath, ignores, sharedFiles } = scope;
  let sev = severityOf(config, rule.id, report.severity ?? rule.defaultSeverity);
  if (sev === 'off') return;
  const findingFile = report.file ?? statement?.file ?? file;
  // The baseline is the state before the set, not part of the review.
  if (baselinePath !== undefined && findingFile === baselinePath) return;
  let message = rendered;
  const sized = rule.scalesWithTableSize && statement ? sizedEntry(facts.get(statement)?.locks) : undefined;
  if (sized) {
    const note = sizeNote(sized, config);
    message = (message ?? reportMessage(rule, report)) + note.text;
    if (note.small) sev = 'info';
  }
  const span = report.span ?? statement?.span;
  if (!span) return;
  const anchor = report.statement ?? (report.file || !statement ? statementIn(contextOf.get(findingFile), span.start) : statement);
  if (ignores.suppressed(rule.id, findingFile, anchor)) return;
  const finding = {
    rule: rule.id, severity: sev, category: rule.category, messageId: report.messageId, data: report.data, file: findingFile,
    start: span.start, end: span.end, related: relatedOutsideDatabase(report.related, input.baseline),
    fixes: isPgDump(contextOf.get(findingFile)) || sharedFiles.has(findingFile) ? NONE : outsideBlock(report.fixes ?? NONE, statement),
    recipe: report.recipe && statement?.embedded ? `${report.recipe}\n${doBlockNote(report.recipe)}` : report.recipe,
  };
  findings.push(message === undefined ? messageOnRead(finding, rule) : withMessage(finding, message));
}

/** A finding with its message stored, last as `messageOnRead` defines it (one literal: no property added later). */
function withMessage(f: Omit<Finding, 'message'>, message: string): Finding {
  return {
    rule: f.rule, severity: f.severity, category: f.category, messageId: f.messageId, data: f.data, file: f.file, start: f.start, end: f.end,
    related: f.related, fixes: f.fixes, recipe: f.recipe, message,
  };
}

/**
 * pg_dump's output (a Rails structure.sql too): generated from a database, so an edit to it changes nothing, and its
 * empty search_path would make the unqualified names of a fix fail. Its findings keep their advice, without fixes.
 */
const pgDumps = new WeakMap<readonly Statement[], boolean>();
/** Kept with the file's statements (the same while its text is: an editor asks at every keystroke). */
function isPgDump(f: FileContext | undefined): boolean {
  if (f === undefined) return false;
  let dump = pgDumps.get(f.statements);
  if (dump === undefined) {
    dump = /^-- PostgreSQL database dump|pg_catalog\.set_config\('search_path', '', false\)/m.test(f.text.slice(0, 4096));
    pgDumps.set(f.statements, dump);
  }
  return dump;
}

/** Related locations, less those in the schema read from a live database (it has no file to point into). */
function relatedOutsideDatabase(related: Finding['related'] | undefined, baseline: SetInput['baseline']): Finding['related'] {
  if (!related || related.length === 0) return NONE;
  return baseline?.database ? orNone(related.filter((r) => r.file !== baseline.path)) : related;
}

/**
 * A statement a DO block runs: its fixes may not edit inside the block (an edit there cannot be checked), nor write a
 * follow-up migration, which would run without the block's conditions (supabase/storage creates some tables only
 * `IF NOT is_multitenant`).
 */
function outsideBlock(fixes: readonly Fix[], statement: Statement | undefined): readonly Fix[] {
  const block = statement?.embedded?.parent;
  if (!block) return orNone(fixes);
  return orNone(fixes.filter((x) => x.edits.every((e) => e.file === undefined && (e.end <= block.span.start || e.start >= block.span.end))));
}

/**
 * Said under the recipe of a statement a DO block runs. A DO block is one transaction: what CONCURRENTLY builds or
 * drops cannot stay inside it, so its conditions cannot come along either.
 */
function doBlockNote(recipe: string): string {
  return /\bCONCURRENTLY\b/.test(recipe)
    ? '-- The statement runs inside a DO block, which is one transaction: CONCURRENTLY cannot run in it. Run this outside the block, and check by hand whatever the block\'s conditions (IF …) decided.'
    : '-- The statement runs inside a DO block: keep the block\'s conditions (IF …, EXCEPTION …) around these statements, in the follow-up migration too.';
}

export function statementContaining(files: FileContext[], path: string, offset: number): Statement | undefined {
  return statementIn(files.find((x) => x.path === path), offset);
}

function statementIn(f: FileContext | undefined, offset: number): Statement | undefined {
  if (!f) return undefined;
  let lo = 0;
  let hi = f.statements.length - 1;
  let found: Statement | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = f.statements[mid];
    if (s.span.start <= offset) { found = s; lo = mid + 1; } else hi = mid - 1;
  }
  return found && offset <= found.span.end ? found : undefined;
}

export { LineIndex };
