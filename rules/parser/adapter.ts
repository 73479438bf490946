// The only importer of libpg-query (the real PostgreSQL 18 parser compiled to WebAssembly).
// It turns one file of SQL into typed Statements: UTF-8 byte offsets become UTF-16 offsets here, once;
// leading comments are trimmed from statement ranges; a statement that does not parse becomes one
// statement with a syntax error while every other statement of the file is still analysed.
import { loadModule, parseSync } from 'libpg-query';
import type {
  Action, ColumnDef, ConstraintDef, DefaultKind, IgnoreDirective, IndexDef, LockMode, PolicyCommand, PolicyDef, QName,
  Span, Statement, TypeRef,
} from '../model/types';
import { isSerialType } from '../model/types';
import { doBlockAction, functionInjections, type PlHelpers } from './plpgsql';
import { mapOffsets, mapStrings } from './walk';
import { blankMetaCommands, elementEnd, placeholderNames, replacePlaceholders, skipToken, skipTrivia, splitStatements, type Comment } from './lexer';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Node = any;

let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the WebAssembly parser once; every other function here is synchronous after it resolves. */
export function initParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export function parserReady(): boolean {
  return ready;
}

/** Maps byte offsets of one parsed text to UTF-16 offsets of the file. */
function byteMapper(text: string, base: number): (byte: number) => number {
  if (!/[^\x00-\x7f]/.test(text)) return (b) => base + b;
  const bytes: number[] = [];
  const deltas: number[] = [];
  let b = 0;
  for (let u = 0; u < text.length; u++) {
    const c = text.charCodeAt(u);
    if (c < 0x80) { b += 1; continue; }
    if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && u + 1 < text.length) { b += 4; u++; }
    else b += 3;
    bytes.push(b);
    deltas.push(b - (u + 1));
  }
  return (byte) => {
    let lo = 0;
    let hi = bytes.length - 1;
    let d = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bytes[mid] <= byte) { d = deltas[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    return base + byte - d;
  };
}

export interface ParsedFile {
  statements: Statement[];
  /** File-level ignore directives (`-- sql-architect-ignore-file …`). */
  fileIgnores: IgnoreDirective[];
  /** Offset where a goose `-- +goose Down` section starts, when there is one. */
  downFrom?: number;
}

const IGNORE_RE = /^--\s*sql-architect-ignore(-file)?\b\s*([^:]*)(?::\s*(.*))?$/;

function directivesIn(comments: Comment[]): IgnoreDirective[] {
  const out: IgnoreDirective[] = [];
  for (const c of comments) {
    const m = IGNORE_RE.exec(c.text.trim());
    if (!m) continue;
    const rules = m[2].split(/[\s,]+/).filter(Boolean);
    out.push({ rules, reason: m[3]?.trim() || undefined, file: Boolean(m[1]), span: { start: c.start, end: c.end } });
  }
  return out;
}

/** Line starts of a text, for offset → line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 0-based line and UTF-16 column. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo, column: offset - this.starts[lo] };
  }
  offset(line: number, column: number): number {
    const start = this.starts[Math.min(line, this.starts.length - 1)] ?? 0;
    return Math.min(start + column, this.text.length);
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

interface Unit {
  start: number;
  end: number;
  names?: Map<string, string>;
  ast?: Node;
  loc?: (byte: number) => number;
  error?: { message: string; offset: number };
  /** Incremental mode: the cached parse of this statement's text, whose actions are kept relative to it. */
  cached?: { text: string; entry: PieceParse };
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

interface PieceParse {
  ast?: Node;
  rel?: (byte: number) => number;
  /** Placeholders the piece was parsed with (filler identifier → the placeholder as written). */
  names?: Map<string, string>;
  error?: { message: string; relOffset: number };
  /** Incremental mode: the statement's node and actions with offsets relative to the piece (the AST is dropped). */
  node?: string;
  actions?: Action[];
}

/** A deep copy of actions with every span moved by `delta` (spans and TypeRef starts are the only offsets). */
function shiftActions<T>(value: T, delta: number): T {
  return mapOffsets(value, (o) => o + delta);
}

function pieceUnit(p: PieceParse, start: number, end: number): Unit {
  const rel = p.rel;
  return {
    start, end, ast: p.ast, names: p.names,
    loc: rel ? (b: number) => start + rel(b) : undefined,
    error: p.error ? { message: p.error.message, offset: start + p.error.relOffset } : undefined,
  };
}

/**
 * Parses one file into statements. Never throws. Without a cache the whole file is parsed at once (the
 * fastest way for a cold file); with one, the file is split into statements and only statements whose
 * text changed since the last parse go through the parser again.
 */
