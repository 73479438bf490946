// The parser's entry point and the only module that runs libpg-query (the real PostgreSQL 18 parser compiled to
// WebAssembly). It turns one file of SQL into typed Statements; a statement that does not parse becomes one
// statement with a syntax error while every other statement of the file is still analysed. The jobs live beside
// it: positions.ts (UTF-8 bytes → UTF-16, LineIndex), ignores.ts (ignore comments), statement-cache.ts
// (incremental parsing), lower.ts and lower-table.ts (AST → Actions), lexer.ts (splitting what does not parse).
import type { IgnoreDirective, Statement } from '../model/types';
import { Source, type Node } from './ast';
import { ignoreDirectives } from './ignores';
import { blankMetaCommands, lastTokenEnd, placeholderNames, replacePlaceholders, skipToken, skipTrivia, splitStatements, splitStatementsAgain, type Piece } from './lexer';
import { lowerStatement } from './lower';
import { orNone } from '../model/lists';
import type { PlParser } from './plpgsql';
import { byteMapper, LineIndex } from './positions';
import { materialize, shiftActions, StatementCache, type PieceParse } from './statement-cache';

export { LineIndex } from './positions';
export { StatementCache } from './statement-cache';

type Parser = typeof import('libpg-query');

let loaded: Promise<void> | undefined;
let parser: Parser | undefined;

/**
 * Loads the WebAssembly parser once; every other function here is synchronous after it resolves. The module is
 * imported here, not at the top: loading it starts compiling 1.7 MB of WebAssembly, which `--version`, `--help`
 * and a language server that has not opened a file yet do not need.
 */
export function initParser(): Promise<void> {
  loaded ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    parser = m;
  });
  return loaded;
}

function parseSync(text: string): ReturnType<Parser['parseSync']> {
  return parser!.parseSync(text);
}

/** The parsers the lowering of PL/pgSQL bodies (./plpgsql.ts) runs: a statement of a body is parsed as a piece is. */
const PL: PlParser = {
  statement: (sql) => materialize(parsePieceText(sql), sql, true, PL),
  sql: parseSync,
  plpgsql: (text) => parser!.parsePlPgSQLSync(text),
};

/**
 * Size limits: a statement or a file past them is reported once (`analysis-limit`) and skipped, instead of costing
 * the parser seconds and a gigabyte (a 10 MB `SELECT 1, 2, …` took 7.6 s and 1.1 GB to parse).
 */
export const MAX_STATEMENT_CHARS = 1024 * 1024;
export const MAX_FILE_CHARS = 20 * 1024 * 1024;

export interface ParsedFile {
  /** The file is longer than MAX_FILE_CHARS: nothing in it was parsed. */
  tooLarge?: boolean;
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
  /** Past MAX_STATEMENT_CHARS: kept as a statement, not parsed. */
  tooLarge?: boolean;
  names?: Map<string, string>;
  ast?: Node;
  loc?: (byte: number) => number;
  error?: { message: string; offset: number };
  /** Incremental mode: the cached parse of this statement's text, whose actions are kept relative to it. */
  cached?: PieceParse;
}

/**
 * Parses one file into statements. Never throws. Without a cache the file is parsed in chunks of statements (the
 * fastest way for a cold file); with one, the file is split into statements and only statements whose text changed
 * since the last parse go through the parser again.
 */
export function parseFile(path: string, original: string, cache?: StatementCache): ParsedFile {
  if (!parser) throw new Error('initParser() must resolve before parseFile()');
  if (original.length > MAX_FILE_CHARS) return { tooLarge: true, statements: [], fileIgnores: [] };
  const text = blankMetaCommands(parserSafe(original));
  const out = new StatementBuilder(path, original, text);
  const add = (u: Unit) => out.add(u);
  if (cache) cachedUnits(text, cache, add);
  else parseChunks(text, add, () => out.reset());
  return out.finish();
}

const tooLarge = (p: Piece) => p.end - p.start > MAX_STATEMENT_CHARS;

