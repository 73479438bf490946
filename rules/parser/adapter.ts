// The parser's entry point and the only module that runs libpg-query (the real PostgreSQL 18 parser compiled to
// WebAssembly). It turns one file of SQL into typed Statements; a statement that does not parse becomes one
// statement with a syntax error while every other statement of the file is still analysed. The jobs live beside
// it: positions.ts (UTF-8 bytes → UTF-16, LineIndex), ignores.ts (ignore comments), statement-cache.ts
// (incremental parsing), lower.ts and lower-table.ts (AST → Actions), lexer.ts (splitting what does not parse).
import { loadModule, parseSync } from 'libpg-query';
import type { IgnoreDirective, Statement } from '../model/types';
import { Source, type Node } from './ast';
import { ignoreDirectives } from './ignores';
import { blankMetaCommands, lastTokenEnd, placeholderNames, replacePlaceholders, skipTrivia, splitStatements } from './lexer';
import { lowerStatement } from './lower';
import { byteMapper, LineIndex } from './positions';
import { materialize, shiftActions, StatementCache, type PieceParse } from './statement-cache';

export { LineIndex } from './positions';
export { StatementCache } from './statement-cache';

let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the WebAssembly parser once; every other function here is synchronous after it resolves. */
export function initParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export interface ParsedFile {
  statements: Statement[];
  /** File-level ignore directives (`-- sql-architect-ignore-file …`). */
  fileIgnores: IgnoreDirective[];
  /** Offset where a goose `-- +goose Down` section starts, when there is one. */
  downFrom?: number;
}

/** One statement as the parser left it, before trimming and lowering. */
interface Unit {
  start: number;
  end: number;
  names?: Map<string, string>;
  ast?: Node;
  loc?: (byte: number) => number;
  error?: { message: string; offset: number };
  /** Incremental mode: the cached parse of this statement's text, whose actions are kept relative to it. */
  cached?: PieceParse;
}

/**
 * Parses one file into statements. Never throws. Without a cache the whole file is parsed at once (the
 * fastest way for a cold file); with one, the file is split into statements and only statements whose
 * text changed since the last parse go through the parser again.
 */
export function parseFile(path: string, original: string, cache?: StatementCache): ParsedFile {
  if (!ready) throw new Error('initParser() must resolve before parseFile()');
  const text = blankMetaCommands(parserSafe(original));
  const units = cache ? cachedUnits(text, cache) : wholeFileUnits(text) ?? pieceUnits(text);
  return statementsOf(path, original, text, units);
}

/** The whole text in one parse; undefined when any statement of it does not parse. */
function wholeFileUnits(text: string): Unit[] | undefined {
  let whole;
  try {
    whole = parseSync(text);
  } catch {
    return undefined;
  }
  const loc = byteMapper(text, 0);
  return (whole.stmts ?? []).map((raw) => {
    const start = loc(raw.stmt_location ?? 0);
    const end = raw.stmt_len === undefined ? text.length : loc((raw.stmt_location ?? 0) + raw.stmt_len);
    return { start, end, ast: raw.stmt, loc };
  });
}

/** Each statement parsed alone (after a whole-file parse failed). */
function pieceUnits(text: string): Unit[] {
  return splitStatements(text).map((piece) => pieceUnit(parsePieceText(text.slice(piece.start, piece.end)), piece.start, piece.end));
}

/** Each statement taken from the cache, or parsed and lowered when its text is new. */
function cachedUnits(text: string, cache: StatementCache): Unit[] {
  const units: Unit[] = [];
  for (const piece of splitStatements(text)) {
    const pieceText = text.slice(piece.start, piece.end);
    let p = cache.get(pieceText);
    if (!p) {
      p = materialize(parsePieceText(pieceText), pieceText);
      cache.set(pieceText, p);
    }
    units.push({ ...pieceUnit(p, piece.start, piece.end), cached: p });
  }
  cache.commit();
  return units;
}

function pieceUnit(p: PieceParse, start: number, end: number): Unit {
  const rel = p.rel;
  return {
    start, end, ast: p.ast, names: p.names,
    loc: rel ? (b: number) => start + rel(b) : undefined,
    error: p.error ? { message: p.error.message, offset: start + p.error.relOffset } : undefined,
  };
}

