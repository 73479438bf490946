import { ruleTester } from '../testing/tester';
import { requireConcurrentIndex } from './require-concurrent-index';

ruleTester(requireConcurrentIndex, {
  valid: [
    'CREATE INDEX CONCURRENTLY i ON t (c);',
    'CREATE TABLE t (id bigint PRIMARY KEY, c int); CREATE INDEX i ON t (c);',
    // A later statement of the same transaction adds a NOT NULL column without a default, which only an empty
    // table allows (Prisma's "This is not possible if the table is not empty"): the index builds at once.
    { sql: { 'db/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);', 'db/002.sql': 'BEGIN;\nCREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN d text NOT NULL;\nCOMMIT;' } },
    { sql: { 'db/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);', 'db/002.sql': 'CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN d text NOT NULL;' }, config: { runner: 'popx' } },
    // A copy of an index the table keeps: no-duplicate-index asks to drop it instead.
    { sql: { 'db/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);\nCREATE INDEX t_c_idx ON t (c);', 'db/002.sql': 'CREATE INDEX t_c_copy ON t (c);' } },
  ],
  invalid: [
    {
      // A replacement that a later migration keeps while dropping the old one is a real build.
      sql: { 'db/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);\nCREATE INDEX t_c_idx ON t (c);', 'db/002.sql': 'CREATE INDEX t_c_new ON t (c);', 'db/003.sql': 'DROP INDEX CONCURRENTLY t_c_idx;' },
      errors: [{ file: 'db/002.sql', line: 1, messageId: 'createIndex' }],
      output: 'CREATE INDEX CONCURRENTLY t_c_new ON t (c);',
    },
    {
      // ... unless the transaction itself deletes its rows first.
      sql: { 'db/001.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);', 'db/002.sql': 'CREATE INDEX i ON t (c);\nDELETE FROM t;\nALTER TABLE t ADD COLUMN d text NOT NULL;' },
      config: { runner: 'popx' },
      errors: [{ file: 'db/002.sql', line: 1, messageId: 'createIndex' }],
      output: null,
    },
    {
      sql: 'CREATE INDEX i ON t (c);',
      errors: [{ line: 1, column: 1, messageId: 'createIndex' }],
      output: 'CREATE INDEX CONCURRENTLY i ON t (c);',
    },
    {
      sql: '-- Índice für Straße 🚀\ncreate unique index "ü_idx" on "Straße" (name);',
      errors: [{ line: 2, column: 1, messageId: 'createIndex' }],
      output: '-- Índice für Straße 🚀\ncreate unique index CONCURRENTLY "ü_idx" on "Straße" (name);',
    },
    {
      sql: { 'm/001_a.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);', 'm/002_b.sql': 'CREATE INDEX i ON t (c);' },
      errors: [{ file: 'm/002_b.sql', line: 1, column: 1, messageId: 'createIndex' }],
      output: 'CREATE INDEX CONCURRENTLY i ON t (c);',
    },
    {
      // ... unless the set names files .autocommit.: popx runs those outside its transaction (ory/kratos does).
      sql: {
        'm/20200101000000000000_a.up.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);',
        'm/20200101000000000001_b.autocommit.up.sql': 'CREATE INDEX CONCURRENTLY t_id_idx ON t (id);',
        'm/20210101000000000000_c.up.sql': 'CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN d int;',
      },
      config: { runner: 'popx' },
      errors: [{ file: 'm/20210101000000000000_c.up.sql', line: 1, column: 1, messageId: 'createIndex' }],
      output: 'ALTER TABLE t ADD COLUMN d int;',
      outputFiles: { 'm/20210101000000000001_index_i.autocommit.up.sql': 'CREATE INDEX CONCURRENTLY i ON t (c);\n' },
    },
    {
      // ory/popx runs each migration in a transaction, and a follow-up file it names would run in one too: no fix.
      sql: { 'm/001_a.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);', 'm/002_b.sql': 'CREATE INDEX i ON t (c);' },
      config: { runner: 'popx' },
      errors: [{ file: 'm/002_b.sql', line: 1, column: 1, messageId: 'createIndex' }],
      output: null,
    },
    {
      // Inside a DO block: the statement the block runs, at its own line; CONCURRENTLY cannot run in a DO block, so no fix.
      sql: {
        'm/001_a.sql': 'CREATE TABLE "Straße" (id bigint PRIMARY KEY, name text);',
        'm/002_b.sql': "-- Index für Straße 🚀\nDO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'straße_name_idx') THEN\n    CREATE INDEX straße_name_idx ON \"Straße\" (name);\n  END IF;\nEND $$;",
      },
      errors: [{ file: 'm/002_b.sql', line: 5, column: 5, messageId: 'createIndex', data: { table: '"Straße"' } }],
    },
    {
      // EXECUTE of a constant string, quoted inside a function-style '…' body of the DO block.
      sql: { 'm/001_a.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);', 'm/002_b.sql': "DO '\nBEGIN\n  EXECUTE ''CREATE INDEX i ON t (c)'';\nEND';" },
      errors: [{ file: 'm/002_b.sql', line: 3, column: 13, messageId: 'createIndex', data: { table: 't' } }],
    },
    {
      // EXECUTE format(): the placeholders stand for unknown names; the table is known.
      sql: { 'm/001_a.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, c int);', 'm/002_b.sql': "DO $$ BEGIN EXECUTE format('CREATE INDEX %I ON t (%I)', 't_c_idx', 'c'); END $$;" },
      errors: [{ file: 'm/002_b.sql', line: 1, column: 29, messageId: 'createIndex', data: { table: 't' } }],
    },
  ],
});
