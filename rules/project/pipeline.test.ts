import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { analyzeProject, planProject, type PlanOptions } from './pipeline';
import type { ConfigSource } from './config';

/** Config files by folder, as the IO front would find them (the nearest above). */
function configs(files: Record<string, string>): PlanOptions['configFile'] {
  return (dir) => {
    const owner = Object.keys(files).filter((d) => dir === d || dir.startsWith(`${d}/`)).sort((a, b) => b.length - a.length)[0];
    return owner === undefined ? undefined : ({ path: `${owner}/.sqlarchitect.json`, dir: owner, text: files[owner] } satisfies ConfigSource);
  };
}

const selected = (plan: ReturnType<typeof planProject>) => plan.sets.map((s) => [s.id, s.files.map((f) => f.path)]);

describe('project pipeline (files → sets → configuration → globs → analysis)', () => {
  const files = ['/ws/db/migrations/001_a.sql', '/ws/db/migrations/002_b.sql', '/ws/scripts/001_x.sql'];

  it('a pop/popx folder for several databases: files for another one, or a generic file with a .postgres. twin', () => {
    const plan = (paths: string[], listed: string[] = []) => planProject(paths, { configFile: () => undefined, folderFiles: () => listed }).sets[0]?.otherDatabases ?? false;
    assert.equal(plan(['/k/20200101000000000000_a.up.sql', '/k/20200101000000000000_a.sqlite3.up.sql']), true);
    assert.equal(plan(['/k/20200101000000000000_a.up.sql', '/k/20200101000000000000_a.postgres.up.sql', '/k/20200101000000000001_b.up.sql']), true);
    // A PostgreSQL-only project with one .postgres. file and no twin (supabase/auth) is not one.
    assert.equal(plan(['/a/20220614074223_x.postgres.up.sql', '/a/20220101000000_y.up.sql']), false);
    // Flattened projects share their folder: it is listed once.
    const listed: string[] = [];
    planProject(['/ex/app__20240101000000_a.sql', '/ex/web__20240101000000_b.sql'], { configFile: () => undefined, folderFiles: (d) => { listed.push(d); return []; } });
    assert.deepEqual(listed, ['/ex']);
    // Naming only some files: the folder listing tells.
    assert.equal(plan(['/k/20200101000000000001_b.up.sql'], ['20200101000000000000_a.up.sql', '20200101000000000000_a.postgres.up.sql', '20200101000000000001_b.up.sql']), true);
  });

  it('migrationsGlob is relative to the workspace folder, not to each migration folder', () => {
    const plan = planProject(files, { configFile: () => undefined, folders: [{ path: '/ws', settings: { migrationsGlob: ['db/migrations/*.sql'] } }] });
    assert.deepEqual(selected(plan), [['/ws/db/migrations', ['/ws/db/migrations/001_a.sql', '/ws/db/migrations/002_b.sql']], ['/ws/scripts', []]]);
  });

  it('"migrations" in .sqlarchitect.json is relative to the file and wins over the setting', () => {
    const plan = planProject(files, {
      configFile: configs({ '/ws/db': '{ "migrations": ["migrations/001_*.sql"] }' }),
      folders: [{ path: '/ws', settings: { migrationsGlob: ['scripts/*.sql'] } }],
    });
    assert.deepEqual(selected(plan), [['/ws/db/migrations', ['/ws/db/migrations/001_a.sql']], ['/ws/scripts', ['/ws/scripts/001_x.sql']]]);
  });

  it('files the editor keeps open stay although the globs leave them out', () => {
    const plan = planProject(files, { configFile: () => undefined, folders: [{ path: '/ws', settings: { migrationsGlob: ['db/**'] } }], keep: (f) => f === '/ws/scripts/001_x.sql' });
    assert.deepEqual(plan.sets[1].files.map((f) => f.path), ['/ws/scripts/001_x.sql']);
  });

  it('layers: defaults, then the settings of the innermost folder, then the file, then overrides', () => {
    const plan = planProject(['/a/m/001.sql', '/a/inner/m/001.sql', '/b/m/001.sql', '/elsewhere/001.sql'], {
      configFile: configs({ '/b': '{ "tenantColumns": ["shop_id"], "postgresVersion": 12 }' }),
      folders: [
        { path: '/a', settings: { tenantColumns: ['org_ref'], rules: { 'require-primary-key': 'off' } } },
        { path: '/a/inner', settings: { tenantSetting: 'app.inner' } },
        { path: '/b', settings: { tenantColumns: ['team_ref'], postgresVersion: 16 } },
      ],
      defaultSettings: { postgresVersion: 15 },
      overrides: { postgresVersion: 17 },
    });
    const by = new Map(plan.sets.map((s) => [s.id, s]));
    assert.deepEqual(by.get('/a/m')!.config.tenantColumns, ['org_ref']);
    assert.equal(by.get('/a/m')!.config.rules['require-primary-key'], 'off');
    assert.equal(by.get('/a/inner/m')!.folder, '/a/inner');
    assert.equal(by.get('/a/inner/m')!.config.tenantSetting, 'app.inner');
    assert.deepEqual(by.get('/b/m')!.config.tenantColumns, ['shop_id'], 'the file wins over the setting');
    assert.equal(by.get('/b/m')!.configFile, '/b/.sqlarchitect.json');
    assert.equal(by.get('/elsewhere')!.folder, undefined);
    for (const s of plan.sets) assert.equal(s.config.postgresVersion, 17, `${s.id}: the override wins`);
    assert.deepEqual(plan.problems, []);
  });

  it('a bad file or setting is a problem naming it; the rest of the configuration still applies', () => {
    const plan = planProject(['/a/m/001.sql', '/b/m/001.sql', '/c/m/001.sql'], {
      configFile: (dir) => (dir.startsWith('/a') ? { path: '/a/.sqlarchitect.json', dir: '/a', text: '{ "colour": 1 }' }
        : dir.startsWith('/b') ? { path: '/b/.sqlarchitect.json', dir: '/b', error: 'EACCES' } : undefined),
      folders: [{ path: '/a', settings: { tenantColumns: ['org_ref'] } }, { path: '/c', settings: { rules: { 'no-such-rule': 'off', 'prefer-jsonb': 'warn', 'prefer-timestamptz': 'off' } } }],
    });
    assert.deepEqual(plan.problems, [
      { file: '/a/.sqlarchitect.json', message: '/a/.sqlarchitect.json: unknown key "colour"' },
      { file: '/b/.sqlarchitect.json', message: '/b/.sqlarchitect.json: cannot read configuration (EACCES)' },
      { file: '/c', message: 'sqlArchitect.rules: unknown rule "no-such-rule" in "rules"' },
      { file: '/c', message: 'sqlArchitect.rules: "rules.prefer-jsonb" must be one of "off", "info", "warning", "error"' },
    ]);
    assert.deepEqual(plan.sets[0].config.tenantColumns, ['org_ref'], 'the settings stay when the file is wrong');
    assert.deepEqual(plan.sets[2].config.rules, { 'prefer-timestamptz': 'off' });
  });

  it('analyses each set with its configuration; sets without a readable file are left out', async () => {
    await initParser();
    const texts = new Map([
      ['/a/m/001.sql', 'CREATE TABLE items (id bigint PRIMARY KEY, shop_id bigint NOT NULL);\n'],
      ['/b/m/001.sql', 'CREATE TABLE items (id bigint PRIMARY KEY, shop_id bigint NOT NULL);\n'],
    ]);
    const plan = planProject([...texts.keys(), '/c/m/001.sql'], {
      configFile: () => undefined,
      folders: [{ path: '/a', settings: { tenantColumns: ['shop_id'] } }, { path: '/b', settings: { tenantColumns: ['org_ref'] } }],
    });
    const project = analyzeProject(plan, (f) => texts.get(f));
    assert.deepEqual(project.sets.map((s) => s.id), ['/a/m', '/b/m']);
    assert.equal(project.fileCount, 2);
    assert.deepEqual(project.configOf.get('/b/m')!.tenantColumns, ['org_ref']);
    const rls = (id: string) => project.sets.find((s) => s.id === id)!.findings.filter((f) => f.rule === 'require-tenant-rls').length;
    assert.equal(rls('/a/m'), 1);
    assert.equal(rls('/b/m'), 0);
  });
});
