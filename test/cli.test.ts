import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import { parse as parseYaml } from 'yaml';
import { applyJsonEdits, CLI, ROOT, runCli, tempWorkspace, type JsonEdit } from './helpers';

interface JsonFinding { file: string; rule: string; severity: string; message: string; line: number; column: number; endLine: number; endColumn: number; fixes: { title: string; safe: boolean; edits: JsonEdit[] }[] }

describe('sql-architect check (CLI)', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is built by `npm test`'));

  it('reviews the bundled examples and prints file:line:col severity rule message', () => {
    const r = runCli(['check', 'examples/migrations']);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.match(r.stdout, /^examples\/migrations\/\d+_\w+\.sql:\d+:\d+ (warning|error|info) [a-z-]+ .+/m);
    assert.match(r.stdout, /problems? \(\d+ errors?, \d+ warnings?, \d+ info\) in 6 files\./);
  });

  it('leaves out the ory/popx files PostgreSQL never runs, and explain lists them with why', () => {
    const dir = tempWorkspace({
      'm/20150100000001000000_networks.postgres.up.sql': 'CREATE TABLE networks (id uuid PRIMARY KEY);\n',
      // The generic file of a version with a .postgres. twin, and a MySQL one: never run on PostgreSQL.
      'm/20260616000000000000_idx.autocommit.up.sql': 'CREATE INDEX IF NOT EXISTS networks_id_idx ON networks (id);\n',
      'm/20260616000000000000_idx.postgres.autocommit.up.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS networks_id_idx ON networks (id);\n',
      'm/20260616000000000001_x.mysql.up.sql': 'ALTER TABLE `networks` ADD COLUMN `x` INT;\n',
    });
    const r = runCli(['check', '--format', 'json', 'm'], dir);
    const out = JSON.parse(r.stdout) as { files: number; findings: JsonFinding[] };
    assert.equal(out.files, 2, r.stderr);
    assert.deepEqual(out.findings.filter((f) => f.file.endsWith('_idx.autocommit.up.sql') || f.file.includes('.mysql.')).map((f) => f.rule), []);
    const explain = runCli(['explain', 'm'], dir);
    assert.match(explain.stdout, /left out, never run on PostgreSQL: 2 files\n {4}m\/20260616000000000000_idx\.autocommit\.up\.sql: 20260616000000000000_idx\.postgres\.autocommit\.up\.sql runs instead on PostgreSQL\n {4}m\/20260616000000000001_x\.mysql\.up\.sql: a mysql migration/);
    const json = JSON.parse(runCli(['explain', '--format', 'json', 'm'], dir).stdout) as { sets: { leftOut?: { file: string }[] }[] };
    assert.deepEqual(json.sets[0].leftOut?.map((f) => f.file), ['m/20260616000000000000_idx.autocommit.up.sql', 'm/20260616000000000001_x.mysql.up.sql']);
    // Named one by one (a shell glob), the left-out files are found, not missing: a warning each, no usage error.
    const files = fs.readdirSync(path.join(dir, 'm')).sort().map((f) => `m/${f}`);
    const named = runCli(['check', '--format', 'json', ...files], dir);
    assert.notEqual(named.status, 2, named.stderr);
    assert.match(named.stderr, /warning: m\/20260616000000000001_x\.mysql\.up\.sql: left out, PostgreSQL never runs it \(a mysql migration\)/);
    assert.equal((JSON.parse(named.stdout) as { files: number }).files, 2);
  });

  it('offers no fixes in pg_dump output (a Rails structure.sql): it is generated, and its empty search_path breaks them', () => {
    const body = 'CREATE TABLE public.orders (id bigint PRIMARY KEY);\nCREATE TABLE public.items (id bigint PRIMARY KEY, order_id bigint);\nALTER TABLE ONLY public.items\n    ADD CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES public.orders(id);\n';
    const dump = `SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n${body}`;
    const dir = tempWorkspace({ 'db/structure.sql': dump, 'hand/001_schema.sql': body });
    const out = JSON.parse(runCli(['check', '--format', 'json', 'db', 'hand'], dir).stdout) as { findings: JsonFinding[] };
    const fk = (file: string) => out.findings.find((f) => f.rule === 'require-foreign-key-index' && f.file === file);
    assert.ok(fk('db/structure.sql'), JSON.stringify(out.findings.map((f) => [f.file, f.rule])));
    assert.deepEqual(fk('db/structure.sql')!.fixes, []);
    // The same SQL written by hand keeps its fix.
    assert.equal(fk('hand/001_schema.sql')!.fixes.length, 1);
  });

  it('offers no fixes in a popx migration that every database runs, but does in a PostgreSQL-only one', () => {
    const table = 'CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE TABLE items (id bigint PRIMARY KEY, order_id bigint);\nINSERT INTO orders VALUES (1);\nINSERT INTO items VALUES (1, 1);\n';
    const fk = 'ALTER TABLE items ADD CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id);\n';
    const dir = tempWorkspace({
      'm/20210101000000000000_init.up.sql': table,
      'm/20220101000000000001_fk.up.sql': fk,
      'm/20220101000000000002_fk2.postgres.up.sql': fk.replace(/fk_items_order/, 'fk_items_order2'),
      'm/20220101000000000002_fk2.sqlite3.up.sql': '-- SQLite rebuilds the table instead\n',
      'm/20220101000000000003_idx.up.sql': 'CREATE TABLE notes (id bigint PRIMARY KEY);\n',
    });
    const out = JSON.parse(runCli(['check', '--format', 'json', 'm'], dir).stdout) as { findings: JsonFinding[] };
    const of = (file: string) => out.findings.find((f) => f.rule === 'require-not-valid-foreign-key' && f.file === file);
    // The generic file also runs on SQLite: NOT VALID and a VALIDATE migration would fail there. The advice stays.
    assert.ok(of('m/20220101000000000001_fk.up.sql'), JSON.stringify(out.findings.map((f) => [f.file, f.rule])));
    assert.deepEqual(of('m/20220101000000000001_fk.up.sql')!.fixes, []);
    const pg = of('m/20220101000000000002_fk2.postgres.up.sql')!;
    assert.ok(pg.fixes.length > 0);
    assert.ok(JSON.stringify(pg.fixes).includes('.postgres.up.sql'), JSON.stringify(pg.fixes));
    // check --fix with both named: the generic file stays as it is, through every round of fixes.
    const generic = path.join(dir, 'm/20220101000000000001_fk.up.sql');
    const before = fs.readFileSync(generic, 'utf8');
    const fixed = runCli(['check', '--fix', '--exit-zero', 'm/20220101000000000001_fk.up.sql', 'm/20220101000000000002_fk2.postgres.up.sql'], dir);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.equal(fs.readFileSync(generic, 'utf8'), before);
    assert.match(fs.readFileSync(path.join(dir, 'm/20220101000000000002_fk2.postgres.up.sql'), 'utf8'), /^SET lock_timeout/);
  });

  it('emits the versioned JSON contract with 1-based UTF-16 positions', () => {
    const dir = tempWorkspace({ 'db/001_ü.sql': '-- Größe 📦\nCREATE INDEX "idx_ü" ON "Straße" (name);\n' });
    const r = runCli(['check', 'db', '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { version: number; files: number; findings: JsonFinding[] };
    assert.equal(json.version, 1);
    assert.equal(json.files, 1);
    const f = json.findings.find((x) => x.rule === 'require-concurrent-index');
    assert.ok(f, JSON.stringify(json.findings));
    assert.deepEqual([f.file, f.line, f.column, f.endLine], ['db/001_ü.sql', 2, 1, 2]);
    assert.equal(f.endColumn, '-- Größe 📦\nCREATE INDEX "idx_ü" ON "Straße" (name)'.split('\n')[1].length + 1);
    assert.ok(f.fixes.length > 0 && f.fixes[0].edits.length > 0);
    for (const k of ['file', 'rule', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'fixes']) assert.ok(k in f, k);
  });

  it('a fix taken from the JSON output removes its finding when applied', () => {
    const sql = 'CREATE TABLE notes (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, body text);\n';
    const dir = tempWorkspace({ 'm/001_notes.sql': sql });
    const before = JSON.parse(runCli(['check', 'm', '--format', 'json'], dir).stdout) as { findings: JsonFinding[] };
    const f = before.findings.find((x) => x.rule === 'require-tenant-index');
    assert.ok(f);
    fs.writeFileSync(path.join(dir, 'm/001_notes.sql'), applyJsonEdits(sql, f.fixes[0].edits.filter((e) => !e.file)));
    const after = JSON.parse(runCli(['check', 'm', '--format', 'json'], dir).stdout) as { findings: JsonFinding[] };
    assert.equal(after.findings.filter((x) => x.rule === 'require-tenant-index').length, 0);
    assert.equal(after.findings.filter((x) => x.rule === 'syntax-error').length, 0);
  });

  it('exits 1 on an error-severity finding and 0 when there is none', () => {
    const dir = tempWorkspace({ 'a/001.sql': 'SELECT 1 FROM;\n', 'b/001.sql': 'SELECT 1;\n' });
    assert.equal(runCli(['check', 'a'], dir).status, 1);
    assert.equal(runCli(['check', 'b'], dir).status, 0);
    assert.equal(runCli(['check', 'a', '--exit-zero'], dir).status, 0, '--exit-zero reports but does not fail');
  });

  it('writes valid SARIF 2.1.0 with rules, help, helpUri and fixes', () => {
    const dir = tempWorkspace({ 'm/001.sql': 'CREATE INDEX i ON t (c);\nSELECT 1 FROM;\n' });
    const r = runCli(['check', 'm', '--format', 'sarif'], dir);
    assert.equal(r.status, 1, r.stderr);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const log: any = JSON.parse(r.stdout);
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors?.slice(0, 5)));
    const driver = log.runs[0].tool.driver;
    assert.ok(driver.rules.length > 2);
    assert.ok(driver.rules.every((x: { helpUri: string; help: { text: string } }) => x.helpUri.endsWith('.md') && x.help.text.length > 0));
    const idx = log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'require-concurrent-index');
    assert.ok(idx.fixes[0].artifactChanges[0].replacements[0].insertedContent.text.includes('CONCURRENTLY'));
    assert.equal(driver.rules[idx.ruleIndex].id, 'require-concurrent-index');
  });

  it('reads the nearest .sqlarchitect.json above the folder, and --config overrides it', () => {
    const dir = tempWorkspace({
      '.sqlarchitect.json': JSON.stringify({ rules: { 'require-concurrent-index': 'off' } }),
      'db/m/001.sql': 'CREATE INDEX i ON t (c);\n',
      'strict.json': JSON.stringify({ rules: { 'require-concurrent-index': 'error' } }),
    });
    const quiet = runCli(['check', 'db/m', '--format', 'json'], dir);
    assert.equal(JSON.parse(quiet.stdout).findings.filter((f: JsonFinding) => f.rule === 'require-concurrent-index').length, 0);
    const strict = runCli(['check', 'db/m', '--format', 'json', '--config', 'strict.json'], dir);
    assert.equal(strict.status, 1);
    assert.equal(JSON.parse(strict.stdout).findings.find((f: JsonFinding) => f.rule === 'require-concurrent-index').severity, 'error');
  });

  it('a bad config is one clear error naming the key and the file, exit 2, no stack trace', () => {
    const cases: [string, RegExp][] = [
      ['{"rules": {"no-such-rule": "off"}}', /\.sqlarchitect\.json: unknown rule "no-such-rule"/],
      ['{"postgresVersion": "fourteen"}', /\.sqlarchitect\.json: "postgresVersion" must be/],
      ['{"tenantColumns": "tenant_id"}', /"tenantColumns" must be an array of strings/],
      ['{"colour": 1}', /unknown key "colour"/],
      ['{\n  "rules": {\n    "x": \n}', /\.sqlarchitect\.json:4:1: invalid JSON/],
    ];
    for (const [config, expected] of cases) {
      const dir = tempWorkspace({ '.sqlarchitect.json': config, 'm/001.sql': 'SELECT 1;\n' });
      const r = runCli(['check', 'm'], dir);
      assert.equal(r.status, 2, config);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('usage errors exit 2', () => {
    assert.equal(runCli(['check', '--format', 'xml']).status, 2);
    assert.equal(runCli(['frobnicate']).status, 2);
    assert.equal(runCli(['check', '--pg-version', 'abc']).status, 2);
    assert.match(runCli(['--help']).stdout, /sql-architect check/);
  });

  it('a path that does not exist, or no .sql file at all, is a usage error naming the path (--no-error-on-unmatched-pattern opts out)', () => {
    const dir = tempWorkspace({ 'db/migrations/001.sql': 'SELECT 1;\n', 'docs/README.md': '# no SQL here\n' });
    for (const command of ['check', 'report', 'baseline', 'trace']) {
      const typo = runCli([command, 'db/migratons'], dir);
      assert.equal(typo.status, 2, `${command}: ${typo.stderr}`);
      assert.match(typo.stderr, /^sql-architect: db\/migratons: no such file or directory$/m);
    }
    const empty = runCli(['check', 'docs'], dir);
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /docs: no \.sql files found/);
    const mixed = runCli(['check', 'db/migrations', 'docs'], dir);
    assert.equal(mixed.status, 2, 'every path must hold a .sql file');
    const none = runCli(['check'], path.join(dir, 'docs'));
    assert.equal(none.status, 2, 'no path and no .sql file under the working directory');
    assert.match(none.stderr, /\.: no \.sql files found/);
    const optOut = runCli(['check', 'db/migratons', 'docs', '--no-error-on-unmatched-pattern'], dir);
    assert.equal(optOut.status, 0, optOut.stderr);
    assert.match(optOut.stderr, /warning: db\/migratons: no such file or directory/);
    assert.match(optOut.stdout, /No problems found in 0 files\./);
    assert.equal(runCli(['check', 'db/migrations', '--no-error-on-unmatched-pattern'], dir).status, 0);
  });

  it('--fail-on chooses the severity that fails the run', () => {
    const dir = tempWorkspace({ 'db/001_a.sql': 'CREATE TABLE a (id bigint PRIMARY KEY);\n', 'db/002_b.sql': 'CREATE INDEX i ON a (id);\n' });
    const json = JSON.parse(runCli(['check', 'db', '--format', 'json'], dir).stdout) as { findings: JsonFinding[] };
    assert.deepEqual([...new Set(json.findings.map((f) => f.severity))], ['warning'], 'warnings only');
    assert.equal(runCli(['check', 'db'], dir).status, 0, 'default: error');
    assert.equal(runCli(['check', 'db', '--fail-on', 'warning'], dir).status, 1);
    assert.equal(runCli(['check', 'db', '--fail-on', 'info'], dir).status, 1);
    assert.equal(runCli(['check', 'db', '--fail-on', 'never', '--fail-on', 'never'], dir).status, 0);
    assert.equal(runCli(['check', 'db', '--fail-on', 'sometimes'], dir).status, 2);
  });

  it('--changed-files (the pre-commit hook entry): findings only in the given files, their whole migration folders replayed', () => {
    const hooks = parseYaml(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; files: string; language: string; require_serial: boolean }[];
    const hook = hooks.find((h) => h.id === 'sql-architect')!;
    assert.equal(hook.language, 'node');
    const [bin, ...args] = hook.entry.split(/\s+/);
    assert.equal(bin, 'sql-architect', 'the package bin');
    const dir = tempWorkspace({
      'db/migrations/20240101000000_notes.sql': 'CREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, body text);\n',
      'db/migrations/20240102000000_index.sql': 'CREATE INDEX notes_body_idx ON notes (body);\n',
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE t (id int);\n',
      'prisma/migrations/20240102000000_more/migration.sql': 'CREATE INDEX t_id_idx ON t (id);\n',
      'README.md': '# staged too, but not SQL\n',
    });
    const staged = ['db/migrations/20240102000000_index.sql', 'prisma/migrations/20240102000000_more/migration.sql'].filter((f) => new RegExp(hook.files).test(f));
    assert.equal(staged.length, 2, 'the hook takes .sql files');
    const r = runCli([...args, ...staged, '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { files: number; findings: JsonFinding[] };
    assert.deepEqual([...new Set(out.findings.map((f) => f.file))].sort(), staged.slice().sort(), 'findings only in the staged files');
    // notes and t exist only because the earlier migrations were replayed: CREATE INDEX on an existing table.
    assert.deepEqual(out.findings.filter((f) => f.rule === 'require-concurrent-index').map((f) => f.file).sort(), staged.slice().sort());
    assert.equal(out.files, 4, 'both folders were analysed whole');
    assert.equal(runCli([...args, 'db/migrations/20240103000000_missing.sql'], dir).status, 2, 'a file that does not exist');
    assert.equal(runCli([...args, 'db/migrations'], dir).status, 2, 'folders are not changed files');
  });

  it('bad input gets a message naming the file and line; the rest of the set is analysed', () => {
    const bin = Buffer.from([0x43, 0x52, 0x0a, 0x00, 0x01, 0x02]);
    const invalidUtf8 = Buffer.concat([Buffer.from('-- ok\nCREATE TABLE a (id bigint PRIMARY KEY, note text); -- '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    const dir = tempWorkspace({
      'm/001_empty.sql': '',
      'm/002_binary.sql': bin,
      'm/003_latin.sql': invalidUtf8,
      'm/004_dollar.sql': 'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1;\n',
      'm/005_ok.sql': 'CREATE INDEX i ON t (c);\n',
      'm/006_template.sql': 'CREATE TABLE {{ index .Options "Namespace" }}.users (id uuid PRIMARY KEY);\n',
    });
    const r = runCli(['check', 'm', '--format', 'json'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /m\/002_binary\.sql:line 2: binary content/);
    assert.match(r.stderr, /m\/003_latin\.sql:line 2: invalid UTF-8/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const json = JSON.parse(r.stdout) as { files: number; findings: JsonFinding[] };
    assert.equal(json.files, 5);
    assert.ok(json.findings.some((f) => f.file === 'm/004_dollar.sql' && f.rule === 'syntax-error' && f.line === 1));
    assert.ok(json.findings.some((f) => f.file === 'm/005_ok.sql' && f.rule === 'require-concurrent-index'));
    assert.ok(!json.findings.some((f) => f.file === 'm/006_template.sql' && f.rule === 'syntax-error'));
  });

  it('never modifies the files it checks', () => {
    const dir = tempWorkspace({ 'm/001.sql': 'CREATE INDEX i ON t (c);\n' });
    const before = fs.statSync(path.join(dir, 'm/001.sql')).mtimeMs;
    runCli(['check', 'm', '--format', 'sarif', '--output', 'out/report.sarif'], dir);
    assert.equal(fs.readFileSync(path.join(dir, 'm/001.sql'), 'utf8'), 'CREATE INDEX i ON t (c);\n');
    assert.equal(fs.statSync(path.join(dir, 'm/001.sql')).mtimeMs, before);
    assert.ok(fs.existsSync(path.join(dir, 'out/report.sarif')));
  });
});
