import { ruleTester } from '../testing/tester';
import { requireConcurrentReindex } from './require-concurrent-reindex';

ruleTester(requireConcurrentReindex, {
  valid: [
    'REINDEX INDEX CONCURRENTLY orders_status_idx;',
    'REINDEX (VERBOSE) TABLE CONCURRENTLY orders;',
    'REINDEX SYSTEM;',
    'CREATE TABLE orders (id bigint PRIMARY KEY, status text);\nCREATE INDEX orders_status_idx ON orders (status);\nREINDEX INDEX orders_status_idx;',
    { sql: 'REINDEX INDEX orders_status_idx;', config: { postgresVersion: 11 } },
  ],
  invalid: [
    {
      sql: 'REINDEX INDEX orders_status_idx;',
      errors: [{ line: 1, column: 1, messageId: 'reindex', data: { table: 'its table' } }],
      output: 'REINDEX INDEX CONCURRENTLY orders_status_idx;',
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Bestellung" (id bigint PRIMARY KEY);', 'db/002.sql': '-- Index neu aufbauen 🔧\nreindex (verbose) table "Bestellung";' },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'reindex', data: { name: 'Bestellung', table: '"Bestellung"' } }],
      output: '-- Index neu aufbauen 🔧\nreindex (verbose) table CONCURRENTLY "Bestellung";',
    },
    { sql: 'REINDEX SCHEMA app;', errors: [{ line: 1, column: 1, messageId: 'reindex', data: { name: 'app', table: 'every table of schema app' } }], output: 'REINDEX SCHEMA CONCURRENTLY app;' },
  ],
});
