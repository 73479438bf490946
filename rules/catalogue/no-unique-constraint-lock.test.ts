import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { noUniqueConstraintLock } from './no-unique-constraint-lock';

ruleTester(noUniqueConstraintLock, {
  valid: [
    'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
    'ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;',
    'CREATE TABLE users (id bigint, email text);\nALTER TABLE users ADD PRIMARY KEY (id), ADD UNIQUE (email);',
    'CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);',
    'CREATE TABLE users (id bigint PRIMARY KEY);\nALTER TABLE users ADD COLUMN email text UNIQUE;',
  ],
  invalid: [
    {
      // Prisma sends migration.sql as one multi-statement query, one implicit transaction: CONCURRENTLY would fail in
      // it (measured on PGlite: "cannot run inside a transaction block"), so no edit in place, and the recipe says so.
      sql: {
        'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" (id text NOT NULL, email text);',
        'prisma/migrations/20240201000000_email/migration.sql': 'ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE (email) DEFERRABLE INITIALLY DEFERRED;\nALTER TABLE "User" ADD COLUMN name text;',
      },
      errors: [{ file: 'prisma/migrations/20240201000000_email/migration.sql', line: 1, messageId: 'buildConcurrently' }],
      output: null,
    },
    {
      // goose wraps the file in its transaction: the same.
      sql: {
        'db/migrations/00001_init.sql': '-- +goose Up\nCREATE TABLE users (id bigint, email text);',
        'db/migrations/00002_email.sql': '-- +goose Up\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      },
      errors: [{ file: 'db/migrations/00002_email.sql', line: 2, messageId: 'buildConcurrently' }],
      output: null,
    },
    {
      // A unique index on the same columns exists already: attach it rather than build a second one.
      sql: { 'db/001.sql': 'CREATE TABLE accounts (id bigint NOT NULL, email text);\nCREATE UNIQUE INDEX accounts_id_idx ON accounts (id);', 'db/002.sql': 'ALTER TABLE accounts ADD PRIMARY KEY (id);' },
      errors: [{ file: 'db/002.sql', line: 1, messageId: 'attachExisting', data: { table: 'accounts', index: 'accounts_id_idx', kind: 'PRIMARY KEY', indexSql: 'accounts_id_idx' } }],
    },
    {
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      errors: [{ line: 1, column: 23, messageId: 'buildConcurrently', message: /unique index while holding an ACCESS EXCLUSIVE lock.*SELECT included/ }],
      output: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
    },
    {
      // Unnamed, NULLS NOT DISTINCT, INCLUDE and DEFERRABLE carried over.
      sql: 'ALTER TABLE users ADD UNIQUE NULLS NOT DISTINCT (org_id, email) INCLUDE (name) DEFERRABLE INITIALLY DEFERRED;',
      errors: [{ line: 1, column: 23, messageId: 'buildConcurrently' }],
      output: 'CREATE UNIQUE INDEX CONCURRENTLY users_org_id_email_key ON users (org_id, email) INCLUDE (name) NULLS NOT DISTINCT;\nALTER TABLE users ADD CONSTRAINT users_org_id_email_key UNIQUE USING INDEX users_org_id_email_key DEFERRABLE INITIALLY DEFERRED;',
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE users (id bigint NOT NULL, email text);', 'db/002.sql': 'ALTER TABLE users ADD PRIMARY KEY (id);' },
      errors: [{ file: 'db/002.sql', line: 1, column: 23, messageId: 'buildConcurrently', data: { what: 'ADD PRIMARY KEY', table: 'users', nullCheck: ' (and checks its columns for NULLs)' } }],
      output: 'CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users (id);\nALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;',
    },
    {
      // Inside BEGIN … COMMIT the concurrent build goes before the BEGIN.
      sql: '-- Benutzer: E-Mail eindeutig ✉️\nBEGIN;\nALTER TABLE "Benutzer" ADD CONSTRAINT "E-Mail_eindeutig" UNIQUE ("E-Mail"), ALTER COLUMN name SET DEFAULT \'\';\nCOMMIT;',
      errors: [{ line: 3, column: 28, messageId: 'buildConcurrently' }],
      output: '-- Benutzer: E-Mail eindeutig ✉️\nCREATE UNIQUE INDEX CONCURRENTLY "E-Mail_eindeutig" ON "Benutzer" ("E-Mail");\nBEGIN;\nALTER TABLE "Benutzer" ADD CONSTRAINT "E-Mail_eindeutig" UNIQUE USING INDEX "E-Mail_eindeutig", ALTER COLUMN name SET DEFAULT \'\';\nCOMMIT;',
    },
    {
      sql: 'ALTER TABLE users ADD COLUMN handle text UNIQUE;',
      errors: [{ line: 1, column: 1, messageId: 'inlineUnique' }],
      output: 'ALTER TABLE users ADD COLUMN handle text;\nCREATE UNIQUE INDEX CONCURRENTLY users_handle_key ON users (handle);\nALTER TABLE users ADD CONSTRAINT users_handle_key UNIQUE USING INDEX users_handle_key;',
    },
    {
      // Options the fix does not carry (WITH, USING INDEX TABLESPACE): the recipe only.
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email) WITH (fillfactor = 70);',
      errors: [{ line: 1, column: 23, messageId: 'buildConcurrently' }],
    },
  ],
});

describe('no-unique-constraint-lock: the recipe where the tool holds a transaction', () => {
  before(() => initParser());
  it('Prisma: the index is built in a migration of its own; DEFERRABLE is kept on the attach', () => {
    const r = runCase({
      'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" (id text NOT NULL, email text);',
      'prisma/migrations/20240201000000_email/migration.sql': 'ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE (email) DEFERRABLE INITIALLY DEFERRED;\nALTER TABLE "User" ADD COLUMN name text;',
    });
    const f = r.findings.filter((x) => x.rule === 'no-unique-constraint-lock');
    assert.equal(f.length, 1);
    assert.deepEqual(f[0].fixes, []);
    assert.equal(f[0].recipe, 'CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User" (email);  -- in a migration of its own, which the tool runs without a transaction\nALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE USING INDEX "User_email_key" DEFERRABLE INITIALLY DEFERRED;');
  });
});

describe('no-unique-constraint-lock: a key declared on a column being added', () => {
  before(() => initParser());
  const of = (sql: string) => runCase({ 'db/001.sql': 'CREATE TABLE users (id bigint);', 'db/002.sql': sql }).findings.filter((f) => f.rule === noUniqueConstraintLock.id);
  it('adds the column without the key first, in the recipe too (the index needs the column)', () => {
    const [f] = of('BEGIN;\nALTER TABLE users ADD COLUMN code text PRIMARY KEY;\nCOMMIT;');
    assert.match(f.recipe!, /^ALTER TABLE users ADD COLUMN code text;\n-- code is nullable[\s\S]*CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users \(code\);[^\n]*\nALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;$/);
  });
  it('leaves a column that fills itself for every row to no-volatile-default-column, whose recipe ends with the key', () => {
    assert.deepEqual(of('ALTER TABLE users ADD COLUMN uid uuid DEFAULT gen_random_uuid() PRIMARY KEY;'), []);
  });
});
