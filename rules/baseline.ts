// Finding fingerprints that survive line shifts and edits elsewhere in the file: rule + file + the statement's text
// (whitespace collapsed) + which occurrence of that triple it is. The baseline file (`.sqlarchitect-baseline.json`),
// the GitLab report's fingerprints and the editor's hints all use them. Pure: the caller reads and writes files.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { statementContaining, type SetResult } from './engine/run';
import type { Finding } from './engine/types';
import type { RelPath } from './output/types';

export interface BaselineEntry {
  rule: string;
  /** Relative to the baseline file's folder (POSIX separators). */
  file: string;
  /** Hash of the statement text, whitespace collapsed. */
  fingerprint: string;
  /** 0 for the first finding of this rule on this statement text in this file, 1 for the next, … */
  occurrence: number;
  /** The start of the statement, for people reading the file; not compared. */
  statement?: string;
}

export interface Baseline {
  version: 1;
  findings: BaselineEntry[];
}

export const BASELINE_FILE = '.sqlarchitect-baseline.json';

function hash(s: string): string {
  return bytesToHex(sha256(utf8ToBytes(s))).slice(0, 32);
}

function normalize(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

const keyOf = (e: Pick<BaselineEntry, 'rule' | 'file' | 'fingerprint' | 'occurrence'>) => `${e.rule}\u0000${e.file}\u0000${e.fingerprint}\u0000${e.occurrence}`;

/** The baseline entry of every finding of `sets` (files named by `rel`). */
export function fingerprintFindings(sets: readonly SetResult[], rel: RelPath): Map<Finding, BaselineEntry> {
  const out = new Map<Finding, BaselineEntry>();
  for (const set of sets) {
    const texts = new Map(set.files.map((f) => [f.path, f.text]));
    const keyed = set.findings.map((f) => {
      const text = statementContaining(set.files, f.file, f.start)?.text ?? texts.get(f.file)?.slice(f.start, f.end) ?? '';
      const sql = normalize(text);
      return { f, sql, entry: { rule: f.rule, file: rel(f.file), fingerprint: hash(sql), occurrence: 0 } };
    });
    keyed.sort((a, b) => (a.entry.file < b.entry.file ? -1 : a.entry.file > b.entry.file ? 1 : 0) || a.f.start - b.f.start || a.f.end - b.f.end);
    const seen = new Map<string, number>();
    for (const k of keyed) {
      const group = keyOf({ ...k.entry, occurrence: 0 });
      const n = seen.get(group) ?? 0;
      seen.set(group, n + 1);
      out.set(k.f, { ...k.entry, occurrence: n, statement: k.sql.length > 80 ? `${k.sql.slice(0, 79)}…` : k.sql });
    }
  }
  return out;
}

/** A stable fingerprint of one finding (for the GitLab report): its baseline key, hashed. */
export function findingFingerprints(sets: readonly SetResult[], rel: RelPath): Map<Finding, string> {
  return new Map([...fingerprintFindings(sets, rel)].map(([f, e]) => [f, hash(keyOf(e))]));
}

/** Baseline entries for the findings of `sets`, merged with the entries of `keep` for files not analysed now. */
export function createBaseline(sets: readonly SetResult[], rel: RelPath, keep: readonly BaselineEntry[] = []): Baseline {
  const analysed = new Set(sets.flatMap((s) => s.files.map((f) => rel(f.path))));
  const entries = [...keep.filter((e) => !analysed.has(e.file)), ...fingerprintFindings(sets, rel).values()];
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
    || (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0) || a.occurrence - b.occurrence);
  return { version: 1, findings: entries };
}

export interface BaselineMatch {
  /** Findings the baseline accepts. */
  baselined: Set<Finding>;
  /** Entries of analysed files that no longer occur: the baseline can shrink. */
  stale: BaselineEntry[];
}

/** `scope`: the files whose findings are reported now (default: every analysed file); only their entries can be stale. */
export function matchBaseline(sets: readonly SetResult[], baseline: Baseline, rel: RelPath, scope?: ReadonlySet<string>): BaselineMatch {
  const byKey = new Map(baseline.findings.map((e) => [keyOf(e), e]));
  const matched = new Set<string>();
  const baselined = new Set<Finding>();
  for (const [f, e] of fingerprintFindings(sets, rel)) {
    const k = keyOf(e);
    if (byKey.has(k)) { baselined.add(f); matched.add(k); }
  }
  const analysed = new Set(sets.flatMap((s) => s.files.map((f) => f.path)).filter((f) => !scope || scope.has(f)).map(rel));
  const stale = baseline.findings.filter((e) => analysed.has(e.file) && !matched.has(keyOf(e)));
  return { baselined, stale };
}

/** One entry per line, sorted: small diffs when the baseline shrinks. */
export function serializeBaseline(b: Baseline): string {
  const lines = b.findings.map((e) => `    ${JSON.stringify({ rule: e.rule, file: e.file, fingerprint: e.fingerprint, occurrence: e.occurrence, ...(e.statement !== undefined ? { statement: e.statement } : {}) })}`);
  return `{\n  "version": 1,\n  "findings": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

/** Parses a baseline file's text; throws an Error whose message says what is wrong. */
export function parseBaseline(text: string): Baseline {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid JSON (${(e as Error).message})`);
  }
  const o = json as { version?: unknown; findings?: unknown };
  if (typeof o !== 'object' || o === null || o.version !== 1 || !Array.isArray(o.findings)) {
    throw new Error('not a SQL Architect baseline (expected {"version": 1, "findings": [...]})');
  }
  const findings: BaselineEntry[] = o.findings.map((x: unknown, i: number) => {
    const e = x as Partial<BaselineEntry>;
    if (typeof e !== 'object' || e === null || typeof e.rule !== 'string' || typeof e.file !== 'string' || typeof e.fingerprint !== 'string' || !Number.isInteger(e.occurrence)) {
      throw new Error(`findings[${i}] needs rule, file, fingerprint (strings) and occurrence (an integer)`);
    }
    return { rule: e.rule, file: e.file, fingerprint: e.fingerprint, occurrence: e.occurrence as number, ...(typeof e.statement === 'string' ? { statement: e.statement } : {}) };
  });
  return { version: 1, findings };
}
