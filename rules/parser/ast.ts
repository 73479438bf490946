// Typed access to libpg-query's AST, with the parser's own types (@pgsql/types, re-exported by libpg-query).
// A node is an object with one key naming its type (`{ RangeVar: { relname: 't' } }`); `AnyNode` lets code read
// `n.RangeVar?.relname` without a type guard per key, and still checks every field name and enum value.
import type { Node, RangeVar, RoleSpec } from 'libpg-query';
import type { QName, Span } from '../model/types';
import { elementEnd } from './lexer';

export type { Node } from 'libpg-query';

type KeysOfUnion<T> = T extends unknown ? keyof T : never;
/** The type names of nodes: `CreateStmt`, `RangeVar`, `A_Const`, … */
export type NodeTag = KeysOfUnion<Node>;
/** The body of a node of type K. */
export type NodeOf<K extends NodeTag> = Extract<Node, Record<K, unknown>>[K];
/** A node seen through every key it might have. */
export type AnyNode = { [K in NodeTag]?: NodeOf<K> };

/** A node (or nothing) as an AnyNode: `node(x).String?.sval`. */
export function node(n: Node | undefined): AnyNode {
  return n ?? {};
}

/** The type name of a node (`Unknown` for an empty one). */
export function tagOf(n: Node): string {
  return Object.keys(n)[0] ?? 'Unknown';
}

/** An object met while walking a tree: a node wrapper or a node body. */
export type Visited = AnyNode & { location?: unknown; [key: string]: unknown };

/** Calls `visit` on every object of a tree (node wrappers and their bodies alike), depth first. */
export function walk(n: unknown, visit: (n: Visited) => void): void {
  if (n === null || typeof n !== 'object') return;
  if (Array.isArray(n)) {
    for (const x of n) walk(x, visit);
    return;
  }
  visit(n as Visited);
  for (const v of Object.values(n)) {
    if (v !== null && typeof v === 'object') walk(v, visit);
  }
}

export function str(n: Node | undefined): string {
  return node(n).String?.sval ?? '';
}

export function listNames(items: Node[] | undefined): string[] {
  return (items ?? []).map(str);
}

export function qname(rv: RangeVar | undefined): QName {
  return { schema: rv?.schemaname || undefined, name: rv?.relname ?? '' };
}

/** A name written as a list of identifiers (`schema.name` or `name`). */
export function qnameFromNames(names: string[]): QName {
  return names.length > 1 ? { schema: names[names.length - 2], name: names[names.length - 1] } : { name: names[0] ?? '' };
}

export function qnameFromList(items: Node[] | undefined): QName {
  return qnameFromNames(listNames(items));
}

export function roleName(rs: RoleSpec | undefined): string {
  switch (rs?.roletype) {
    case 'ROLESPEC_PUBLIC': return 'public';
    case 'ROLESPEC_CURRENT_USER': return 'current_user';
    case 'ROLESPEC_SESSION_USER': return 'session_user';
    case 'ROLESPEC_CURRENT_ROLE': return 'current_role';
    default: return rs?.rolename ?? '';
  }
}

export function roleNames(roles: Node[] | undefined): string[] {
  return (roles ?? []).map((r) => roleName(node(r).RoleSpec));
}

/** A constant as text (`'x'`, `1`, `1.5`, `true`); undefined for anything else. */
export function constValue(n: Node | undefined): string | undefined {
  const c = node(n).A_Const;
  if (!c) return undefined;
  if (c.sval) return c.sval.sval;
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval;
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return undefined;
}

/** The smallest parser location inside a tree. */
export function firstLocation(n: unknown): number | undefined {
  let best: number | undefined;
  walk(n, (x) => {
    if (typeof x.location === 'number' && x.location >= 0 && (best === undefined || x.location < best)) best = x.location;
  });
  return best;
}

/** The text a statement's AST came from: parser locations (bytes) become file offsets (UTF-16) through `loc`. */
export class Source {
  constructor(readonly text: string, readonly loc: (byte: number) => number, readonly span: Span) {}
  /** The file offset of a parser location; the statement's start when the parser gave none. */
  at(b: number | undefined): number {
    return b === undefined || b < 0 ? this.span.start : this.loc(b);
  }
  /** From a parser location to the end of its list element (the next top-level `,` or `)`). */
  element(b: number | undefined): Span {
    const start = this.at(b);
    return { start, end: elementEnd(this.text, start, this.span.end) };
  }
  /** The source of an expression, from its first location to the end of its element (best effort). */
  expression(expr: Node | undefined): string | undefined {
    const first = firstLocation(expr);
    if (first === undefined) return undefined;
    const { start, end } = this.element(first);
    return this.text.slice(start, end);
  }
}
