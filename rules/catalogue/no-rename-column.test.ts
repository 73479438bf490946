import { ruleTester } from '../testing/tester';
import { noRenameColumn } from './no-rename-column';

ruleTester(noRenameColumn, {
  valid: [
    // A column this migration added: no deployed code uses it yet (trigger.dev renames its temporary column).
    { sql: { 'db/001.sql': 'CREATE TABLE runs (id bigint PRIMARY KEY);', 'db/002.sql': 'ALTER TABLE runs ADD COLUMN tmp_start bigint;\nALTER TABLE runs RENAME COLUMN tmp_start TO start;' } },
    'CREATE TABLE users (id bigint PRIMARY KEY, name text);\nALTER TABLE users RENAME COLUMN name TO full_name;',
    'ALTER TABLE users RENAME CONSTRAINT users_name_check TO users_full_name_check;',
  ],
  invalid: [
    {
      // The old name goes to a new column in the same migration (supabase/storage: id → name, then a uuid id).
      sql: {
        'db/001.sql': 'CREATE TABLE catalogs (id text PRIMARY KEY);',
        'db/002.sql': 'ALTER TABLE catalogs DROP CONSTRAINT catalogs_pkey;\nALTER TABLE catalogs RENAME COLUMN id TO name;\nALTER TABLE catalogs ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();',
      },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'swap', data: { from: 'id', to: 'name', newType: 'uuid' } }],
    },
    {
      // Re-added in a later migration: a plain rename here.
      sql: {
        'db/001.sql': 'CREATE TABLE catalogs (id text PRIMARY KEY);',
        'db/002.sql': 'ALTER TABLE catalogs RENAME COLUMN id TO name;',
        'db/003.sql': 'ALTER TABLE catalogs ADD COLUMN id uuid;',
      },
      errors: [{ file: 'db/002.sql', line: 1, messageId: 'renameColumn' }],
    },
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
