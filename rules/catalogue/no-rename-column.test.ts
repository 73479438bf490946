import { ruleTester } from '../testing/tester';
import { noRenameColumn } from './no-rename-column';

ruleTester(noRenameColumn, {
  valid: [
    'CREATE TABLE users (id bigint PRIMARY KEY, name text);\nALTER TABLE users RENAME COLUMN name TO full_name;',
    'ALTER TABLE users RENAME CONSTRAINT users_name_check TO users_full_name_check;',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
      errors: [{ line: 1, column: 1, messageId: 'renameColumn', data: { from: 'name' } }],
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Kunde" ("Straße" text);', 'db/002.sql': '-- umbenennen 🔤\nALTER TABLE "Kunde" RENAME "Straße" TO "Strasse";' },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'renameColumn' }],
    },
  ],
});
