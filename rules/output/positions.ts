// Offsets (UTF-16) to the 1-based line/column every machine-readable format uses.
import { LineIndex } from '../parser/positions';
import type { SetResult } from '../engine/run';

export interface Position { line: number; column: number; endLine: number; endColumn: number }

export class Positions {
  private readonly indexes = new Map<string, LineIndex>();
  /** `sets`: the baseline schema files of the sets hold positions too (related locations point into them). */
  constructor(private readonly texts: Map<string, string>, private readonly sets: readonly Pick<SetResult, 'baseline'>[] = []) {}
  /** 1-based line/column, UTF-16 columns, end exclusive. */
  range(file: string, start: number, end: number): Position {
    let idx = this.indexes.get(file);
    if (!idx) {
      idx = new LineIndex(this.texts.get(file) ?? this.sets.find((s) => s.baseline?.path === file)?.baseline?.text ?? '');
      this.indexes.set(file, idx);
    }
    const s = idx.position(start);
    const e = idx.position(end);
    return { line: s.line + 1, column: s.column + 1, endLine: e.line + 1, endColumn: e.column + 1 };
  }
}

/** The message with its safe recipe, as the one-block formats (SARIF, GitHub, JUnit) show it. */
export function messageWithRecipe(f: { message: string; recipe?: string }): string {
  return f.recipe ? `${f.message}\n\nSafe recipe:\n${f.recipe}` : f.message;
}
