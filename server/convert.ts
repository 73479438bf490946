// Conversions between the core's findings (UTF-16 offsets) and LSP diagnostics and code actions.
import { URI } from 'vscode-uri';
import {
  CodeAction, CodeActionKind, CreateFile, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, OptionalVersionedTextDocumentIdentifier,
  TextDocumentEdit, TextEdit, type Range, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { analysisLimitRule, BASELINE_FILE, docsUrl, messageWithRecipe, pushTo, reportMessage, safeFixesForFile, type Finding, type Fix } from '../rules/index';
import { ServerCommands, SHOW_RULE_DOCS_COMMAND } from '../protocol/index';
import type { Workspace } from './workspace';

export const SOURCE = 'sql-architect';

/** Paths' URIs, kept: every analysis publishes per file, and a kept string also keeps its hash for the maps it keys. */
const uris = new Map<string, string>();
export function fileToUri(file: string): string {
  let uri = uris.get(file);
  if (uri === undefined) {
    if (uris.size > 100_000) uris.clear();
    uri = URI.file(file).toString();
    uris.set(file, uri);
  }
  return uri;
}

export function uriToFile(uri: string): string {
  return URI.parse(uri).fsPath;
}

export function range(ws: Workspace, file: string, start: number, end: number): Range {
  const idx = ws.lineIndex(file);
  const s = idx.position(start);
  const e = idx.position(end);
  return { start: { line: s.line, character: s.column }, end: { line: e.line, character: e.column } };
}

/** A fix in LSP coordinates. */
export interface LspFix {
  title: string;
  safe: boolean;
  edits: { uri: string; range: Range; newText: string; create: boolean }[];
  /** It changes a migration that is not its history's newest, which may have run (isOlderMigration). */
  editsOlderMigration?: boolean;
}

/**
 * What the code actions of a diagnostic need: its rule, its fixes (LSP edits) and where its statement starts (for
 * "ignore for this statement"). Diagnostics do not carry it (a file with thousands of findings would send megabytes
 * of edits on every keystroke): code actions find the finding again in the current analysis (`actionTarget`).
 */
export interface ActionTarget {
  rule: string;
  fixes: LspFix[];
  /** 0-based line where the statement starts. */
  statementLine: number;
  statementIndent: string;
}

/** Said in the title of a quick fix that would change a migration which may have run. */
export const OLDER_MIGRATION_NOTE = ' (edits an older migration, which may have run)';

/** The editor shows at most this many diagnostics per file; the rest are counted in one `analysis-limit` diagnostic. */
export const MAX_DIAGNOSTICS_PER_FILE = 10000;
/**
 * Related locations shown per diagnostic: the last one says how many more there are. A finding about the whole set
 * (require-tenant-rls, require-tenant-in-foreign-key) relates up to 50 tables: more than a hover can show, and every
 * keystroke re-sends them.
 */
export const MAX_RELATED_PER_DIAGNOSTIC = 20;

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

export function toLspFix(ws: Workspace, findingFile: string, fix: Fix): LspFix {
  return {
    title: fix.title,
    safe: fix.safe,
    edits: fix.edits.map((e) => {
      const file = e.file ?? findingFile;
      const exists = ws.text(file) !== undefined;
      return {
        uri: fileToUri(file),
        range: exists ? range(ws, file, e.start, e.end) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        newText: e.newText,
        create: !exists,
      };
    }),
  };
}

/**
 * What a file's diagnostics last showed, to tell whether the next findings would show the same: the findings, which
 * were accepted in the baseline, and where each related location in another file fell (its text then, and its range).
 * Compared field by field (`sameAsShown`), it spares sending a file whose text and findings did not change; a reused
 * finding's texts are the very strings of the last analysis, so comparing them costs nothing.
 */
export interface Shown {
  findings: readonly Finding[];
  baselined: boolean[];
  /** Per finding, per related location: the related file's text when it was shown, and the range it gave. */
  related: { text: string | undefined; range?: Range }[][];
  /** Findings past the per-file cap, and where the first of them starts. */
  count: number;
  overflowAt: number | undefined;
}

export function shownOf(ws: Workspace, findings: readonly Finding[], baselined: ReadonlySet<Finding>, count: number, overflowAt: number | undefined): Shown {
  return {
    findings,
    baselined: findings.map((f) => baselined.has(f)),
    related: findings.map((f) => f.related.map((r) => {
      const text = ws.text(r.file);
      return { text, ...(text === undefined ? {} : { range: range(ws, r.file, r.span.start, r.span.end) }) };
    })),
    count,
    overflowAt,
  };
}

/** The findings would show what `last` showed (the fields toDiagnostic reads; related locations by line and column). */
export function sameAsShown(ws: Workspace, last: Shown, findings: readonly Finding[], baselined: ReadonlySet<Finding>, count: number, overflowAt: number | undefined): boolean {
  if (last.count !== count || last.overflowAt !== overflowAt || last.findings.length !== findings.length) return false;
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    const g = last.findings[i];
    if (last.baselined[i] !== baselined.has(f)) return false;
    if (f === g) continue;
    if (f.rule !== g.rule || f.severity !== g.severity || f.file !== g.file || f.start !== g.start || f.end !== g.end || f.message !== g.message
      || f.recipe !== g.recipe || f.related.length !== g.related.length) return false;
    for (let j = 0; j < f.related.length; j++) {
      const r = f.related[j];
      const q = g.related[j];
      const then = last.related[i][j];
      if (r.file !== q.file || r.message !== q.message) return false;
      const text = ws.text(r.file);
      if (text === then.text && r.span.start === q.span.start && r.span.end === q.span.end) continue;
      if (text === undefined || then.range === undefined) return false;
      // The related file changed (it is being typed in): the same line and column show the same.
      const at = range(ws, r.file, r.span.start, r.span.end);
      if (at.start.line !== then.range.start.line || at.start.character !== then.range.start.character
        || at.end.line !== then.range.end.line || at.end.character !== then.range.end.character) return false;
    }
  }
  return true;
}

