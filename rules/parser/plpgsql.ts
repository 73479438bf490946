// PL/pgSQL bodies, read with PostgreSQL's own PL/pgSQL parser (libpg-query's parsePlPgSQLSync, run by the adapter).
// A DO block runs when the migration runs: the statements it holds (written in the body, or the constant SQL of an
// EXECUTE) become EmbeddedStatements with file offsets, so the engine replays and checks them like any other. A
// function body runs later: only its EXECUTEs that build SQL from the caller's input are kept, for the SQL-injection
// rule. The PL/pgSQL parser gives each statement its line in the body and its SQL text, not its offset: the text is
// found again from the start of that line, and offsets go back through the quoting of the body (a '…' body doubles
// its quotes) and of an EXECUTE's string to the file.
import type * as pg from 'libpg-query';
import type { Action, DynamicSqlRisk, EmbeddedStatement, PlpgsqlBlock } from '../model/types';
import { firstLocation, listNames, node, type Node, type Source } from './ast';
import { replacePlaceholders, skipToken, skipTrivia } from './lexer';
import { byteMapper } from './positions';
import { mapOffsets, mapStrings } from './walk';

/** What the adapter lends (it is the module that runs the parser). Each throws on a syntax error but `statement`. */
export interface PlParser {
  /** One statement parsed and lowered, actions relative to the text; no node when it does not parse. */
  statement(sql: string): { node?: string; actions?: Action[] };
  /** The SQL parser's tree. */
  sql(text: string): pg.ParseResult;
  /** The PL/pgSQL parser's tree of a DO block or CREATE FUNCTION. */
  plpgsql(text: string): unknown;
}

type OffsetMap = (i: number) => number;

/* ---------------- the PL/pgSQL parser's JSON (it has no published types): the fields read here ---------------- */

interface PlExpr { PLpgSQL_expr?: { query?: string } }
/** One PL/pgSQL statement, under its kind (`PLpgSQL_stmt_execsql`, `PLpgSQL_stmt_dynexecute`, …). */
interface PlStmt { lineno?: number; sqlstmt?: PlExpr; query?: PlExpr; dynquery?: PlExpr; expr?: PlExpr }
interface PlFunction {
  action?: unknown;
  datums?: { PLpgSQL_var?: { refname?: string; default_val?: PlExpr } }[];
}

/* ---------------- string literals ---------------- */

const DOLLAR = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;
const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * The string literal starting at text[pos] (`$tag$…$tag$`, `'…'`, `E'…'`) whose value is `value`: where each
 * character of the value sits in `text`. Undefined when the literal there does not hold that value.
 */
function literalMap(text: string, pos: number, value: string): { map: OffsetMap; end: number } | undefined {
  const same = (s: string) => s === value || replacePlaceholders(s) === value;
  const dollar = DOLLAR.exec(text.slice(pos, pos + 64));
  if (dollar) {
    const start = pos + dollar[0].length;
    if (!same(text.slice(start, start + value.length)) || !text.startsWith(dollar[0], start + value.length)) return undefined;
    return { map: (i) => start + Math.min(Math.max(i, 0), value.length), end: start + value.length + dollar[0].length };
  }
  const escaped = (text[pos] === 'E' || text[pos] === 'e') && text[pos + 1] === "'";
  let i = escaped ? pos + 2 : pos + 1;
  if (text[i - 1] !== "'") return undefined;
  const at: number[] = [];
  let out = '';
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      if (text[i + 1] !== "'") break;
      at.push(i); out += "'"; i += 2;
    } else if (escaped && c === '\\') {
      at.push(i);
      const m = /^(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[\s\S])/.exec(text.slice(i + 1, i + 10))![0];
      const code = /^[0-7]/.test(m) ? parseInt(m, 8) : /^[xuU]./.test(m) ? parseInt(m.slice(1), 16) : undefined;
      out += code !== undefined ? String.fromCodePoint(code) : SIMPLE_ESCAPES[m] ?? m;
      i += 1 + m.length;
    } else {
      at.push(i); out += c; i++;
    }
  }
  if (text[i] !== "'" || !same(out)) return undefined;
  const close = i;
  return { map: (k) => (k < 0 ? at[0] ?? close : k < at.length ? at[k] : close), end: close + 1 };
}

