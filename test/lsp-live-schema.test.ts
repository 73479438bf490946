// The language server on a set that starts from a baseline: the dump file of .sqlarchitect.json, or the live database
// of `sqlArchitect.databaseUrl` (Debian's PostgreSQL), named in the status notification, never by its URL.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { StatusNotification, type StatusParams } from '../protocol/index';
import { ROOT, tempWorkspace } from './helpers';
import { LspClient, uri } from './lsp-client';
import { clusterOrSkip, createDatabase, freePort, type Cluster } from './pg/cluster';

const FIXTURE = path.join(ROOT, 'test/fixtures/baseline');
const SLUGS = path.join(FIXTURE, 'db/migrate/20240301000000_document_slugs.sql');
/** The migrations alone, in a folder without .sqlarchitect.json: the database is the only source of their tables. */
function migrationsOnly(): { dir: string; slugs: string } {
  const files = Object.fromEntries(fs.readdirSync(path.dirname(SLUGS)).map((f) => [`db/migrate/${f}`, fs.readFileSync(path.join(path.dirname(SLUGS), f), 'utf8')]));
  const dir = tempWorkspace(files);
  return { dir, slugs: path.join(dir, 'db/migrate', path.basename(SLUGS)) };
}
const DUMP_SQL = fs.readFileSync(path.join(FIXTURE, 'db/schema.sql'), 'utf8').split('\n').filter((l) => !l.startsWith('\\')).join('\n');

function lastStatus(client: LspClient): StatusParams | undefined {
  return client.notifications.filter((n) => n.method === StatusNotification.method).map((n) => n.params as StatusParams).pop();
}

describe('language server: baseline schema and live database', function () {
  this.timeout(120000);
  let client: LspClient | undefined;
  afterEach(async () => { await client?.stop(); client = undefined; });

  it('the dump of .sqlarchitect.json gives tenancy diagnostics; the dump itself gets none', async () => {
    client = new LspClient();
    await client.initialize(FIXTURE);
    await client.waitFor(() => client!.diags(SLUGS).some((d) => d.code === 'require-tenant-in-unique'), 'require-tenant-in-unique from the dump');
    assert.deepEqual(client.diags(path.join(FIXTURE, 'db/schema.sql')), []);
    const d = client.diags(SLUGS).find((x) => x.code === 'require-tenant-in-unique')!;
    assert.equal(d.relatedInformation?.[0].location.uri, uri(path.join(FIXTURE, 'db/schema.sql')));
    assert.equal(d.relatedInformation?.[0].location.range.start.line, 40);
    assert.equal(lastStatus(client)?.databases, undefined);
  });

  describe("sqlArchitect.databaseUrl on Debian's PostgreSQL", () => {
    let cluster: Cluster | undefined;
    let url = '';
    before(async function () {
      cluster = await clusterOrSkip(this);
      const dbUrl = await createDatabase(cluster, 'app', "CREATE ROLE app_user; CREATE ROLE reviewer LOGIN PASSWORD 'pw-not-to-show'",
        `${DUMP_SQL}\nINSERT INTO public.plans SELECT 'p' || g, g FROM generate_series(1, 5) g; ANALYZE public.plans;`);
      url = dbUrl.replace('postgres@', 'reviewer:pw-not-to-show@');
    });
    after(() => cluster?.stop());

    it('the status names the database; diagnostics come from its schema; hover shows table sizes', async () => {
      const { dir, slugs } = migrationsOnly();
      client = new LspClient();
      client.settings = { databaseUrl: url };
      await client.initialize(dir);
      await client.waitFor(() => client!.diags(slugs).some((d) => d.code === 'require-tenant-in-unique'), 'tenancy from the live schema');
      await client.waitFor(() => (lastStatus(client!)?.databases ?? []).length > 0, 'the status names the database');
      assert.deepEqual(lastStatus(client)?.databases, [`app on 127.0.0.1:${cluster!.port}`]);
      const text = fs.readFileSync(slugs, 'utf8');
      await client.open(slugs, text);
      const at = text.indexOf('documents ADD') + 2;
      const line = text.slice(0, at).split('\n').length - 1;
      const hover = await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(slugs) }, position: { line, character: at - text.lastIndexOf('\n', at - 1) - 1 } }) as { contents: { value: string } };
      assert.match(hover.contents.value, /\*\*Table documents\*\*/);
      assert.match(hover.contents.value, /- Size: \d+ kB \(from the database\)/);
      assert.match(hover.contents.value, /Shaped by: the database app on 127\.0\.0\.1/);
      assert.doesNotMatch(JSON.stringify(client.notifications) + client.stderr, /pw-not-to-show/);
    });

    it('a database that cannot be read is a configuration problem naming it, never its URL; the review goes on', async () => {
      const closed = await freePort();
      const { dir, slugs } = migrationsOnly();
      client = new LspClient();
      client.settings = { databaseUrl: `postgres://reviewer:pw-not-to-show@127.0.0.1:${closed}/app` };
      await client.initialize(dir);
      const message = () => client!.notifications.find((n) => n.method === 'window/showMessage' && /databaseUrl/.test((n.params as { message: string }).message));
      await client.waitFor(() => Boolean(message()), 'the problem is shown');
      assert.match((message()!.params as { message: string }).message, new RegExp(`sqlArchitect\\.databaseUrl: cannot connect to app on 127\\.0\\.0\\.1:${closed}: connection refused`));
      await client.waitFor(() => client!.diags(slugs).some((d) => d.code === 'no-unique-constraint-lock'), 'the review without the database');
      assert.ok(!client.diags(slugs).some((d) => d.code === 'require-tenant-in-unique'));
      assert.equal(lastStatus(client)?.databases, undefined);
      assert.doesNotMatch(JSON.stringify(client.notifications) + client.stderr, /pw-not-to-show/);
    });
  });
});
