import { ruleTester } from '../testing/tester';
import { noConcurrentInTransaction } from './no-concurrent-in-transaction';

ruleTester(noConcurrentInTransaction, {
  valid: [
    'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);',
    'BEGIN;\nCREATE INDEX orders_status_idx ON orders (status);\nCOMMIT;\nDROP INDEX CONCURRENTLY old_idx;',
    // goose files that opt out of the transaction are not assumed to be in one.
    { sql: '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);', config: { assumeInTransaction: true } },
    { sql: '-- postgres-migrations disable-transaction\nDROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;', config: { assumeInTransaction: true } },
    { sql: { 'sql/20240101000000000000_index.autocommit.up.sql': 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);' }, config: { assumeInTransaction: true } },
  ],
  invalid: [
    {
      sql: 'BEGIN;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nCOMMIT;',
      errors: [{ line: 2, column: 1, messageId: 'inBegin', data: { line: 1 } }],
      output: 'BEGIN;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);',
    },
    {
      sql: { 'db/001_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, status text);', 'db/002_index.sql': 'REINDEX TABLE CONCURRENTLY orders;' },
      config: { assumeInTransaction: true },
      errors: [{ file: 'db/002_index.sql', line: 1, column: 1, messageId: 'inTool', data: { what: 'REINDEX … CONCURRENTLY' } }],
    },
    {
      sql: 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);',
      config: { assumeInTransaction: true },
      errors: [{ line: 1, column: 1, messageId: 'inTool', message: /assumeInTransaction.*NO TRANSACTION/ }],
    },
    {
      sql: '-- Aufräumen 🧽\nSTART TRANSACTION;\nALTER TABLE "Ereignis" ADD COLUMN x int;\nDROP INDEX CONCURRENTLY "Ereignis_alt_idx";\nREINDEX INDEX CONCURRENTLY "Ereignis_idx";\nALTER TABLE "Ereignis" DETACH PARTITION "Ereignis_2023" CONCURRENTLY;\nVACUUM "Ereignis";\nCOMMIT;',
      errors: [{ line: 4, column: 1, messageId: 'inBegin' }, { line: 5, column: 1, messageId: 'inBegin', output: '-- Aufräumen 🧽\nSTART TRANSACTION;\nALTER TABLE "Ereignis" ADD COLUMN x int;\nDROP INDEX CONCURRENTLY "Ereignis_alt_idx";\nALTER TABLE "Ereignis" DETACH PARTITION "Ereignis_2023" CONCURRENTLY;\nVACUUM "Ereignis";\nCOMMIT;\nREINDEX INDEX CONCURRENTLY "Ereignis_idx";' }, { line: 6, column: 1, messageId: 'inBegin', output: '-- Aufräumen 🧽\nSTART TRANSACTION;\nALTER TABLE "Ereignis" ADD COLUMN x int;\nDROP INDEX CONCURRENTLY "Ereignis_alt_idx";\nREINDEX INDEX CONCURRENTLY "Ereignis_idx";\nVACUUM "Ereignis";\nCOMMIT;\nALTER TABLE "Ereignis" DETACH PARTITION "Ereignis_2023" CONCURRENTLY;' }, { line: 7, column: 1, messageId: 'inBegin', output: '-- Aufräumen 🧽\nSTART TRANSACTION;\nALTER TABLE "Ereignis" ADD COLUMN x int;\nDROP INDEX CONCURRENTLY "Ereignis_alt_idx";\nREINDEX INDEX CONCURRENTLY "Ereignis_idx";\nALTER TABLE "Ereignis" DETACH PARTITION "Ereignis_2023" CONCURRENTLY;\nCOMMIT;\nVACUUM "Ereignis";' }],
      output: '-- Aufräumen 🧽\nSTART TRANSACTION;\nALTER TABLE "Ereignis" ADD COLUMN x int;\nREINDEX INDEX CONCURRENTLY "Ereignis_idx";\nALTER TABLE "Ereignis" DETACH PARTITION "Ereignis_2023" CONCURRENTLY;\nVACUUM "Ereignis";\nCOMMIT;\nDROP INDEX CONCURRENTLY "Ereignis_alt_idx";',
    },
  ],
});