export function parseFile(path: string, original: string, cache?: StatementCache): ParsedFile {
  if (!ready) throw new Error('initParser() must resolve before parseFile()');
  const text = blankMetaCommands(parserSafe(original));
  const units: Unit[] = [];
  let whole: Node | undefined;
  if (!cache) {
    try {
      whole = parseSync(text);
    } catch {
      whole = undefined;
    }
  }
  if (cache) {
    for (const piece of splitStatements(text)) {
      const pieceText = text.slice(piece.start, piece.end);
      let p = cache.get(pieceText);
      if (!p) {
        p = materialize(parsePieceText(pieceText), pieceText);
        cache.set(pieceText, p);
      }
      units.push({ ...pieceUnit(p, piece.start, piece.end), cached: { text: pieceText, entry: p } });
    }
    cache.commit();
  } else if (whole) {
    const loc = byteMapper(text, 0);
    for (const raw of whole.stmts ?? []) {
      const start = loc(raw.stmt_location ?? 0);
      const end = raw.stmt_len === undefined ? text.length : loc((raw.stmt_location ?? 0) + raw.stmt_len);
      units.push({ start, end, ast: raw.stmt, loc });
    }
  } else {
    for (const piece of splitStatements(text)) units.push(pieceUnit(parsePieceText(text.slice(piece.start, piece.end)), piece.start, piece.end));
  }

  const lines = new LineIndex(original);
  const statements: Statement[] = [];
  const fileIgnores: IgnoreDirective[] = [];
  let prevEnd = 0;
  for (const u of units) {
    // The comments between the previous statement and this one hold its ignore directives.
    const trivia = skipTrivia(text, Math.min(prevEnd, u.start), u.end, true);
    const start = trivia.pos;
    let end = u.end;
    if (u.ast === undefined || u.cached || end === text.length) end = trimEnd(text, start, end);
    while (end > start && /\s/.test(text[end - 1])) end--;
    prevEnd = u.end;
    if (start >= end) {
      fileIgnores.push(...directivesIn(trivia.comments).filter((d) => d.file));
      continue;
    }
    const directives = directivesIn(trivia.comments);
    fileIgnores.push(...directives.filter((d) => d.file));
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
    if (u.cached?.entry.actions) {
      stmt.node = u.cached.entry.node!;
      stmt.actions = shiftActions(u.cached.entry.actions, u.start);
    } else if (u.ast) {
      const node = Object.keys(u.ast)[0] ?? 'Unknown';
      stmt.node = node;
      try {
        stmt.actions = renamePlaceholders(toActions(node, u.ast[node], new Ctx(text, u.loc!, span)), u.names);
      } catch {
        // A shape of AST we did not expect must not stop the analysis of the file.
        stmt.actions = [{ type: 'other', node }];
      }
    } else {
      stmt.syntaxError = u.error ?? { message: 'syntax error', offset: start };
    }
    statements.push(stmt);
  }
  const tail = skipTrivia(text, prevEnd, text.length, true);
  fileIgnores.push(...directivesIn(tail.comments).filter((d) => d.file));
  const down = DOWN_SECTION.exec(original);
  return { statements, fileIgnores, downFrom: down ? down.index : undefined };
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

function trimEnd(text: string, start: number, end: number): number {
  // Find the end of the last real token (a trailing comment is not part of the statement).
  let i = start;
  let last = start;
  while (i < end) {
    const t = skipTrivia(text, i, end);
    if (t.pos >= end) break;
    const c = text.charCodeAt(t.pos);
    const e = c === 59 /* ; */ ? t.pos + 1 : skipToken(text, t.pos);
    if (c !== 59) last = Math.min(e, end);
    i = Math.max(e, t.pos + 1);
  }
  return last;
}

/**
 * Incremental mode: turns a piece's parse into its node and actions right away (offsets relative to the piece,
 * trimmed as parseFile trims a statement) and drops the parser's JSON, so a large file never holds all ASTs.
 */
function materialize(p: PieceParse, piece: string): PieceParse {
  if (!p.ast) return p;
  const start = skipTrivia(piece, 0, piece.length, true).pos;
  let end = trimEnd(piece, start, piece.length);
  while (end > start && /\s/.test(piece[end - 1])) end--;
  const node = Object.keys(p.ast)[0] ?? 'Unknown';
  let actions: Action[];
  try {
    actions = renamePlaceholders(toActions(node, p.ast[node], new Ctx(piece, p.rel!, { start, end })), p.names);
  } catch {
    actions = [{ type: 'other', node }];
  }
  return { node, actions, error: p.error };
}

/** Actions with the identifiers that stood in for placeholders named as the migration wrote them. */
function renamePlaceholders<T>(value: T, names: Map<string, string> | undefined): T {
  return names?.size ? mapStrings(value, (v) => names.get(v) ?? v) : value;
}

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

/* ---------------- AST → actions ---------------- */

/** PL/pgSQL bodies (./plpgsql.ts) parse the statements they hold as pieces are parsed. */
const PL_HELPERS: PlHelpers = { parse: (sql) => materialize(parsePieceText(sql), sql), bytes: (text) => byteMapper(text, 0) };

class Ctx {
  constructor(readonly text: string, readonly loc: (b: number) => number, readonly span: Span) {}
  at(b: number | undefined): number {
    return b === undefined || b < 0 ? this.span.start : this.loc(b);
  }
}

function str(n: Node): string {
  return n?.String?.sval ?? n?.sval ?? '';
}

function qname(rv: Node): QName {
  return { schema: rv?.schemaname || undefined, name: rv?.relname ?? '' };
}

function listNames(items: Node[] | undefined): string[] {
  return (items ?? []).map(str);
}

function qnameFromList(items: Node[] | undefined): QName {
  const names = listNames(items);
  return names.length > 1 ? { schema: names[names.length - 2], name: names[names.length - 1] } : { name: names[0] ?? '' };
}

const TYPE_ALIASES: Record<string, string> = {
  int: 'int4', integer: 'int4', int4: 'int4', smallint: 'int2', int2: 'int2', bigint: 'int8', int8: 'int8',
  'timestamp with time zone': 'timestamptz', bool: 'bool', boolean: 'bool', float8: 'float8', float4: 'float4',
  'character varying': 'varchar', character: 'bpchar', char: 'bpchar', decimal: 'numeric',
  serial4: 'serial', serial8: 'bigserial', serial2: 'smallserial',
};

function typeRef(tn: Node, ctx: Ctx): TypeRef {
  const names = listNames(tn?.names);
  let name = (names[names.length - 1] ?? '').toLowerCase();
  name = TYPE_ALIASES[name] ?? name;
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  const mods = (tn?.typmods ?? []).map((m: Node) => Number(m?.A_Const?.ival?.ival ?? 0));
  return { name, schema, mods, array: Boolean(tn?.arrayBounds?.length), start: ctx.at(tn?.location) };
}

// Functions whose result changes per row: as a column DEFAULT on ADD COLUMN they force a table rewrite.
// https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
const VOLATILE_FUNCS = new Set([
  'random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7',
  'clock_timestamp', 'timeofday', 'nextval', 'setval', 'txid_current', 'random_normal', 'gen_random_bytes',
]);
const STABLE_FUNCS = new Set([
  'now', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp', 'current_date', 'current_user',
  'current_setting', 'lower', 'upper', 'coalesce', 'to_jsonb', 'jsonb_build_object', 'json_build_object',
  'array', 'timezone', 'date_trunc', 'make_interval', 'concat', 'md5', 'length', 'btrim', 'trim', 'replace',
]);

export function defaultKindOf(expr: Node): DefaultKind {
  if (expr === undefined || expr === null) return 'none';
  let volatile = false;
  let stable = false;
  walk(expr, (n) => {
    if (n.FuncCall) {
      const fname = listNames(n.FuncCall.funcname).pop()?.toLowerCase() ?? '';
      if (VOLATILE_FUNCS.has(fname)) volatile = true;
      else if (STABLE_FUNCS.has(fname)) stable = true;
      else volatile = true; // an unknown function may be volatile: PostgreSQL would then rewrite the table
    }
    if (n.SQLValueFunction) stable = true;
  });
  return volatile ? 'volatile' : stable ? 'stable' : 'constant';
}

function walk(n: Node, visit: (n: Node) => void): void {
  if (n === null || typeof n !== 'object') return;
  if (Array.isArray(n)) {
    for (const x of n) walk(x, visit);
    return;
  }
  visit(n);
  for (const k of Object.keys(n)) {
    const v = n[k];
    if (v !== null && typeof v === 'object') walk(v, visit);
  }
}

function columnRefs(expr: Node): string[] {
  const out = new Set<string>();
  walk(expr, (n) => {
    if (n.ColumnRef) {
      const fields = (n.ColumnRef.fields ?? []).map(str).filter(Boolean);
      if (fields.length) out.add(fields[fields.length - 1]);
    }
  });
  return [...out];
}

/**
 * The relations a query reads: every RangeVar of its FROM clauses, joins and subqueries, once each, except
 * unqualified names of its common table expressions (WITH x AS (…) SELECT … FROM x).
 */
function relationsRead(query: Node): QName[] {
  const ctes = new Set<string>();
  walk(query, (n) => { if (n.CommonTableExpr?.ctename) ctes.add(n.CommonTableExpr.ctename); });
  const out = new Map<string, QName>();
  walk(query, (n) => {
    const rv = n.RangeVar;
    if (!rv?.relname || (!rv.schemaname && ctes.has(rv.relname))) return;
    const q = qname(rv);
    out.set(`${q.schema ?? ''}.${q.name}`, q);
  });
  return [...out.values()];
}

/** Functions an expression calls, lower-cased, schema-qualified as written: `auth.uid`, `has_role_on_account`. */
function functionsCalled(...exprs: Node[]): string[] {
  const out = new Set<string>();
  for (const expr of exprs) {
    walk(expr, (n) => {
      if (n.FuncCall) out.add(listNames(n.FuncCall.funcname).join('.').toLowerCase());
      // CURRENT_USER, SESSION_USER, CURRENT_ROLE: the caller's identity.
      const op = n.SQLValueFunction?.op as string | undefined;
      if (op === 'SVFOP_CURRENT_USER' || op === 'SVFOP_SESSION_USER' || op === 'SVFOP_CURRENT_ROLE' || op === 'SVFOP_USER') out.add(op.slice(6).toLowerCase());
    });
  }
  return [...out];
}

function settingsRead(expr: Node): string[] {
  const out: string[] = [];
  walk(expr, (n) => {
    if (n.FuncCall && listNames(n.FuncCall.funcname).pop()?.toLowerCase() === 'current_setting') {
      const first = n.FuncCall.args?.[0]?.A_Const?.sval?.sval;
      if (typeof first === 'string') out.push(first);
    }
  });
  return out;
}

function isConstTrue(expr: Node): boolean {
  const b = expr?.A_Const?.boolval;
  if (b !== undefined) return b.boolval === true;
  // `'t'::boolean`, `1 = 1`
  const tc = expr?.TypeCast;
  if (tc && /^(t|true|y|yes|on|1)$/i.test(tc.arg?.A_Const?.sval?.sval ?? '')) return true;
  const ae = expr?.A_Expr;
  if (ae && ae.kind === 'AEXPR_OP' && str(ae.name?.[0]) === '=' && ae.lexpr?.A_Const && JSON.stringify(ae.lexpr.A_Const.ival ?? ae.lexpr.A_Const.sval) === JSON.stringify(ae.rexpr?.A_Const?.ival ?? ae.rexpr?.A_Const?.sval)) return true;
  const bo = expr?.BoolExpr;
  if (bo && bo.boolop === 'OR_EXPR') return (bo.args ?? []).some(isConstTrue);
  return false;
}

function exprText(ctx: Ctx, expr: Node, stmtText: string): string | undefined {
  // Best effort: the source text from the expression's first location to the end of its element.
  const first = firstLocation(expr);
  if (first === undefined) return undefined;
  const start = ctx.at(first);
  const end = elementEnd(ctx.text, start, ctx.span.end);
  void stmtText;
  return ctx.text.slice(start, end);
}

function firstLocation(n: Node): number | undefined {
  let best: number | undefined;
  walk(n, (x) => {
    if (typeof x.location === 'number' && x.location >= 0 && (best === undefined || x.location < best)) best = x.location;
  });
  return best;
}

function constraintDef(c: Node, ctx: Ctx, inlineColumn?: string): ConstraintDef | undefined {
  const kinds: Record<string, ConstraintDef['kind']> = {
    CONSTR_PRIMARY: 'primary', CONSTR_UNIQUE: 'unique', CONSTR_FOREIGN: 'foreign', CONSTR_CHECK: 'check',
    CONSTR_EXCLUSION: 'exclude', CONSTR_NOTNULL: 'not-null',
  };
  const kind = kinds[c.contype];
  if (!kind) return undefined;
  const start = ctx.at(c.location);
  const end = elementEnd(ctx.text, start, ctx.span.end);
  let columns: string[] = listNames(c.keys);
  if (kind === 'foreign') columns = listNames(c.fk_attrs);
  if (kind === 'exclude') columns = (c.exclusions ?? []).map((e: Node) => e?.List?.items?.[0]?.IndexElem?.name ?? '').filter(Boolean);
  if (kind === 'not-null' && c.keys) columns = listNames(c.keys);
  if (columns.length === 0 && inlineColumn) columns = [inlineColumn];
  const def: ConstraintDef = {
    kind,
    name: c.conname || undefined,
    columns,
    notValid: Boolean(c.skip_validation),
    usingIndex: c.indexname || undefined,
    inline: inlineColumn !== undefined,
    span: { start, end },
  };
  if (kind === 'foreign') {
    def.refTable = qname(c.pktable);
    def.refColumns = listNames(c.pk_attrs);
    def.onDelete = c.fk_del_action;
  }
  if (kind === 'check') {
    def.checkColumns = columnRefs(c.raw_expr);
    const nt = c.raw_expr?.NullTest;
    if (nt && nt.nulltesttype === 'IS_NOT_NULL' && nt.arg?.ColumnRef) {
      const f = (nt.arg.ColumnRef.fields ?? []).map(str);
      def.checkIsNotNullOf = f[f.length - 1];
    }
  }
  return def;
}

function columnDef(cd: Node, ctx: Ctx): ColumnDef {
  const start = ctx.at(cd.location);
  const end = elementEnd(ctx.text, start, ctx.span.end);
  const type = typeRef(cd.typeName, ctx);
  let notNull = false;
  let defaultKind: DefaultKind = 'none';
  let defaultText: string | undefined;
  let identity = false;
  let generatedStored = false;
  const constraints: ConstraintDef[] = [];
  for (const cn of cd.constraints ?? []) {
    const c = cn.Constraint;
    if (!c) continue;
    switch (c.contype) {
      case 'CONSTR_NOTNULL': notNull = true; break;
      case 'CONSTR_PRIMARY': notNull = true; break;
      case 'CONSTR_DEFAULT':
        defaultKind = defaultKindOf(c.raw_expr);
        defaultText = exprText(ctx, c.raw_expr, '');
        break;
      case 'CONSTR_IDENTITY': identity = true; notNull = true; break;
      // PostgreSQL 18 defaults to VIRTUAL generated columns (generated_kind 'v'), which are not stored.
      case 'CONSTR_GENERATED': generatedStored = c.generated_kind !== 'v'; break;
    }
    const def = constraintDef(c, ctx, cd.colname);
    if (def && def.kind !== 'not-null') constraints.push(def);
  }
  if (isSerialType(type)) {
    defaultKind = 'volatile'; // nextval() of a new sequence
    notNull = true;
  }
  return { name: cd.colname ?? '', type, notNull, defaultKind, defaultText, identity, generatedStored, constraints, span: { start, end } };
}

function indexColumns(params: Node[] | undefined): string[] {
  return (params ?? []).map((p: Node) => {
    const e = p.IndexElem;
    if (!e) return '(?)';
    if (e.name) return e.name;
    return '(' + (columnRefs(e.expr).join(',') || 'expr') + ')';
  });
}

function policyCommand(cmd: string | undefined): PolicyCommand {
  const c = (cmd ?? 'all').toLowerCase();
  return (['all', 'select', 'insert', 'update', 'delete'] as const).find((x) => x === c) ?? 'all';
}

function privilegeNames(privs: Node[] | undefined): string[] {
  return privs ? privs.map((p) => (p.AccessPriv?.priv_name ?? 'all').toLowerCase()) : ['all'];
}

function roleNames(roles: Node[] | undefined): string[] {
  return (roles ?? []).map((r: Node) => {
    const rs = r.RoleSpec ?? r;
    switch (rs.roletype) {
      case 'ROLESPEC_PUBLIC': return 'public';
      case 'ROLESPEC_CURRENT_USER': return 'current_user';
      case 'ROLESPEC_SESSION_USER': return 'session_user';
      case 'ROLESPEC_CURRENT_ROLE': return 'current_role';
      default: return rs.rolename ?? '';
    }
  });
}

const LOCK_MODES: LockMode[] = [
  'AccessShare', 'AccessShare', 'RowShare', 'RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive',
  'Exclusive', 'AccessExclusive',
];

function constValue(n: Node): string | undefined {
  const c = n?.A_Const;
  if (!c) return undefined;
  if (c.sval) return c.sval.sval;
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval;
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return undefined;
}

function toActions(node: string, n: Node, ctx: Ctx): Action[] {
  switch (node) {
    case 'CreateStmt': {
      const table = qname(n.relation);
      const columns: ColumnDef[] = [];
      const constraints: ConstraintDef[] = [];
      const likeTables: QName[] = [];
      for (const el of n.tableElts ?? []) {
        if (el.ColumnDef) columns.push(columnDef(el.ColumnDef, ctx));
        else if (el.Constraint) {
          const c = constraintDef(el.Constraint, ctx);
          if (c) constraints.push(c);
        } else if (el.TableLikeClause) likeTables.push(qname(el.TableLikeClause.relation));
      }
      const persistence = n.relation?.relpersistence;
      return [{
        type: 'create-table', table, columns, constraints, ifNotExists: Boolean(n.if_not_exists),
        partitioned: Boolean(n.partspec), partitionOf: n.partbound && n.inhRelations?.[0] ? qname(n.inhRelations[0].RangeVar) : undefined,
        unlogged: persistence === 'u', temporary: persistence === 't', likeTables, asSelect: false,
      }];
    }
    case 'CreateTableAsStmt': {
      const rel = n.into?.rel;
      if (n.objtype === 'OBJECT_MATVIEW') return [{ type: 'create-view', view: qname(rel), materialized: true, sources: relationsRead(n.query) }];
      return [{
        type: 'create-table', table: qname(rel), columns: [], constraints: [], ifNotExists: Boolean(n.if_not_exists),
        partitioned: false, unlogged: rel?.relpersistence === 'u', temporary: rel?.relpersistence === 't', likeTables: [], asSelect: true,
      }];
    }
    case 'AlterTableStmt': {
      const table = qname(n.relation);
      if (n.objtype && n.objtype !== 'OBJECT_TABLE' && n.objtype !== 'OBJECT_FOREIGN_TABLE') {
        return [{ type: 'other', node: `AlterTableStmt:${n.objtype}` }];
      }
      return (n.cmds ?? []).map((cmdNode: Node) => alterCmd(table, cmdNode.AlterTableCmd ?? {}, ctx));
    }
    case 'IndexStmt': {
      const idx: IndexDef = {
        name: n.idxname || undefined,
        table: qname(n.relation),
        columns: indexColumns(n.indexParams),
        include: indexColumns(n.indexIncludingParams),
        unique: Boolean(n.unique || n.primary),
        partial: Boolean(n.whereClause),
        concurrently: Boolean(n.concurrent),
        ifNotExists: Boolean(n.if_not_exists),
        method: n.accessMethod ?? 'btree',
        span: ctx.span,
      };
      return [{ type: 'create-index', index: idx }];
    }
    case 'DropStmt': {
      const objs: QName[] = (n.objects ?? []).map((o: Node) => qnameFromList(o.List?.items ?? (o.String ? [o] : [])));
      const ifExists = Boolean(n.missing_ok);
      switch (n.removeType) {
        case 'OBJECT_TABLE':
          return [{ type: 'drop-table', tables: objs, cascade: n.behavior === 'DROP_CASCADE', ifExists }];
        case 'OBJECT_INDEX':
          return [{ type: 'drop-index', indexes: objs, concurrently: Boolean(n.concurrent), ifExists }];
        case 'OBJECT_POLICY': {
          const items = listNames(n.objects?.[0]?.List?.items);
          const name = items[items.length - 1] ?? '';
          const tbl = items.slice(0, -1);
          return [{ type: 'drop-policy', name, table: tbl.length > 1 ? { schema: tbl[0], name: tbl[1] } : { name: tbl[0] ?? '' }, ifExists }];
        }
        case 'OBJECT_FUNCTION':
        case 'OBJECT_PROCEDURE':
          return (n.objects ?? []).map((o: Node) => ({ type: 'drop-function', name: qnameFromList(o.ObjectWithArgs?.objname) }) as Action);
        default:
          return [{ type: 'other', node: `DropStmt:${n.removeType}` }];
      }
    }
    case 'RenameStmt': {
      switch (n.renameType) {
        case 'OBJECT_COLUMN':
          return [{ type: 'rename-column', table: qname(n.relation), from: n.subname ?? '', to: n.newname ?? '' }];
        case 'OBJECT_TABLE':
          return [{ type: 'rename-table', table: qname(n.relation), to: n.newname ?? '' }];
        case 'OBJECT_INDEX':
          return [{ type: 'rename-index', index: qname(n.relation), to: n.newname ?? '' }];
        case 'OBJECT_TABCONSTRAINT':
          return [{ type: 'rename-constraint', table: qname(n.relation), from: n.subname ?? '', to: n.newname ?? '' }];
        default:
          return [{ type: 'other', node: `RenameStmt:${n.renameType}` }];
      }
    }
    case 'AlterObjectSchemaStmt':
      if (n.objectType === 'OBJECT_TABLE') return [{ type: 'set-schema', table: qname(n.relation), schema: n.newschema ?? '' }];
      return [{ type: 'other', node }];
    case 'CreatePolicyStmt': {
      const policy: PolicyDef = {
        name: n.policy_name ?? '',
        table: qname(n.table),
        command: policyCommand(n.cmd_name),
        roles: roleNames(n.roles),
        permissive: n.permissive !== undefined ? Boolean(n.permissive) : false,
        usingColumns: n.qual ? columnRefs(n.qual) : undefined,
        checkColumns: n.with_check ? columnRefs(n.with_check) : undefined,
        usingAlwaysTrue: n.qual ? isConstTrue(n.qual) : undefined,
        checkAlwaysTrue: n.with_check ? isConstTrue(n.with_check) : undefined,
        usingText: n.qual ? exprSource(ctx, n.qual) : undefined,
        checkText: n.with_check ? exprSource(ctx, n.with_check) : undefined,
        settings: [...settingsRead(n.qual), ...settingsRead(n.with_check)],
        functions: functionsCalled(n.qual, n.with_check),
        span: ctx.span,
      };
      return [{ type: 'create-policy', policy }];
    }
    case 'AlterPolicyStmt':
      return [{
        type: 'alter-policy', name: n.policy_name ?? '', table: qname(n.table),
        usingColumns: n.qual ? columnRefs(n.qual) : undefined, checkColumns: n.with_check ? columnRefs(n.with_check) : undefined,
        usingAlwaysTrue: n.qual ? isConstTrue(n.qual) : undefined, checkAlwaysTrue: n.with_check ? isConstTrue(n.with_check) : undefined,
        roles: n.roles ? roleNames(n.roles) : undefined,
        usingText: n.qual ? exprSource(ctx, n.qual) : undefined, checkText: n.with_check ? exprSource(ctx, n.with_check) : undefined,
        functions: n.qual || n.with_check ? functionsCalled(n.qual, n.with_check) : undefined,
      }];
    case 'TruncateStmt':
      return [{ type: 'truncate', tables: (n.relations ?? []).map((r: Node) => qname(r.RangeVar)), cascade: n.behavior === 'DROP_CASCADE' }];
    case 'CreateFunctionStmt': {
      let securityDefiner = false;
      let setsSearchPath = false;
      let language: string | undefined;
      let body: string | undefined;
      for (const o of n.options ?? []) {
        const d = o.DefElem;
        if (!d) continue;
        if (d.defname === 'security') securityDefiner = Boolean(d.arg?.Boolean?.boolval);
        if (d.defname === 'set' && (d.arg?.VariableSetStmt?.name ?? '').toLowerCase() === 'search_path') setsSearchPath = true;
        if (d.defname === 'language') language = str(d.arg).toLowerCase();
        if (d.defname === 'as') body = str(d.arg?.List?.items?.[0] ?? d.arg);
      }
      const injections = functionInjections(n, ctx, PL_HELPERS);
      return [{ type: 'create-function', fn: { name: qnameFromList(n.funcname), securityDefiner, setsSearchPath, language, orReplace: Boolean(n.replace), body, span: ctx.span, ...(injections?.length ? { injections } : {}) } }];
    }
    case 'DoStmt':
      return [doBlockAction(n, ctx, PL_HELPERS)];
    case 'AlterFunctionStmt': {
      let securityDefiner: boolean | undefined;
      let setsSearchPath: boolean | undefined;
      for (const o of n.actions ?? []) {
        const d = o.DefElem;
        if (d?.defname === 'security') securityDefiner = Boolean(d.arg?.Boolean?.boolval);
        const vs = d?.defname === 'set' ? d.arg?.VariableSetStmt : undefined;
        if (vs && (vs.name ?? '').toLowerCase() === 'search_path') setsSearchPath = vs.kind !== 'VAR_RESET';
        if (vs && vs.kind === 'VAR_RESET_ALL') setsSearchPath = false;
      }
      return [{ type: 'alter-function', name: qnameFromList(n.func?.objname), securityDefiner, setsSearchPath }];
    }
    case 'GrantStmt': {
      if (n.objtype === 'OBJECT_SCHEMA') {
        return [{ type: 'grant-schema', schemas: listNames(n.objects), privileges: privilegeNames(n.privileges), grantees: roleNames(n.grantees), revoke: !n.is_grant }];
      }
      if (n.objtype !== 'OBJECT_TABLE') return [{ type: 'other', node: `GrantStmt:${n.objtype}` }];
      const all = n.targtype === 'ACL_TARGET_ALL_IN_SCHEMA';
      return [{
        type: 'grant',
        tables: all ? [] : (n.objects ?? []).map((o: Node) => qname(o.RangeVar ?? o)),
        allTablesInSchema: all ? str(n.objects?.[0]) : undefined,
        privileges: privilegeNames(n.privileges),
        grantees: roleNames(n.grantees),
        revoke: !n.is_grant,
      }];
    }
    case 'AlterDefaultPrivilegesStmt': {
      const g = n.action ?? {};
      if (g.objtype !== 'OBJECT_TABLE') return [{ type: 'other', node: `AlterDefaultPrivilegesStmt:${g.objtype}` }];
      const schemas = (n.options ?? []).filter((o: Node) => o.DefElem?.defname === 'schemas').flatMap((o: Node) => listNames(o.DefElem.arg?.List?.items));
      return [{ type: 'default-privileges', schemas, privileges: privilegeNames(g.privileges), grantees: roleNames(g.grantees), revoke: !g.is_grant }];
    }
    case 'CreateRoleStmt':
    case 'AlterRoleStmt': {
      const name = node === 'CreateRoleStmt' ? (n.role ?? '') : roleNames([n.role])[0] ?? '';
      const flag = (key: string): boolean | undefined => {
        const d = (n.options ?? []).find((o: Node) => o.DefElem?.defname === key)?.DefElem;
        return d ? d.arg?.Boolean?.boolval !== false && d.arg?.Integer?.ival !== 0 : undefined;
      };
      // CREATE USER logs in by default; CREATE ROLE does not.
      const login = flag('canlogin') ?? (node === 'CreateRoleStmt' ? n.stmt_type === 'ROLESTMT_USER' : undefined);
      return [{ type: 'role', name, create: node === 'CreateRoleStmt', bypassRls: flag('bypassrls'), superuser: flag('superuser'), login }];
    }
    case 'VariableSetStmt': {
      const name = (n.name ?? '').toLowerCase();
      if (n.kind === 'VAR_RESET' || n.kind === 'VAR_RESET_ALL') return [{ type: 'reset', name: n.kind === 'VAR_RESET_ALL' ? 'all' : name }];
      if (n.kind === 'VAR_SET_DEFAULT') return [{ type: 'set', name, value: undefined, local: Boolean(n.is_local) }];
      const value = (n.args ?? []).map(constValue).filter((v: string | undefined) => v !== undefined).join(', ');
      return [{ type: 'set', name, value, local: Boolean(n.is_local) }];
    }
    case 'TransactionStmt': {
      const ops: Record<string, 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to'> = {
        TRANS_STMT_BEGIN: 'begin', TRANS_STMT_START: 'begin', TRANS_STMT_COMMIT: 'commit', TRANS_STMT_ROLLBACK: 'rollback',
        TRANS_STMT_SAVEPOINT: 'savepoint', TRANS_STMT_RELEASE: 'release', TRANS_STMT_ROLLBACK_TO: 'rollback-to',
        TRANS_STMT_COMMIT_PREPARED: 'commit', TRANS_STMT_ROLLBACK_PREPARED: 'rollback',
      };
      return [{ type: 'transaction', op: ops[n.kind] ?? 'other' }];
    }
    case 'VacuumStmt': {
      const full = (n.options ?? []).some((o: Node) => o.DefElem?.defname === 'full' && o.DefElem?.arg?.Boolean?.boolval !== false);
      const tables = (n.rels ?? []).map((r: Node) => qname(r.VacuumRelation?.relation));
      if (!n.is_vacuumcmd) return [{ type: 'other', node: 'AnalyzeStmt' }];
      return [{ type: 'vacuum', full, tables }];
    }
    case 'ClusterStmt':
      return [{ type: 'cluster', table: n.relation ? qname(n.relation) : undefined }];
    case 'LockStmt':
      return [{ type: 'lock-table', tables: (n.relations ?? []).map((r: Node) => qname(r.RangeVar)), mode: LOCK_MODES[n.mode ?? 8] ?? 'AccessExclusive' }];
    case 'ReindexStmt': {
      const kinds: Record<string, 'index' | 'table' | 'schema' | 'database' | 'system'> = {
        REINDEX_OBJECT_INDEX: 'index', REINDEX_OBJECT_TABLE: 'table', REINDEX_OBJECT_SCHEMA: 'schema',
        REINDEX_OBJECT_DATABASE: 'database', REINDEX_OBJECT_SYSTEM: 'system',
      };
      const concurrently = (n.params ?? []).some((p: Node) => p.DefElem?.defname === 'concurrently');
      const target = n.relation ? qname(n.relation) : { name: n.name ?? '' };
      return [{ type: 'reindex', target, kind: kinds[n.kind] ?? 'index', concurrently }];
    }
    case 'CreateSchemaStmt':
      return [{ type: 'create-schema', name: n.schemaname ?? '' }];
    case 'CreateExtensionStmt':
      return [{ type: 'create-extension', name: n.extname ?? '' }];
    case 'CommentStmt': {
      const items = listNames(n.object?.List?.items);
      if (n.objtype === 'OBJECT_COLUMN' && items.length >= 2) {
        const column = items[items.length - 1];
        const t = items.slice(0, -1);
        return [{ type: 'comment', target: 'column', table: t.length > 1 ? { schema: t[t.length - 2], name: t[t.length - 1] } : { name: t[0] }, column, text: n.comment }];
      }
      if (n.objtype === 'OBJECT_TABLE') {
        return [{ type: 'comment', target: 'table', table: items.length > 1 ? { schema: items[items.length - 2], name: items[items.length - 1] } : { name: items[0] ?? '' }, text: n.comment }];
      }
      return [{ type: 'comment', target: 'other' }];
    }
    case 'CreateTrigStmt':
      return [{ type: 'create-trigger', table: qname(n.relation), name: n.trigname ?? '' }];
    case 'RefreshMatViewStmt':
      return [{ type: 'refresh-matview', view: qname(n.relation), concurrently: Boolean(n.concurrent) }];
    case 'ViewStmt':
      return [{ type: 'create-view', view: qname(n.view), materialized: false, sources: relationsRead(n.query) }];
    case 'AlterEnumStmt':
      return [{ type: 'alter-type-add-value', typeName: qnameFromList(n.typeName) }];
    case 'InsertStmt':
      return [{ type: 'dml', kind: 'insert', table: qname(n.relation), hasWhere: true }];
    case 'UpdateStmt':
      return [{ type: 'dml', kind: 'update', table: qname(n.relation), hasWhere: Boolean(n.whereClause) }];
    case 'DeleteStmt':
      return [{ type: 'dml', kind: 'delete', table: qname(n.relation), hasWhere: Boolean(n.whereClause) }];
    case 'SelectStmt': {
      // pg_dump writes `SELECT pg_catalog.set_config('search_path', '', false);`
      const fc = n.targetList?.[0]?.ResTarget?.val?.FuncCall;
      if (fc && listNames(fc.funcname).pop() === 'set_config' && constValue(fc.args?.[0]) === 'search_path') {
        return [{ type: 'set', name: 'search_path', value: constValue(fc.args?.[1]) ?? '', local: constValue(fc.args?.[2]) === 'true' }];
      }
      return [{ type: 'dml', kind: 'select', hasWhere: Boolean(n.whereClause) }];
    }
    default:
      return [{ type: 'other', node }];
  }
}