/* ---------------- the body ---------------- */

interface Body {
  /** The body as PostgreSQL runs it. */
  text: string;
  /** Body offset → file offset. */
  toFile: OffsetMap;
  /** Where the body's string literal starts and ends in the file (undefined: not found, offsets point at the statement). */
  literal?: { start: number; end: number };
}

function defElem(options: Node[] | undefined, name: string): pg.DefElem | undefined {
  return (options ?? []).map((o) => node(o).DefElem).find((d) => d?.defname === name);
}

/** The body of a DO or CREATE FUNCTION: its `as` argument's value, and where it is in the file. */
function bodyOf(options: Node[] | undefined, src: Source): Body | undefined {
  const as = defElem(options, 'as');
  if (!as) return undefined;
  const arg = node(as.arg);
  const value = arg.String?.sval ?? node(arg.List?.items?.[0]).String?.sval;
  if (typeof value !== 'string') return undefined;
  // The location is the string's (DO) or the AS keyword's (CREATE FUNCTION).
  let pos = skipTrivia(src.text, src.at(as.location), src.span.end).pos;
  if (/^as$/i.test(src.text.slice(pos, skipToken(src.text, pos)))) pos = skipTrivia(src.text, skipToken(src.text, pos), src.span.end).pos;
  const lit = literalMap(src.text, pos, value);
  if (!lit) return { text: value, toFile: () => src.span.start };
  return { text: value, toFile: lit.map, literal: { start: pos, end: lit.end } };
}

function languageOf(options: Node[] | undefined, dflt: string | undefined): string | undefined {
  return (node(defElem(options, 'language')?.arg).String?.sval ?? dflt)?.toLowerCase();
}

function dollarTag(body: string): string {
  let tag = '$sqla$';
  while (body.includes(tag)) tag = `$sqla${tag.length}$`;
  return tag;
}

/** The PL/pgSQL function tree, parsing the body as written or with template placeholders filled in. */
function plTree(body: string, wrap: (body: string) => string, pl: PlParser): { fn?: PlFunction; text: string; error?: string } {
  let error: string | undefined;
  for (const text of [body, replacePlaceholders(body)]) {
    if (text === undefined) continue;
    try {
      const fn = (pl.plpgsql(wrap(text)) as { plpgsql_funcs?: { PLpgSQL_function?: PlFunction }[] } | undefined)?.plpgsql_funcs?.[0]?.PLpgSQL_function;
      return { fn, text };
    } catch (e) {
      error ??= (e as Error).message;
    }
  }
  return { text: body, error };
}

/** Finds a statement's SQL (as the PL/pgSQL parser copied it) in the body, from the start of its line. */
class Locator {
  private readonly lines: number[] = [0];
  constructor(private readonly parsed: string, private readonly body: Body) {
    for (let i = parsed.indexOf('\n'); i >= 0; i = parsed.indexOf('\n', i + 1)) this.lines.push(i + 1);
  }

  /** The body offset of `sql`, and whether the body holds exactly this text there. */
  find(sql: string, lineno: number | undefined): { at: number; exact: boolean } {
    const from = this.lines[Math.max((lineno ?? 1) - 1, 0)] ?? 0;
    const exact = this.parsed.indexOf(sql, from);
    if (exact >= 0) return { at: exact, exact: true };
    // INTO clauses are cut out of the copied text: find its first line.
    const first = sql.split('\n')[0].trim();
    const near = first ? this.parsed.indexOf(first, from) : -1;
    return { at: near >= 0 ? near : from, exact: false };
  }

  /** The text of the body at a located statement: as written (template placeholders unfilled) when it is exact. */
  source(sql: string, found: { at: number; exact: boolean }): string {
    return found.exact ? this.body.text.slice(found.at, found.at + sql.length) : sql;
  }

