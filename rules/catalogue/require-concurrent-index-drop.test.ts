import { ruleTester } from '../testing/tester';
import { requireConcurrentIndexDrop } from './require-concurrent-index-drop';

ruleTester(requireConcurrentIndexDrop, {
  valid: [
    'DROP INDEX CONCURRENTLY orders_status_idx;',
    'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;',
    'CREATE TABLE orders (id bigint PRIMARY KEY, status text);\nCREATE INDEX orders_status_idx ON orders (status);\nDROP INDEX orders_status_idx;',
    'CREATE TEMP TABLE scratch (id int);\nCREATE INDEX scratch_id_idx ON scratch (id);\nDROP INDEX scratch_id_idx;',
  ],
  invalid: [
    {
      // goose runs the file in its transaction, where DROP INDEX CONCURRENTLY fails: the drop moves to a migration
      // of its own that goose runs without one.
      sql: {
        'db/migrations/00001_init.sql': '-- +goose Up\nCREATE TABLE orders (id bigint, status text);\nCREATE INDEX orders_status_idx ON orders (status);',
        'db/migrations/00002_drop.sql': '-- +goose Up\nDROP INDEX orders_status_idx;\nALTER TABLE orders ADD COLUMN note text;',
      },
      errors: [{ file: 'db/migrations/00002_drop.sql', line: 2, messageId: 'dropIndex' }],
      output: '-- +goose Up\nALTER TABLE orders ADD COLUMN note text;',
      // IF EXISTS in the new migration: it runs after every later one, which may have dropped the index already.
      outputFiles: { 'db/migrations/00003_drop_orders_status_idx.sql': '-- +goose Up\n-- +goose NO TRANSACTION\nDROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;\n' },
    },
    {
      // Drizzle runs every pending file in one transaction and has no opt-out: no fix can run, the recipe stays.
      sql: {
        'db/001_init.sql': 'CREATE TABLE orders (id bigint, status text);\nCREATE INDEX orders_status_idx ON orders (status);',
        'db/002_drop.sql': 'DROP INDEX orders_status_idx;',
      },
      config: { runner: 'drizzle' },
      errors: [{ file: 'db/002_drop.sql', line: 1, messageId: 'dropIndex' }],
      output: null,
    },
    {
      sql: 'DROP INDEX orders_status_idx;',
      errors: [{ line: 1, column: 1, messageId: 'dropIndex', data: { table: 'its table' } }],
      output: 'DROP INDEX CONCURRENTLY orders_status_idx;',
    },
    {
      // IF EXISTS of an index no migration made (supabase/auth drops one before creating it): a no-op on the schema
      // the migrations build, so only info; still a lock where the database has it.
      sql: 'CREATE TABLE users (id bigint PRIMARY KEY, token text);\nDROP INDEX IF EXISTS users_token_idx;\nCREATE INDEX users_token_idx ON users (token);',
      errors: [{ line: 2, column: 1, messageId: 'dropUnknown', severity: 'info', data: { indexes: 'users_token_idx' } }],
      output: 'CREATE TABLE users (id bigint PRIMARY KEY, token text);\nDROP INDEX CONCURRENTLY IF EXISTS users_token_idx;\nCREATE INDEX users_token_idx ON users (token);',
    },
    {
      sql: { 'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, status text);\nCREATE INDEX orders_status_idx ON orders (status);', 'db/002_drop.sql': '-- no longer used\ndrop index if exists public.orders_status_idx;' },
      errors: [{ file: 'db/002_drop.sql', line: 2, column: 1, messageId: 'dropIndex', data: { table: 'orders', waitOn: 'orders' } }],
      output: '-- no longer used\ndrop index CONCURRENTLY if exists public.orders_status_idx;',
    },
    {
      sql: 'DROP INDEX a_idx, "Índice_ü";',
      errors: [{ line: 1, column: 1, messageId: 'dropIndex' }],
      output: 'DROP INDEX CONCURRENTLY a_idx;\nDROP INDEX CONCURRENTLY "Índice_ü";',
    },
    {
      // CASCADE has no concurrent form: no fix, but the recipe says what to do.
      sql: 'DROP INDEX orders_status_idx CASCADE;',
      errors: [{ line: 1, column: 1, messageId: 'dropIndex' }],
      output: null,
    },
  ],
});
