/**
 * Verified fixes: every fix of every rule test case (rules/catalogue/*.test.ts) is applied and the fixed
 * migration set is executed on the embedded database, after setting up the tables (and columns, indexes,
 * constraints, functions, types, roles) the case uses but does not create (schema-synth.ts). The original
 * migration set runs too, as a control: a fix must never turn a migration that runs into one that fails, and
 * the fixes of no-concurrent-in-transaction must make the migration run.
 *
 * Speed: every version of every case runs in one engine job, on one database that is reset between versions
 * (schemas and roles dropped, the engine's environment recreated). Any case with an error anywhere is then
 * re-run version by version on fresh databases, and only those results are judged; missing columns, relations
 * or roles the original's errors reveal are added to its setup there, up to a few rounds.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PgEngine, type ScriptError } from '../../pg';
import { planEnvironment } from '../../pg/classify';
import { environmentSql } from '../../pg/environment';
import {
  applyFixEdits, defaultConfig, initParser, orderMigrations, parseFile, type ResolvedConfig, type Statement, type TextEdit,
} from '../../rules';
import { cannotRunInTransaction } from '../../rules/locks';
import { inferRunner } from '../../rules/project/runner';
import { caseFiles, registeredCases, runCase, type CaseSql } from '../../rules/testing/tester';
import { SchemaSynth, type CaseStatement } from './schema-synth';

// Every rule's test table registers itself in registeredCases when its module loads (its describes are
// registered once, by whichever file loads it first).
const CATALOGUE = path.join(__dirname, '../../rules/catalogue');
for (const f of fs.readdirSync(CATALOGUE).filter((x) => x.endsWith('.test.ts')).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(CATALOGUE, f));
}

/** Rules whose fixes exist to make a failing migration run: the fixed migration must run. */
const MUST_RUN = new Set(['no-concurrent-in-transaction']);
/** PostgreSQL's "cannot run inside a transaction block". */
const ACTIVE_SQL_TRANSACTION = '25001';
/** Rounds of setup repair from the original's errors. */
const REPAIR_ROUNDS = 4;
/** Share of the fixes that must really be verified on the database. */
const MIN_VERIFIED = 0.8;
/** SQLA_VERIFIED_FIXES_FRESH=1: no batch, every version on a fresh database (slow; checks the batch's reset). */
const ALL_FRESH = process.env.SQLA_VERIFIED_FIXES_FRESH === '1';
/** SQLA_VERIFIED_FIXES_VERBOSE=1: print every case's synthesised setup. */
const VERBOSE = process.env.SQLA_VERIFIED_FIXES_VERBOSE === '1';

interface Step {
  sql: string;
  /** Index into the version's statements (undefined for the BEGIN / COMMIT a wrapped file gets). */
  stmt?: number;
}

interface Version {
  label: string;
  files: Record<string, string>;
  statements: CaseStatement[];
  steps: Step[];
}

interface FixCase {
  rule: string;
  title: string;
  config: ResolvedConfig;
  original: Version;
  fixes: Version[];
  /** no-concurrent-in-transaction cases with several findings: all fixes applied together. */
  combined?: Version;
  synth: SchemaSynth;
  /** Per statement of the original, the synthesised tables it touched. */
  touched: ReturnType<SchemaSynth['walk']>;
  setup: string[];
  /** Why the case cannot be executed at all (a syntax error). */
  problem?: string;
}

interface Outcome {
  setupErrors: (ScriptError & { sql: string })[];
  errors: (ScriptError & { sql: string })[];
}

type Verdict = { fix: string; status: 'verified' | 'unsupported' | 'failed'; reason?: string };

interface CaseResult {
  c: FixCase;
  verdicts: Verdict[];
  /** The combined fix of a MUST_RUN case failed. */
  combinedFailure?: string;
  fresh: boolean;
  repairs: number;
}