  toFile(found: { at: number }, length: number): OffsetMap {
    return (j) => this.body.toFile(found.at + Math.min(Math.max(j, 0), length));
  }
}

/** Walks the PL/pgSQL tree in source order. */
function visit(n: unknown, f: (kind: string, stmt: PlStmt) => void): void {
  if (n === null || typeof n !== 'object') return;
  if (Array.isArray(n)) { for (const x of n) visit(x, f); return; }
  for (const [k, v] of Object.entries(n)) {
    if (k.startsWith('PLpgSQL_stmt_')) f(k, v as PlStmt);
    visit(v, f);
  }
}

/** The SQL expression of a statement that runs dynamic SQL: EXECUTE, FOR … IN EXECUTE, RETURN QUERY EXECUTE, OPEN … FOR EXECUTE. */
function dynamicQuery(kind: string, s: PlStmt): string | undefined {
  const e = kind === 'PLpgSQL_stmt_dynexecute' || kind === 'PLpgSQL_stmt_dynfors' ? s.query : kind === 'PLpgSQL_stmt_return_query' || kind === 'PLpgSQL_stmt_open' ? s.dynquery : undefined;
  return e?.PLpgSQL_expr?.query;
}

/** An expression of PL/pgSQL as a SQL expression tree, with byte offsets mapped to offsets in `expr`. */
function parseExpr(expr: string, pl: PlParser): { node: Node; at: (byte: number) => number } | undefined {
  const sql = `SELECT ${expr}`;
  try {
    const val = node(node(pl.sql(sql).stmts?.[0]?.stmt).SelectStmt?.targetList?.[0]).ResTarget?.val;
    if (!val) return undefined;
    const bytes = byteMapper(sql, 0);
    return { node: val, at: (b) => bytes(b) - 7 };
  } catch {
    return undefined;
  }
}

/** The last name of a qualified list, lowercased: `pg_catalog.format` → `format`. */
function lastName(items: Node[] | undefined): string {
  const names = listNames(items);
  return (names[names.length - 1] ?? '').toLowerCase();
}

/* ---------------- DO blocks ---------------- */

// format(): %[position$][flags][width]type, type s, I, L or %. https://www.postgresql.org/docs/current/functions-string.html#FUNCTIONS-STRING-FORMAT
const FORMAT_SPEC = /%(?:(\d+)\$)?(-)?(\d+|\*(?:\d+\$)?)?([sIL%])/g;

interface Template { sql: string; map: OffsetMap; fillers: Map<string, string>; text: string }

/** A piece of SQL text: constant (its characters at `at(i)`), or a value nobody knows until run time (`name`: as written). */
type Part = { text: string; at: OffsetMap } | { unknown: string; kind: 'identifier' | 'literal'; at: number };

/** The SQL of the parts, each unknown filled with an identifier (or a string); offsets map back through the parts. */
function assemble(parts: Part[]): Template {
  const fillers = new Map<string, string>();
  const pieces: { from: number; length: number; at: OffsetMap }[] = [];
  let sql = '';
  let text = '';
  for (const p of parts) {
    if ('text' in p) {
      pieces.push({ from: sql.length, length: p.text.length, at: p.at });
      sql += p.text;
      text += p.text;
      continue;
    }
    const id = `zzsqlaph${fillers.size}zz`;
    fillers.set(id, p.unknown);
    const filler = p.kind === 'literal' ? `'${id}'` : id;
    // Every offset inside a filler goes to where its value is written.
    pieces.push({ from: sql.length, length: filler.length, at: () => p.at });
    sql += filler;
    text += p.unknown;
  }
  const map: OffsetMap = (j) => {
    let p = pieces[0];
    for (const x of pieces) { if (x.from <= j) p = x; else break; }
    return p ? p.at(Math.min(j - p.from, p.length)) : 0;
  };
  return { sql, map, fillers, text };
}