/**
 * About this many characters go to the parser at once (whole statements): see parseChunks. The parser's JSON of 8 kB
 * of SQL stays under V8's large-object size (128 kB), so it is allocated and dropped in the young generation, whose
 * memory is reused; that of 16 kB chunks was new memory each time (README, "Sending diagnostics"): the 20,000-table
 * file parsed 9–12 % faster in 8 kB chunks, smaller files the same; 4 kB chunks were slower again.
 */
const CHUNK_CHARS = 8 * 1024;

/**
 * Parses a file in chunks of whole statements, cut at the semicolons our lexer finds, each chunk ending with its
 * `;` so the parser reports the same statement ranges as for the whole file. The parser's JSON for a large file
 * costs more than the parse (the WebAssembly memory grows to hold all of it, and never shrinks): chunks keep it
 * small. When a chunk does not parse, the whole file is tried once (our lexer may have cut a statement the parser
 * reads whole: then `restart` drops what was added and the whole file's statements come instead); when that fails
 * too, the chunk's statements are parsed one by one, and the chunks after it as before.
 */
function parseChunks(text: string, add: (u: Unit) => void, restart: () => void): void {
  // A file of one chunk (most migrations) is that chunk: parsed whole, it needs no split unless it fails.
  let wholeTried = false;
  if (text.length <= CHUNK_CHARS) {
    if (skipTrivia(text, 0).pos >= text.length) return;
    const r = parsed(text);
    if (r) {
      addParsed(r, text, 0, text.length, add);
      return;
    }
    wholeTried = true;
  }
  const pieces = splitStatements(text);
  let i = 0;
  while (i < pieces.length) {
    if (tooLarge(pieces[i])) {
      add({ start: pieces[i].start, end: pieces[i].end, tooLarge: true });
      i++;
      continue;
    }
    const first = i;
    const start = i === 0 ? 0 : pieces[i].start;
    const j = chunkEnd(pieces, i, start, (k) => !tooLarge(pieces[k]));
    const end = j + 1 === pieces.length ? text.length : pieces[j].end + 1;
    const chunk = text.slice(start, end);
    i = j + 1;
    if (skipTrivia(chunk, 0).pos >= chunk.length) continue;
    // The whole file, when it failed above, need not be tried again.
    const r = wholeTried && chunk.length === text.length ? undefined : parsed(chunk);
    if (r) {
      addParsed(r, chunk, start, end, add);
      continue;
    }
    if (!wholeTried) {
      wholeTried = true;
      const whole = pieces.some(tooLarge) ? undefined : parsed(text);
      if (whole) {
        restart();
        addParsed(whole, text, 0, text.length, add);
        return;
      }
    }
    for (let k = first; k <= j; k++) add(pieceUnit(parsePieceText(text.slice(pieces[k].start, pieces[k].end)), pieces[k].start, pieces[k].end));
  }
}

/** The last piece of the chunk that starts with piece `i` (at `start`): about CHUNK_CHARS of pieces that may `join`. */
function chunkEnd(pieces: Piece[], i: number, start: number, join: (k: number) => boolean): number {
  let j = i;
  while (j + 1 < pieces.length && join(j + 1) && pieces[j].end - start < CHUNK_CHARS) j++;
  return j;
}

/** The parser's statements of a text, or undefined when it does not parse. */
function parsed(text: string): ReturnType<Parser['parseSync']> | undefined {
  try {
    return parseSync(text);
  } catch {
    return undefined;
  }
}

/** The statements of `chunk` (which starts at `base` and ends at `end` in the file), as the parser gave them. */
function addParsed(r: ReturnType<Parser['parseSync']>, chunk: string, base: number, end: number, add: (u: Unit) => void): void {
  const loc = byteMapper(chunk, base);
  for (const raw of r.stmts ?? []) {
    const s = loc(raw.stmt_location ?? 0);
    const e = raw.stmt_len === undefined ? end : loc((raw.stmt_location ?? 0) + raw.stmt_len);
    add({ start: s, end: e, ast: raw.stmt, loc });
  }
}

