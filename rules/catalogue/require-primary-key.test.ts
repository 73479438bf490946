import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { requirePrimaryKey } from './require-primary-key';

ruleTester(requirePrimaryKey, {
  valid: [
    // A one-row settings table: every column has a default.
    'CREATE TABLE config (enable_billing boolean DEFAULT true, theme text DEFAULT \'light\');',
    'CREATE TABLE t (id bigint PRIMARY KEY);',
    'CREATE TABLE memberships (user_id bigint, team_id bigint, PRIMARY KEY (user_id, team_id));',
    'CREATE TEMP TABLE scratch (a int);',
    'CREATE TABLE backup_orders AS SELECT 1 AS id;',
    'CREATE TABLE m (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\nCREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\');',
    'CREATE TABLE src (id bigint PRIMARY KEY, v text);\nCREATE TABLE copy_of_src (LIKE src INCLUDING ALL);',
    // The key is added by a later migration of the set.
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE "Straße" (id bigint NOT NULL, name text);',
        'db/002_pk.sql': 'ALTER TABLE "Straße" ADD CONSTRAINT "Straße_pkey" PRIMARY KEY (id);',
      },
    },
    // A DO block (not analysed) may add it.
    'CREATE TABLE audit (id bigint NOT NULL);\nDO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN ALTER TABLE audit ADD CONSTRAINT audit_pk PRIMARY KEY (id); END IF; END $$;',
    { sql: 'CREATE TABLE order_events (order_id bigint NOT NULL);', config: { rules: { 'require-primary-key': 'off' } } },
  ],
  invalid: [
    {
      sql: 'CREATE TABLE order_events (order_id bigint NOT NULL, kind text NOT NULL);',
      errors: [{ line: 1, column: 1, messageId: 'noKey', data: { table: 'order_events' } }],
    },
    {
      sql: '-- Ereignisse 📦\nCREATE TABLE app."Ereignis" (id uuid NOT NULL DEFAULT gen_random_uuid(), payload jsonb);',
      errors: [{ line: 2, column: 1, messageId: 'idColumn', data: { table: 'app.Ereignis' } }],
    },
    {
      sql: 'CREATE TABLE "Benutzer" (email text NOT NULL UNIQUE, name text);',
      errors: [{ line: 1, column: 1, messageId: 'promoteConstraint', data: { table: 'Benutzer', index: 'Benutzer_email_key', columns: 'email' } }],
    },
    {
      sql: 'CREATE TABLE users (email text NOT NULL, name text);\nCREATE UNIQUE INDEX users_email_key ON users (email);',
      errors: [{ line: 1, column: 1, messageId: 'promoteIndex', data: { table: 'users', index: 'users_email_key', columns: 'email' } }],
    },
    {
      // A unique key on a nullable column is no natural key.
      sql: 'CREATE TABLE users (email text UNIQUE, name text);',
      errors: [{ line: 1, column: 1, messageId: 'noKey' }],
    },
    {
      // Prisma's implicit many-to-many tables: said once, on the first the set creates, as info.
      sql: {
        'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "_ProjectToUser" ("A" TEXT NOT NULL, "B" TEXT NOT NULL);\nCREATE UNIQUE INDEX "_ProjectToUser_AB_unique" ON "_ProjectToUser"("A", "B");\nCREATE INDEX "_ProjectToUser_B_index" ON "_ProjectToUser"("B");',
        'prisma/migrations/20240201000000_queues/migration.sql': 'CREATE TABLE "_completedWaitpoints" ("A" TEXT NOT NULL, "B" TEXT NOT NULL);\nCREATE UNIQUE INDEX "_completedWaitpoints_AB_unique" ON "_completedWaitpoints"("A", "B");',
      },
      errors: [{
        file: 'prisma/migrations/20240101000000_init/migration.sql', line: 1, column: 1, severity: 'info', messageId: 'prismaImplicit',
        data: { table: '_ProjectToUser', index: '_ProjectToUser_AB_unique', more: ', like the 1 listed with this finding' },
      }],
    },
    {
      // Not Prisma's: a third column, or no unique index on the pair.
      sql: 'CREATE TABLE "_AToB" ("A" TEXT NOT NULL, "B" TEXT NOT NULL, at timestamptz NOT NULL);\nCREATE UNIQUE INDEX "_AToB_AB_unique" ON "_AToB"("A", "B");\nCREATE TABLE "_CToD" ("A" TEXT NOT NULL, "B" TEXT NOT NULL);',
      errors: [
        { line: 1, column: 1, severity: 'info', messageId: 'promoteIndex', data: { table: '_AToB' } },
        { line: 3, column: 1, messageId: 'noKey', data: { table: '_CToD' } },
      ],
    },
    {
      // The key is dropped by a later migration: the table (created in the first file) is reported.
      sql: {
        'db/001_init.sql': 'CREATE TABLE tags (id bigint PRIMARY KEY, name text);',
        'db/002_drop.sql': 'ALTER TABLE tags DROP CONSTRAINT tags_pkey;',
      },
      errors: [{ file: 'db/001_init.sql', line: 1, column: 1, messageId: 'idColumn', data: { table: 'tags' } }],
    },
  ],
});