/** A format() template, its placeholders unknown: identifiers for %I and %s, a string for %L. */
function fillTemplate(template: string, at: OffsetMap): Template {
  const parts: Part[] = [];
  let last = 0;
  const literal = (upTo: number) => {
    const from = last;
    if (upTo > from) parts.push({ text: template.slice(from, upTo), at: (i) => at(from + i) });
  };
  for (const m of template.matchAll(FORMAT_SPEC)) {
    literal(m.index!);
    if (m[4] === '%') parts.push({ text: '%', at: () => at(m.index!) });
    else parts.push({ unknown: m[0], kind: m[4] === 'L' ? 'literal' : 'identifier', at: at(m.index!) });
    last = m.index! + m[0].length;
  }
  literal(template.length);
  return assemble(parts);
}

/** Every string of a value with the fillers put back as what they stand for; `changed` collects those strings. */
function unfill<T>(value: T, fillers: Map<string, string>, changed: Set<string>): T {
  if (!fillers.size) return value;
  return mapStrings(value, (v) => {
    if (!v.includes('zzsqlaph')) return v;
    const out = v.replace(/zzsqlaph\d+zz/g, (f) => fillers.get(f) ?? f);
    changed.add(out);
    return out;
  });
}

function embedded(sql: string, toFile: OffsetMap, dynamic: boolean, pl: PlParser, text = sql, fillers?: Map<string, string>): EmbeddedStatement {
  const lead = sql.length - sql.trimStart().length;
  const span = { start: toFile(lead), end: toFile(sql.trimEnd().length) };
  const r = pl.statement(sql);
  // The names that hold a filler, as they read once it is put back: objects nobody knows.
  const unknown = new Set<string>();
  const actions = r.node ? mapOffsets(unfill(r.actions ?? [], fillers ?? new Map(), unknown), toFile) : [];
  return { span, text: text.trim(), node: r.node ?? 'SyntaxError', actions, dynamic, ...(unknown.size ? { unknown: [...unknown] } : {}) };
}

/** The pieces of a `||` chain, left to right. */
function concatenated(n: Node | undefined): (Node | undefined)[] {
  const e = node(n).A_Expr;
  if (e?.kind === 'AEXPR_OP' && e.name?.length === 1 && node(e.name[0]).String?.sval === '||') return [...concatenated(e.lexpr), ...concatenated(e.rexpr)];
  return [n];
}

/** How a run-time value is named where its filler stands: `t`, `r.tablename`, `quote_ident(t)`. */
function valueName(n: Node | undefined): string {
  const x = node(n);
  if (x.ColumnRef) return (x.ColumnRef.fields ?? []).map((f) => node(f).String?.sval ?? '*').join('.');
  if (x.ParamRef) return `$${x.ParamRef.number}`;
  if (x.FuncCall) return `${lastName(x.FuncCall.funcname)}(${(x.FuncCall.args ?? []).map(valueName).join(', ')})`;
  if (x.TypeCast) return valueName(x.TypeCast.arg);
  return '?';
}

/**
 * The SQL an EXECUTE runs, when its text is known but for some names: a constant string, format() of a constant
 * template, or constant strings joined by `||` with values (each value an unknown name).
 */
function executedSql(expr: string, toFile: OffsetMap, pl: PlParser): EmbeddedStatement | undefined {
  const parsed = parseExpr(expr, pl);
  if (!parsed) return undefined;
  const constant = (n: Node | undefined): Part | undefined => {
    const c = node(n).A_Const;
    const value = c?.sval?.sval;
    if (typeof value !== 'string') return undefined;
    const lit = literalMap(expr, parsed.at(c!.location ?? 0), value);
    const at = lit ? lit.map : () => parsed.at(c!.location ?? 0);
    return { text: value, at: (i) => toFile(at(i)) };
  };
  const fc = node(parsed.node).FuncCall;
  if (fc && lastName(fc.funcname) === 'format') {
    const template = constant(fc.args?.[0]);
    if (!template || !('text' in template)) return undefined;
    const t = fillTemplate(template.text, template.at);
    return embedded(t.sql, t.map, true, pl, t.text, t.fillers);
  }
  const pieces = concatenated(parsed.node);
  const parts = pieces.map((p) => constant(p) ?? { unknown: valueName(p), kind: 'identifier' as const, at: toFile(parsed.at(firstLocation(p) ?? 7)) });
  if (!parts.some((p) => 'text' in p)) return undefined;
  const t = assemble(parts);
  return embedded(t.sql, t.map, true, pl, t.text, t.fillers);
}

