import { ruleTester } from '../testing/tester';
import { noTruncate } from './no-truncate';

ruleTester(noTruncate, {
  valid: [
    'CREATE TABLE import_buffer (id bigint);\nINSERT INTO import_buffer VALUES (1);\nTRUNCATE import_buffer;',
    'DELETE FROM sessions WHERE ctid IN (SELECT ctid FROM sessions LIMIT 10000);',
  ],
  invalid: [
    { sql: 'TRUNCATE sessions;', errors: [{ line: 1, column: 1, messageId: 'truncate' }] },
    { sql: 'TRUNCATE TABLE customers CASCADE;', errors: [{ line: 1, column: 1, messageId: 'truncateCascade' }] },
    { sql: { 'db/001.sql': 'CREATE TABLE "Sitzung" (id bigint);', 'db/002.sql': '-- alles löschen 🧨\nTRUNCATE "Sitzung";' }, errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'truncate' }] },
  ],
});
