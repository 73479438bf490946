import { ruleTester } from '../testing/tester';
import { noTableRewrite } from './no-table-rewrite';

ruleTester(noTableRewrite, {
  valid: [
    'VACUUM orders;',
    'VACUUM (ANALYZE) orders;',
    'CREATE TABLE staging (id bigint);\nVACUUM FULL staging;\nALTER TABLE staging SET LOGGED;',
    { sql: { 'db/001.sql': 'CREATE TABLE orders (id bigint);', 'db/002.sql': 'ALTER TABLE orders SET LOGGED;' } },
  ],
  invalid: [
    {
      sql: 'VACUUM FULL orders;',
      errors: [{ line: 1, column: 1, messageId: 'vacuumFull', data: { tables: 'orders' }, message: /rewrites orders and all indexes under an ACCESS EXCLUSIVE lock.*pg_repack/ }],
      output: 'VACUUM orders;',
    },
    { sql: 'VACUUM (FULL, ANALYZE) orders;', errors: [{ line: 1, column: 1, messageId: 'vacuumFull' }], output: 'VACUUM (ANALYZE) orders;' },
    { sql: 'VACUUM (ANALYZE, FULL) orders;', errors: [{ line: 1, column: 1, messageId: 'vacuumFull' }], output: 'VACUUM (ANALYZE) orders;' },
    { sql: 'VACUUM (FULL) orders;', errors: [{ line: 1, column: 1, messageId: 'vacuumFull' }], output: 'VACUUM orders;' },
    { sql: 'VACUUM (VERBOSE, FULL true, ANALYZE) orders;', errors: [{ line: 1, column: 1, messageId: 'vacuumFull' }], output: 'VACUUM (VERBOSE, ANALYZE) orders;' },
    { sql: 'VACUUM FULL;', errors: [{ line: 1, column: 1, messageId: 'vacuumFullDatabase' }], output: 'VACUUM;' },
    { sql: 'CLUSTER orders USING orders_created_at_idx;', errors: [{ line: 1, column: 1, messageId: 'cluster' }] },
    { sql: 'CLUSTER orders USING orders_created_at_idx;', config: { postgresVersion: 19 }, errors: [{ messageId: 'cluster', data: { table: 'orders', online: 'REPACK (CONCURRENTLY) orders USING INDEX' } }] },
    { sql: 'ALTER TABLE orders SET UNLOGGED;', errors: [{ line: 1, column: 1, messageId: 'rewrite', data: { what: 'SET UNLOGGED' } }] },
    { sql: 'ALTER TABLE orders SET TABLESPACE fast_ssd;', errors: [{ line: 1, column: 1, messageId: 'setTablespace' }] },
    { sql: { 'db/001.sql': 'CREATE UNLOGGED TABLE "Zwischenspeicher" (id bigint);', 'db/002.sql': '-- dauerhaft speichern 💾\nALTER TABLE "Zwischenspeicher" SET LOGGED;' }, errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'rewrite', data: { what: 'SET LOGGED', how: 'copies the whole table into the WAL' } }] },
  ],
});