/** The DO statement: what its body runs at migration time. */
export function doBlockAction(n: pg.DoStmt, src: Source, pl: PlParser): Action {
  const language = languageOf(n.args, 'plpgsql') ?? 'plpgsql';
  const block: PlpgsqlBlock = { language, statements: [], unanalysed: [] };
  const body = language === 'plpgsql' ? bodyOf(n.args, src) : undefined;
  if (!body) return { type: 'do-block', block };
  const tree = plTree(body.text, (b) => { const tag = dollarTag(b); return `DO ${tag}${b}${tag}`; }, pl);
  if (!tree.fn) {
    block.error = tree.error ?? 'no PL/pgSQL function';
    return { type: 'do-block', block };
  }
  const where = new Locator(tree.text, body);
  visit(tree.fn.action, (kind, s) => {
    if (kind === 'PLpgSQL_stmt_execsql') {
      const sql = s.sqlstmt?.PLpgSQL_expr?.query;
      if (!sql) return;
      const found = where.find(sql, s.lineno);
      const source = where.source(sql, found);
      block.statements.push(embedded(source, where.toFile(found, source.length), false, pl));
      return;
    }
    const expr = dynamicQuery(kind, s);
    if (expr === undefined) return;
    const found = where.find(expr, s.lineno);
    const source = where.source(expr, found);
    const toFile = where.toFile(found, source.length);
    const stmt = executedSql(source, toFile, pl) ?? (source !== expr ? executedSql(expr, toFile, pl) : undefined);
    if (stmt && stmt.node !== 'SyntaxError') block.statements.push(stmt);
    else block.unanalysed.push({ start: toFile(0), end: toFile(source.trimEnd().length) });
  });
  return { type: 'do-block', block };
}

/* ---------------- functions: SQL injection ---------------- */

// Types whose text form cannot carry SQL: numbers, booleans, dates, uuids, network addresses, and the reg* types,
// whose output quotes identifiers (`format('%s', t::regclass)` is safe).
const SAFE_TYPES = new Set([
  'int2', 'int4', 'int8', 'smallint', 'integer', 'int', 'bigint', 'numeric', 'decimal', 'real', 'float4', 'float8',
  'double precision', 'bool', 'boolean', 'uuid', 'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval',
  'oid', 'regclass', 'regproc', 'regprocedure', 'regtype', 'regnamespace', 'regrole', 'regoper', 'regconfig',
  'inet', 'cidr', 'macaddr', 'money', 'serial', 'bigserial', 'smallserial',
]);
const SANITIZERS = new Set(['quote_ident', 'quote_literal', 'quote_nullable']);
/** Functions whose result carries their text arguments through. */
const PASS_THROUGH = new Set([
  'concat', 'concat_ws', 'lower', 'upper', 'initcap', 'trim', 'btrim', 'ltrim', 'rtrim', 'replace', 'substr',
  'substring', 'left', 'right', 'lpad', 'rpad', 'repeat', 'reverse', 'split_part', 'translate', 'regexp_replace',
  'coalesce', 'nullif', 'greatest', 'least', 'string_agg', 'array_to_string', 'unnest', 'to_char', 'text',
]);

function safeType(tn: pg.TypeName | undefined): boolean {
  return !tn?.arrayBounds?.length && !tn?.pct_type && SAFE_TYPES.has(lastName(tn?.names));
}

interface Taint {
  /** Tainted names (parameters, variables, `new` / `old`) → the source they come from and how. */
  names: Map<string, { source: string; via?: string; keyword?: boolean }>;
  /** `$n` → parameter. */
  positional: Map<number, string>;
}

