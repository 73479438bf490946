/**
 * Checks the static lock table of the analysis core (rules/locks.ts, as analyzeSet reports it per statement)
 * against what PostgreSQL really does: the engine's pg_locks trace of the locks-measured.md statements.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { PgEngine, type ExecStatement, type TraceEntry } from '../../pg';
import { analyzeSet, defaultConfig, initParser } from '../../rules';
import { DOC, fixtureFor, parseMeasured, show, tableLocks, type Measured } from './locks-doc';

describe('pg engine: the static lock table of rules/ against pg_locks', function () {
  let measured: Measured[] = [];
  let trace: TraceEntry[] = [];

  before(async function () {
    if (!existsSync(DOC)) {
      // locks-measured.md lives in ../shared/docs, outside the repository: a clone without it has nothing to compare.
      console.log(`      SKIPPED: ${DOC} is absent`);
      this.skip();
    }
    measured = parseMeasured(readFileSync(DOC, 'utf8'));
    const stmts: ExecStatement[] = measured.flatMap((m, i) => [
      { file: 'fixture.sql', line: i + 1, sql: fixtureFor(m.sql) },
      { file: 'statement.sql', line: 1, sql: m.sql },
    ]);
    const engine = new PgEngine();
    try {
      [trace] = await Promise.all([engine.traceStatements(stmts), initParser()]);
    } finally {
      await engine.close();
    }
  });

  it('per existing table: the same strongest mode and the same rewrite verdict', () => {
    // PGlite is PostgreSQL 18; the static table is version-aware.
    const config = { ...defaultConfig(), postgresVersion: 18 };
    const differences: string[] = [];
    measured.forEach((m, i) => {
      const traced = trace[2 * i + 1];
      assert.equal(traced.error, undefined, `${m.sql}: ${traced.error?.message}`);
      const result = analyzeSet({ id: 'locks', files: [
        { path: '0001_fixture.sql', text: fixtureFor(m.sql) + ';\n' },
        { path: '0002_statement.sql', text: m.sql + ';\n' },
      ] }, { config, rules: [] });
      const stmt = result.files[1].statements[0];
      assert.ok(stmt && !stmt.syntaxError, `${m.sql} parses`);
      const plan = result.facts.get(stmt)?.locks.entries ?? [];
      const staticLocks = new Map(plan.map((e) => [e.table, `${e.mode}Lock`]));
      const staticRewrites = plan.filter((e) => e.rewrite).map((e) => e.table).sort();
      // The trace lists indexes too; the static table speaks of tables.
      // Other sessions know a table by its name before the statement, dropped or renamed ones included.
      const tracedLocks = tableLocks(traced, true);
      const tables = new Set(traced.locks.filter((l) => l.kind === 'table' || l.kind === 'matview').map((l) => l.relation));
      const tracedRewrites = traced.rewrites.filter((r) => tables.has(r)).sort();
      const agree = show(staticLocks) === show(tracedLocks) && staticRewrites.join() === tracedRewrites.join();
      const line = `${m.sql}\n        static: ${show(staticLocks)} | rewrites ${staticRewrites.join(', ') || '—'}` +
        `\n        traced: ${show(tracedLocks)} | rewrites ${tracedRewrites.join(', ') || '—'}`;
      if (!agree) differences.push(line);
    });
    console.log(`      ${measured.length - differences.length}/${measured.length} statements: rules/locks.ts agrees with pg_locks`);
    for (const d of differences) console.log(`      differs: ${d}`);
    // No known exceptions: every disagreement is a bug of the static table (or of the measurement).
    assert.deepEqual(differences, []);
  });
});
