// Output formats of `sql-architect check`: text, json (the versioned contract), sarif 2.1.0.
import path from 'node:path';
import { allRuleMeta, docsUrl, LineIndex, type Finding, type TextEdit } from '../rules/index';
import type { ProjectResult } from './project';

export interface Position { line: number; column: number; endLine: number; endColumn: number }

export class Positions {
  private readonly indexes = new Map<string, LineIndex>();
  constructor(private readonly texts: Map<string, string>) {}
  /** 1-based line/column, UTF-16 columns, end exclusive. */
  range(file: string, start: number, end: number): Position {
    let idx = this.indexes.get(file);
    if (!idx) {
      idx = new LineIndex(this.texts.get(file) ?? '');
      this.indexes.set(file, idx);
    }
    const s = idx.position(start);
    const e = idx.position(end);
    return { line: s.line + 1, column: s.column + 1, endLine: e.line + 1, endColumn: e.column + 1 };
  }
}

export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return (rel && !rel.startsWith('..') ? rel : file).split(path.sep).join('/');
}

export function allFindings(project: ProjectResult): Finding[] {
  return project.sets.flatMap((s) => s.findings);
}

export function formatText(project: ProjectResult, color: boolean): string {
  const pos = new Positions(project.texts);
  const c = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sevColor: Record<string, string> = { error: '31', warning: '33', info: '36' };
  const lines: string[] = [];
  const findings = allFindings(project);
  for (const f of findings) {
    const p = pos.range(f.file, f.start, f.end);
    lines.push(`${displayPath(f.file)}:${p.line}:${p.column} ${c(sevColor[f.severity], f.severity)} ${c('2', f.rule)} ${f.message}`);
    for (const r of f.related) {
      const rp = pos.range(r.file, r.span.start, r.span.end);
      lines.push(`    ${c('2', `${displayPath(r.file)}:${rp.line}:${rp.column}`)} ${r.message}`);
    }
    if (f.recipe) {
      lines.push(`    ${c('32', 'safe recipe:')}`);
      for (const l of f.recipe.split('\n')) lines.push(`      ${l}`);
    }
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const summary = findings.length === 0
    ? `No problems found in ${project.fileCount} file${project.fileCount === 1 ? '' : 's'}.`
    : `${findings.length} problem${findings.length === 1 ? '' : 's'} (${count('error')} error${count('error') === 1 ? '' : 's'}, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}, ${count('info')} info) in ${project.fileCount} file${project.fileCount === 1 ? '' : 's'}.`;
  if (lines.length) lines.push('');
  lines.push(summary);
  return lines.join('\n') + '\n';
}

function editJson(pos: Positions, findingFile: string, e: TextEdit) {
  const target = e.file ?? findingFile;
  const p = pos.range(target, e.start, e.end);
  return { ...(e.file && e.file !== findingFile ? { file: displayPath(e.file) } : {}), line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn, newText: e.newText };
}

export function formatJson(project: ProjectResult): string {
  const pos = new Positions(project.texts);
  const findings = allFindings(project).map((f) => {
    const p = pos.range(f.file, f.start, f.end);
    return {
      file: displayPath(f.file), rule: f.rule, severity: f.severity, message: f.message,
      line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn,
      fixes: f.fixes.map((x) => ({ title: x.title, safe: x.safe, edits: x.edits.map((e) => editJson(pos, f.file, e)) })),
    };
  });
  return JSON.stringify({ version: 1, files: project.fileCount, findings }, null, 2) + '\n';
}

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };

/** `rel` turns a file into the SARIF artifact URI (default: relative to the working directory). */
export function formatSarif(project: ProjectResult, version: string, rel: (file: string) => string = displayPath): string {
  const pos = new Positions(project.texts);
  const rules = allRuleMeta.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale },
    help: {
      text: `${r.rationale}\n\nInstead of:\n${r.docs.bad}\n\nUse:\n${r.docs.good}`,
      markdown: `${r.rationale}\n\n**Instead of**\n\n\`\`\`sql\n${r.docs.bad}\n\`\`\`\n\n**Use**\n\n\`\`\`sql\n${r.docs.good}\n\`\`\``,
    },
    helpUri: docsUrl(r.id),
    defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity] },
    properties: { category: r.category, fixable: r.fixable },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const uri = (f: string) => rel(f);
  const region = (file: string, start: number, end: number) => {
    const p = pos.range(file, start, end);
    return { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn };
  };
  const results = allFindings(project).map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule) ?? -1,
    level: SARIF_LEVEL[f.severity],
    message: { text: f.recipe ? `${f.message}\n\nSafe recipe:\n${f.recipe}` : f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.file) }, region: region(f.file, f.start, f.end) } }],
    ...(f.related.length ? {
      relatedLocations: f.related.map((r, i) => ({
        id: i + 1, message: { text: r.message },
        physicalLocation: { artifactLocation: { uri: uri(r.file) }, region: region(r.file, r.span.start, r.span.end) },
      })),
    } : {}),
    ...(f.fixes.length ? {
      fixes: f.fixes.map((x) => {
        const byFile = new Map<string, TextEdit[]>();
        for (const e of x.edits) byFile.set(e.file ?? f.file, [...(byFile.get(e.file ?? f.file) ?? []), e]);
        return {
          description: { text: x.title + (x.safe ? '' : ' (review before applying)') },
          artifactChanges: [...byFile].map(([file, edits]) => ({
            artifactLocation: { uri: uri(file) },
            replacements: edits.map((e) => ({
              deletedRegion: project.texts.has(file) ? region(file, e.start, e.end) : { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
              insertedContent: { text: e.newText },
            })),
          })),
        };
      }),
    } : {}),
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'sql-architect', informationUri: 'https://github.com/sql-architect/sql-architect', version, semanticVersion: version, rules } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