/** The source of tainted text in an expression, and how it gets into the result; undefined when the result is safe. */
function tainted(value: unknown, t: Taint): { source: string; via: string; keyword?: boolean } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) { for (const x of value) { const r = tainted(x, t); if (r) return r; } return undefined; }
  const n = value as Node;
  const x = node(n);
  if (x.ColumnRef) {
    const fields = (x.ColumnRef.fields ?? []).map((f) => (node(f).String?.sval ?? '').toLowerCase());
    for (const k of [fields[0], fields.slice(-1)[0]]) {
      const hit = k !== undefined ? t.names.get(k) : undefined;
      if (hit) return { source: k === 'new' || k === 'old' ? fields.join('.') : hit.source, via: hit.via ?? '', ...(hit.keyword ? { keyword: true } : {}) };
    }
    return undefined;
  }
  if (x.ParamRef) {
    const p = t.positional.get(x.ParamRef.number ?? 0);
    return p ? { source: `$${x.ParamRef.number}`, via: t.names.get(p)?.via ?? '' } : undefined;
  }
  if (x.A_Const || x.BoolExpr || x.NullTest || x.BooleanTest || x.SubLink || x.SQLValueFunction) return undefined;
  if (x.TypeCast) return safeType(x.TypeCast.typeName) ? undefined : tainted(x.TypeCast.arg, t);
  if (x.A_Expr) {
    const op = (x.A_Expr.name ?? []).map((o) => node(o).String?.sval).join('.');
    if (x.A_Expr.kind !== 'AEXPR_OP' || !['||', '->>', '#>>', '->', '#>'].includes(op)) return undefined;
    const r = tainted(x.A_Expr.lexpr, t) ?? tainted(x.A_Expr.rexpr, t);
    return r && op === '||' ? { ...r, via: r.via || 'string concatenation' } : r;
  }
  if (x.FuncCall) {
    const name = lastName(x.FuncCall.funcname);
    const args = x.FuncCall.args ?? [];
    if (SANITIZERS.has(name)) return undefined;
    if (name === 'format') {
      const template = node(args[0]).A_Const?.sval?.sval;
      if (typeof template !== 'string') return tainted(args, t);
      // Which argument each %s takes: positions count from 1 after the template; %I and %L quote theirs.
      let next = 1;
      for (const m of template.matchAll(FORMAT_SPEC)) {
        if (m[4] === '%') continue;
        if (m[3]?.startsWith('*')) next++;
        const arg = m[1] ? Number(m[1]) : next;
        next = arg + 1;
        if (m[4] !== 's') continue;
        const r = tainted(args[arg], t);
        if (r) return { ...r, via: r.via || 'format() with %s', ...(keywordSlot(template, m.index) ? { keyword: true } : {}) };
      }
      return undefined;
    }
    const r = PASS_THROUGH.has(name) ? tainted(args, t) : undefined;
    return r && { source: r.source, via: r.via || `${name}()` };
  }
  for (const v of Object.values(value)) {
    const r = tainted(v, t);
    if (r) return r;
  }
  return undefined;
}

/**
 * The placeholder at `at` stands where ORDER BY takes a direction, after a sort expression (`ORDER BY %I %s`): a
 * keyword goes there, which neither %I (a quoted name) nor %L (a string) can be.
 */
function keywordSlot(template: string, at: number): boolean {
  const m = /\border\s+by\s([\s\S]*)$/i.exec(template.slice(0, at));
  return m !== undefined && m !== null && (m[1].split(',').pop() ?? '').trim() !== '';
}

