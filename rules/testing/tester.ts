// RuleTester: table-driven rule tests in the ESLint style. An expected error names the message id (and the data
// that fills it); every fix is applied back to front, the result is parsed and linted again, and the finding must
// be gone with no new syntax error and no new finding of any rule.
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser, LineIndex } from '../parser/adapter';
import { analyzeSet, type SetResult } from '../engine/run';
import { allRules } from '../engine/registry';
import { defaultConfig, type ResolvedConfig } from '../engine/config';
import { applyFixEdits } from '../engine/edits';
import type { Finding, MessageData, Rule } from '../engine/types';
import { placeholders } from '../engine/messages';
import { orderMigrations } from '../engine/migrations';

/** One SQL text (a single migration file) or several files of one migration set (path → text). */
export type CaseSql = string | Record<string, string>;

export interface ExpectedError {
  /** 1-based. */
  line?: number;
  column?: number;
  /** The file of a multi-file case. */
  file?: string;
  /** The key of the rule's `messages` the finding was rendered from. */
  messageId?: string;
  /** Placeholder values the finding carries (only the keys given are compared). */
  data?: MessageData;
  /** The rendered text, where the wording itself is under test. */
  message?: RegExp | string;
  /** The finding's severity, where a report sets its own (the rule's default otherwise). */
  severity?: Finding['severity'];
  /** This finding's fixes: see InvalidCase.output. */
  output?: ExpectedOutput;
}

/**
 * The first file after a finding's fix: a string for its first (preferred) fix, one string per fix in order, or
 * null when it offers none.
 */
export type ExpectedOutput = string | string[] | null;

export interface ValidCase {
  sql: CaseSql;
  config?: Partial<ResolvedConfig>;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
  /** The first finding's fixes (see ExpectedOutput); null: no finding of the rule offers a fix. */
  output?: ExpectedOutput;
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

export function runCase(files: Record<string, string>, config?: Partial<ResolvedConfig>, rules: readonly Rule[] = allRules): SetResult {
  const ordered = orderMigrations(Object.keys(files));
  return analyzeSet(
    { id: 'case', files: ordered.map((f) => ({ path: f.path, text: files[f.path], replayed: f.replayed })) },
    { config: { ...defaultConfig(), ...config }, rules },
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
    for (const d of duplicateCases(cases)) it(`duplicate case: ${d}`, () => assert.fail(`the table lists this case twice: ${d}`));
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
    if (rule.actionTypes) it(`reports the same when run on every statement (actionTypes: ${rule.actionTypes.join(', ')})`, () => checkActionTypes(rule, cases));
  });
}

/**
 * A rule that declares `actionTypes` runs only on statements with one of them: every case of its table, and its docs
 * examples, must give the same findings when it runs on every statement (a declaration that forgets a type it
 * reads would silently lose findings).
 */
export function checkActionTypes(rule: Rule, cases: RuleCases): void {
  const dispatched = allRules.map((r) => (r.id === rule.id ? rule : r));
  const everywhere = allRules.map((r) => (r.id === rule.id ? { ...rule, actionTypes: undefined } : r));
  const sqls = [...cases.valid.map((v) => (typeof v === 'string' ? { sql: v } : v)), ...cases.invalid, { sql: rule.docs.bad }, { sql: rule.docs.good }];
  for (const c of sqls) {
    const files = caseFiles(c.sql);
    const seen = (rules: readonly Rule[]) => runCase(files, c.config, rules).findings.filter((f) => f.rule === rule.id);
    assert.deepEqual(seen(dispatched), seen(everywhere), `${title(c.sql)}: the findings differ when ${rule.id} runs on every statement`);
  }
}