function exprSource(ctx: Ctx, expr: Node): string | undefined {
  // The policy expression sits inside parentheses: take the source between the first location's
  // enclosing `(` and its match.
  const first = firstLocation(expr);
  if (first === undefined) return undefined;
  const start = ctx.at(first);
  const end = elementEnd(ctx.text, start, ctx.span.end);
  return ctx.text.slice(start, end).trim();
}

function alterCmd(table: QName, c: Node, ctx: Ctx): Action {
  const sub: string = c.subtype ?? '';
  switch (sub) {
    case 'AT_AddColumn':
      return { type: 'add-column', table, column: columnDef(c.def?.ColumnDef ?? {}, ctx), ifNotExists: Boolean(c.missing_ok) };
    case 'AT_DropColumn':
      return { type: 'drop-column', table, column: c.name ?? '', ifExists: Boolean(c.missing_ok) };
    case 'AT_AlterColumnType':
      return { type: 'alter-column-type', table, column: c.name ?? '', newType: typeRef(c.def?.ColumnDef?.typeName, ctx), using: Boolean(c.def?.ColumnDef?.raw_default) };
    case 'AT_SetNotNull':
      return { type: 'set-not-null', table, column: c.name ?? '' };
    case 'AT_DropNotNull':
      return { type: 'drop-not-null', table, column: c.name ?? '' };
    case 'AT_ColumnDefault':
      return c.def ? { type: 'set-default', table, column: c.name ?? '', defaultKind: defaultKindOf(c.def) } : { type: 'drop-default', table, column: c.name ?? '' };
    case 'AT_AddConstraint': {
      const def = constraintDef(c.def?.Constraint ?? {}, ctx);
      return def ? { type: 'add-constraint', table, constraint: def } : { type: 'alter-table-other', table, subtype: sub };
    }
    case 'AT_ValidateConstraint':
      return { type: 'validate-constraint', table, name: c.name ?? '' };
    case 'AT_DropConstraint':
      return { type: 'drop-constraint', table, name: c.name ?? '', ifExists: Boolean(c.missing_ok) };
    case 'AT_EnableRowSecurity':
      return { type: 'enable-rls', table };
    case 'AT_DisableRowSecurity':
      return { type: 'disable-rls', table };
    case 'AT_ForceRowSecurity':
      return { type: 'force-rls', table };
    case 'AT_NoForceRowSecurity':
      return { type: 'no-force-rls', table };
    case 'AT_SetLogged':
      return { type: 'set-logged', table, logged: true };
    case 'AT_SetUnLogged':
      return { type: 'set-logged', table, logged: false };
    case 'AT_AttachPartition':
      return { type: 'attach-partition', table, partition: qname(c.def?.PartitionCmd?.name) };
    case 'AT_DetachPartition':
      return { type: 'detach-partition', table, partition: qname(c.def?.PartitionCmd?.name), concurrently: Boolean(c.def?.PartitionCmd?.concurrent) };
    case 'AT_ChangeOwner':
      return { type: 'set-owner', table, owner: roleNames([c.newowner])[0] ?? '' };
    default:
      return { type: 'alter-table-other', table, subtype: sub };
  }
}
