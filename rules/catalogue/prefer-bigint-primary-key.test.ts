import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { caseFiles, ruleTester, runCase } from '../testing/tester';
import { preferBigintPrimaryKey } from './prefer-bigint-primary-key';

ruleTester(preferBigintPrimaryKey, {
  valid: [
    // Ids the application assigns (a migration number) do not come from a sequence and do not run out.
    'CREATE TABLE migrations (id integer PRIMARY KEY, name text NOT NULL);',
    'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);',
    'CREATE TABLE accounts (id bigserial PRIMARY KEY);',
    'CREATE TABLE accounts (id uuid PRIMARY KEY);',
    // smallint keys are a deliberate choice for lookup tables.
    'CREATE TABLE statuses (id smallint PRIMARY KEY, label text);',
    // Composite keys and keys that are themselves foreign keys follow other tables.
    'CREATE TABLE memberships (user_id int, team_id int, PRIMARY KEY (user_id, team_id));',
    'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE profiles (user_id int PRIMARY KEY REFERENCES users);',
    // Widened by a later migration.
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE accounts (id serial PRIMARY KEY);',
        'db/002_widen.sql': 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;',
      },
    },
    'CREATE TEMP TABLE scratch (id int PRIMARY KEY);',
  ],
  invalid: [
    {
      sql: 'CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL);',
      errors: [{ line: 1, column: 27, messageId: 'integerKey', data: { column: 'accounts.id', type: 'serial', table: 'accounts', replacement: 'bigserial' }, message: /^Primary key accounts\.id is serial: ids run out at 2,147,483,647 .* Use bigserial\.$/ }],
      output: 'CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL);',
    },
    {
      // Referencing integer columns widen with the key, in this file and in later ones.
      sql: {
        'db/001_init.sql': '-- Kunden und Aufträge 🛒\nCREATE TABLE "Kunde" (\n  "Kennung" integer GENERATED ALWAYS AS IDENTITY,\n  name text,\n  PRIMARY KEY ("Kennung")\n);\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY, kunde int4 REFERENCES "Kunde");',
        'db/002_more.sql': 'ALTER TABLE "Auftrag" ADD COLUMN "Empfänger" integer REFERENCES "Kunde" ("Kennung");',
      },
      errors: [{ file: 'db/001_init.sql', line: 3, column: 13, messageId: 'integerKey', data: { column: 'Kunde.Kennung', type: 'integer', table: 'Kunde', replacement: 'bigint', also: ' together with Auftrag.kunde, Auftrag.Empfänger, which reference it' } }],
      output: '-- Kunden und Aufträge 🛒\nCREATE TABLE "Kunde" (\n  "Kennung" bigint GENERATED ALWAYS AS IDENTITY,\n  name text,\n  PRIMARY KEY ("Kennung")\n);\nCREATE TABLE "Auftrag" (id bigint PRIMARY KEY, kunde bigint REFERENCES "Kunde");',
      outputFiles: { 'db/002_more.sql': 'ALTER TABLE "Auftrag" ADD COLUMN "Empfänger" bigint REFERENCES "Kunde" ("Kennung");' },
    },
    {
      // The key is added later to an integer column: the finding is where the type is written.
      sql: {
        'db/001_init.sql': 'CREATE TABLE tags (id int NOT NULL, name text);',
        'db/002_pk.sql': "CREATE SEQUENCE tags_id_seq;\nALTER TABLE tags ALTER COLUMN id SET DEFAULT nextval('tags_id_seq');\nALTER TABLE tags ADD PRIMARY KEY (id);",
      },
      errors: [{ file: 'db/001_init.sql', line: 1, column: 23, messageId: 'integerKey' }],
      output: 'CREATE TABLE tags (id bigint NOT NULL, name text);',
    },
    {
      sql: 'CREATE TABLE app.tags (id pg_catalog.int4 GENERATED ALWAYS AS IDENTITY PRIMARY KEY);',
      errors: [{ line: 1, column: 27, messageId: 'integerKey', data: { column: 'app.tags.id', type: 'integer', table: 'app.tags' } }],
      output: 'CREATE TABLE app.tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);',
    },
  ],
});

describe('rule prefer-bigint-primary-key: fix safety', () => {
  before(() => initParser());
  it('changing the type applications read is never applied by "fix all"', () => {
    const f = runCase(caseFiles('CREATE TABLE a (id serial PRIMARY KEY);')).findings.filter((x) => x.rule === preferBigintPrimaryKey.id);
    assert.deepEqual(f.flatMap((x) => x.fixes.map((y) => y.safe)), [false]);
  });
});
