// Conversions between the core's findings (UTF-16 offsets) and LSP diagnostics and code actions.
import { URI } from 'vscode-uri';
import {
  CodeAction, CodeActionKind, CreateFile, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, OptionalVersionedTextDocumentIdentifier,
  TextDocumentEdit, TextEdit, type Range, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { BASELINE_FILE, docsUrl, messageWithRecipe, safeFixesForFile, type Finding, type Fix } from '../rules/index';
import { ServerCommands, SHOW_RULE_DOCS_COMMAND } from '../protocol/index';
import type { Workspace } from './workspace';

export const SOURCE = 'sql-architect';

export function fileToUri(file: string): string {
  return URI.file(file).toString();
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

/** A fix as it travels in Diagnostic.data: already in LSP coordinates, so code actions need no state. */
export interface LspFix {
  title: string;
  safe: boolean;
  edits: { uri: string; range: Range; newText: string; create: boolean }[];
}

export interface DiagnosticData {
  rule: string;
  fixes: LspFix[];
  /** 0-based line where the statement starts (for "ignore for this statement"). */
  statementLine: number;
  statementIndent: string;
}

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

/** `baselined`: accepted in the baseline file, shown as a hint. */
export function toDiagnostic(ws: Workspace, f: Finding, baselined = false): Diagnostic {
  const stmt = ws.statementAt(f.file, f.start);
  const text = ws.text(f.file) ?? '';
  const stmtStart = stmt?.span.start ?? f.start;
  const lineStart = text.lastIndexOf('\n', stmtStart - 1) + 1;
  const data: DiagnosticData = {
    rule: f.rule,
    fixes: f.fixes.map((x) => toLspFix(ws, f.file, x)),
    statementLine: ws.lineIndex(f.file).position(stmtStart).line,
    statementIndent: /^[ \t]*/.exec(text.slice(lineStart, stmtStart))?.[0] ?? '',
  };
  const related: DiagnosticRelatedInformation[] = f.related
    .filter((r) => ws.text(r.file) !== undefined)
    .map((r) => ({ location: { uri: fileToUri(r.file), range: range(ws, r.file, r.span.start, r.span.end) }, message: r.message }));
  return {
    range: range(ws, f.file, f.start, f.end),
    severity: baselined ? DiagnosticSeverity.Hint : SEVERITY[f.severity],
    source: SOURCE,
    code: f.rule,
    codeDescription: { href: docsUrl(f.rule) },
    message: `${messageWithRecipe(f)}${baselined ? `\n\n(Accepted in ${BASELINE_FILE}: shown as a hint.)` : ''}`,
    relatedInformation: related.length ? related : undefined,
    data,
  };
}

/** Builds a WorkspaceEdit; new files are created through the edit when the client supports it. */
export function workspaceEdit(edits: LspFix['edits'], canCreate: boolean): WorkspaceEdit | undefined {
  const byUri = new Map<string, LspFix['edits']>();
  for (const e of edits) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
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

export function codeActionsFor(uri: string, diag: Diagnostic, opts: ActionOptions): CodeAction[] {
  if (diag.source !== SOURCE || !diag.data) return [];
  const data = diag.data as DiagnosticData;
  const actions: CodeAction[] = [];
  const firstSafe = data.fixes.findIndex((f) => f.safe);
  data.fixes.forEach((fix, i) => {
    const edit = workspaceEdit(fix.edits, opts.canCreateFiles);
    if (!edit) return;
    actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit, isPreferred: i === (firstSafe >= 0 ? firstSafe : 0) });
  });
  {
    const at = { line: data.statementLine, character: 0 };
    actions.push({
      title: `Ignore ${data.rule} for this statement`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diag],
      edit: { changes: { [uri]: [TextEdit.insert(at, `${data.statementIndent}-- sql-architect-ignore ${data.rule}: <reason>\n`)] } },
    });
    actions.push({
      title: `Ignore ${data.rule} in this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diag],
      edit: { changes: { [uri]: [TextEdit.insert({ line: 0, character: 0 }, `-- sql-architect-ignore-file ${data.rule}: <reason>\n`)] } },
    });
  }
  actions.push({
    title: `Show documentation for ${data.rule}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diag],
    command: opts.clientDocsCommand
      ? { title: 'Show documentation', command: SHOW_RULE_DOCS_COMMAND, arguments: [data.rule] }
      : { title: 'Show documentation', command: ServerCommands.showRuleDocs, arguments: [data.rule] },
  });
  return actions;
}

/** The safe fixes "fix all" takes for a file (rules/engine/fix-all.ts), as one edit (source.fixAll.sqlArchitect). */
export function fixAllEdit(ws: Workspace, file: string, findings: Finding[], canCreate: boolean): WorkspaceEdit | undefined {
  const edits = safeFixesForFile(file, findings).flatMap((fix) => toLspFix(ws, file, fix).edits);
  return edits.length ? workspaceEdit(edits, canCreate) : undefined;
}