/** One statement's text parsed alone; template placeholders (`{{ x }}`, `${x}`, `:var`) are retried as identifiers. */
function parsePieceText(piece: string): PieceParse {
  if (skipTrivia(piece, 0).pos >= piece.length) return {};
  let error: PieceParse['error'];
  for (const candidate of [piece, replacePlaceholders(piece)]) {
    if (candidate === undefined) continue;
    try {
      const r = parseSync(candidate);
      const first = r.stmts?.[0];
      if (!first) return {};
      return { ast: first.stmt, rel: byteMapper(candidate, 0), names: candidate === piece ? undefined : placeholderNames(piece) };
    } catch (e) {
      if (candidate !== piece) continue;
      const err = e as { message?: string; sqlDetails?: { cursorPosition?: number } };
      const cursor = err.sqlDetails?.cursorPosition;
      error = { message: err.message ?? 'syntax error', relOffset: cursor === undefined ? 0 : byteMapper(piece, 0)(cursor) };
    }
  }
  return { error };
}

/** Units become Statements: ranges trimmed, ignore directives collected from the comments before each, actions lowered. */
function statementsOf(path: string, original: string, text: string, units: Unit[]): ParsedFile {
  const lines = new LineIndex(original);
  const statements: Statement[] = [];
  const fileIgnores: IgnoreDirective[] = [];
  let prevEnd = 0;
  for (const u of units) {
    // The comments between the previous statement and this one hold its ignore directives.
    const trivia = skipTrivia(text, Math.min(prevEnd, u.start), u.end, true);
    const directives = ignoreDirectives(trivia.comments);
    fileIgnores.push(...directives.filter((d) => d.file));
    prevEnd = u.end;
    const start = trivia.pos;
    const end = unitEnd(text, u, start);
    if (start >= end) continue;
    const pos = lines.position(start);
    const span = { start, end };
    const stmt: Statement = {
      index: statements.length,
      file: path,
      span,
      line: pos.line,
      column: pos.column,
      text: original.slice(start, end),
      node: 'SyntaxError',
      actions: [],
      ignores: directives.filter((d) => !d.file),
    };
    if (u.cached?.actions) {
      stmt.node = u.cached.node ?? 'Unknown';
      stmt.actions = shiftActions(u.cached.actions, u.start);
    } else if (u.ast && u.loc) {
      Object.assign(stmt, lowerStatement(u.ast, new Source(text, u.loc, span), u.names));
    } else {
      stmt.syntaxError = u.error ?? { message: 'syntax error', offset: start };
    }
    statements.push(stmt);
  }
  const tail = skipTrivia(text, prevEnd, text.length, true);
  fileIgnores.push(...ignoreDirectives(tail.comments).filter((d) => d.file));
  const down = DOWN_SECTION.exec(original);
  return { statements, fileIgnores, downFrom: down ? down.index : undefined };
}

/** Where a unit's statement ends: the parser's length excludes the `;` but may include trailing comments. */
function unitEnd(text: string, u: Unit, start: number): number {
  let end = u.end;
  if (u.ast === undefined || u.cached || end === text.length) end = lastTokenEnd(text, start, end);
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text as the parser can take it, every offset kept: the parser reads a C string, so a NUL byte (a binary or
 * corrupt file) would silently end the input there, and a lone UTF-16 surrogate (never produced by decoding a
 * file, but possible in strings built in code) is encoded inconsistently on the way into WebAssembly.
 */
function parserSafe(text: string): string {
  let out = text.includes('\0') ? text.replace(/\0/g, ' ') : text;
  LONE_SURROGATE.lastIndex = 0;
  if (LONE_SURROGATE.test(out)) out = out.replace(LONE_SURROGATE, '\uFFFD');
  if (out.includes('+goose') || out.includes('migrate:')) out = out.replace(SECTION_END, (m) => `;${' '.repeat(m.length - 1)}`);
  return out;
}

// goose runs the text between `-- +goose StatementBegin` and `StatementEnd` as one statement, whether or not it ends
// with `;`; the Up and Down sections (and dbmate's migrate:up / migrate:down) are separate scripts. Each of these
// annotations ends the statement before it, so it becomes a `;` (same length) in the text given to the parser.
const SECTION_END = /^[ \t]*--[ \t]*(?:\+goose[ \t]+(?:StatementEnd|Up|Down)|migrate:(?:up|down))\b[^\n]*/gim;
const DOWN_SECTION = /^[ \t]*--[ \t]*(?:\+goose[ \t]+Down|migrate:down)\b/im;