/** `outputRequired: false` for tables not written by hand (the docs examples), which need not state a fix's output. */
export function checkInvalid(rule: Rule, c: InvalidCase, { outputRequired = true } = {}): void {
  const files = caseFiles(c.sql);
  const result = runCase(files, c.config);
  assert.deepEqual(result.internalErrors, []);
  const mine = result.findings.filter((f) => f.rule === rule.id);
  assert.equal(mine.length, c.errors.length, `expected ${c.errors.length} finding(s), got: ${JSON.stringify(mine.map((f) => [f.file, findingPosition(files, f), f.message]))}`);
  for (const f of mine) {
    const template = f.messageId === undefined ? undefined : rule.messages[f.messageId];
    assert.ok(template !== undefined, `${rule.id} reported messageId "${f.messageId}", not one of ${Object.keys(rule.messages).join(', ')}`);
    const missing = placeholders(template).filter((p) => !Object.hasOwn(f.data ?? {}, p));
    assert.deepEqual(missing, [], `messageId "${f.messageId}" was reported without data for ${missing.join(', ')}`);
  }
  c.errors.forEach((e, i) => {
    const f = mine[i];
    const pos = findingPosition(files, f);
    assert.ok(e.messageId !== undefined || e.message !== undefined, `expected error ${i} names neither a messageId nor a message (finding: ${f.messageId} ${JSON.stringify(f.data)})`);
    if (e.file !== undefined) assert.equal(f.file, e.file);
    if (e.line !== undefined) assert.equal(pos.line, e.line, `line of finding ${i}: ${f.message}`);
    if (e.column !== undefined) assert.equal(pos.column, e.column, `column of finding ${i}`);
    if (e.messageId !== undefined) assert.equal(f.messageId, e.messageId, `messageId of finding ${i}: ${f.message}`);
    if (e.severity !== undefined) assert.equal(f.severity, e.severity, `severity of finding ${i}: ${f.message}`);
    for (const [key, value] of Object.entries(e.data ?? {})) assert.deepEqual(f.data?.[key], value, `data.${key} of finding ${i}: ${f.message}`);
    if (typeof e.message === 'string') assert.equal(f.message, e.message);
    else if (e.message) assert.match(f.message, e.message);
    if (e.output !== undefined) checkOutput(files, f, e.output, `finding ${i}`);
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
  // As ESLint's RuleTester: a case whose findings offer a fix says what the fix produces (or null: none).
  const stated = c.output !== undefined || c.outputFiles !== undefined || c.errors.some((e) => e.output !== undefined);
  assert.ok(stated || !outputRequired || mine.every((f) => f.fixes.length === 0), `the rule offers a fix here: state its output (${mine.flatMap((f) => f.fixes.map((x) => x.title)).join(' | ')})`);
  if (c.output === null) {
    assert.deepEqual(mine.flatMap((f) => f.fixes.map((x) => x.title)), [], 'expected no fix');
  } else if (c.output !== undefined) {
    checkOutput(files, mine[0], c.output, 'the first finding');
  }
  if (c.outputFiles) {
    const first = mine[0];
    assert.ok(first && first.fixes.length > 0, 'expected a fix');
    const fixed = applyFixEdits(files, first.file, first.fixes[0].edits);
    for (const [p, expected] of Object.entries(c.outputFiles)) {
      assert.ok(fixed[p] !== undefined, `expected the fix to create ${p}; files: ${Object.keys(fixed).join(', ')}`);
      if (typeof expected === 'string') assert.equal(fixed[p], expected);
      else assert.match(fixed[p], expected);
    }
  }
}

/** A finding's fixes against the expected output: its first fix (a string), every fix in order (an array), or none (null). */
function checkOutput(files: Record<string, string>, f: Finding, expected: ExpectedOutput, which: string): void {
  if (expected === null) {
    assert.deepEqual(f.fixes.map((x) => x.title), [], `expected no fix on ${which}`);
    return;
  }
  const outputs = typeof expected === 'string' ? [expected] : expected;
  if (typeof expected === 'string') assert.ok(f.fixes.length > 0, `expected a fix on ${which}`);
  else assert.equal(f.fixes.length, outputs.length, `fixes of ${which}: ${f.fixes.map((x) => x.title).join(' | ')}`);
  outputs.forEach((output, i) => {
    const fixed = applyFixEdits(files, f.file, f.fixes[i].edits);
    assert.equal(fixed[f.file], output, `output of fix ${i} of ${which} ("${f.fixes[i].title}")`);
  });
}

/** Cases listed more than once (same SQL and configuration), valid or invalid. */
export function duplicateCases(cases: RuleCases): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of [...cases.valid, ...cases.invalid]) {
    const { sql, config } = typeof c === 'string' ? { sql: c, config: undefined } : c;
    const key = JSON.stringify([sql, config ?? {}]);
    if (seen.has(key)) out.push(title(sql));
    seen.add(key);
  }
  return out;
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
