// The runner: replays each migration set into a schema model, runs every rule, applies suppressions and
// severities. Pure: text in, findings out.
import { parseFile, type ParsedFile, LineIndex, StatementCache } from '../parser/adapter';
import { lastTokenStart, skipToken } from '../parser/lexer';
import { SchemaModel, tableKey } from '../model/schema';
import type { IgnoreDirective, Origin, QName, Statement } from '../model/types';
import type { ResolvedConfig } from './config';
import { followUpMigrationPath } from './migrations';
import type { FileContext, Finding, Report, Rule, SetContext, StatementContext } from './types';
import { lockPlan, type LockPlan } from '../locks';

export interface FileInput {
  path: string;
  text: string;
  /** False for down migrations: syntax only. Defaults to true. */
  replayed?: boolean;
}

export interface SetInput {
  id: string;
  /** In apply order. */
  files: FileInput[];
}

/** Per-statement facts kept for hover, reports and the lock trace comparison. */
export interface StatementFacts {
  inTransaction: boolean;
  lockTimeoutSet: boolean;
  locks: LockPlan;
}

export interface SetResult {
  id: string;
  model: SchemaModel;
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
  /** incremental: re-parse only the statements of a file whose text changed (for editors). */
  constructor(private readonly incremental = false) {}
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
}

export interface AnalyzeOptions {
  config: ResolvedConfig;
  rules: readonly Rule[];
  cache?: ParseCache;
}

const META_RULES = { syntax: 'syntax-error', unused: 'unused-ignore' } as const;

// Per-file opt-outs of the tool's transaction: goose, dbmate, Atlas, postgres-migrations; ory/popx names such
// files `*.autocommit.up.sql`.
const NO_TRANSACTION_RE = /^\s*--\s*(?:\+goose\s+NO\s+TRANSACTION\b|migrate:up\b.*\btransaction:false\b|atlas:txmode\s+none\b|postgres-migrations\s+disable-transaction\b)/im;
const NO_TRANSACTION_PATH_RE = /\.autocommit\.(up\.)?sql$/i;

/** The migration tool is assumed to wrap this file in a transaction: the config says so and the file does not opt out. */
export function fileAssumedInTransaction(config: ResolvedConfig, path: string, text: string): boolean {
  return config.assumeInTransaction && !NO_TRANSACTION_RE.test(text) && !NO_TRANSACTION_PATH_RE.test(path);
}