/** `baselined`: accepted in the baseline file, shown as a hint. */
export function toDiagnostic(ws: Workspace, f: Finding, baselined = false): Diagnostic {
  const known = f.related.filter((r) => ws.text(r.file) !== undefined);
  const shown = known.length > MAX_RELATED_PER_DIAGNOSTIC ? known.slice(0, MAX_RELATED_PER_DIAGNOSTIC - 1) : known;
  const related: DiagnosticRelatedInformation[] = shown
    .map((r) => ({ location: { uri: fileToUri(r.file), range: range(ws, r.file, r.span.start, r.span.end) }, message: r.message }));
  if (shown.length < known.length) {
    const rest = known.length - shown.length;
    related.push({ location: { uri: fileToUri(f.file), range: range(ws, f.file, f.start, f.end) }, message: `…and ${rest} more locations (\`sql-architect check --format json\` lists them all)` });
  }
  return {
    range: range(ws, f.file, f.start, f.end),
    severity: baselined ? DiagnosticSeverity.Hint : SEVERITY[f.severity],
    source: SOURCE,
    code: f.rule,
    codeDescription: { href: docsUrl(f.rule) },
    message: `${messageWithRecipe(f)}${baselined ? `\n\n(Accepted in ${BASELINE_FILE}: shown as a hint.)` : ''}`,
    relatedInformation: related.length ? related : undefined,
  };
}

/** Builds a WorkspaceEdit; new files are created through the edit when the client supports it. */
export function workspaceEdit(edits: LspFix['edits'], canCreate: boolean): WorkspaceEdit | undefined {
  const byUri = new Map<string, LspFix['edits']>();
  for (const e of edits) pushTo(byUri, e.uri, e);
  const creates = [...byUri.values()].some((list) => list.some((e) => e.create));
  if (creates && !canCreate) return undefined;
  if (!creates) {
    const changes: Record<string, TextEdit[]> = {};
    for (const [uri, list] of byUri) changes[uri] = list.map((e) => TextEdit.replace(e.range, e.newText));
    return { changes };
  }
  const documentChanges: (TextDocumentEdit | CreateFile)[] = [];
  for (const [uri, list] of byUri) {
    if (list.some((e) => e.create)) documentChanges.push(CreateFile.create(uri, { ignoreIfExists: true }));
    documentChanges.push(TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(uri, null), list.map((e) => TextEdit.replace(e.range, e.newText))));
  }
  return { documentChanges };
}

export interface ActionOptions {
  canCreateFiles: boolean;
  /** The client handles SHOW_RULE_DOCS_COMMAND itself (VS Code); otherwise the server opens the page. */
  clientDocsCommand: boolean;
}

/** The diagnostic for the findings past the per-file limit: one, where the first of them starts. */
export function overflowDiagnostic(ws: Workspace, file: string, first: Finding, hidden: number): Diagnostic {
  return {
    range: range(ws, file, first.start, first.start),
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    code: 'analysis-limit',
    codeDescription: { href: docsUrl('analysis-limit') },
    message: reportMessage(analysisLimitRule, { messageId: hidden === 1 ? 'oneMoreFinding' : 'moreFindings', data: { count: hidden, limit: MAX_DIAGNOSTICS_PER_FILE } }),
  };
}

