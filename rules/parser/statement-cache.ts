// Incremental parsing: the language server keeps one StatementCache per open file. Each statement's text is
// parsed once and lowered right away; the actions are kept with offsets relative to the statement, so an edit
// re-parses only the statements whose text changed and moves the others.
import type { Action } from '../model/types';
import { Source, type Node } from './ast';
import { statementRange } from './lexer';
import { lowerStatement } from './lower';

/** The parse of one statement's text ("piece"); offsets are relative to the piece. */
export interface PieceParse {
  ast?: Node;
  rel?: (byte: number) => number;
  /** Placeholders the piece was parsed with (filler identifier → the placeholder as written). */
  names?: Map<string, string>;
  error?: { message: string; relOffset: number };
  /** Incremental mode: the statement's node and actions with offsets relative to the piece (the AST is dropped). */
  node?: string;
  actions?: Action[];
}

/** Parses of statement texts kept between edits of one file (the language server keeps one per file). */
export class StatementCache {
  private current = new Map<string, PieceParse>();
  private next = new Map<string, PieceParse>();
  get(piece: string): PieceParse | undefined {
    const hit = this.current.get(piece) ?? this.next.get(piece);
    if (hit) this.next.set(piece, hit);
    return hit;
  }
  set(piece: string, parse: PieceParse): void {
    this.next.set(piece, parse);
  }
  /** Forgets the statements the last parse did not use. */
  commit(): void {
    this.current = this.next;
    this.next = new Map();
  }
  get size(): number {
    return this.current.size;
  }
}

/**
 * Turns a piece's parse into its node and actions right away (offsets relative to the piece, trimmed as parseFile
 * trims a statement) and drops the parser's JSON, so a large file never holds all ASTs.
 */
export function materialize(p: PieceParse, piece: string): PieceParse {
  if (!p.ast || !p.rel) return p;
  const { node, actions } = lowerStatement(p.ast, new Source(piece, p.rel, statementRange(piece, 0, piece.length)), p.names);
  return { node, actions, error: p.error };
}

/** A deep copy of actions with every span moved by `delta` (spans and TypeRef starts are the only offsets). */
export function shiftActions(value: Action[], delta: number): Action[] {
  return shift(value, delta) as Action[];
}

function shift(value: unknown, delta: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shift(v, delta));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = (k === 'start' || k === 'end') && typeof v === 'number' ? v + delta : shift(v, delta);
  return out;
}
