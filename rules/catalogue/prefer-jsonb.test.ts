import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { caseFiles, ruleTester, runCase } from '../testing/tester';
import { preferJsonb } from './prefer-jsonb';

ruleTester(preferJsonb, {
  valid: [
    'CREATE TABLE webhooks (id bigint PRIMARY KEY, payload jsonb NOT NULL);',
    'ALTER TABLE webhooks ADD COLUMN headers jsonb;',
    'CREATE TABLE t (id bigint PRIMARY KEY, doc app.json);',
    '-- sql-architect-ignore prefer-jsonb: the signature covers the exact bytes\nCREATE TABLE webhooks (id bigint PRIMARY KEY, raw json NOT NULL);',
  ],
  invalid: [
    {
      sql: 'CREATE TABLE webhooks (id bigint PRIMARY KEY, payload json NOT NULL);',
      errors: [{ line: 1, column: 55, messageId: 'json', data: { column: 'webhooks.payload' } }],
      output: 'CREATE TABLE webhooks (id bigint PRIMARY KEY, payload jsonb NOT NULL);',
    },
    {
      sql: '-- Nutzdaten 📨\nALTER TABLE "Nachricht" ADD COLUMN "Inhalt" JSON[], ADD COLUMN meta pg_catalog.json;',
      errors: [{ line: 2, column: 45, messageId: 'json', data: { column: 'Nachricht.Inhalt' } }, { line: 2, column: 69, messageId: 'json', data: { column: 'Nachricht.meta' }, output: '-- Nutzdaten 📨\nALTER TABLE "Nachricht" ADD COLUMN "Inhalt" JSON[], ADD COLUMN meta jsonb;' }],
      output: '-- Nutzdaten 📨\nALTER TABLE "Nachricht" ADD COLUMN "Inhalt" jsonb[], ADD COLUMN meta pg_catalog.json;',
    },
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE webhooks (id bigint PRIMARY KEY, payload text);',
        'db/002_type.sql': 'ALTER TABLE webhooks ALTER COLUMN payload TYPE json USING payload::json;',
      },
      errors: [{ file: 'db/002_type.sql', line: 1, column: 48, messageId: 'json' }],
      output: 'ALTER TABLE webhooks ALTER COLUMN payload TYPE jsonb USING payload::json;',
    },
  ],
});

describe('rule prefer-jsonb: fix safety', () => {
  before(() => initParser());
  const fixesOf = (sql: string) => runCase(caseFiles(sql)).findings.filter((f) => f.rule === preferJsonb.id).flatMap((f) => f.fixes);
  it('is safe for new columns, not for ALTER COLUMN … TYPE', () => {
    assert.deepEqual(fixesOf('CREATE TABLE w (id bigint PRIMARY KEY, p json);\nALTER TABLE w ALTER COLUMN p TYPE json;').map((f) => f.safe), [true, false]);
  });
});
