// The editor's incremental analysis (one ParseCache kept between edits: statements parsed once, statement-rule results
// reused) must report exactly what a fresh analysis of the whole set reports, as the CLI does it. Every file of the
// corpus gets random edits; after each round the two are compared. A second test counts calls: unchanged statements
// are not parsed again, and rules that read only the statement are not run again on them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  allRules, analyzeSet, defaultConfig, initParser, ParseCache,
  type Rule, type SetResult, type StatementContext,
} from '../rules/index';
import { CORPUS, migrationSetsUnder } from './helpers';
import { Workspace } from '../server/workspace';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Statement-ish pieces of a text: the spans between semicolons at line ends (good enough to edit with). */
function pieces(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = text.indexOf(';\n'); i >= 0; i = text.indexOf(';\n', i + 2)) {
    out.push({ start, end: i + 2 });
    start = i + 2;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

/** One random edit of the kinds typing makes: a statement removed, duplicated, moved, changed, or a line inserted. */
function edit(text: string, rnd: () => number): string {
  const ps = pieces(text);
  const pick = () => ps[Math.floor(rnd() * ps.length)];
  const at = Math.floor(rnd() * (text.length + 1));
  switch (Math.floor(rnd() * 6)) {
    case 0: { // remove a statement
      const p = pick();
      return p ? text.slice(0, p.start) + text.slice(p.end) : text;
    }
    case 1: { // duplicate a statement elsewhere
      const p = pick();
      const q = pick();
      return p && q ? text.slice(0, q.end) + text.slice(p.start, p.end) + text.slice(q.end) : text;
    }
    case 2: { // a new statement in the middle
      const q = pick();
      const sql = ['CREATE INDEX ON tenants (id);\n', 'ALTER TABLE accounts ADD COLUMN note text NOT NULL;\n', 'BEGIN;\n', 'COMMIT;\n', "SET lock_timeout = '1s';\n"][Math.floor(rnd() * 5)];
      return q ? text.slice(0, q.end) + sql + text.slice(q.end) : sql + text;
    }
    case 3: { // retype a word: rename an identifier, break or fix a keyword
      const m = /[A-Za-z_]{3,}/g;
      m.lastIndex = at;
      const w = m.exec(text);
      return w ? text.slice(0, w.index) + w[0].slice(0, -1) + 'x' + text.slice(w.index + w[0].length) : text;
    }
    case 4: // a line typed anywhere (shifts everything after it, may land inside a statement or a string)
      return text.slice(0, at) + '\n-- typed\n' + text.slice(at);
    default: { // swap two statements
      const p = pick();
      const q = pick();
      if (!p || !q || p === q) return text;
      const [a, b] = p.start < q.start ? [p, q] : [q, p];
      return text.slice(0, a.start) + text.slice(b.start, b.end) + text.slice(a.end, b.start) + text.slice(a.start, a.end) + text.slice(b.end);
    }
  }
}

/** What a set reports, in a form that compares exactly (positions, messages, fixes, related locations). */
function snapshot(r: SetResult): string {
  return JSON.stringify({ findings: r.findings, errors: r.internalErrors });
}

/** The findings only one of two results has, for the failure message. */
function difference(a: SetResult, b: SetResult): string {
  const keys = (r: SetResult) => r.findings.map((f) => JSON.stringify(f));
  const ka = new Set(keys(a));
  const kb = new Set(keys(b));
  const only = (x: Set<string>, y: Set<string>) => [...x].filter((k) => !y.has(k)).slice(0, 3).map((k) => k.slice(0, 1500));
  return [`incremental only: ${only(ka, kb).join('\n')}`, `fresh only: ${only(kb, ka).join('\n')}`, `errors: ${a.internalErrors.join('; ')} / ${b.internalErrors.join('; ')}`].join('\n');
}

describe('incremental analysis', function () {
  this.timeout(600000);

  before(async function () {
    if (!fs.existsSync(CORPUS)) {
      // The corpus is read from ../shared (never copied into the repository): a clone without it cannot run this.
      console.log(`      SKIPPED: no corpus at ${CORPUS}`);
      this.skip();
    }
    await initParser();
  });

  it('equals a whole-set re-analysis on every corpus file after random edits', () => {
    const config = defaultConfig();
    let rounds = 0;
    let edited = 0;
    for (const set of migrationSetsUnder(CORPUS)) {
      const rnd = random(set.id.length * 7919 + set.files.length);
      const cache = new ParseCache(true);
      const files = set.files.map((f) => ({ ...f }));
      analyzeSet({ id: set.id, files }, { config, rules: allRules, cache });
      // Every file is edited once, a few files per round for the large sets; each round is checked.
      const order = files.map((_, i) => i).sort(() => rnd() - 0.5);
      const perRound = Math.max(1, Math.ceil(order.length / 8));
      for (let i = 0; i < order.length; i += perRound) {
        for (const k of order.slice(i, i + perRound)) {
          files[k] = { ...files[k], text: edit(files[k].text, rnd) };
          edited++;
        }
        const input = { id: set.id, files: files.map((f) => ({ ...f })) };
        const incremental = analyzeSet(input, { config, rules: allRules, cache });
        const whole = analyzeSet(input, { config, rules: allRules });
        if (snapshot(incremental) !== snapshot(whole)) assert.fail(`${set.id}, round ${i / perRound + 1}: the incremental analysis differs from a fresh one:\n${difference(incremental, whole)}`);
        rounds++;
      }
    }
    console.log(`      ${edited} files edited, ${rounds} rounds compared`);
    assert.ok(edited >= 1700, 'every corpus file is edited');
  });

  it('does not parse or re-run statement-local rules on statements an edit did not touch', () => {
    const config = defaultConfig();
    for (const id of ['supabase-examples', 'trigger-dev', 'basejump']) {
      // The largest set of that project (supabase-examples is one set per example).
      const set = migrationSetsUnder(CORPUS).filter((s) => s.id.endsWith(`/${id}`) || s.id.includes(`/${id}/`)).sort((a, b) => b.files.length - a.files.length)[0];
      if (!set) continue;
      // Count each rule's runs per statement, and what each run read from its context. Each rule runs on every
      // statement (no actionTypes), so that the memo, not the rule's declaration, is what spares the untouched ones.
      const runs = new Map<string, { reads: Set<string>; count: number }>();
      const counted: Rule[] = allRules.map((r) => (!r.check ? r : {
        ...r,
        actionTypes: undefined,
        check(ctx: StatementContext) {
          const key = `${r.id}\u0000${ctx.statement.file}\u0000${ctx.statement.text}`;
          const entry = runs.get(key) ?? { reads: new Set<string>(), count: 0 };
          entry.count++;
          runs.set(key, entry);
          const tracked = new Proxy(ctx, { get: (t, p, recv) => { entry.reads.add(String(p)); return Reflect.get(t, p, recv); } });
          return r.check!(tracked);
        },
      }));
      const cache = new ParseCache(true);
      analyzeSet(set, { config, rules: counted, cache });
      const parsesBefore = cache.statementParses;
      const local = new Set([...runs].filter(([, e]) => [...e.reads].every((p) => p === 'statement' || p === 'config')).map(([k]) => k));
      assert.ok(local.size > 100, `${id}: most rules read only the statement (${local.size})`);
      for (const e of runs.values()) e.count = 0;

      // Change one statement in the middle of the set: a new column in the first CREATE TABLE of a file.
      const withTable = set.files.map((f, i) => ({ f, i })).filter(({ f }) => /CREATE TABLE[^;(]*\(/i.test(f.text));
      const k = withTable[Math.floor(withTable.length / 2)].i;
      const changed = set.files[k].text.replace(/(CREATE TABLE[^;(]*\()/i, '$1\n  added_by_the_test text,');
      const files = set.files.map((f, i) => (i === k ? { ...f, text: changed } : f));
      analyzeSet({ id: set.id, files }, { config, rules: counted, cache });

      const touched = (key: string) => key.split('\u0000')[2].includes('added_by_the_test');
      const rerun = [...runs].filter(([key, e]) => e.count > 0 && local.has(key) && !touched(key));
      assert.deepEqual(rerun.map(([key]) => key.replace(/\u0000/g, ' | ').slice(0, 200)), [], `${id}: statement-local rules ran again on untouched statements`);
      assert.ok([...runs].some(([key, e]) => e.count > 0 && touched(key)), `${id}: the changed statement was analysed`);
      assert.equal(cache.statementParses - parsesBefore, 1, `${id}: only the changed statement is parsed again`);
    }
  });

  it('editing the newest migration re-runs no statement rule on earlier files (DO blocks included), unless it read the schema after the set or the project', () => {
    const config = defaultConfig();
    const set = migrationSetsUnder(CORPUS).filter((s) => s.id.endsWith('/trigger-dev') || s.id.includes('/trigger-dev/')).sort((a, b) => b.files.length - a.files.length)[0];
    assert.ok(set && set.files.length > 100, 'the trigger-dev set');
    // Each rule run: its statement's file, and whether it read what the rest of the set decides.
    const runs: { rule: string; file: string; global: boolean }[] = [];
    const counted: Rule[] = allRules.map((r) => (!r.check ? r : {
      ...r,
      check(ctx: StatementContext) {
        let global = false;
        const tracked = new Proxy(ctx, { get: (t, p, recv) => { if (p === 'project' || p === 'after') global = true; return Reflect.get(t, p, recv); } });
        const out = r.check!(tracked);
        runs.push({ rule: r.id, file: ctx.statement.file, global });
        return out;
      },
    }));
    const cache = new ParseCache(true);
    const last = set.files.length - 1;
    const texts = [set.files[last].text, `${set.files[last].text}\nCREATE INDEX added_by_the_test ON "TaskRun" ("friendlyId");\n`];
    const analyse = (k: number) => analyzeSet({ id: set.id, files: set.files.map((f, i) => (i === last ? { ...f, text: texts[k % 2] } : f)) }, { config, rules: counted, cache });
    analyse(0);
    const firstRuns = runs.length;
    for (let k = 1; k <= 4; k++) {
      runs.length = 0;
      const incremental = analyse(k);
      const fresh = analyzeSet({ id: set.id, files: set.files.map((f, i) => (i === last ? { ...f, text: texts[k % 2] } : f)) }, { config, rules: allRules });
      assert.equal(snapshot(incremental), snapshot(fresh), `edit ${k}: the incremental analysis differs from a fresh one`);
      const earlier = runs.filter((r) => r.file !== set.files[last].path);
      assert.deepEqual(earlier.filter((r) => !r.global).map((r) => `${r.rule} on ${path.basename(path.dirname(r.file))}`).slice(0, 5), [], `edit ${k}: rules ran again on earlier files`);
      assert.ok(runs.length < firstRuns / 20, `edit ${k}: ${runs.length} rule runs, against ${firstRuns} for the first analysis`);
    }
  });

  it('the editor analyses a set cold until a file of it is open, then incrementally, with the same findings', () => {
    // The whole corpus as a workspace, one basejump migration open, as an editor restoring its tabs.
    const ws = new Workspace();
    ws.addFolder(CORPUS);
    ws.scanFolders(() => undefined);
    const file = path.join(CORPUS, 'basejump/20240414162100_basejump-invitations.sql');
    const text = fs.readFileSync(file, 'utf8');
    ws.setOpen(file, text);
    const snap = (r: SetResult | undefined) => (r ? snapshot(r) : 'none');

    // Start-up: every set cold, nothing kept per statement.
    ws.analyze(undefined, { incremental: false });
    const cold = snap(ws.resultFor(file));
    assert.equal(ws.incrementalParses, 0, 'start-up parses nothing for incremental analysis');

    // The next analysis (the document's didOpen) makes the open file's set incremental, and only that set.
    ws.analyze();
    const own = new ParseCache(true);
    const setId = ws.setIdOf(file)!;
    const set = migrationSetsUnder(CORPUS).find((s) => s.id === setId)!;
    analyzeSet(set, { config: ws.configOf(setId), rules: allRules, cache: own });
    assert.equal(ws.incrementalParses, own.statementParses, 'exactly the statements of the open file\'s set are parsed incrementally');
    assert.equal(snap(ws.resultFor(file)), cold, 'the incremental analysis finds what the cold one found');
    const again = ws.resultFor(file);
    ws.analyze([file]);
    assert.equal(ws.resultFor(file), again, 'an unchanged set is not analysed again');

    // A keystroke: one statement parsed again, and the findings of a fresh analysis of the new text.
    const before = ws.incrementalParses;
    const typed = text.replace(/(CREATE TABLE[^;(]*\()/i, '$1\n  added_by_the_test text,');
    assert.notEqual(typed, text);
    ws.setOpen(file, typed);
    ws.analyze([file]);
    assert.equal(ws.incrementalParses - before, 1, 'only the changed statement is parsed again');
    const fresh = new Workspace();
    fresh.addFolder(CORPUS);
    fresh.scanFolders(() => undefined);
    fresh.setOpen(file, typed);
    fresh.analyze([file], { incremental: false });
    assert.equal(snap(ws.resultFor(file)), snap(fresh.resultFor(file)));
  });
});
