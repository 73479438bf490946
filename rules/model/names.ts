// PostgreSQL's names for objects created without one, as the server computes them (src/backend/commands/indexcmds.c
// ChooseIndexName, src/backend/catalog/pg_constraint.c ChooseConstraintName): identifiers are cut to 63 bytes.
import type { ConstraintDef } from './types';

/** NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

function charBytes(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/** UTF-8 bytes of `s` (a lone surrogate counting 3, as `for…of` yields it). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 2; i++; }
    else n += 2;
  }
  return n;
}

/** The longest prefix of `s` (whole characters) that fits in `bytes` UTF-8 bytes. */
export function clipBytes(s: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const ch of s) {
    used += charBytes(ch.codePointAt(0)!);
    if (used > bytes) break;
    end += ch.length;
  }
  return s.slice(0, end);
}

/**
 * PostgreSQL's generated object name (makeObjectName): `<table>_<cols>_<label>`, the longer of the two
 * parts shortened until the name fits in 63 bytes.
 */
export function pgObjectName(table: string, columns: readonly string[], label: string): string {
  let name1 = table;
  let name2 = columns.join('_');
  const overhead = utf8Length(label) + 1 + (name2 ? 1 : 0);
  const avail = MAX_IDENTIFIER_BYTES - overhead;
  let n1 = utf8Length(name1);
  let n2 = utf8Length(name2);
  if (n1 + n2 > avail) {
    while (n1 + n2 > avail) {
      if (n1 > n2) n1--; else n2--;
    }
    name1 = clipBytes(name1, n1);
    name2 = clipBytes(name2, n2);
  }
  return [name1, name2, label].filter(Boolean).join('_');
}

/** The name PostgreSQL gives an unnamed constraint: `t_pkey`, `t_a_b_key`, `t_a_fkey`, `t_a_check`, `t_a_b_excl`, `t_a_not_null`. */
export function defaultConstraintName(table: string, c: ConstraintDef): string {
  switch (c.kind) {
    case 'primary': return pgObjectName(table, [], 'pkey');
    case 'unique': return pgObjectName(table, c.columns, 'key');
    case 'foreign': return pgObjectName(table, c.columns, 'fkey');
    // A CHECK is named after the first column its expression reads.
    case 'check': return pgObjectName(table, (c.checkColumns ?? []).slice(0, 1), 'check');
    case 'exclude': return pgObjectName(table, c.columns, 'excl');
    case 'not-null': return pgObjectName(table, c.columns.slice(0, 1), 'not_null');
  }
}

/** The name PostgreSQL gives an unnamed index: `t_a_b_idx`, an expression element counting as `expr`. */
export function defaultIndexName(table: string, columns: string[]): string {
  return pgObjectName(table, columns.map((c) => (c.startsWith('(') ? 'expr' : c)), 'idx');
}
