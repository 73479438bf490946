// Table sizes: lock findings that grow with the table say its size, and are info on small tables.
import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { defaultConfig } from './config';
import { allRules } from './registry';
import { analyzeSet } from './run';
import { runCase } from '../testing/tester';

const SETUP = 'CREATE TABLE events (id bigint PRIMARY KEY, kind text);\nCREATE TABLE plans (id bigint PRIMARY KEY, name text);\nCREATE TABLE other (id bigint PRIMARY KEY, x int);';
const MIGRATION = "SET lock_timeout = '2s';\nCREATE INDEX events_kind_idx ON events (kind);\nCREATE INDEX plans_name_idx ON plans (name);\nCREATE INDEX other_x_idx ON other (x);\nALTER TABLE plans ADD COLUMN n int;";
const FILES = { 'db/001_setup.sql': SETUP, 'db/002_index.sql': MIGRATION };

function concurrentIndex(r: ReturnType<typeof runCase>) {
  return r.findings.filter((f) => f.rule === 'require-concurrent-index').map((f) => ({ severity: f.severity, message: f.message.replace(/^.*?Use CREATE INDEX CONCURRENTLY, outside a transaction block\./, '') }));
}

describe('table sizes', () => {
  before(() => initParser());

  it('without sizes, lock findings are as they were', () => {
    assert.deepEqual(concurrentIndex(runCase(FILES)).map((f) => f), [
      { severity: 'warning', message: '' }, { severity: 'warning', message: '' }, { severity: 'warning', message: '' },
    ]);
  });

  it('"tableSizes": a row count or "large" is said; "small" or fewer rows than "smallTableRows" make the finding info', () => {
    const r = runCase(FILES, { tableSizes: { events: 40_000_000, plans: 'small', other: 500 } });
    assert.deepEqual(concurrentIndex(r), [
      { severity: 'warning', message: ' events holds about 40 M rows: at this size CREATE INDEX holds the lock for minutes.' },
      { severity: 'info', message: ' plans is small ("tableSizes" in .sqlarchitect.json): the lock is brief, so this is reported as info.' },
      { severity: 'info', message: ' other holds about 500 rows: on a table this small the lock is held for well under a second, so this is reported as info (below "smallTableRows": 10000).' },
    ]);
    // Rules whose harm does not grow with the table keep their severity (ADD COLUMN without lock_timeout would; here it is set).
    assert.equal(r.findings.filter((f) => f.rule !== 'require-concurrent-index' && f.severity === 'info').length, 0);
    const lower = runCase(FILES, { tableSizes: { other: 500 }, smallTableRows: 100 });
    assert.equal(concurrentIndex(lower)[2].severity, 'warning');
  });

  it('sizes from a live database travel with the table; the configuration wins', () => {
    const baseline = {
      path: 'database orders on db.example', text: SETUP,
      database: { label: 'orders on db.example', sizes: { 'public.events': { rows: 3_200_000_000, bytes: 2.5 * 2 ** 40 }, 'public.plans': { rows: 12, bytes: 16384 } } },
    };
    const r = analyzeSet({ id: 'db', files: [{ path: 'db/002_index.sql', text: MIGRATION }], baseline }, { config: { ...defaultConfig(), tableSizes: { plans: 'large' } }, rules: allRules });
    const found = concurrentIndex(r);
    assert.deepEqual(found.slice(0, 2), [
      { severity: 'warning', message: ' events holds about 3.2 B rows, 2.5 TB (from the database): at this size CREATE INDEX holds the lock for hours.' },
      { severity: 'warning', message: ' plans is large ("tableSizes" in .sqlarchitect.json).' },
    ]);
    // other: no size known, nothing said.
    assert.deepEqual(found[2], { severity: 'warning', message: '' });
    const events = r.facts.get(r.files[0].statements[1])!.locks.entries[0];
    assert.deepEqual(events.size, { rows: 3_200_000_000, bytes: 2.5 * 2 ** 40, source: 'database' });
    // Tables of the baseline are not reviewed; origins in a live database are not linked.
    assert.ok(r.findings.every((f) => f.file === 'db/002_index.sql' && f.related.every((x) => x.file === 'db/002_index.sql')));
  });
});
