// Applying text edits (UTF-16 offsets), back to front, per file.
import type { TextEdit } from './types';
import { pushTo } from '../model/group';

/** Applies edits that target one text. Overlapping edits are an error of the caller. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/**
 * Applies a fix's edits across files: `edits` without `file` target `defaultFile`. A file missing from
 * `files` is created (a follow-up migration).
 */
export function applyFixEdits(files: Record<string, string>, defaultFile: string, edits: readonly TextEdit[]): Record<string, string> {
  const out = { ...files };
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) {
    const f = e.file ?? defaultFile;
    pushTo(byFile, f, e);
  }
  for (const [f, list] of byFile) out[f] = applyEdits(out[f] ?? '', list);
  return out;
}
