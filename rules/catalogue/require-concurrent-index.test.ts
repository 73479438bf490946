import { ruleTester } from '../testing/tester';
import { requireConcurrentIndex } from './require-concurrent-index';

ruleTester(requireConcurrentIndex, {
  valid: [
    'CREATE INDEX CONCURRENTLY i ON t (c);',
    'CREATE TABLE t (id bigint PRIMARY KEY, c int); CREATE INDEX i ON t (c);',
  ],
  invalid: [
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
  ],
});
