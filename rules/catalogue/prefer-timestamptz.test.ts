import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { caseFiles, ruleTester, runCase } from '../testing/tester';
import { preferTimestamptz } from './prefer-timestamptz';

ruleTester(preferTimestamptz, {
  valid: [
    'CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, b timestamp with time zone, c timestamptz(3));',
    'CREATE TABLE shops (id bigint PRIMARY KEY, opens time, day date);',
    'ALTER TABLE events ADD COLUMN seen_at timestamptz;',
    // A user type that happens to be called timestamp is not the built-in one.
    'CREATE TABLE t (id bigint PRIMARY KEY, at legacy.timestamp);',
    '-- sql-architect-ignore prefer-timestamptz: local opening time, not an instant\nCREATE TABLE shops (id bigint PRIMARY KEY, opens_at timestamp);',
  ],
  invalid: [
    {
      sql: 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamp NOT NULL);',
      errors: [{ line: 1, column: 57, messageId: 'timestamp', data: { column: 'events.happened_at', replacement: 'timestamptz' } }],
      output: 'CREATE TABLE events (id bigint PRIMARY KEY, happened_at timestamptz NOT NULL);',
    },
    {
      sql: '-- Zeitstempel für Ereignisse ⏰\nCREATE TABLE "Ereignis" (\n  id bigint PRIMARY KEY,\n  "geändert_am" TIMESTAMP(3) WITHOUT TIME ZONE NOT NULL DEFAULT now(),\n  "erstellt_am" pg_catalog.timestamp\n);',
      errors: [
        { line: 4, column: 17, messageId: 'timestamp', data: { column: 'Ereignis.geändert_am', replacement: 'timestamptz(3)' } },
        { line: 5, column: 17, messageId: 'timestamp', data: { column: 'Ereignis.erstellt_am' }, output: '-- Zeitstempel für Ereignisse ⏰\nCREATE TABLE "Ereignis" (\n  id bigint PRIMARY KEY,\n  "geändert_am" TIMESTAMP(3) WITHOUT TIME ZONE NOT NULL DEFAULT now(),\n  "erstellt_am" timestamptz\n);' },
      ],
      output: '-- Zeitstempel für Ereignisse ⏰\nCREATE TABLE "Ereignis" (\n  id bigint PRIMARY KEY,\n  "geändert_am" timestamptz(3) NOT NULL DEFAULT now(),\n  "erstellt_am" pg_catalog.timestamp\n);',
    },
    {
      sql: 'ALTER TABLE app.events ADD COLUMN archived_at timestamp[];',
      errors: [{ line: 1, column: 47, messageId: 'timestamp', data: { column: 'app.events.archived_at' } }],
      output: 'ALTER TABLE app.events ADD COLUMN archived_at timestamptz[];',
    },
    {
      // Changing an existing column: reported with the rewrite note, and the fix is not applied by "fix all".
      sql: 'ALTER TABLE events ALTER COLUMN happened_at TYPE timestamp USING happened_at::timestamp;',
      errors: [{ line: 1, column: 50, messageId: 'alterType' }],
      output: 'ALTER TABLE events ALTER COLUMN happened_at TYPE timestamptz USING happened_at::timestamp;',
    },
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE events (id bigint PRIMARY KEY);',
        'db/002_add.sql': 'ALTER TABLE events ADD COLUMN seen_at timestamp(0);',
      },
      errors: [{ file: 'db/002_add.sql', line: 1, column: 39, messageId: 'timestamp' }],
      output: 'ALTER TABLE events ADD COLUMN seen_at timestamptz(0);',
    },
  ],
});

describe('rule prefer-timestamptz: fix safety', () => {
  before(() => initParser());
  const fixesOf = (sql: string) => runCase(caseFiles(sql)).findings.filter((f) => f.rule === preferTimestamptz.id).flatMap((f) => f.fixes);
  it('"fix all" applies the fix to new columns', () => {
    assert.deepEqual(fixesOf('CREATE TABLE e (id bigint PRIMARY KEY, at timestamp); ALTER TABLE e ADD COLUMN b timestamp;').map((f) => f.safe), [true, true]);
  });
  it('but not to ALTER COLUMN … TYPE, which converts existing values', () => {
    assert.deepEqual(fixesOf('ALTER TABLE e ALTER COLUMN at TYPE timestamp;').map((f) => f.safe), [false]);
  });
});

describe('rule prefer-timestamptz: the project-wide choice', () => {
  before(() => initParser());
  it('is one finding whose related locations are the other statements, each once, in apply order', () => {
    const table = (n: number) => `CREATE TABLE t${n} (id bigint PRIMARY KEY, created_at timestamp NOT NULL, updated_at timestamp NOT NULL);`;
    const findings = runCase({
      'db/003_c.sql': `${table(3)}\n${table(4)}`,
      'db/001_a.sql': table(1),
      'db/002_b.sql': table(2),
    }).findings.filter((f) => f.rule === preferTimestamptz.id);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].messageId, 'convention');
    assert.equal(findings[0].file, 'db/001_a.sql');
    assert.deepEqual(findings[0].related.map((r) => `${r.file}:${r.span.start}`), ['db/002_b.sql:0', 'db/003_c.sql:0', `db/003_c.sql:${table(3).length + 1}`]);
  });
});
