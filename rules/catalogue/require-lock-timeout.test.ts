import { ruleTester } from '../testing/tester';
import { requireLockTimeout } from './require-lock-timeout';

ruleTester(requireLockTimeout, {
  valid: [
    "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
    "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;",
    'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);',
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
      errors: [{ line: 1, column: 1, message: /ACCESS EXCLUSIVE lock on orders and no lock_timeout is set.*SELECT included/ }],
      output: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
    },
    {
      // Reported once, at the first statement that waits; the fix goes at the top, after the leading comments.
      sql: '-- Migration: Notizen 📝\n\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\nCREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));',
      config: { lockTimeout: '500ms' },
      errors: [{ line: 3, column: 1, message: /same holds for 2 later statements/ }],
      output: "-- Migration: Notizen 📝\n\nSET lock_timeout = '500ms';\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\nCREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));",
    },
    { sql: 'CREATE INDEX orders_note_idx ON orders (note);', errors: [{ line: 1, column: 1, message: /SHARE lock on orders.*INSERT, UPDATE and DELETE/ }] },
    { sql: 'CREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));', errors: [{ line: 1, column: 1, message: /SHARE ROW EXCLUSIVE lock on orders/ }] },
    {
      // A new stretch after RESET is reported again.
      sql: "SET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN b int;\nALTER TABLE orders ADD COLUMN c int;",
      errors: [{ line: 4, column: 1 }],
      output: "SET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nRESET lock_timeout;\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN b int;\nALTER TABLE orders ADD COLUMN c int;",
    },
    {
      // SET LOCAL ends with its transaction.
      sql: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nALTER TABLE orders ADD COLUMN b int;",
      errors: [{ line: 5, column: 1 }],
      output: "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN b int;",
    },
    {
      // goose: after "+goose Up", before the StatementBegin that belongs to the statement.
      sql: '-- +goose Up\n-- +goose StatementBegin\nDROP INDEX orders_note_idx;\n-- +goose StatementEnd',
      errors: [{ line: 3, column: 1 }],
      output: "-- +goose Up\nSET lock_timeout = '2s';\n-- +goose StatementBegin\nDROP INDEX orders_note_idx;\n-- +goose StatementEnd",
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Bestellung" (id bigint PRIMARY KEY);', 'db/002.sql': 'LOCK TABLE "Bestellung" IN ACCESS EXCLUSIVE MODE;' },
      errors: [{ file: 'db/002.sql', line: 1, column: 1, message: /LOCK TABLE needs an ACCESS EXCLUSIVE lock on "?Bestellung/ }],
      output: "SET lock_timeout = '2s';\nLOCK TABLE \"Bestellung\" IN ACCESS EXCLUSIVE MODE;",
    },
  ],
});