export function analyzeSet(input: SetInput, opts: AnalyzeOptions): SetResult {
  const { config, rules } = opts;
  const cache = opts.cache ?? new ParseCache();
  const model = new SchemaModel();
  const files: FileContext[] = [];
  const raw: { rule: Rule; report: Report; statement?: Statement; file: string }[] = [];
  const internalErrors: string[] = [];
  const facts = new Map<Statement, StatementFacts>();
  const parsedByPath = new Map<string, ParsedFile>();
  const allPaths = input.files.map((f) => f.path);
  const statementRules = rules.filter((r) => r.check);
  const setRules = rules.filter((r) => r.checkSet);

  for (const f of input.files) {
    const parsed = cache.get(f.path, f.text);
    parsedByPath.set(f.path, parsed);
    const replayedFile = f.replayed !== false;
    const fileCtx: FileContext = { path: f.path, text: f.text, statements: parsed.statements, replayed: replayedFile };
    files.push(fileCtx);
    // A file that tells its migration tool not to wrap it in a transaction is not assumed to be in one.
    const assumed = config.assumeInTransaction && !NO_TRANSACTION_RE.test(f.text) && !NO_TRANSACTION_PATH_RE.test(f.path);
    let inTransaction = assumed;
    let explicitTx = false;
    let lockTimeoutSet = false;
    let localTimeout = false;
    const created = new Set<string>();
    for (const stmt of parsed.statements) {
      if (stmt.syntaxError) continue;
      const replayed = replayedFile && (parsed.downFrom === undefined || stmt.span.start < parsed.downFrom);
      if (!replayed) continue;
      const resolveKey = (q: QName) => {
        const r = model.resolve(q);
        return tableKey(r.schema, r.name);
      };
      const ctx: StatementContext = {
        statement: stmt,
        file: fileCtx,
        before: model,
        config,
        inTransaction,
        lockTimeoutSet,
        createdInFile: (t) => created.has(resolveKey(t)) || (!t.schema && created.has(tableKey('public', t.name))),
        existedBefore: (t) => {
          const m = model.table(t);
          return m && !created.has(tableKey(m.schema, m.name)) ? m : undefined;
        },
        followUpFileName: (slug) => followUpMigrationPath(f.path, allPaths, slug),
      };
      facts.set(stmt, { inTransaction, lockTimeoutSet, locks: lockPlan(stmt, ctx) });
      for (const rule of statementRules) {
        try {
          for (const report of rule.check!(ctx)) raw.push({ rule, report, statement: stmt, file: f.path });
        } catch (e) {
          internalErrors.push(`${rule.id} on ${f.path}:${stmt.line + 1}: ${(e as Error).message}`);
        }
      }
      const origin: Origin = { file: f.path, span: stmt.span };
      for (const a of stmt.actions) {
        if (a.type === 'create-table') {
          const r = model.resolve(a.table);
          created.add(tableKey(r.schema, r.name));
        }
        if (a.type === 'rename-table') {
          const t = model.table(a.table);
          if (t && created.has(tableKey(t.schema, t.name))) created.add(tableKey(t.schema, a.to));
        }
        if (a.type === 'set-schema') {
          const t = model.table(a.table);
          if (t && created.has(tableKey(t.schema, t.name))) created.add(tableKey(a.schema, t.name));
        }
        if (a.type === 'transaction') {
          if (a.op === 'begin') { inTransaction = true; explicitTx = true; }
          if (a.op === 'commit' || a.op === 'rollback') {
            inTransaction = assumed;
            // SET LOCAL lasts until the end of the transaction.
            if (explicitTx && localTimeout) lockTimeoutSet = false;
            explicitTx = false;
          }
        }
        if (a.type === 'set' && a.name === 'lock_timeout') {
          lockTimeoutSet = a.value !== undefined && !/^0+(ms|s|min)?$/.test(a.value.trim());
          localTimeout = a.local;
        }
        if (a.type === 'reset' && (a.name === 'lock_timeout' || a.name === 'all')) lockTimeoutSet = false;
        model.apply(a, origin);
      }
    }
  }

  const setCtx: SetContext = {
    model,
    files,
    config,
    statementAt: (o) => statementContaining(files, o.file, o.span.start),
    fileText: (p) => files.find((f) => f.path === p)?.text,
  };
  for (const rule of setRules) {
    try {
      for (const report of rule.checkSet!(setCtx)) raw.push({ rule, report, file: report.file ?? '' });
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

  for (const { rule, report, statement, file } of raw) {
    const sev = severityOf(rule.id, rule.defaultSeverity);
    if (sev === 'off') continue;
    const findingFile = report.file ?? statement?.file ?? file;
    const span = report.span ?? statement?.span;
    if (!span) continue;
    const anchor = report.statement ?? (report.file || !statement ? statementContaining(files, findingFile, span.start) : statement);
    if (suppressed(rule.id, findingFile, anchor)) continue;
    findings.push({
      rule: rule.id, severity: sev, category: rule.category, message: report.message, file: findingFile,
      start: span.start, end: span.end, related: report.related ?? [], fixes: report.fixes ?? [], recipe: report.recipe,
    });
  }

  // Syntax errors: one finding per statement that did not parse, in every file (down files included).
  const syntaxSev = severityOf(META_RULES.syntax, 'error');
  for (const f of files) {
    for (const s of f.statements) {
      if (!s.syntaxError || syntaxSev === 'off') continue;
      if (suppressed(META_RULES.syntax, f.path, s)) continue;
      // "at end of input": point at the last token rather than into its middle.
      const at = s.syntaxError.offset >= s.span.end ? lastTokenStart(f.text, s.span.start, s.span.end) : Math.max(s.syntaxError.offset, s.span.start);
      const end = Math.min(Math.max(skipToken(f.text, at), at + 1), Math.max(s.span.end, at + 1));
      findings.push({
        rule: META_RULES.syntax, severity: syntaxSev, category: 'meta', message: `Syntax error: ${s.syntaxError.message}. The statement was not analysed.`,
        file: f.path, start: at, end, related: [], fixes: [],
      });
    }
  }

  // Ignore directives that suppressed nothing.
  const unusedSev = severityOf(META_RULES.unused, 'warning');
  if (unusedSev !== 'off') {
    for (const f of files) {
      const parsed = parsedByPath.get(f.path)!;
      const all = [...parsed.fileIgnores, ...f.statements.flatMap((s) => s.ignores)];
      for (const d of all) {
        if (used.has(d)) continue;
        const unknown = d.rules.filter((r) => !ruleIds.has(r) && r !== META_RULES.syntax && r !== META_RULES.unused && r !== 'migration-fails');
        const off = d.rules.length > 0 && d.rules.every((r) => config.rules[r] === 'off');
        if (off && unknown.length === 0) continue;
        const message = unknown.length
          ? `Unknown rule ${unknown.map((r) => `"${r}"`).join(', ')} in this ignore comment.`
          : `This ignore comment suppresses nothing${d.rules.length ? ` (${d.rules.join(', ')})` : ''}: remove it, or the rule it names no longer fires here.`;
        findings.push({
          rule: META_RULES.unused, severity: unusedSev, category: 'meta', message, file: f.path,
          start: d.span.start, end: d.span.end, related: [], fixes: [{ title: 'Remove the unused ignore comment', safe: true, edits: [removeLineEdit(f.text, d.span)] }],
        });
      }
    }
  }

  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || (a.rule < b.rule ? -1 : 1)));
  return { id: input.id, model, files, findings, facts, internalErrors };
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
  const f = files.find((x) => x.path === path);
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
