/** Links "does not exist" errors to the earlier failed statement that should have created the object. */
import type { TraceEntry } from './types';

/** SQLSTATEs of a missing object: undefined_table, undefined_object, undefined_function, undefined_column, invalid_schema_name. */
const MISSING = new Set(['42P01', '42704', '42883', '42703', '3F000']);

/** The missing object's unqualified name, from PostgreSQL's message text. */
export function missingName(message: string): string | undefined {
  const m = /^(?:relation|type|schema|role|language|column|table|index|sequence|view|constraint|extension|operator class|access method)\s+"?([^"\s(]+)"?.*does not exist/.exec(message) ??
    /could not find a function named "([^"]+)"/.exec(message) ??
    /^function ([^\s(]+)\(.*does not exist/.exec(message);
  if (!m) return undefined;
  const parts = m[1].split('.');
  return parts[parts.length - 1];
}

export function linkConsequences(entries: TraceEntry[]): void {
  entries.forEach((e, i) => {
    if (!e.error?.code || !MISSING.has(e.error.code)) return;
    const name = missingName(e.error.message);
    if (!name) return;
    const word = new RegExp(`(^|[^\\w$])"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?($|[^\\w$])`, 'i');
    for (let j = i - 1; j >= 0; j--) {
      const prior = entries[j];
      if (!prior.error || !word.test(prior.sql)) continue;
      e.error.consequenceOf = prior.error.consequenceOf ?? { file: prior.file, line: prior.line };
      return;
    }
  });
}
