// Lists kept for the whole analysis, at their size.

/**
 * A list built by push, copied at its length. V8 gives an array room for 17 elements at its first push: a column's
 * one constraint took 152 bytes instead of 24. Kept for a whole analysis, that room was about 18 MB of the
 * 20,000-table check's live heap (columns' constraints, a CREATE TABLE's columns, a table's constraints and indexes).
 */
export function sized<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

/**
 * The one empty list that lists kept for a whole analysis share when they are empty (a type's modifiers, a column's
 * inline constraints, a table's policies and grants, a finding's fixes). An empty array is 32 bytes: the
 * 20,000-table check kept about 400,000 of them, 13 MB of its live heap. Frozen, and typed read-only where it is
 * used, so a change has to build a new list.
 */
export const NONE: readonly never[] = Object.freeze([]);

/** The list, or NONE when it is empty. */
export function orNone<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? NONE : list;
}

/** One-name lists, shared while the cache is small (cleared at 4,096 names: an editor sees names come and go). */
const oneName = new Map<string, readonly string[]>();

/**
 * A list of column names as kept for the analysis: NONE when empty, and a shared frozen list for one name (a column's
 * own PRIMARY KEY, UNIQUE or REFERENCES: 60,000 lists of 56 bytes in the 20,000-table check, most of them `id`).
 */
export function nameList(names: readonly string[]): readonly string[] {
  if (names.length === 0) return NONE;
  if (names.length > 1) return names;
  let list = oneName.get(names[0]);
  if (!list) {
    if (oneName.size >= 4096) oneName.clear();
    list = Object.freeze([names[0]]);
    oneName.set(names[0], list);
  }
  return list;
}
