// Facts about expressions that rules need: how a DEFAULT behaves, which columns, relations, functions and
// settings an expression reads, whether a policy expression is always true.
import type { DefaultKind, QName } from '../model/types';
import { listNames, node, qname, str, walk, type AnyNode, type Node } from './ast';

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

export function defaultKindOf(expr: Node | undefined): DefaultKind {
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

/** A soft-delete column: `deleted_at`, `deletedAt`, `archived_on`, `removed`… */
const SOFT_DELETE_COLUMN = /^(deleted|archived|removed|discarded|trashed)(_?(at|on|date|time))?$/i;

/**
 * The predicate only keeps rows not soft-deleted: `deleted_at IS NULL`, alone or ANDed with more such tests (a partial
 * index `WHERE deleted_at IS NULL` serves every query an application makes for its live rows).
 */
export function isSoftDeleteFilter(expr: Node | undefined): boolean {
  const cols = nullTestedColumns(expr, 'IS_NULL');
  return cols !== undefined && cols.every((c) => SOFT_DELETE_COLUMN.test(c));
}

/**
 * The columns a predicate only requires to be non-null: `parent_id IS NOT NULL`, alone or ANDed with more such tests.
 * Undefined for any other predicate. An index with such a condition serves `WHERE parent_id = $1` (equality implies
 * it), which is the lookup a foreign key's parent makes.
 */
export function notNullFilterColumns(expr: Node | undefined): string[] | undefined {
  return nullTestedColumns(expr, 'IS_NOT_NULL');
}

/** The columns of a predicate made only of `column IS [NOT] NULL` tests of kind `test`, ANDed; undefined otherwise. */
function nullTestedColumns(expr: Node | undefined, test: 'IS_NULL' | 'IS_NOT_NULL'): string[] | undefined {
  const x = node(expr);
  if (x.BoolExpr) {
    if (x.BoolExpr.boolop !== 'AND_EXPR') return undefined;
    const parts = (x.BoolExpr.args ?? []).map((a) => nullTestedColumns(a, test));
    return parts.every((p): p is string[] => p !== undefined) ? [...new Set(parts.flat())] : undefined;
  }
  const ref = x.NullTest?.nulltesttype === test ? node(x.NullTest.arg).ColumnRef : undefined;
  const fields = (ref?.fields ?? []).map(str);
  return fields.length > 0 && fields[fields.length - 1] ? [fields[fields.length - 1]] : undefined;
}

/** The last field of every column reference (`t.c` → `c`), once each. */
export function columnRefs(expr: Node | undefined): string[] {
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
export function relationsRead(query: Node | undefined): QName[] {
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
export function functionsCalled(...exprs: (Node | undefined)[]): string[] {
  const out = new Set<string>();
  for (const expr of exprs) {
    walk(expr, (n) => {
      if (n.FuncCall) out.add(listNames(n.FuncCall.funcname).join('.').toLowerCase());
      // CURRENT_USER, SESSION_USER, CURRENT_ROLE: the caller's identity.
      const op = n.SQLValueFunction?.op;
      if (op === 'SVFOP_CURRENT_USER' || op === 'SVFOP_SESSION_USER' || op === 'SVFOP_CURRENT_ROLE' || op === 'SVFOP_USER') out.add(op.slice(6).toLowerCase());
    });
  }
  return [...out];
}

/** A call that reads nothing of the row, outside any subquery: its name, the functions it runs, its parser location. */
export interface RowFreeCall {
  name: string;
  runs: string[];
  location: number;
}

/**
 * The widest function calls of an expression whose arguments read no column, outside subqueries (a subquery's plan
 * decides how often it runs): `auth.uid()` in `user_id = auth.uid()`, the whole `authorize('x', auth.uid())`.
 */
export function rowFreeCalls(expr: Node | undefined): RowFreeCall[] {
  const out: RowFreeCall[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { for (const x of v) visit(x); return; }
    const n = v as AnyNode;
    if (n.SubLink) return;
    const fc = n.FuncCall;
    if (fc && typeof fc.location === 'number' && !fc.over && !readsRow(fc.args) && !readsRow(fc.agg_filter)) {
      const name = listNames(fc.funcname).join('.').toLowerCase();
      out.push({ name, runs: [...new Set([name, ...functionsCalled(...(fc.args ?? []))])], location: fc.location });
      return;
    }
    for (const x of Object.values(v)) visit(x);
  };
  visit(expr);
  return out;
}

/** Whether a tree reads a column or holds a subquery (which may read the row). */
function readsRow(tree: unknown): boolean {
  let reads = false;
  walk(tree, (n) => { if (n.ColumnRef || n.SubLink || n.ParamRef) reads = true; });
  return reads;
}

/**
 * The columns a policy expression compares for equality with the session, in its top-level AND: `user_id` in
 * `user_id = auth.uid()`, `owner` in `(SELECT auth.uid()) = owner AND bucket_id = 'x'`, `org_id` in
 * `org_id = current_setting('app.org')::uuid`. An index leading with one of them serves every query the policy filters.
 */
export function sessionKeys(expr: Node | undefined): string[] {
  const out = new Set<string>();
  const visit = (n: Node | undefined): void => {
    const a = node(n);
    if (a.BoolExpr?.boolop === 'AND_EXPR') { for (const x of a.BoolExpr.args ?? []) visit(x); return; }
    const e = a.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.length !== 1 || str(e.name[0]) !== '=') return;
    const left = columnOf(e.lexpr);
    const right = columnOf(e.rexpr);
    if (left !== undefined && sessionValue(e.rexpr)) out.add(left);
    else if (right !== undefined && sessionValue(e.lexpr)) out.add(right);
  };
  visit(expr);
  return [...out];
}

/** A column reference, cast or not (`user_id`, `t.user_id`, `user_id::text`). */
function columnOf(n: Node | undefined): string | undefined {
  let a = node(n);
  while (a.TypeCast) a = node(a.TypeCast.arg);
  const fields = a.ColumnRef?.fields;
  const last = fields?.[fields.length - 1];
  return last && node(last).String ? str(last) : undefined;
}

/** A value of the session: it calls a function (auth.uid(), current_setting) and reads no column; a subquery only as `(SELECT f())`. */
function sessionValue(n: Node | undefined): boolean {
  let calls = false;
  let rowFree = true;
  walk(n, (x) => {
    if (x.FuncCall) calls = true;
    if (x.ColumnRef || x.ParamRef) rowFree = false;
    if (x.SubLink && (x.SubLink.subLinkType !== 'EXPR_SUBLINK' || node(x.SubLink.subselect).SelectStmt?.fromClause?.length)) rowFree = false;
  });
  return calls && rowFree;
}

/** The settings an expression reads with current_setting('<name>', …). */
export function settingsRead(expr: Node | undefined): string[] {
  const out: string[] = [];
  walk(expr, (n) => {
    if (n.FuncCall && listNames(n.FuncCall.funcname).pop()?.toLowerCase() === 'current_setting') {
      const first = node(n.FuncCall.args?.[0]).A_Const?.sval?.sval;
      if (typeof first === 'string') out.push(first);
    }
  });
  return out;
}

/** `true`, `'t'::boolean`, `1 = 1`, or an OR of which one is. */
export function isConstTrue(expr: Node | undefined): boolean {
  const n = node(expr);
  const b = n.A_Const?.boolval;
  if (b !== undefined) return b.boolval === true;
  const tc = n.TypeCast;
  if (tc && /^(t|true|y|yes|on|1)$/i.test(node(tc.arg).A_Const?.sval?.sval ?? '')) return true;
  const ae = n.A_Expr;
  if (ae && ae.kind === 'AEXPR_OP' && str(ae.name?.[0]) === '=' && sameConstant(ae.lexpr, ae.rexpr)) return true;
  const bo = n.BoolExpr;
  if (bo && bo.boolop === 'OR_EXPR') return (bo.args ?? []).some(isConstTrue);
  return false;
}

function sameConstant(left: Node | undefined, right: Node | undefined): boolean {
  const l = node(left).A_Const;
  const r = node(right).A_Const;
  if (!l) return false;
  return JSON.stringify(l.ival ?? l.sval) === JSON.stringify(r?.ival ?? r?.sval);
}