/** The finding a diagnostic of ours was made from, in the current analysis: same rule, same range, same message. */
function findingFor(ws: Workspace, file: string, findings: readonly Finding[], diag: Diagnostic): Finding | undefined {
  const idx = ws.lineIndex(file);
  const start = idx.offset(diag.range.start.line, diag.range.start.character);
  const end = idx.offset(diag.range.end.line, diag.range.end.character);
  const same = findings.filter((f) => f.file === file && f.rule === diag.code && f.start === start && f.end === end);
  const message = typeof diag.message === 'string' ? diag.message : diag.message.value;
  return same.find((f) => message.startsWith(messageWithRecipe(f))) ?? same[0];
}

/**
 * What the code actions of one of our diagnostics act on. A diagnostic the analysis no longer has (the text changed
 * since) still gets "ignore" and the documentation, for the statement now at its start, but no fix. `older`: the
 * file is a migration which may have run (server/history.ts); its fixes say so.
 */
export function actionTarget(ws: Workspace, file: string, findings: readonly Finding[], diag: Diagnostic, older = false): ActionTarget | undefined {
  if (diag.source !== SOURCE || typeof diag.code !== 'string') return undefined;
  const finding = findingFor(ws, file, findings, diag);
  if (!finding && diag.code === 'analysis-limit') return { rule: diag.code, fixes: [], statementLine: -1, statementIndent: '' };
  const text = ws.text(file) ?? '';
  const offset = finding?.start ?? ws.lineIndex(file).offset(diag.range.start.line, diag.range.start.character);
  const stmtStart = ws.statementAt(file, offset)?.span.start ?? offset;
  const lineStart = text.lastIndexOf('\n', stmtStart - 1) + 1;
  return {
    rule: diag.code,
    fixes: finding
      ? finding.fixes.map((x) => ({ ...toLspFix(ws, file, x), ...(older && x.edits.some((e) => (e.file ?? file) === file) ? { editsOlderMigration: true } : {}) }))
      : [],
    statementLine: ws.lineIndex(file).position(stmtStart).line,
    statementIndent: /^[ \t]*/.exec(text.slice(lineStart, stmtStart))?.[0] ?? '',
  };
}

export function codeActionsFor(uri: string, diag: Diagnostic, opts: ActionOptions, target: ActionTarget | undefined): CodeAction[] {
  if (!target) return [];
  const fixes = target.fixes;
  const actions: CodeAction[] = [];
  const firstSafe = fixes.findIndex((f) => f.safe);
  fixes.forEach((fix, i) => {
    const edit = workspaceEdit(fix.edits, opts.canCreateFiles);
    if (!edit) return;
    // A fix that changes a migration which may have run is offered, said so, and never preferred (no auto-fix).
    const older = fix.editsOlderMigration === true;
    actions.push({
      title: older ? `${fix.title}${OLDER_MIGRATION_NOTE}` : fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diag],
      edit,
      isPreferred: !older && i === (firstSafe >= 0 ? firstSafe : 0),
    });
  });
  if (target.statementLine >= 0) {
    const at = { line: target.statementLine, character: 0 };
    actions.push({
      title: `Ignore ${target.rule} for this statement`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diag],
      edit: { changes: { [uri]: [TextEdit.insert(at, `${target.statementIndent}-- sql-architect-ignore ${target.rule}: <reason>\n`)] } },
    });
    actions.push({
      title: `Ignore ${target.rule} in this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diag],
      edit: { changes: { [uri]: [TextEdit.insert({ line: 0, character: 0 }, `-- sql-architect-ignore-file ${target.rule}: <reason>\n`)] } },
    });
  }
  actions.push({
    title: `Show documentation for ${target.rule}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    command: opts.clientDocsCommand
      ? { title: 'Show documentation', command: SHOW_RULE_DOCS_COMMAND, arguments: [target.rule] }
      : { title: 'Show documentation', command: ServerCommands.showRuleDocs, arguments: [target.rule] },
  });
  return actions;
}

/** The safe fixes "fix all" takes for a file (rules/engine/fix-all.ts), as one edit (source.fixAll.sqlArchitect). */
export function fixAllEdit(ws: Workspace, file: string, findings: Finding[], canCreate: boolean): WorkspaceEdit | undefined {
  const edits = safeFixesForFile(file, findings).flatMap((fix) => toLspFix(ws, file, fix).edits);
  return edits.length ? workspaceEdit(edits, canCreate) : undefined;
}
