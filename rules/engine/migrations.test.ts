import assert from 'node:assert/strict';
import { followUpMigrationPath, groupMigrationSets, notRunOnPostgres, orderMigrations } from './migrations';

describe('migration conventions', () => {
  it('orders timestamp, Flyway and Prisma sets as the tools apply them; down files are not replayed', () => {
    assert.deepEqual(orderMigrations(['m/V1.10__b.sql', 'm/V1.2__a.sql', 'm/V2__c.sql']).map((f) => f.path), ['m/V1.2__a.sql', 'm/V1.10__b.sql', 'm/V2__c.sql']);
    const sets = groupMigrationSets(['p/20240102000000_b/migration.sql', 'p/20240101000000_a/migration.sql', 'g/0002_x.down.sql', 'g/0002_x.up.sql']);
    assert.deepEqual(sets.map((s) => [s.id, s.files.map((f) => `${f.path}:${f.replayed}`)]), [
      ['g', ['g/0002_x.down.sql:false', 'g/0002_x.up.sql:true']],
      ['p', ['p/20240101000000_a/migration.sql:true', 'p/20240102000000_b/migration.sql:true']],
    ]);
  });

  it('splits a folder of several flattened projects (`<project>__<version>_…`) into one set per project', () => {
    const sets = groupMigrationSets([
      'ex/supa-builder__20260131000002_rls.sql', 'ex/supa-builder__20260131000001_init.sql',
      'ex/slack-clone.nextjs__20240214102356_init.sql', 'st/tenant__0002-b.sql', 'st/tenant__0001-a.sql', 'st/multitenant__0001-a.sql',
    ]);
    assert.deepEqual(sets.map((s) => [s.id, s.files.map((f) => f.path.split('/')[1])]), [
      ['ex/slack-clone.nextjs__*', ['slack-clone.nextjs__20240214102356_init.sql']],
      ['ex/supa-builder__*', ['supa-builder__20260131000001_init.sql', 'supa-builder__20260131000002_rls.sql']],
      ['st/multitenant__*', ['multitenant__0001-a.sql']],
      ['st/tenant__*', ['tenant__0001-a.sql', 'tenant__0002-b.sql']],
    ]);
    // Not several projects: one prefix, Flyway versions, or a file without a prefix.
    for (const files of [
      ['a/app__0001_x.sql', 'a/app__0002_y.sql'],
      ['f/V1__init.sql', 'f/V2__more.sql', 'f/V2_1__x.sql'],
      ['m/one__0001_x.sql', 'm/two__0001_y.sql', 'm/0003_plain.sql'],
    ]) assert.deepEqual(groupMigrationSets(files).map((s) => s.id), [files[0].split('/')[0]], files.join());
  });

  it('pop / popx dialects: a generic file with a .postgres. twin and files for other databases are left out', () => {
    const k = (n: string) => `k/${n}`;
    const files = [
      // One version: the generic files lose to their PostgreSQL twins, direction by direction.
      '20260327101213000000_break_glass.up.sql', '20260327101213000000_break_glass.postgres.up.sql',
      '20260327101213000000_break_glass.down.sql', '20260327101213000000_break_glass.postgres.down.sql',
      // .autocommit is a marker, not a dialect.
      '20260616000000000000_idx.autocommit.up.sql', '20260616000000000000_idx.postgres.autocommit.up.sql',
      // Other databases never run here; `all` is the generic file.
      '20210410175418000030_network.mysql.up.sql', '20210410175418000030_network.sqlite3.up.sql',
      '20210410175418000030_network.cockroach.up.sql', '20210410175418000030_network.postgres.up.sql',
      // No twin: the generic file runs (also one whose twin is for another direction).
      '20220901123209000000_recovery_code.up.sql', '20220901123209000001_more.all.up.sql',
      '20220901123209000002_down_only.postgres.down.sql', '20220901123209000002_down_only.up.sql',
    ].map(k);
    const skipped = notRunOnPostgres(files);
    assert.deepEqual([...skipped.keys()].map((p) => p.slice(2)).sort(), [
      '20210410175418000030_network.cockroach.up.sql', '20210410175418000030_network.mysql.up.sql', '20210410175418000030_network.sqlite3.up.sql',
      '20260327101213000000_break_glass.down.sql', '20260327101213000000_break_glass.up.sql', '20260616000000000000_idx.autocommit.up.sql',
    ]);
    assert.equal(skipped.get(k('20260327101213000000_break_glass.up.sql')), '20260327101213000000_break_glass.postgres.up.sql runs instead on PostgreSQL');
    assert.equal(skipped.get(k('20210410175418000030_network.mysql.up.sql')), 'a mysql migration');
    const [set] = groupMigrationSets(files);
    assert.deepEqual(set.files.map((f) => f.path.slice(2)), [
      '20210410175418000030_network.postgres.up.sql', '20220901123209000000_recovery_code.up.sql', '20220901123209000001_more.all.up.sql',
      '20220901123209000002_down_only.postgres.down.sql', '20220901123209000002_down_only.up.sql',
      '20260327101213000000_break_glass.postgres.down.sql', '20260327101213000000_break_glass.postgres.up.sql',
      '20260616000000000000_idx.postgres.autocommit.up.sql',
    ]);
    // Names outside the convention, and twins in other folders, change nothing.
    assert.equal(notRunOnPostgres(['a/001_init.sql', 'a/V1__x.sql', 'a/20240101_x.up.sql', 'b/20240101_x.postgres.up.sql']).size, 0);
  });

  it('names a follow-up migration in the folder convention, never reusing a version', () => {
    assert.equal(followUpMigrationPath('db/20240101235959_a.sql', ['db/20240101235959_a.sql'], 'v'), 'db/20240102000000_v.sql');
    assert.equal(followUpMigrationPath('db/V3__a.sql', ['db/V3__a.sql', 'db/V3.1__b.sql'], 'v'), 'db/V3.2__v.sql');
    assert.equal(followUpMigrationPath('db/0001_a.up.sql', ['db/0001_a.up.sql', 'db/0002_b.up.sql'], 'v'), 'db/0003_v.up.sql');
    assert.equal(followUpMigrationPath('p/20240101000000_a/migration.sql', ['p/20240101000000_a/migration.sql'], 'v'), 'p/20240101000001_v/migration.sql');
    // ory/popx: 20-digit versions, consecutive; they do not fit a double, so versions compare as text.
    const popx = Array.from({ length: 50 }, (_, i) => `k/2015010000000100${String(i).padStart(4, '0')}_x.up.sql`);
    assert.equal(followUpMigrationPath(popx[0], popx, 'v'), 'k/20150100000001000050_v.up.sql');
    // A PostgreSQL-only popx migration gets a PostgreSQL-only follow-up: a generic one would run on MySQL and SQLite too.
    assert.equal(followUpMigrationPath('k/20220824165300000002_x.postgres.up.sql', ['k/20220824165300000002_x.postgres.up.sql'], 'v'), 'k/20220824165300000003_v.postgres.up.sql');
    // A flattened project's files keep their prefix and number within the project (postgres-migrations: IDs must
    // be consecutive, so a second 0007 would be refused); the other project's numbers do not count.
    const st = ['st/multitenant__0007-a.sql', 'st/multitenant__0008-b.sql', 'st/tenant__0020-c.sql', 'st/tenant__0021-d.sql', 'st/tenant__0044-e.sql'];
    assert.equal(followUpMigrationPath(st[0], st, 'v'), 'st/multitenant__0009-v.sql');
    assert.equal(followUpMigrationPath(st[2], st, 'v'), 'st/tenant__0045-v.sql');
    assert.equal(followUpMigrationPath('ex/app__20240101000000_init.sql', ['ex/app__20240101000000_init.sql', 'ex/web__20240101000001_x.sql'], 'v'), 'ex/app__20240101000001_v.sql');
  });
});