function title(sql: CaseSql): string {
  const text = typeof sql === 'string' ? sql : Object.entries(sql).map(([p, t]) => `${p}: ${t}`).join(' | ');
  return text.replace(/\s+/g, ' ').trim().slice(0, 100);
}

/** The statements a migration tool would run, in order: replayed files only, goose Down sections left out. */
function buildVersion(label: string, files: Record<string, string>, config: ResolvedConfig): { version: Version; problem?: string } {
  const statements: CaseStatement[] = [];
  const steps: Step[] = [];
  let problem: string | undefined;
  for (const f of orderMigrations(Object.keys(files))) {
    if (!f.replayed) continue;
    const text = files[f.path];
    const parsed = parseFile(f.path, text);
    const stmts = parsed.statements.filter((s: Statement) => parsed.downFrom === undefined || s.span.start < parsed.downFrom);
    // The migration tool wraps the file in a transaction when the runner (or the configuration) says it does.
    const runner = inferRunner(Object.entries(files).map(([path, t]) => ({ path, text: t })), config);
    const mode = runner.fileMode(f.path).mode;
    const wrap = mode === 'tool' || (mode === 'implicit' && stmts.length > 1);
    if (wrap) steps.push({ sql: 'BEGIN' });
    for (const s of stmts) {
      if (s.syntaxError) problem ??= `${label}: syntax error in ${f.path}: ${s.syntaxError.message}`;
      // Supabase CLI ≥ 2.109 and Flyway commit the batch so far and run such a statement alone (the engine's
      // TransactionTracker says the same).
      const alone = wrap && mode === 'tool' && runner.splitsNonTransactional && cannotRunInTransaction(s);
      if (alone) steps.push({ sql: 'COMMIT' });
      steps.push({ sql: s.text, stmt: statements.length });
      statements.push({ stmt: s, fileText: text });
      if (alone) steps.push({ sql: 'BEGIN' });
    }
    if (wrap) steps.push({ sql: 'COMMIT' });
  }
  return { version: { label, files, statements, steps }, problem };
}

function collectCases(): { cases: FixCase[]; fixCount: number } {
  const cases: FixCase[] = [];
  let fixCount = 0;
  for (const [rule, table] of [...registeredCases].sort(([a], [b]) => a.localeCompare(b))) {
    for (const ic of table.invalid) {
      const files = caseFiles(ic.sql);
      const config: ResolvedConfig = { ...defaultConfig(), ...ic.config };
      const mine = runCase(files, ic.config).findings.filter((f) => f.rule === rule && f.fixes.length > 0);
      if (!mine.length) continue;
      const built = buildVersion('original', files, config);
      let problem = built.problem;
      const fixes: Version[] = [];
      for (const f of mine) {
        for (const fix of f.fixes) {
          const b = buildVersion(`fix "${fix.title}"`, applyFixEdits(files, f.file, fix.edits), config);
          problem ??= b.problem;
          fixes.push(b.version);
        }
      }
      fixCount += fixes.length;
      let combined: Version | undefined;
      if (MUST_RUN.has(rule) && mine.length > 1) {
        const edits: TextEdit[] = mine.flatMap((f) => f.fixes[0].edits.map((e) => ({ ...e, file: e.file ?? f.file })));
        const b = buildVersion('all fixes together', applyFixEdits(files, mine[0].file, edits), config);
        problem ??= b.problem;
        combined = b.version;
      }
      const synth = new SchemaSynth(config.tenantSetting);
      const all = [built.version, ...fixes, ...(combined ? [combined] : [])];
      for (const v of all) synth.prescan(v.statements);
      const touched = synth.walk(built.version.statements);
      for (const v of all.slice(1)) synth.walk(v.statements);
      cases.push({ rule, title: title(ic.sql), config, original: built.version, fixes, combined, synth, touched, setup: synth.setup(), problem });
    }
  }
  return { cases, fixCount };
}

