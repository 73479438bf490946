// RuleTester: table-driven rule tests in the ESLint style. Every fix is applied back to front, the result
// is parsed and linted again, and the finding must be gone with no new syntax error.
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser, LineIndex } from '../parser/adapter';
import { analyzeSet, type SetResult } from '../engine/run';
import { allRules } from '../engine/registry';
import { defaultConfig, type ResolvedConfig } from '../engine/config';
import { applyFixEdits } from '../engine/edits';
import type { Finding, Rule } from '../engine/types';
import { orderMigrations } from '../engine/migrations';

/** One SQL text (a single migration file) or several files of one migration set (path → text). */
export type CaseSql = string | Record<string, string>;

export interface ExpectedError {
  /** 1-based. */
  line?: number;
  column?: number;
  /** The file of a multi-file case. */
  file?: string;
  message?: RegExp;
}

export interface ValidCase {
  sql: CaseSql;
  config?: Partial<ResolvedConfig>;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
  /** Expected text of the (first) file after applying the preferred fix of the first finding. */
  output?: string;
  /** Expected new files created by that fix (path → text, or a RegExp the text must match). */
  outputFiles?: Record<string, string | RegExp>;
}

export interface RuleCases {
  valid: (string | ValidCase)[];
  invalid: InvalidCase[];
}

export const DEFAULT_CASE_FILE = 'migrations/20240101000000_case.sql';

export function caseFiles(sql: CaseSql): Record<string, string> {
  return typeof sql === 'string' ? { [DEFAULT_CASE_FILE]: sql } : sql;
}

export function runCase(files: Record<string, string>, config?: Partial<ResolvedConfig>): SetResult {
  const ordered = orderMigrations(Object.keys(files));
  return analyzeSet(
    { id: 'case', files: ordered.map((f) => ({ path: f.path, text: files[f.path], replayed: f.replayed })) },
    { config: { ...defaultConfig(), ...config }, rules: allRules },
  );
}

export function findingPosition(files: Record<string, string>, f: { file: string; start: number }): { line: number; column: number } {
  const p = new LineIndex(files[f.file] ?? '').position(f.start);
  return { line: p.line + 1, column: p.column + 1 };
}

function title(sql: CaseSql): string {
  const text = typeof sql === 'string' ? sql : Object.entries(sql).map(([p, t]) => `${p}: ${t}`).join(' | ');
  return text.replace(/\s+/g, ' ').trim().slice(0, 140);
}

const registered = new Set<string>();
/** All tables seen, for tests that execute fixes on a real database (test/pg). */
export const registeredCases = new Map<string, RuleCases>();

export function ruleTester(rule: Rule, cases: RuleCases): void {
  registeredCases.set(rule.id, cases);
  if (registered.has(rule.id) || typeof describe !== 'function') return;
  registered.add(rule.id);
  describe(`rule ${rule.id}`, () => {
    before(() => initParser());
    for (const v of cases.valid) {
      const c = typeof v === 'string' ? { sql: v } : v;
      it(`valid: ${title(c.sql)}`, () => {
        const result = runCase(caseFiles(c.sql), c.config);
        const mine = result.findings.filter((f) => f.rule === rule.id);
        assert.deepEqual(mine.map((f) => f.message), [], 'expected no finding');
        assert.deepEqual(result.internalErrors, []);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${title(c.sql)}`, () => checkInvalid(rule, c));
    }
  });
}

export function checkInvalid(rule: Rule, c: InvalidCase): void {
  const files = caseFiles(c.sql);
  const result = runCase(files, c.config);
  assert.deepEqual(result.internalErrors, []);
  const mine = result.findings.filter((f) => f.rule === rule.id);
  assert.equal(mine.length, c.errors.length, `expected ${c.errors.length} finding(s), got: ${JSON.stringify(mine.map((f) => [f.file, findingPosition(files, f), f.message]))}`);
  c.errors.forEach((e, i) => {
    const f = mine[i];
    const pos = findingPosition(files, f);
    if (e.file !== undefined) assert.equal(f.file, e.file);
    if (e.line !== undefined) assert.equal(pos.line, e.line, `line of finding ${i}: ${f.message}`);
    if (e.column !== undefined) assert.equal(pos.column, e.column, `column of finding ${i}`);
    if (e.message) assert.match(f.message, e.message);
  });
  const syntaxBefore = result.findings.filter((f) => f.rule === 'syntax-error').length;
  for (const f of mine) {
    for (const fix of f.fixes) {
      const fixed = applyFixEdits(files, f.file, fix.edits);
      const again = runCase(fixed, c.config);
      const remaining = again.findings.filter((x) => x.rule === rule.id);
      assert.ok(remaining.length < mine.length, `fix "${fix.title}" did not remove the finding:\n${Object.entries(fixed).map(([p, t]) => `--- ${p}\n${t}`).join('\n')}\nstill: ${remaining.map((x) => x.message).join(' | ')}`);
      const syntaxAfter = again.findings.filter((x) => x.rule === 'syntax-error');
      assert.equal(syntaxAfter.length, syntaxBefore, `fix "${fix.title}" introduced a syntax error: ${syntaxAfter.map((x) => x.message).join(' | ')}\n${Object.values(fixed).join('\n---\n')}`);
      // A fix must not trade one finding for another: no rule may find more after it than before.
      const added = newFindings(result.findings, again.findings);
      assert.deepEqual(added, [], `fix "${fix.title}" of ${rule.id} adds findings:\n${added.join('\n')}\n${Object.entries(fixed).map(([p, t]) => `--- ${p}\n${t}`).join('\n')}`);
    }
  }
  if (c.output !== undefined || c.outputFiles) {
    const first = mine[0];
    assert.ok(first && first.fixes.length > 0, 'expected a fix');
    const fixed = applyFixEdits(files, first.file, first.fixes[0].edits);
    if (c.output !== undefined) assert.equal(fixed[first.file], c.output);
    for (const [p, expected] of Object.entries(c.outputFiles ?? {})) {
      assert.ok(fixed[p] !== undefined, `expected the fix to create ${p}; files: ${Object.keys(fixed).join(', ')}`);
      if (typeof expected === 'string') assert.equal(fixed[p], expected);
      else assert.match(fixed[p], expected);
    }
  }
}

/** Findings of `after` beyond what `before` had, counted per rule and file (messages may quote shifted lines). */
export function newFindings(before: readonly Finding[], after: readonly Finding[]): string[] {
  const count = new Map<string, number>();
  for (const f of before) count.set(`${f.rule} ${f.file}`, (count.get(`${f.rule} ${f.file}`) ?? 0) + 1);
  const out: string[] = [];
  for (const f of after) {
    const key = `${f.rule} ${f.file}`;
    const n = count.get(key) ?? 0;
    if (n > 0) count.set(key, n - 1);
    else out.push(`${f.rule} in ${f.file}: ${f.message}`);
  }
  return out;
}

export type { Finding };