/** The right-hand side of a PL/pgSQL assignment (`q := …`, `q = …`) and its target. */
function assignment(query: string): { target: string; expr: string } | undefined {
  const m = /^\s*("?[A-Za-z_][\w$]*"?)(?:\.[\w$"]+)*(?:\[[^\]]*\])?\s*:?=\s*/.exec(query);
  return m ? { target: m[1].replace(/"/g, '').toLowerCase(), expr: query.slice(m[0].length) } : undefined;
}

/**
 * The EXECUTEs of a PL/pgSQL function body that put a parameter (or, in a trigger function, a NEW / OLD field) into
 * SQL text unquoted: through format()'s %s, string concatenation, or a variable built that way.
 */
export function functionInjections(n: pg.CreateFunctionStmt, src: Source, pl: PlParser): DynamicSqlRisk[] | undefined {
  if (languageOf(n.options, undefined) !== 'plpgsql') return undefined;
  const body = bodyOf(n.options, src);
  if (!body?.literal) return undefined;
  // Only EXECUTE runs SQL text, and only a parameter (or NEW / OLD) can taint it: without both, there is nothing to
  // find, and the body need not be parsed (most functions of a schema).
  if (!/execute/i.test(body.text)) return undefined;
  const taint: Taint = { names: new Map(), positional: new Map() };
  let position = 0;
  for (const p of n.parameters ?? []) {
    const fp = node(p).FunctionParameter;
    if (!fp || fp.mode === 'FUNC_PARAM_OUT' || fp.mode === 'FUNC_PARAM_TABLE') continue;
    position++;
    const name = (fp.name ?? `$${position}`).toLowerCase();
    if (safeType(fp.argType)) continue;
    taint.names.set(name, { source: name });
    taint.positional.set(position, name);
  }
  if (lastName(n.returnType?.names) === 'trigger') for (const r of ['new', 'old']) taint.names.set(r, { source: r });
  if (!taint.names.size) return undefined;

  const header = src.text.slice(src.span.start, body.literal.start);
  const trailer = src.text.slice(body.literal.end, src.span.end);
  const fill = (s: string) => replacePlaceholders(s) ?? s;
  const tree = plTree(body.text, (b) => { const tag = dollarTag(b); return `${fill(header)}${tag}${b}${tag}${fill(trailer)}`; }, pl);
  if (!tree.fn) return undefined;

  // Variables assigned from tainted text are tainted, until nothing changes (the order of the body aside).
  const assignments: { target: string; node: Node }[] = [];
  for (const d of tree.fn.datums ?? []) {
    const v = d.PLpgSQL_var;
    const expr = v?.default_val?.PLpgSQL_expr?.query;
    const parsed = v?.refname && expr ? parseExpr(expr, pl) : undefined;
    if (parsed) assignments.push({ target: v!.refname!.toLowerCase(), node: parsed.node });
  }
  visit(tree.fn.action, (kind, s) => {
    const a = kind === 'PLpgSQL_stmt_assign' ? assignment(s.expr?.PLpgSQL_expr?.query ?? '') : undefined;
    const parsed = a ? parseExpr(a.expr, pl) : undefined;
    if (a && parsed) assignments.push({ target: a.target, node: parsed.node });
  });
  for (let changed = true; changed;) {
    changed = false;
    for (const a of assignments) {
      if (taint.names.has(a.target)) continue;
      const r = tainted(a.node, taint);
      if (r) { taint.names.set(a.target, { source: r.source, via: `the variable ${a.target}, built by ${r.via || 'assignment'}`, ...(r.keyword ? { keyword: true } : {}) }); changed = true; }
    }
  }

  const where = new Locator(tree.text, body);
  const risks: DynamicSqlRisk[] = [];
  visit(tree.fn.action, (kind, s) => {
    const expr = dynamicQuery(kind, s);
    const parsed = expr !== undefined ? parseExpr(expr, pl) : undefined;
    const r = parsed ? tainted(parsed.node, taint) : undefined;
    if (!r || expr === undefined) return;
    const found = where.find(expr, s.lineno);
    const toFile = where.toFile(found, expr.length);
    risks.push({ span: { start: toFile(0), end: toFile(expr.trimEnd().length) }, source: r.source, via: r.via || 'as the whole statement', ...(r.keyword ? { keyword: true } : {}) });
  });
  return risks;
}
