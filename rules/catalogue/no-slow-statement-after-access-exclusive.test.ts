import { ruleTester } from '../testing/tester';
import { noSlowStatementAfterAccessExclusive } from './no-slow-statement-after-access-exclusive';

ruleTester(noSlowStatementAfterAccessExclusive, {
  valid: [
    // One statement, one finding: the index build is require-concurrent-index's, whose message names the held lock.
    { sql: 'ALTER TABLE orders ALTER COLUMN status SET DEFAULT \'new\';\nCREATE INDEX orders_status_idx ON orders (status);', config: { assumeInTransaction: true } },
    // Autocommit: the ALTER's lock is released before the UPDATE.
    "ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new';",
    // Quick statements after the lock.
    'BEGIN;\nALTER TABLE orders ADD COLUMN status text;\nALTER TABLE orders ADD COLUMN note text;\nCOMMENT ON COLUMN orders.note IS \'x\';\nCOMMIT;',
    // The slow statement takes ACCESS EXCLUSIVE on the table itself: other rules report it.
    'BEGIN;\nALTER TABLE orders ADD COLUMN status text;\nALTER TABLE orders ALTER COLUMN id TYPE bigint;\nCOMMIT;',
    // Tables created in the file are empty.
    "BEGIN;\nCREATE TABLE orders (id bigint);\nALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new';\nCOMMIT;",
    // Reported by no-validate-in-same-transaction instead.
    'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;',
  ],
  invalid: [
    {
      // Two tables locked, two backfills (hoppscotch's mock_server): each UPDATE is told about its own table's lock.
      sql: 'BEGIN;\nALTER TABLE "UserRequest" ADD COLUMN "mockExamples" JSONB;\nALTER TABLE "TeamRequest" ADD COLUMN "mockExamples" JSONB;\nUPDATE "UserRequest" SET request = request;\nUPDATE "TeamRequest" SET request = request;\nCOMMIT;',
      errors: [
        { line: 4, column: 1, messageId: 'slowUnderLock', data: { what: 'UPDATE UserRequest', tables: 'UserRequest', line: 2 } },
        { line: 5, column: 1, messageId: 'slowUnderLock', data: { what: 'UPDATE TeamRequest', tables: 'TeamRequest', line: 3 } },
      ],
    },
    {
      sql: "BEGIN;\nALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new';\nCOMMIT;",
      errors: [{ line: 3, column: 1, messageId: 'slowUnderLock', data: { what: 'UPDATE orders', heldBy: 'ADD COLUMN', tables: 'orders', line: 2 } }],
    },
    {
      // A VALIDATE scans while the earlier SET DEFAULT holds ACCESS EXCLUSIVE.
      sql: 'ALTER TABLE orders ALTER COLUMN status SET DEFAULT \'new\';\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;',
      config: { assumeInTransaction: true },
      errors: [{ line: 2, column: 1, messageId: 'slowUnderLock', data: { what: 'VALIDATE CONSTRAINT' } }],
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Kunde" (id bigint PRIMARY KEY);\nCREATE TABLE "Bestellung" (id bigint PRIMARY KEY, kunde_id bigint);', 'db/002.sql': '-- Sperre 🔒\nBEGIN;\nLOCK TABLE "Kunde" IN ACCESS EXCLUSIVE MODE;\nDELETE FROM "Bestellung" WHERE kunde_id IS NULL;\nCOMMIT;' },
      errors: [{ file: 'db/002.sql', line: 4, column: 1, messageId: 'slowUnderLock', data: { what: 'DELETE Bestellung', heldBy: 'LOCK TABLE', tables: 'Kunde' } }],
    },
  ],
});
