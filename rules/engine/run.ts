// The runner: replays each migration set into a schema model, runs every rule, applies suppressions and
// severities. Pure: text in, findings out.
import { parseFile, type ParsedFile, LineIndex, MAX_FILE_CHARS, MAX_STATEMENT_CHARS, StatementCache } from '../parser/adapter';
import { lastTokenStart, skipToken } from '../parser/lexer';
import { SchemaModel, tableKey } from '../model/schema';
import { inferProject } from '../project/infer';
import type { ProjectModel } from '../project/types';
import { TransactionTracker } from './transactions';
import type { IgnoreDirective, Origin, QName, Statement } from '../model/types';
import type { ResolvedConfig } from './config';
import { followUpMigrationPath } from './migrations';
import type { FileContext, Finding, Fix, HeldLock, Report, Rule, SetContext, StatementContext, TxFacts, TxKind } from './types';
import { reportMessage } from './messages';
import { analysisLimitRule, dynamicSqlRule, syntaxErrorRule, unusedIgnoreRule } from './meta-rules';
import { cannotRunInTransaction, lockPlan, lockTableName, mergeLocks, type LockPlan } from '../locks';
import { RuleMemo } from './memo';
import { embeddedStatements, lazyLines, modelActions } from './embedded';
import { sizedEntry, sizeNote, withSizes } from './sizes';

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
  held: HeldLock[];
}

export interface SetResult {
  id: string;
  /** The schema the set started from, when one was given. */
  baseline?: { path: string; text: string; database?: string; statements: number; tables: number };
  model: SchemaModel;
  project: ProjectModel;
  files: FileContext[];
  findings: Finding[];
  facts: Map<Statement, StatementFacts>;
  /** Rule code that threw; reported by front ends, never fatal. */
  internalErrors: string[];
}

