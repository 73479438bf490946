// A migration set that starts from a schema not in its folder: a dump file (`"baseline"` in .sqlarchitect.json), or
// the same schema read from a live database (PGlite; Debian's PostgreSQL through `check --database-url`). Both give
// the same findings; the database adds table sizes, which lock findings then say (and downgrade on small tables).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { loadProjectFromDisk } from '../io/project';
import { readCatalog } from '../pg/catalog';
import { catalogBaseline, Positions, type SchemaBaseline } from '../rules/index';
import { CORPUS, ROOT, runCli, tempWorkspace } from './helpers';
import { clusterOrSkip, createDatabase, freePort, type Cluster } from './pg/cluster';

const FIXTURE = path.join(ROOT, 'test/fixtures/baseline');
const MIGRATIONS = path.join(FIXTURE, 'db/migrate');
const DUMP = fs.readFileSync(path.join(FIXTURE, 'db/schema.sql'), 'utf8');
/** The dump as a script a server runs: psql's meta-commands (`\restrict`) left out. */
const DUMP_SQL = DUMP.split('\n').filter((l) => !l.startsWith('\\')).join('\n');
const TENANCY = ['no-policy-without-rls', 'require-tenant-in-unique', 'require-tenant-not-null'];

interface JsonFinding { file: string; rule: string; severity: string; message: string; line: number; column: number }

/** Findings as comparable lines; a note only a database can give (the table's size) is left out. */
function lines(findings: { file: string; rule: string; severity: string; message: string; line: number; column: number }[]): string[] {
  return findings.map((f) => `${path.relative(ROOT, f.file)}:${f.line}:${f.column} ${f.rule} ${f.severity} ${f.message.replace(/ \S+ holds [^:]*\(from the database\): [^.]*\./, '')}`).sort();
}