describe('require-primary-key severity', () => {
  before(() => initParser());
  const severity = (sql: string) => runCase({ 'db/001.sql': sql }).findings.filter((f) => f.rule === requirePrimaryKey.id).map((f) => f.severity);
  it('is info when a unique key on NOT NULL columns already tells rows apart', () => {
    assert.deepEqual(severity('CREATE TABLE tokens (token text NOT NULL, user_id bigint NOT NULL);\nCREATE UNIQUE INDEX tokens_token_key ON tokens (token);'), ['info']);
    assert.deepEqual(severity('CREATE TABLE "_ProjectToUser" ("A" TEXT NOT NULL, "B" TEXT NOT NULL);\nCREATE UNIQUE INDEX "_ProjectToUser_AB_unique" ON "_ProjectToUser"("A", "B");'), ['info']);
  });
  it('stays a warning when nothing tells rows apart', () => {
    assert.deepEqual(severity('CREATE TABLE order_events (order_id bigint NOT NULL, kind text NOT NULL);'), ['warning']);
    assert.deepEqual(severity('CREATE TABLE t (a text, b text);\nCREATE UNIQUE INDEX ON t (a, b);'), ['warning']);
  });
});

describe('require-primary-key on Prisma\'s implicit many-to-many tables', () => {
  before(() => initParser());
  const implicit = (name: string) => `CREATE TABLE "${name}" ("A" TEXT NOT NULL, "B" TEXT NOT NULL);\nCREATE UNIQUE INDEX "${name}_AB_unique" ON "${name}"("A", "B");`;
  it('says them once, the others as related locations, with the upgrade\'s migration written to take its lock for a moment', () => {
    const r = runCase({ 'db/001.sql': implicit('_PostToTag'), 'db/002.sql': `${implicit('_UserToTeam')}\n${implicit('_labels')}` });
    const found = r.findings.filter((f) => f.rule === requirePrimaryKey.id);
    assert.equal(found.length, 1);
    assert.deepEqual(found[0].related.map((x) => x.message), ['_UserToTeam is one too', '_labels is one too']);
    assert.deepEqual(found[0].related.map((x) => x.file.slice(-10)), ['db/002.sql', 'db/002.sql']);
    assert.match(found[0].file, /db\/001\.sql$/);
    assert.equal(found[0].recipe!.split('\n').slice(1).join('\n'), [
      'ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_AB_pkey" PRIMARY KEY USING INDEX "_PostToTag_AB_unique";',
      'ALTER TABLE "_UserToTeam" ADD CONSTRAINT "_UserToTeam_AB_pkey" PRIMARY KEY USING INDEX "_UserToTeam_AB_unique";',
      'ALTER TABLE _labels ADD CONSTRAINT "_labels_AB_pkey" PRIMARY KEY USING INDEX "_labels_AB_unique";',
    ].join('\n'));
  });
  it('says nothing once the upgrade made the pair the key', () => {
    const r = runCase({ 'db/001.sql': implicit('_PostToTag'), 'db/002.sql': 'ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_AB_pkey" PRIMARY KEY ("A", "B");\nDROP INDEX "_PostToTag_AB_unique";' });
    assert.deepEqual(r.findings.filter((f) => f.rule === requirePrimaryKey.id), []);
  });
});

describe('require-primary-key recipe for a link table', () => {
  before(() => initParser());
  const recipe = (sql: string) => runCase({ 'db/001.sql': sql }).findings.find((f) => f.rule === requirePrimaryKey.id)!.recipe!;
  it('offers the pair of references as the key before a surrogate column', () => {
    const r = recipe('CREATE TABLE ai_tags (media_asset_id integer NOT NULL, tag_id integer NOT NULL, score smallint NOT NULL);');
    assert.match(r, /^-- if each \(media_asset_id, tag_id\) pair appears once[^\n]*\nCREATE UNIQUE INDEX CONCURRENTLY ai_tags_pkey ON ai_tags \(media_asset_id, tag_id\);\nALTER TABLE ai_tags ADD CONSTRAINT ai_tags_pkey PRIMARY KEY USING INDEX ai_tags_pkey;\n-- otherwise a surrogate key:/);
  });
  it('a table that is no link table gets the surrogate key only', () => {
    assert.match(recipe('CREATE TABLE logs (message text NOT NULL, at timestamptz NOT NULL);'), /^-- fills the new column/);
  });
});
