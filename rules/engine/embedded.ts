// The statements DO blocks run at migration time, as Statements of their file: the engine replays them into the
// model and runs the statement rules on them, between the DO statement and the next one (rules/parser/plpgsql.ts
// found them). Objects a block creates count as created whether or not its IF takes that branch.
import { LineIndex } from '../parser/adapter';
import type { Action, Statement } from '../model/types';

const cache = new WeakMap<Statement, Statement[]>();

/** The statements the DO blocks of `stmt` run, in order (nested DO blocks flattened); empty for other statements. */
export function embeddedStatements(stmt: Statement, text: string, lines: () => LineIndex): Statement[] {
  let out = cache.get(stmt);
  if (out) return out;
  out = [];
  for (const a of stmt.actions) {
    if (a.type !== 'do-block') continue;
    for (const e of a.block.statements) {
      const pos = lines().position(e.span.start);
      const inner: Statement = {
        index: stmt.index, file: stmt.file, span: e.span, line: pos.line, column: pos.column, text: e.text,
        node: e.node, actions: e.actions, ignores: stmt.ignores,
        embedded: { parent: stmt.embedded?.parent ?? stmt, dynamic: e.dynamic, ...(e.unknown ? { unknown: e.unknown } : {}) },
      };
      out.push(inner, ...embeddedStatements(inner, text, lines));
    }
  }
  cache.set(stmt, out);
  return out;
}

/** Lazily built line index of a file, for the positions of embedded statements. */
export function lazyLines(text: string): () => LineIndex {
  let idx: LineIndex | undefined;
  return () => (idx ??= new LineIndex(text));
}

/** The action names an object by a format() placeholder: nobody knows which object, so the model does not take it. */
export function namesUnknown(a: Action, s: Statement): boolean {
  const unknown = s.embedded?.unknown;
  if (!unknown?.length) return false;
  const has = (v: unknown): boolean => {
    if (typeof v === 'string') return unknown.includes(v);
    if (Array.isArray(v)) return v.some(has);
    return v !== null && typeof v === 'object' && Object.values(v).some(has);
  };
  return has(a);
}

/** The actions of a statement the model replays (the body of a DO block is replayed as its own statements). */
export function modelActions(s: Statement): Action[] {
  return s.actions.filter((a) => a.type !== 'do-block' && !namesUnknown(a, s));
}