/** Statements that bring the database back to a fresh state between two versions of the batch. */
function resetSql(sqls: string[]): string[] {
  return [
    'ROLLBACK',
    'DISCARD ALL',
    `DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT nspname FROM pg_catalog.pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
  END LOOP;
  FOR r IN SELECT rolname FROM pg_catalog.pg_roles WHERE rolname NOT LIKE 'pg\\_%' AND rolname <> current_user LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', r.rolname);
    EXECUTE format('DROP ROLE %I', r.rolname);
  END LOOP;
END $$`,
    'CREATE SCHEMA public AUTHORIZATION pg_database_owner',
    'GRANT USAGE ON SCHEMA public TO PUBLIC',
    ...environmentSql(planEnvironment(sqls)),
  ];
}

interface Segment {
  setup: string[];
  steps: string[];
}

/** Runs every segment in one job, resetting the database before each; returns one outcome per segment. */
async function runBatch(engine: PgEngine, segments: Segment[]): Promise<(Outcome & { resetErrors: string[] })[]> {
  const sql: string[] = [];
  const where: { seg: number; kind: 'reset' | 'setup' | 'step' }[] = [];
  segments.forEach((s, seg) => {
    for (const r of resetSql([...s.setup, ...s.steps])) { sql.push(r); where.push({ seg, kind: 'reset' }); }
    for (const x of s.setup) { sql.push(x); where.push({ seg, kind: 'setup' }); }
    for (const x of s.steps) { sql.push(x); where.push({ seg, kind: 'step' }); }
  });
  const out = segments.map(() => ({ setupErrors: [] as Outcome['errors'], errors: [] as Outcome['errors'], resetErrors: [] as string[] }));
  const r = await engine.executeScript([], sql);
  for (const e of r.errors) {
    const w = where[e.index];
    const o = out[w.seg];
    const item = { ...e, sql: sql[e.index] };
    if (w.kind === 'reset') o.resetErrors.push(e.message);
    else if (w.kind === 'setup') o.setupErrors.push(item);
    else o.errors.push(item);
  }
  for (const e of r.setupErrors) out.forEach((o) => o.resetErrors.push(e.message));
  return out;
}

async function runFresh(engine: PgEngine, setup: string[], steps: string[]): Promise<Outcome> {
  const r = await engine.executeScript(setup, steps);
  return {
    setupErrors: r.setupErrors.map((e) => ({ ...e, sql: setup[e.index] ?? '' })),
    errors: r.errors.map((e) => ({ ...e, sql: steps[e.index] ?? '' })),
  };
}

const clean = (o: Outcome): boolean => o.setupErrors.length === 0 && o.errors.length === 0;
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
const showError = (e: { message: string; code?: string; sql: string }): string => `${e.message}${e.code ? ` [${e.code}]` : ''} — at: ${oneLine(e.sql).slice(0, 160)}`;
const showFiles = (v: Version): string => Object.entries(v.files).map(([p, t]) => `--- ${p}\n${t}`).join('\n');

function judge(c: FixCase, orig: Outcome, fixes: Outcome[], combined: Outcome | undefined): Omit<CaseResult, 'fresh' | 'repairs'> {
  const all = (status: Verdict['status'], reason: string): Verdict[] => c.fixes.map((v) => ({ fix: v.label, status, reason }));
  if (orig.setupErrors.length) return { c, verdicts: all('unsupported', `setup failed: ${showError(orig.setupErrors[0])}`) };
  const mustRun = MUST_RUN.has(c.rule);
  if (!mustRun && orig.errors.length) return { c, verdicts: all('unsupported', `the original fails: ${showError(orig.errors[0])}`) };
  if (mustRun) {
    if (!orig.errors.length) return { c, verdicts: all('unsupported', 'the original runs: the failure the rule reports did not reproduce') };
    const other = orig.errors.find((e) => e.code !== ACTIVE_SQL_TRANSACTION);
    if (other) return { c, verdicts: all('unsupported', `the original fails for another reason: ${showError(other)}`) };
  }
  const verdicts = c.fixes.map((v, i): Verdict => {
    const o = fixes[i];
    if (o.setupErrors.length) return { fix: v.label, status: 'failed', reason: `setup failed with the fix: ${showError(o.setupErrors[0])}` };
    // A fix of a MUST_RUN rule fixes one finding: when the case has several, the others may still fail (and
    // all fixes together must run); nothing else may fail.
    const bad = mustRun && c.combined ? o.errors.filter((e) => e.code !== ACTIVE_SQL_TRANSACTION) : o.errors;
    return bad.length ? { fix: v.label, status: 'failed', reason: `${showError(bad[0])}\n${showFiles(v)}` } : { fix: v.label, status: 'verified' };
  });
  let combinedFailure: string | undefined;
  if (c.combined && combined && !clean(combined)) {
    const e = combined.setupErrors[0] ?? combined.errors[0];
    combinedFailure = `${showError(e)}\n${showFiles(c.combined)}`;
  }
  return { c, verdicts, combinedFailure };
}