/**
 * Each statement taken from the cache, or parsed and lowered when its text is new. New statements next to each other
 * (a file opened for the first time) go to the parser in chunks, as parseChunks does, and each statement of a chunk
 * is lowered relative to its own text, as if parsed alone; a chunk that does not parse, or whose statements do not
 * fall one to a piece, is parsed statement by statement.
 */
function cachedUnits(text: string, cache: StatementCache, add: (u: Unit) => void): void {
  const pieces = splitStatementsAgain(text, cache.lastSplit);
  cache.lastSplit = { text, pieces };
  const keys: string[] = new Array(pieces.length);
  const parses: (PieceParse | undefined)[] = new Array(pieces.length);
  /** A piece whose text an earlier new piece of this file has too: it takes that one's parse. */
  const sameAs = new Map<number, number>();
  const firstNew = new Map<string, number>();
  for (let i = 0; i < pieces.length; i++) {
    if (tooLarge(pieces[i])) continue;
    // The last statement of a file, without its `;`, ends where its last token does (trailing comments trimmed), as
    // in a whole-file parse; the others end at their `;`. The two parse to the same AST with different spans.
    const last = pieces[i].end === text.length;
    const pieceText = text.slice(pieces[i].start, pieces[i].end);
    keys[i] = last ? `${pieceText}\u0000` : pieceText;
    parses[i] = cache.get(keys[i]);
    if (parses[i]) continue;
    const first = firstNew.get(keys[i]);
    if (first === undefined) firstNew.set(keys[i], i);
    else sameAs.set(i, first);
  }
  const isNew = (i: number) => !parses[i] && !tooLarge(pieces[i]) && !sameAs.has(i);
  for (let i = 0; i < pieces.length; i++) {
    if (!isNew(i)) continue;
    const j = chunkEnd(pieces, i, pieces[i].start, isNew);
    if (j > i) chunkParses(text, pieces, i, j, parses);
    for (let k = i; k <= j; k++) {
      const pieceText = text.slice(pieces[k].start, pieces[k].end);
      parses[k] = materialize(parses[k] ?? parsePieceText(pieceText), pieceText, pieces[k].end === text.length, PL);
      cache.set(keys[k], parses[k]!);
      cache.parses++;
    }
    i = j;
  }
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (tooLarge(piece)) {
      add({ start: piece.start, end: piece.end, tooLarge: true });
      continue;
    }
    const p = parses[i] ?? parses[sameAs.get(i)!]!;
    add({ ...pieceUnit(p, piece.start, piece.end), cached: p });
  }
  cache.commit();
}

/**
 * Pieces i..j parsed as one text; each piece's statement kept with offsets relative to the piece. Leaves them
 * undefined when the text does not parse or a statement does not lie in a piece of its own.
 */
