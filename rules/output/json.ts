// `check --format json`: the versioned contract (1-based lines and UTF-16 columns, end exclusive).
import type { Finding, TextEdit } from '../engine/types';
import { allFindings, type OutputInput, type RelPath } from './types';
import { Positions } from './positions';
import { ITEMS, joined, jsonPieces, mapped } from './pieces';

function editJson(pos: Positions, rel: RelPath, findingFile: string, e: TextEdit) {
  const target = e.file ?? findingFile;
  const p = pos.range(target, e.start, e.end);
  return { ...(e.file && e.file !== findingFile ? { file: rel(e.file) } : {}), line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn, newText: e.newText };
}

export function formatJson(input: OutputInput, rel: RelPath): string {
  return joined(jsonFormatPieces(input, rel));
}

/** formatJson in pieces, one finding at a time. */
export function jsonFormatPieces(input: OutputInput, rel: RelPath): Generator<string> {
  const pos = new Positions(input.texts, input.sets);
  const finding = (f: Finding) => {
    const p = pos.range(f.file, f.start, f.end);
    return {
      file: rel(f.file), rule: f.rule, severity: f.severity, message: f.message,
      line: p.line, column: p.column, endLine: p.endLine, endColumn: p.endColumn,
      fixes: f.fixes.map((x) => ({ title: x.title, safe: x.safe, edits: x.edits.map((e) => editJson(pos, rel, f.file, e)) })),
    };
  };
  return jsonPieces({ version: 1, files: input.fileCount, findings: ITEMS }, mapped(allFindings(input), finding));
}