describe('verified fixes: every fix of the rule tests runs on the embedded database', function () {
  let engine: PgEngine;
  const results: CaseResult[] = [];
  let fixCount = 0;
  let versionsRun = 0;

  before(async function () {
    await initParser();
    const collected = collectCases();
    fixCount = collected.fixCount;
    const cases = collected.cases;
    engine = new PgEngine({ keepWarm: true });
    await engine.warmUp();

    const runnable = cases.filter((c) => !c.problem);
    const versionsOf = (c: FixCase): Version[] => [c.original, ...c.fixes, ...(c.combined ? [c.combined] : [])];
    const segments: Segment[] = [];
    const firstSegment = new Map<FixCase, number>();
    for (const c of runnable) {
      firstSegment.set(c, segments.length);
      for (const v of versionsOf(c)) segments.push({ setup: c.setup, steps: v.steps.map((s) => s.sql) });
    }
    versionsRun += ALL_FRESH ? 0 : segments.length;
    const batch = ALL_FRESH ? [] : await runBatch(engine, segments);

    for (const c of cases) {
      if (c.problem) {
        results.push({ c, verdicts: c.fixes.map((v) => ({ fix: v.label, status: 'unsupported', reason: c.problem })), fresh: false, repairs: 0 });
        continue;
      }
      const first = firstSegment.get(c)!;
      const outs = versionsOf(c).map((_, i) => batch[first + i]);
      if (!ALL_FRESH && outs.every((o) => clean(o) && o.resetErrors.length === 0)) {
        const r = judge(c, outs[0], outs.slice(1, 1 + c.fixes.length), c.combined ? outs.at(-1) : undefined);
        results.push({ ...r, fresh: false, repairs: 0 });
        continue;
      }
      // Something failed: judge on fresh databases only, repairing the setup from the original's errors.
      let repairs = 0;
      let orig: Outcome;
      for (;;) {
        orig = await runFresh(engine, c.setup, c.original.steps.map((s) => s.sql));
        versionsRun++;
        if (orig.setupErrors.length || repairs >= REPAIR_ROUNDS) break;
        let changed = false;
        for (const e of orig.errors) {
          const stmt = c.original.steps[e.index]?.stmt;
          if (c.synth.repair(e, stmt === undefined ? [] : c.touched[stmt] ?? [])) changed = true;
        }
        if (!changed) break;
        repairs++;
        c.setup = c.synth.setup();
      }
      const fixes: Outcome[] = [];
      for (const v of c.fixes) {
        fixes.push(await runFresh(engine, c.setup, v.steps.map((s) => s.sql)));
        versionsRun++;
      }
      let combined: Outcome | undefined;
      if (c.combined) {
        combined = await runFresh(engine, c.setup, c.combined.steps.map((s) => s.sql));
        versionsRun++;
      }
      results.push({ ...judge(c, orig, fixes, combined), fresh: true, repairs });
    }

    const verdicts = results.flatMap((r) => r.verdicts);
    const count = (s: Verdict['status']): number => verdicts.filter((v) => v.status === s).length;
    const lines = [
      `fix cases: ${results.length} (invalid cases whose findings of the rule carry fixes), fixes: ${fixCount}`,
      `versions executed: ${versionsRun} (originals, each fix, combined fixes; ${results.filter((r) => r.fresh).length} cases re-run on fresh databases, ${results.reduce((n, r) => n + r.repairs, 0)} setup repairs)`,
      `fixes verified: ${count('verified')}/${fixCount} (${((100 * count('verified')) / Math.max(fixCount, 1)).toFixed(1)}%); cases fully verified: ${results.filter((r) => r.verdicts.every((v) => v.status === 'verified') && !r.combinedFailure).length}`,
      `synthesised setups: ${results.filter((r) => r.c.setup.length).length} cases`,
    ];
    if (VERBOSE) for (const r of results) lines.push(`  ${r.c.rule}: ${r.c.title}\n      ${r.c.setup.map(oneLine).join(';\n      ') || '(no setup)'}`);
    const unsupported = results.filter((r) => r.verdicts.some((v) => v.status === 'unsupported'));
    if (unsupported.length) lines.push(`unsupported: ${count('unsupported')} fixes in ${unsupported.length} cases`);
    for (const r of unsupported) {
      lines.push(`  - ${r.c.rule}: ${r.c.title}\n      ${r.verdicts.find((v) => v.status === 'unsupported')!.reason}\n      setup: ${r.c.synth.describe()}`);
    }
    const failed = results.flatMap((r) => r.verdicts.filter((v) => v.status === 'failed').map((v) => ({ r, v })));
    if (failed.length) lines.push(`FAILED: ${failed.length} fixes`);
    for (const { r, v } of failed) lines.push(`  - ${r.c.rule}: ${v.fix}: ${r.c.title}\n      setup: ${r.c.setup.map(oneLine).join('; ')}\n      ${v.reason!.replace(/\n/g, '\n      ')}`);
    for (const r of results.filter((x) => x.combinedFailure)) lines.push(`  - ${r.c.rule}: all fixes together: ${r.c.title}\n      ${r.combinedFailure!.replace(/\n/g, '\n      ')}`);
    console.log(lines.map((l) => `      ${l}`).join('\n'));
  });

  after(async () => {
    await engine?.close();
  });

  it('parses every version of every fix case without a syntax error', () => {
    const problems = results.filter((r) => r.c.problem).map((r) => `${r.c.rule}: ${r.c.problem}`);
    assert.deepEqual(problems, []);
  });

  it('never turns a migration that runs into one that fails', () => {
    const failed = results.flatMap((r) => r.verdicts.filter((v) => v.status === 'failed' && !MUST_RUN.has(r.c.rule))
      .map((v) => `${r.c.rule}: ${v.fix}: ${v.reason}`));
    assert.deepEqual(failed, []);
  });

  it('makes the migrations that fail inside a transaction run (no-concurrent-in-transaction)', () => {
    const mine = results.filter((r) => MUST_RUN.has(r.c.rule));
    assert.ok(mine.length > 0, 'no fix case of a rule whose fix must make the migration run');
    const failed = mine.flatMap((r) => [
      ...r.verdicts.filter((v) => v.status === 'failed').map((v) => `${r.c.rule}: ${v.fix}: ${v.reason}`),
      ...(r.combinedFailure ? [`${r.c.rule}: all fixes together: ${r.combinedFailure}`] : []),
    ]);
    assert.deepEqual(failed, []);
    assert.ok(mine.every((r) => r.verdicts.every((v) => v.status === 'verified')), 'every such fix is verified');
  });

  it(`really verifies at least ${MIN_VERIFIED * 100}% of the fixes`, () => {
    const verified = results.flatMap((r) => r.verdicts).filter((v) => v.status === 'verified').length;
    assert.ok(fixCount > 0, 'no fix case found: the rule tests did not register');
    assert.ok(verified / fixCount >= MIN_VERIFIED, `only ${verified}/${fixCount} fixes verified`);
  });
});