function cliFindings(args: string[]): JsonFinding[] {
  const r = runCli(['check', ...args, '--format', 'json', '--exit-zero']);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

async function coreFindings(database?: SchemaBaseline): Promise<string[]> {
  const project = await loadProjectFromDisk([MIGRATIONS], { database, warn: (m) => assert.fail(m) });
  const pos = new Positions(project.texts, project.sets);
  return lines(project.sets.flatMap((s) => s.findings).map((f) => ({ ...f, ...pos.range(f.file, f.start, f.end) })));
}

/** The same schema loaded into PGlite, read back from its catalog. */
async function pgliteSchema(setup: (db: PGlite) => Promise<void> = async () => undefined): Promise<SchemaBaseline> {
  const db = await PGlite.create();
  try {
    await db.exec('CREATE ROLE app_user');
    await db.exec(DUMP_SQL);
    await setup(db);
    return catalogBaseline(await readCatalog(db, 'app on PGlite'));
  } finally {
    await db.close();
  }
}

const noSizes = (b: SchemaBaseline): SchemaBaseline => ({ ...b, database: { ...b.database!, sizes: {} } });

describe('baseline schema: a dump file, or the same schema from a database', function () {
  this.timeout(300000);

  it('ALTER TABLE on tables of the dump gets tenancy findings, which the set alone does not', () => {
    const empty = tempWorkspace({ '.sqlarchitect.json': '{}' });
    const without = cliFindings([MIGRATIONS, '--config', path.join(empty, '.sqlarchitect.json')]);
    assert.deepEqual(without.filter((f) => TENANCY.includes(f.rule)), []);
    const withDump = cliFindings([FIXTURE]);
    assert.deepEqual(withDump.filter((f) => TENANCY.includes(f.rule)).map((f) => `${path.basename(f.file)}:${f.line} ${f.rule}`), [
      '20240301000000_document_slugs.sql:2 require-tenant-in-unique',
      '20240301000000_document_slugs.sql:3 require-tenant-not-null',
      '20240302000000_open_projects.sql:1 no-policy-without-rls',
    ]);
    // The dump itself is not reviewed, and not a migration set of its own.
    assert.ok(withDump.every((f) => f.file.includes('/db/migrate/')), withDump.map((f) => f.file).join('\n'));
    const explain = runCli(['explain', FIXTURE]);
    assert.match(explain.stdout, /starts from: test\/fixtures\/baseline\/db\/schema\.sql \(6 tables; the baseline is not reviewed\)/);
  });

  it('PGlite: the schema read from the database gives the findings the dump gives', async () => {
    const fromDump = await coreFindings();
    assert.ok(fromDump.some((l) => l.includes('require-tenant-in-unique')));
    const live = await pgliteSchema();
    assert.deepEqual(await coreFindings(noSizes(live)), fromDump);
    // With its sizes: the tables are empty, so the lock findings that grow with the table become info.
    const sized = await coreFindings(live);
    assert.ok(sized.some((l) => / no-unique-constraint-lock info /.test(l)), sized.join('\n'));
  });

  it('PGlite: lock findings say the sizes of a large and a small table; the small one is info', async () => {
    const live = await pgliteSchema(async (db) => {
      await db.exec(`INSERT INTO public.organizations (id, name) SELECT gen_random_uuid(), 'o' || g FROM generate_series(1, 50) g;
        INSERT INTO public.plans SELECT 'p' || g, g FROM generate_series(1, 12) g;
        INSERT INTO public.projects (organization_id, name) SELECT (SELECT id FROM public.organizations LIMIT 1), 'p' || g FROM generate_series(1, 30000) g;
        ANALYZE;`);
    });
    const dir = tempWorkspace({ 'db/20240401000000_indexes.sql': "SET lock_timeout = '2s';\nCREATE INDEX projects_name_idx ON projects (name);\nCREATE INDEX plans_price_idx ON plans (price_cents);\n" });
    const project = await loadProjectFromDisk([dir], { database: live, warn: (m) => assert.fail(m) });
    const found = project.sets[0].findings.filter((f) => f.rule === 'require-concurrent-index');
    assert.deepEqual(found.map((f) => f.severity), ['warning', 'info']);
    assert.match(found[0].message, /projects holds about 30 k rows, \d+(\.\d)? MB \(from the database\): at this size CREATE INDEX holds the lock for/);
    assert.match(found[1].message, /plans holds about 12 rows, \d+ kB \(from the database\): on a table this small .* reported as info/);
    // The report's migration risk shows the sizes too.
    const facts = [...project.sets[0].facts.values()].flatMap((x) => x.locks.entries).map((e) => `${e.table} ${e.size?.rows}`);
    assert.deepEqual(facts, ['projects 30000', 'plans 12']);
  });

  it('a Rails structure.sql from the corpus is a baseline too', async function () {
    const structure = path.join(CORPUS, 'danbooru/structure.sql');
    if (!fs.existsSync(structure)) {
      // The corpus is read from ../shared (never copied into the repository): a clone without it has no dump to read.
      console.log(`      SKIPPED: ${structure} is absent`);
      this.skip();
    }
    const dir = tempWorkspace({ '.sqlarchitect.json': JSON.stringify({ baseline: structure }), 'db/migrate/20260901000000_index.sql': 'CREATE INDEX index_posts_on_rating ON posts (rating);\n' });
    const project = await loadProjectFromDisk([dir], { warn: (m) => assert.fail(m) });
    assert.equal(project.sets.length, 1);
    assert.ok(project.sets[0].baseline!.tables > 60, String(project.sets[0].baseline!.tables));
    assert.deepEqual(project.sets[0].findings.map((f) => f.rule).filter((r) => r === 'require-concurrent-index'), ['require-concurrent-index']);
  });

  it('a baseline file that does not exist is a configuration error naming the file', () => {
    const dir = tempWorkspace({ '.sqlarchitect.json': '{ "baseline": "db/structure.sql" }', 'db/migrate/001_a.sql': 'SELECT 1;' });
    const r = runCli(['check', dir]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /configuration error: .*\.sqlarchitect\.json: "baseline": .*db\/structure\.sql does not exist/);
  });

  describe("Debian's PostgreSQL through check --database-url", () => {
    let cluster: Cluster | undefined;
    let url = '';
    before(async function () {
      cluster = await clusterOrSkip(this);
      url = await createDatabase(cluster, 'app', 'CREATE ROLE app_user', DUMP_SQL);
    });
    after(() => cluster?.stop());

    it('the same findings as the dump; and pg_dump of that database gives them again', () => {
      const fromDump = lines(cliFindings([FIXTURE]));
      // Every table is empty: without this, the database's sizes make the lock findings info.
      const config = tempWorkspace({ '.sqlarchitect.json': '{ "smallTableRows": 0 }' });
      const fromDb = lines(cliFindings([MIGRATIONS, '--database-url', url, '--config', path.join(config, '.sqlarchitect.json')]));
      assert.deepEqual(fromDb, fromDump);
      const dumped = tempWorkspace({ '.sqlarchitect.json': '{ "baseline": "schema.sql" }' });
      fs.writeFileSync(path.join(dumped, 'schema.sql'), execFileSync(path.join(cluster!.binDir, 'pg_dump'), ['--schema-only', '-d', url], { encoding: 'utf8' }));
      assert.deepEqual(lines(cliFindings([MIGRATIONS, '--config', path.join(dumped, '.sqlarchitect.json')])), fromDump);
    });

    it('sizes of a large and a small table read from the server: the small one is info', async () => {
      const db = new Client({ connectionString: url });
      await db.connect();
      await db.query(`CREATE TABLE public.big_events (id bigint PRIMARY KEY, kind text);
        INSERT INTO public.big_events SELECT g, 'k' || (g % 7) FROM generate_series(1, 40000) g;
        CREATE TABLE public.tiny_settings (key text PRIMARY KEY, value text);
        INSERT INTO public.tiny_settings SELECT 'k' || g, 'v' FROM generate_series(1, 20) g;
        ANALYZE public.big_events; ANALYZE public.tiny_settings;`);
      await db.end();
      const dir = tempWorkspace({ 'db/20240501000000_kinds.sql': "SET lock_timeout = '2s';\nALTER TABLE big_events ADD CONSTRAINT big_events_kind_check CHECK (kind <> '');\nALTER TABLE tiny_settings ADD CONSTRAINT tiny_settings_value_check CHECK (value <> '');\n" });
      const found = cliFindings([dir, '--database-url', url]).filter((f) => f.rule === 'require-not-valid-check');
      assert.deepEqual(found.map((f) => `${f.line} ${f.severity}`), ['2 warning', '3 info']);
      assert.match(found[0].message, /big_events holds about 40 k rows, \d+(\.\d)? MB \(from the database\)/);
      assert.match(found[1].message, /tiny_settings holds about 20 rows, \d+ kB \(from the database\): on a table this small/);
    });

    it('a role that may not read the catalog gets a clear message; the connection string never shows', async () => {
      const admin = new Client({ connectionString: url });
      await admin.connect();
      await admin.query("CREATE ROLE reader LOGIN PASSWORD 's3cret-pw'; REVOKE SELECT ON pg_catalog.pg_policy FROM PUBLIC");
      await admin.end();
      const reader = url.replace('postgres@', 'reader:s3cret-pw@');
      try {
        const r = runCli(['check', MIGRATIONS, '--database-url', reader]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /cannot read the schema: app on 127\.0\.0\.1:\d+: the role may not read the row-level security policies \(permission denied for table pg_policy\)/);
        assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
      } finally {
        const fix = new Client({ connectionString: url });
        await fix.connect();
        await fix.query('GRANT SELECT ON pg_catalog.pg_policy TO PUBLIC');
        await fix.end();
      }
      const closed = await freePort();
      const r = runCli(['check', MIGRATIONS, '--database-url', `postgres://app:s3cret-pw@127.0.0.1:${closed}/app`]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, new RegExp(`cannot connect to app on 127\\.0\\.0\\.1:${closed}: connection refused`));
      assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
    });
  });
});
