// Findings the engine makes itself rather than a rule: suppressions by ignore comments (and the comments that
// suppressed nothing), syntax errors, input past the size limits, and DO-block SQL built at run time.
import { lastTokenStart, skipToken } from '../parser/lexer';
import { MAX_FILE_CHARS, MAX_STATEMENT_CHARS, type ParsedFile } from '../parser/adapter';
import type { IgnoreDirective, Statement } from '../model/types';
import type { ResolvedConfig } from './config';
import type { FileContext, Finding, Fix, Report, Rule, RuleMeta } from './types';
import { reportMessage } from './messages';
import { analysisLimitRule, dynamicSqlRule, syntaxErrorRule, unusedIgnoreRule } from './meta-rules';
import { replayedStatements, type ParsedSetFile } from './set-files';

export const META_RULES = { syntax: 'syntax-error', unused: 'unused-ignore', limit: 'analysis-limit', dynamic: 'dynamic-sql-not-analysed' } as const;

/** The severity of a rule after the configuration: `off`, or the configured or default one. */
export function severityOf(config: ResolvedConfig, id: string, dflt: Finding['severity']): Finding['severity'] | 'off' {
  return config.rules[id] ?? dflt;
}

/** Ignore comments: whether one suppresses a finding, and which ones were used. */
export class Suppressions {
  private readonly used = new Set<IgnoreDirective>();
  constructor(private readonly parsedByPath: Map<string, ParsedFile>) {}

  suppressed(ruleId: string, file: string, stmt: Statement | undefined): boolean {
    const parsed = this.parsedByPath.get(file);
    const candidates = [...(stmt?.ignores ?? []), ...(parsed?.fileIgnores ?? [])];
    let hit = false;
    for (const d of candidates) {
      if (d.rules.length === 0 || d.rules.includes(ruleId)) { this.used.add(d); hit = true; }
    }
    return hit;
  }

  /** Ignore directives that suppressed nothing (run last: every other finding has been judged). */
  unusedFindings(contexts: FileContext[], config: ResolvedConfig, rules: readonly Rule[]): Finding[] {
    const out: Finding[] = [];
    const sev = severityOf(config, META_RULES.unused, 'warning');
    if (sev === 'off') return out;
    const ruleIds = new Set(rules.map((r) => r.id));
    for (const f of contexts) {
      const parsed = this.parsedByPath.get(f.path)!;
      const all = [...parsed.fileIgnores, ...f.statements.flatMap((s) => s.ignores)];
      for (const d of all) {
        if (this.used.has(d)) continue;
        const unknown = d.rules.filter((r) => !ruleIds.has(r) && !(Object.values(META_RULES) as string[]).includes(r) && r !== 'migration-fails');
        const off = d.rules.length > 0 && d.rules.every((r) => config.rules[r] === 'off');
        if (off && unknown.length === 0) continue;
        const report = unknown.length
          ? { messageId: 'unknownRule', data: { rules: unknown.map((r) => `"${r}"`).join(', ') } }
          : d.rules.length ? { messageId: 'unusedRules', data: { rules: d.rules.join(', ') } } : { messageId: 'unused' };
        out.push(metaFinding(unusedIgnoreRule, sev, report, f.path, d.span, [{ title: 'Remove the unused ignore comment', safe: true, edits: [removeLineEdit(f.text, d.span)] }]));
      }
    }
    return out;
  }
}

/** DO blocks: an EXECUTE whose SQL is built at run time is said once, where it is. */
export function dynamicSqlFindings(files: ParsedSetFile[], config: ResolvedConfig, ignores: Suppressions): Finding[] {
  const out: Finding[] = [];
  const sev = severityOf(config, META_RULES.dynamic, 'info');
  if (sev === 'off') return out;
  for (const f of files) {
    for (const s of replayedStatements(f)) {
      for (const a of s.actions) {
        if (a.type !== 'do-block') continue;
        for (const span of a.block.unanalysed) {
          if (ignores.suppressed(META_RULES.dynamic, f.ctx.path, s)) continue;
          out.push(metaFinding(dynamicSqlRule, sev, { messageId: 'dynamicSql' }, f.ctx.path, span));
        }
      }
    }
  }
  return out;
}

/** One finding per statement that did not parse, in every file (down files included). */
export function syntaxErrorFindings(contexts: FileContext[], config: ResolvedConfig, ignores: Suppressions): Finding[] {
  const out: Finding[] = [];
  const sev = severityOf(config, META_RULES.syntax, 'error');
  if (sev === 'off') return out;
  for (const f of contexts) {
    for (const s of f.statements) {
      if (!s.syntaxError) continue;
      if (ignores.suppressed(META_RULES.syntax, f.path, s)) continue;
      // "at end of input": point at the last token rather than into its middle.
      const at = s.syntaxError.offset >= s.span.end ? lastTokenStart(f.text, s.span.start, s.span.end) : Math.max(s.syntaxError.offset, s.span.start);
      const end = Math.min(Math.max(skipToken(f.text, at), at + 1), Math.max(s.span.end, at + 1));
      out.push(metaFinding(syntaxErrorRule, sev, { messageId: 'syntaxError', data: { error: s.syntaxError.message } }, f.path, { start: at, end }));
    }
  }
  return out;
}

/** Input past the size limits: said once, where it starts. */
export function limitFindings(contexts: FileContext[], parsedByPath: Map<string, ParsedFile>, config: ResolvedConfig, ignores: Suppressions): Finding[] {
  const out: Finding[] = [];
  const sev = severityOf(config, META_RULES.limit, 'info');
  if (sev === 'off') return out;
  for (const f of contexts) {
    const parsed = parsedByPath.get(f.path)!;
    const firstLine = (from: number) => ({ start: from, end: Math.max(from + 1, Math.min(lineEnd(f.text, from), from + 200)) });
    if (parsed.tooLarge) {
      out.push(metaFinding(analysisLimitRule, sev, { messageId: 'fileTooLarge', data: { size: megabytes(f.text.length), limit: megabytes(MAX_FILE_CHARS) } }, f.path, firstLine(0)));
      continue;
    }
    for (const st of f.statements) {
      if (!st.tooLarge || ignores.suppressed(META_RULES.limit, f.path, st)) continue;
      out.push(metaFinding(analysisLimitRule, sev, { messageId: 'statementTooLarge', data: { size: megabytes(st.tooLarge), limit: megabytes(MAX_STATEMENT_CHARS) } }, f.path, st.span));
    }
  }
  return out;
}

/** A finding of one of the engine's own rules (`rule.id`), with its message rendered from the report. */
function metaFinding(rule: RuleMeta, severity: Finding['severity'], report: Pick<Report, 'messageId' | 'data'>, file: string, span: { start: number; end: number }, fixes: Fix[] = []): Finding {
  return { rule: rule.id, severity, category: 'meta', message: reportMessage(rule, report), ...report, file, start: span.start, end: span.end, related: [], fixes };
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