function chunkParses(text: string, pieces: Piece[], i: number, j: number, out: (PieceParse | undefined)[]): void {
  const base = pieces[i].start;
  const end = j + 1 === pieces.length ? text.length : pieces[j].end + 1;
  const chunk = text.slice(base, end);
  let r;
  try {
    r = parseSync(chunk);
  } catch {
    return;
  }
  const loc = byteMapper(chunk, base);
  const blank = (x: number) => skipTrivia(text, pieces[x].start, pieces[x].end).pos >= pieces[x].end;
  const found: PieceParse[] = [];
  let k = i;
  for (const raw of r.stmts ?? []) {
    const at = loc(raw.stmt_location ?? 0);
    // Pieces of nothing but comments give no statement.
    while (k <= j && (pieces[k].end <= at || blank(k))) {
      if (!blank(k)) return;
      found[k] = {};
      k++;
    }
    if (k > j || at < pieces[k].start) return;
    const start = pieces[k].start;
    found[k] = { ast: raw.stmt, rel: (b) => loc(b) - start };
    k++;
  }
  for (; k <= j; k++) {
    if (!blank(k)) return;
    found[k] = {};
  }
  for (let x = i; x <= j; x++) out[x] = found[x];
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

/**
 * Units become Statements as they come (so the parser's JSON of one chunk is dropped before the next): ranges
 * trimmed, ignore directives collected from the comments before each, actions lowered.
 */
class StatementBuilder {
  private lines?: LineIndex;
  private statements: Statement[] = [];
  private fileIgnores: IgnoreDirective[] = [];
  private prevEnd = 0;
  /** Directives before a piece with no statement (a lone `;`, a goose or dbmate section marker): the next statement's. */
  private carried: IgnoreDirective[] = [];

  constructor(private readonly path: string, private readonly original: string, private readonly text: string) {}

  reset(): void {
    this.statements = [];
    this.fileIgnores = [];
    this.prevEnd = 0;
    this.carried = [];
  }

  add(u: Unit): void {
    const { text, original } = this;
    // The comments between the previous statement and this one hold its ignore directives.
    const trivia = skipTrivia(text, Math.min(this.prevEnd, u.start), u.end, true);
    const directives = ignoreDirectives(trivia.comments);
    this.fileIgnores.push(...directives.filter((d) => d.file));
    this.prevEnd = u.end;
    const start = trivia.pos;
    const end = unitEnd(text, u, start);
    // As the parser reads a whole file, where an empty statement is no statement and the comments before it stay
    // with the next one (the editor parses statement by statement).
    const statementIgnores = [...this.carried, ...directives.filter((d) => !d.file)];
    if (start >= end) {
      this.carried = statementIgnores;
      return;
    }
    this.carried = [];
    this.lines ??= new LineIndex(original);
    const pos = this.lines.position(start);
    // An unchanged statement before the edit point of a file: the same object as last time (statements are never
    // modified once built), so its actions are not copied again.
    const built = u.cached?.built;
    if (built && built.file === this.path && built.span.start === start && built.span.end === end && built.index === this.statements.length
      && built.line === pos.line && built.column === pos.column && built.ignores.length === 0 && statementIgnores.length === 0 && built.text === original.slice(start, end)) {
      this.statements.push(built);
      return;
    }
    const span = { start, end };
    const stmt: Statement = {
      index: this.statements.length,
      file: this.path,
      span,
      line: pos.line,
      column: pos.column,
      text: original.slice(start, end),
      node: 'SyntaxError',
      actions: [],
      ignores: orNone(statementIgnores),
    };
    if (u.tooLarge) {
      stmt.node = 'TooLarge';
      stmt.tooLarge = u.end - u.start;
    } else if (u.cached?.actions) {
      stmt.node = u.cached.node ?? 'Unknown';
      stmt.actions = shiftActions(u.cached.actions, u.start);
      u.cached.built = stmt;
    } else if (u.ast && u.loc) {
      Object.assign(stmt, lowerStatement(u.ast, new Source(text, u.loc, span), PL, u.names));
    } else {
      stmt.syntaxError = u.error ?? { message: 'syntax error', offset: start };
    }
    this.statements.push(stmt);
  }

  finish(): ParsedFile {
    const tail = skipTrivia(this.text, this.prevEnd, this.text.length, true);
    this.fileIgnores.push(...ignoreDirectives(tail.comments).filter((d) => d.file));
    const down = DOWN_SECTION.exec(this.original);
    return { statements: this.statements, fileIgnores: this.fileIgnores, downFrom: down ? down.index : undefined };
  }
}

/**
 * Where a unit's statement ends: the parser's length excludes the `;` but may include trailing comments, which are
 * kept as a whole-file parse keeps them (a cached statement ends at its `;` likewise); the last statement of the
 * file, and one that did not parse, end at their last token. A statement too large to parse is its first token.
 */
function unitEnd(text: string, u: Unit, start: number): number {
  let end = u.end;
  if (u.tooLarge) end = Math.min(end, skipToken(text, start));
  else if ((u.ast === undefined && !u.cached?.actions) || end === text.length) end = lastTokenEnd(text, start, end);
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
