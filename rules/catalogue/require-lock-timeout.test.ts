import { ruleTester } from '../testing/tester';
import { requireLockTimeout } from './require-lock-timeout';

/** Migrations db/010.sql … db/019.sql. */
const TEN = Array.from({ length: 10 }, (_, i) => 10 + i);

ruleTester(requireLockTimeout, {
  valid: [
    "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
    "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;",
    'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);',
    // require-concurrent-index reports these, and its remedy's lock does not hold up writes.
    'CREATE INDEX orders_note_idx ON orders (note);',
    'DROP INDEX orders_note_idx;',
    // Locks that block neither reads nor writes.
    'CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);',
    'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
    "COMMENT ON TABLE orders IS 'Bestellungen';",
    'UPDATE orders SET note = NULL WHERE id = 1;',
    'CREATE TABLE notes (id bigint PRIMARY KEY);',
    // A self-referencing foreign key locks only the new table.
    'CREATE TABLE nodes (id bigint PRIMARY KEY, parent_id bigint REFERENCES nodes (id));',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE orders ADD COLUMN note text;',
      errors: [{ line: 1, column: 1, messageId: 'blocksReads', data: { what: 'ADD COLUMN', lock: 'an ACCESS EXCLUSIVE', tables: 'orders', more: '' } }],
      output: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
    },
    {
      // Reported once, at the first statement that waits; the fix goes at the top, after the leading comments.
      sql: '-- Migration: Notizen 📝\n\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\nCREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));',
      config: { lockTimeout: '500ms' },
      // The CREATE INDEX among them is require-concurrent-index's finding.
      errors: [{ line: 3, column: 1, messageId: 'blocksReads', data: { more: ' The same holds for 1 later statement of this file.' } }],
      output: "-- Migration: Notizen 📝\n\nSET lock_timeout = '500ms';\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\nCREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));",
    },
    // A plain CREATE INDEX is require-concurrent-index's finding; with that rule off, it is this one's.
    { sql: 'CREATE INDEX orders_note_idx ON orders (note);', config: { rules: { 'require-concurrent-index': 'off' } }, errors: [{ line: 1, column: 1, messageId: 'blocksWrites', data: { what: 'CREATE INDEX', lock: 'a SHARE', tables: 'orders' } }],
      output: 'SET lock_timeout = \'2s\';\nCREATE INDEX orders_note_idx ON orders (note);' },

    // SHARE ROW EXCLUSIVE does not conflict with a SELECT's ACCESS SHARE: the message must not say it waits for one.
    { sql: 'CREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));', errors: [{ line: 1, column: 1, messageId: 'blocksWrites', data: { what: 'FOREIGN KEY reference', lock: 'a SHARE ROW EXCLUSIVE', tables: 'orders' }, message: /holds a conflicting lock \(one that has written to it and not committed yet, even if left idle\)/ }],
      output: 'SET lock_timeout = \'2s\';\nCREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));' },
    {
      // A new stretch after RESET is reported again.
      sql: "SET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN b int;\nALTER TABLE orders ADD COLUMN c int;",
      errors: [{ line: 4, column: 1, messageId: 'blocksReads' }],
      output: "SET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nRESET lock_timeout;\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN b int;\nALTER TABLE orders ADD COLUMN c int;",
    },
    {
      // SET LOCAL ends with its transaction.
      sql: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nALTER TABLE orders ADD COLUMN b int;",
      errors: [{ line: 5, column: 1, messageId: 'blocksReads' }],
      output: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN b int;",
    },
    {
      // goose: after "+goose Up", before the StatementBegin that belongs to the statement.
      sql: '-- +goose Up\n-- +goose StatementBegin\nALTER TABLE orders ADD COLUMN note text;\n-- +goose StatementEnd',
      errors: [{ line: 3, column: 1, messageId: 'blocksReads' }],
      output: "-- +goose Up\nSET lock_timeout = '2s';\n-- +goose StatementBegin\nALTER TABLE orders ADD COLUMN note text;\n-- +goose StatementEnd",
    },
    {
      // Later statements on the table the reported statement creates, or on one created and renamed in the file, do
      // not wait for anybody: only the ALTER of customers is counted.
      sql: 'CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));\nALTER TABLE invoices ADD COLUMN note text;\nCREATE POLICY invoices_read ON invoices USING (true);\nALTER TABLE invoices RENAME TO bills;\nALTER TABLE bills ADD COLUMN paid boolean;\nALTER TABLE customers ADD COLUMN vip boolean;',
      errors: [{ line: 1, column: 1, messageId: 'blocksWrites', data: { what: 'FOREIGN KEY reference', tables: 'customers', more: ' The same holds for 1 later statement of this file.' } }],
      output: "SET lock_timeout = '2s';\nCREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));\nALTER TABLE invoices ADD COLUMN note text;\nCREATE POLICY invoices_read ON invoices USING (true);\nALTER TABLE invoices RENAME TO bills;\nALTER TABLE bills ADD COLUMN paid boolean;\nALTER TABLE customers ADD COLUMN vip boolean;",
    },
    // An index the schema does not know still locks some existing table.
    {
      sql: 'DROP INDEX orders_note_idx;', config: { rules: { 'require-concurrent-index-drop': 'off' } },
      errors: [{ line: 1, column: 1, messageId: 'blocksReads', data: { what: 'DROP INDEX', tables: 'its table' } }],
      output: "SET lock_timeout = '2s';\nDROP INDEX orders_note_idx;",
    },
    {
      sql: 'REINDEX INDEX orders_note_idx;',
      errors: [{ line: 1, column: 1, messageId: 'blocksWrites', data: { what: 'REINDEX', lock: 'a SHARE', tables: 'its table' } }],
      output: "SET lock_timeout = '2s';\nREINDEX INDEX orders_note_idx;",
    },
    {
      // A statement a DO block runs: reported there; a fix that would edit inside the block is not offered.
      sql: "SET lock_timeout = '1s';\nRESET lock_timeout;\nDO $$ BEGIN ALTER TABLE orders ADD COLUMN note text; END $$;",
      errors: [{ line: 3, column: 13, messageId: 'blocksReads', data: { what: 'ADD COLUMN' } }],
      output: null,
    },
    {
      // Ten migrations take a lock that waits and none sets lock_timeout: one project-wide finding, on the first; no
      // fix (a SET in one file leaves the choice as it was). Five (the bundled example) keep their own findings.
      sql: Object.fromEntries(TEN.map((i) => [`db/0${i}.sql`, `ALTER TABLE orders ADD COLUMN c${i} int;`])),
      errors: [{ file: 'db/010.sql', line: 1, column: 1, messageId: 'convention', data: { what: 'ADD COLUMN', tables: 'orders', count: 10 } }],
      output: null,
    },
    {
      // Four more that set it (more than a quarter of them): no project-wide choice, each file is reported.
      sql: {
        ...Object.fromEntries(TEN.map((i) => [`db/0${i}.sql`, `ALTER TABLE orders ADD COLUMN c${i} int;`])),
        ...Object.fromEntries([20, 21, 22, 23].map((i) => [`db/0${i}.sql`, `SET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN c${i} int;`])),
      },
      errors: TEN.map((i) => ({ file: `db/0${i}.sql`, line: 1, column: 1, messageId: 'blocksReads' })),
      output: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN c10 int;",
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Bestellung" (id bigint PRIMARY KEY);', 'db/002.sql': 'LOCK TABLE "Bestellung" IN ACCESS EXCLUSIVE MODE;' },
      errors: [{ file: 'db/002.sql', line: 1, column: 1, messageId: 'blocksReads', data: { what: 'LOCK TABLE', lock: 'an ACCESS EXCLUSIVE', tables: 'Bestellung' } }],
      output: "SET lock_timeout = '2s';\nLOCK TABLE \"Bestellung\" IN ACCESS EXCLUSIVE MODE;",
    },
  ],
});
