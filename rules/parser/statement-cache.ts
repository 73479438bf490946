// Incremental parsing: the language server keeps one StatementCache per open file. Each statement's text is
// parsed once and lowered right away; the actions are kept with offsets relative to the statement, so an edit
// re-parses only the statements whose text changed and moves the others.
import type { Action, Statement } from '../model/types';
import { Source, type Node } from './ast';
import { skipTrivia, statementRange, type Piece } from './lexer';
import { lowerStatement } from './lower';
import type { PlParser } from './plpgsql';
import { mapOffsets } from './walk';

/** The parse of one statement's text ("piece"); offsets are relative to the piece. */
export interface PieceParse {
  /** The Statement last built from this parse: reused while its position, index, line and comments are the same. */
  built?: Statement;
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
  /** Statements that went through the parser (for tests: unchanged statements are not parsed again). */
  parses = 0;
  /** The text last split into statements, and its pieces: the next version is split again only around its change. */
  lastSplit?: { text: string; pieces: Piece[] };
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
 * trims a statement: at its `;`, or at its last token when it is the `last` of the file) and drops the parser's JSON,
 * so a large file never holds all ASTs.
 */
export function materialize(p: PieceParse, piece: string, last: boolean, pl: PlParser): PieceParse {
  if (!p.ast || !p.rel) return p;
  const range = last ? statementRange(piece, 0, piece.length) : { start: skipTrivia(piece, 0, piece.length, true).pos, end: trimmedEnd(piece) };
  const { node, actions } = lowerStatement(p.ast, new Source(piece, p.rel, range), pl, p.names);
  return { node, actions, error: p.error };
}

function trimmedEnd(piece: string): number {
  let end = piece.length;
  while (end > 0 && /\s/.test(piece[end - 1])) end--;
  return end;
}

/** A deep copy of actions with every span moved by `delta` (spans and TypeRef starts are the only offsets). */
export function shiftActions(value: Action[], delta: number): Action[] {
  return mapOffsets(value, (o) => o + delta);
}