/** Reuses parses of unchanged files between runs (the language server keeps one). */
export class ParseCache {
  private readonly entries = new Map<string, { text: string; parsed: ParsedFile }>();
  private readonly statements = new Map<string, StatementCache>();
  private readonly memos = new Map<string, RuleMemo>();
  /**
   * incremental (for editors): re-parse only the statements of a file whose text changed, and reuse what statement
   * rules reported on unchanged statements when it depends on nothing else (rules/engine/memo.ts).
   */
  constructor(private readonly incremental = false) {}
  /** The statement-rule results of a migration set, in incremental mode. */
  memo(setId: string): RuleMemo | undefined {
    if (!this.incremental) return undefined;
    let m = this.memos.get(setId);
    if (!m) {
      m = new RuleMemo();
      this.memos.set(setId, m);
    }
    return m;
  }
  /** Forgets a migration set that no longer exists. */
  dropSet(setId: string): void {
    this.memos.delete(setId);
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
}

const META_RULES = { syntax: 'syntax-error', unused: 'unused-ignore', limit: 'analysis-limit', dynamic: 'dynamic-sql-not-analysed' } as const;

interface ParsedSetFile {
  input: FileInput;
  parsed: ParsedFile;
  ctx: FileContext;
}

/** The statements of a file that are replayed into the model (not down sections, not syntax errors). */
function replayedStatements(f: ParsedSetFile): Statement[] {
  if (!f.ctx.replayed) return [];
  const down = f.parsed.downFrom;
  return f.parsed.statements.filter((s) => !s.syntaxError && !s.tooLarge && (down === undefined || s.span.start < down));
}

/** Replays the statements of files into a model (the DO blocks' too), without rules. */
function replayFiles(model: SchemaModel, files: ParsedSetFile[]): SchemaModel {
  for (const f of files) {
    const lines = lazyLines(f.ctx.text);
    for (const stmt of replayedStatements(f)) {
      for (const s of [stmt, ...embeddedStatements(stmt, f.ctx.text, lines)]) {
        const origin: Origin = { file: f.ctx.path, span: s.span };
        for (const a of modelActions(s)) model.apply(a, origin);
      }
    }
  }
  return model;
}

/** A model holding the baseline schema, if any: the state before the first migration. */
function startingModel(baseline: ParsedSetFile | undefined, input: SchemaBaseline | undefined): SchemaModel {
  const model = new SchemaModel();
  if (!baseline) return model;
  replayFiles(model, [baseline]);
  // A dump sets search_path for itself; each migration starts with the default one.
  model.defaultSchema = 'public';
  for (const [key, size] of Object.entries(input?.database?.sizes ?? {})) {
    const t = model.tables.get(key);
    if (t) { t.size = size; model.sized = true; }
  }
  return model;
}

export function analyzeSet(input: SetInput, opts: AnalyzeOptions): SetResult {
  const { config, rules } = opts;
  const cache = opts.cache ?? new ParseCache();
  const files: ParsedSetFile[] = input.files.map((f) => {
    const parsed = cache.get(f.path, f.text);
    return { input: f, parsed, ctx: { path: f.path, text: f.text, statements: parsed.statements, replayed: f.replayed !== false } };
  });
  const parsedByPath = new Map(files.map((f) => [f.ctx.path, f.parsed]));
  const contexts = files.map((f) => f.ctx);
  const baseline = input.baseline && parsedBaseline(input.baseline, cache);
  // Set rules find the statements of origins in the baseline too (its objects are the project's objects).
  const contextOf = new Map([...contexts, ...(baseline ? [baseline.ctx] : [])].map((f) => [f.path, f]));
  const raw: { rule: Rule; report: Report; message: string; statement?: Statement; file: string }[] = [];
  const internalErrors: string[] = [];
  const facts = new Map<Statement, StatementFacts>();
  const allPaths = input.files.map((f) => f.path);
  const statementRules = rules.filter((r) => r.check);
  const setRules = rules.filter((r) => r.checkSet);

  // Pass 1: the final schema, then what the project is (tenants, roles, runner, conventions).
  const start = startingModel(baseline, input.baseline);
  const baselineTables = start.tables.size;
  const finalModel = replayFiles(start, files);
  const project = inferProject(finalModel, files.filter((f) => f.ctx.replayed).map((f) => ({ path: f.ctx.path, text: f.ctx.text })), config, input.markers);

  // Pass 2: every statement with the schema as it stood just before it, and its facts.
  const memo = cache.memo(input.id);
  memo?.begin(JSON.stringify(config), statementRules);
  const model = startingModel(baseline, input.baseline);
  let migration: string | undefined;
  let created = new Set<string>();
  for (const f of files) {
    const statements = replayedStatements(f);
    const tx = new TransactionTracker(project.runner, f.ctx, statements);
    let lockTimeoutSet = false;
    let localTimeout = false;
    // Tables created earlier in the same migration are new: locks on them harm nobody yet.
    if (project.runner.migrationOf(f.ctx.path) !== migration) created = new Set<string>();
    migration = project.runner.migrationOf(f.ctx.path);
    const resolveKey = (q: QName) => {
      const r = model.resolve(q);
      return tableKey(r.schema, r.name);
    };
    const createdInFile = (t: QName) => created.has(resolveKey(t)) || (!t.schema && created.has(tableKey('public', t.name)));
    const lines = lazyLines(f.ctx.text);
    /** Runs the statement rules on one statement, then replays it; returns the locks it takes. */
    const step = (stmt: Statement, txFacts: TxFacts): LockPlan => {
      const locks = withSizes(lockPlan(stmt, { before: model, createdInFile, config }), model, config);
      const held = tx.heldOn(locks);
      const ctx: StatementContext = {
        statement: stmt,
        file: f.ctx,
        before: model,
        config,
        project,
        after: finalModel,
        tx: txFacts,
        locks,
        inTransaction: txFacts.inTransaction,
        lockTimeoutSet,
        createdInFile,
        existedBefore: (t) => {
          const m = model.table(t);
          return m && !created.has(tableKey(m.schema, m.name)) ? m : undefined;
        },
        heldLock: (t) => tx.held(lockTableName(model, t)),
        heldLocks: () => tx.all(),
        emptiedInTransaction: (t) => tx.emptied(resolveKey(t)),
        followUpFileName: (slug) => followUpMigrationPath(f.ctx.path, allPaths, slug),
      };
      facts.set(stmt, { inTransaction: txFacts.inTransaction, txKind: txFacts.kind, txWhy: txFacts.why, lockTimeoutSet, locks, held });
      const ruleFailed = (rule: Rule, e: unknown) => internalErrors.push(`${rule.id} on ${f.ctx.path}:${stmt.line + 1}: ${(e as Error).message}`);
      const push = (rule: Rule, report: Report) => raw.push({ rule, report, message: reportMessage(rule, report), statement: stmt, file: f.ctx.path });
      if (memo) {
        for (const { rule, reports } of memo.run(ctx, ruleFailed)) {
          try {
            for (const report of reports) push(rule, report);
          } catch (e) {
            ruleFailed(rule, e);
          }
        }
      } else {
        for (const rule of statementRules) {
          try {
            for (const report of rule.check!(ctx)) push(rule, report);
          } catch (e) {
            ruleFailed(rule, e);
          }
        }
      }
      const origin: Origin = { file: f.ctx.path, span: stmt.span };
      const applied = modelActions(stmt);
      for (const a of stmt.actions) {
        if (a.type === 'create-table') created.add(resolveKey(a.table));
        if (a.type === 'rename-table') {
          const t = model.table(a.table);
          if (t && created.has(tableKey(t.schema, t.name))) created.add(tableKey(t.schema, a.to));
        }
        if (a.type === 'set-schema') {
          const t = model.table(a.table);
          if (t && created.has(tableKey(t.schema, t.name))) created.add(tableKey(a.schema, t.name));
        }
        // SET LOCAL lasts until the end of the transaction.
        if (a.type === 'transaction' && (a.op === 'commit' || a.op === 'rollback') && localTimeout) lockTimeoutSet = false;
        // SET LOCAL outside a transaction block does nothing (PostgreSQL warns and ignores it).
        if (a.type === 'set' && a.name === 'lock_timeout' && (!a.local || txFacts.inTransaction)) {
          lockTimeoutSet = a.value !== undefined && !/^0+(ms|s|min)?$/.test(a.value.trim());
          localTimeout = a.local;
        }
        if (a.type === 'reset' && (a.name === 'lock_timeout' || a.name === 'all')) lockTimeoutSet = false;
        if (applied.includes(a)) model.apply(a, origin);
      }
      return locks;
    };
    for (const stmt of statements) {
      const txFacts = tx.before(stmt);
      let locks = step(stmt, txFacts);
      const inner = embeddedStatements(stmt, f.ctx.text, lines);
      if (inner.length) {
        // The statements of a DO block, each with the schema as it stands before it; the DO statement takes all their locks.
        const innerTx = tx.beginBlock(stmt, txFacts);
        const all = [...locks.entries];
        for (const s of inner) {
          const l = step(s, innerTx);
          if (!cannotRunInTransaction(s)) tx.record(s, l, resolveKey);
          all.push(...l.entries);
        }
        // SET LOCAL in a block that ran as its own transaction ends with it.
        if (tx.endBlock() && localTimeout) lockTimeoutSet = false;
        locks = mergeLocks(all);
        facts.set(stmt, { ...facts.get(stmt)!, locks });
      }
      tx.after(stmt, locks, resolveKey);
      // A transaction the tool or the file closes here ends SET LOCAL too.
      if (localTimeout && tx.endedAfterLast()) lockTimeoutSet = false;
    }
  }

  memo?.commit();

  const setCtx: SetContext = {
    model: finalModel,
    project,
    files: contexts,
    config,
    statementAt: (o) => statementIn(contextOf.get(o.file), o.span.start),
    factsAt: (s) => facts.get(s),
    fileText: (p) => contextOf.get(p)?.text,
  };
  for (const rule of setRules) {
    try {
      for (const report of rule.checkSet!(setCtx)) raw.push({ rule, report, message: reportMessage(rule, report), file: report.file ?? '' });
    } catch (e) {
      internalErrors.push(`${rule.id}: ${(e as Error).message}`);
    }
  }

  const findings: Finding[] = [];
  const used = new Set<IgnoreDirective>();
  const severityOf = (id: string, dflt: Finding['severity']) => config.rules[id] ?? dflt;
  const ruleIds = new Set(rules.map((r) => r.id));

  const suppressed = (ruleId: string, file: string, stmt: Statement | undefined): boolean => {
    const parsed = parsedByPath.get(file);
    const candidates = [...(stmt?.ignores ?? []), ...(parsed?.fileIgnores ?? [])];
    let hit = false;
    for (const d of candidates) {
      if (d.rules.length === 0 || d.rules.includes(ruleId)) { used.add(d); hit = true; }
    }
    return hit;
  };

  for (const { rule, report, message: rendered, statement, file } of raw) {
    let sev = severityOf(rule.id, report.severity ?? rule.defaultSeverity);
    if (sev === 'off') continue;
    const findingFile = report.file ?? statement?.file ?? file;
    // The baseline is the state before the set, not part of the review.
    if (baseline && findingFile === baseline.ctx.path) continue;
    let message = rendered;
    const sized = rule.scalesWithTableSize && statement ? sizedEntry(facts.get(statement)?.locks) : undefined;
    if (sized) {
      const note = sizeNote(sized, config);
      message += note.text;
      if (note.small) sev = 'info';
    }
    const span = report.span ?? statement?.span;
    if (!span) continue;
    const anchor = report.statement ?? (report.file || !statement ? statementIn(contextOf.get(findingFile), span.start) : statement);
    if (suppressed(rule.id, findingFile, anchor)) continue;
    findings.push({
      rule: rule.id, severity: sev, category: rule.category, message, messageId: report.messageId, data: report.data, file: findingFile,
      start: span.start, end: span.end, related: (report.related ?? []).filter((r) => !input.baseline?.database || r.file !== input.baseline.path),
      fixes: outsideBlock(report.fixes ?? [], statement), recipe: report.recipe,
    });
  }

  // DO blocks: an EXECUTE whose SQL is built at run time is said once, where it is.
  const dynamicSev = severityOf(META_RULES.dynamic, 'info');
  for (const f of files) {
    if (dynamicSev === 'off') break;
    for (const s of replayedStatements(f)) {
      for (const a of s.actions) {
        if (a.type !== 'do-block') continue;
        for (const span of a.block.unanalysed) {
          if (suppressed(META_RULES.dynamic, f.ctx.path, s)) continue;
          const report = { messageId: 'dynamicSql' };
          findings.push({
            rule: META_RULES.dynamic, severity: dynamicSev, category: 'meta', message: reportMessage(dynamicSqlRule, report), ...report,
            file: f.ctx.path, start: span.start, end: span.end, related: [], fixes: [],
          });
        }
      }
    }
  }

  // Syntax errors: one finding per statement that did not parse, in every file (down files included).
  const syntaxSev = severityOf(META_RULES.syntax, 'error');
  for (const f of contexts) {
    for (const s of f.statements) {
      if (!s.syntaxError || syntaxSev === 'off') continue;
      if (suppressed(META_RULES.syntax, f.path, s)) continue;
      // "at end of input": point at the last token rather than into its middle.
      const at = s.syntaxError.offset >= s.span.end ? lastTokenStart(f.text, s.span.start, s.span.end) : Math.max(s.syntaxError.offset, s.span.start);
      const end = Math.min(Math.max(skipToken(f.text, at), at + 1), Math.max(s.span.end, at + 1));
      const report = { messageId: 'syntaxError', data: { error: s.syntaxError.message } };
      findings.push({
        rule: META_RULES.syntax, severity: syntaxSev, category: 'meta', message: reportMessage(syntaxErrorRule, report), ...report,
        file: f.path, start: at, end, related: [], fixes: [],
      });
    }
  }

  // Input past the size limits: said once, where it starts.
  const limitSev = severityOf(META_RULES.limit, 'info');
  for (const f of contexts) {
    if (limitSev === 'off') break;
    const parsed = parsedByPath.get(f.path)!;
    const firstLine = (from: number) => ({ start: from, end: Math.max(from + 1, Math.min(lineEnd(f.text, from), from + 200)) });
    if (parsed.tooLarge) {
      const report = { messageId: 'fileTooLarge', data: { size: megabytes(f.text.length), limit: megabytes(MAX_FILE_CHARS) } };
      findings.push({
        rule: META_RULES.limit, severity: limitSev, category: 'meta', message: reportMessage(analysisLimitRule, report), ...report,
        file: f.path, ...firstLine(0), related: [], fixes: [],
      });
      continue;
    }
    for (const st of f.statements) {
      if (!st.tooLarge || suppressed(META_RULES.limit, f.path, st)) continue;
      const report = { messageId: 'statementTooLarge', data: { size: megabytes(st.tooLarge), limit: megabytes(MAX_STATEMENT_CHARS) } };
      findings.push({
        rule: META_RULES.limit, severity: limitSev, category: 'meta', message: reportMessage(analysisLimitRule, report), ...report,
        file: f.path, start: st.span.start, end: st.span.end, related: [], fixes: [],
      });
    }
  }

  // Ignore directives that suppressed nothing.
  const unusedSev = severityOf(META_RULES.unused, 'warning');
  if (unusedSev !== 'off') {
    for (const f of contexts) {
      const parsed = parsedByPath.get(f.path)!;
      const all = [...parsed.fileIgnores, ...f.statements.flatMap((s) => s.ignores)];
      for (const d of all) {
        if (used.has(d)) continue;
        const unknown = d.rules.filter((r) => !ruleIds.has(r) && !(Object.values(META_RULES) as string[]).includes(r) && r !== 'migration-fails');
        const off = d.rules.length > 0 && d.rules.every((r) => config.rules[r] === 'off');
        if (off && unknown.length === 0) continue;
        const report = unknown.length
          ? { messageId: 'unknownRule', data: { rules: unknown.map((r) => `"${r}"`).join(', ') } }
          : d.rules.length ? { messageId: 'unusedRules', data: { rules: d.rules.join(', ') } } : { messageId: 'unused' };
        findings.push({
          rule: META_RULES.unused, severity: unusedSev, category: 'meta', message: reportMessage(unusedIgnoreRule, report), ...report, file: f.path,
          start: d.span.start, end: d.span.end, related: [], fixes: [{ title: 'Remove the unused ignore comment', safe: true, edits: [removeLineEdit(f.text, d.span)] }],
        });
      }
    }
  }

  const baselineInfo = baseline && input.baseline
    ? { path: input.baseline.path, text: input.baseline.text, database: input.baseline.database?.label, statements: replayedStatements(baseline).length, tables: baselineTables }
    : undefined;
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || (a.rule < b.rule ? -1 : 1)));
  return { id: input.id, ...(baselineInfo ? { baseline: baselineInfo } : {}), model: finalModel, project, files: contexts, findings, facts, internalErrors };
}

function parsedBaseline(b: SchemaBaseline, cache: ParseCache): ParsedSetFile {
  const parsed = cache.get(b.path, b.text);
  return { input: { path: b.path, text: b.text }, parsed, ctx: { path: b.path, text: b.text, statements: parsed.statements, replayed: true } };
}

/** The fixes of a finding on a statement a DO block runs that leave the block alone (an edit inside it cannot be checked). */
function outsideBlock(fixes: Fix[], statement: Statement | undefined): Fix[] {
  const block = statement?.embedded?.parent;
  if (!block) return fixes;
  return fixes.filter((x) => x.edits.every((e) => e.file !== undefined || e.end <= block.span.start || e.start >= block.span.end));
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

function megabytes(chars: number): string {
  const mb = chars / (1024 * 1024);
  return `${Number.isInteger(mb) || mb >= 10 ? mb.toFixed(0) : mb.toFixed(1)} MB`;
}

function removeLineEdit(text: string, span: { start: number; end: number }): { start: number; end: number; newText: string } {
  const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
  const before = text.slice(lineStart, span.start);
  let end = span.end;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return /^\s*$/.test(before) ? { start: lineStart, end, newText: '' } : { start: span.start, end: span.end, newText: '' };
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
