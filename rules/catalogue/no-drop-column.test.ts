import { ruleTester } from '../testing/tester';
import { noDropColumn } from './no-drop-column';

ruleTester(noDropColumn, {
  valid: [
    // A column this migration added: no deployed code uses it yet.
    { sql: { 'db/001.sql': 'CREATE TABLE runs (id bigint PRIMARY KEY);', 'db/002.sql': 'ALTER TABLE runs ADD COLUMN tmp bigint;\nALTER TABLE runs DROP COLUMN tmp;' } },
    'CREATE TABLE users (id bigint PRIMARY KEY, legacy_flag boolean);\nALTER TABLE users DROP COLUMN legacy_flag;',
    '-- sql-architect-ignore no-drop-column: unused since release 42\nALTER TABLE users DROP COLUMN legacy_flag;',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users ADD COLUMN note text, DROP COLUMN legacy_flag;',
      errors: [{ line: 1, column: 41, messageId: 'dropColumn', data: { columns: 'legacy_flag', them: 'it' } }],
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Benutzer" (id bigint, "Größe" int);', 'db/002.sql': '-- weg damit 🗑️\nALTER TABLE "Benutzer" DROP COLUMN IF EXISTS "Größe";' },
      errors: [{ file: 'db/002.sql', line: 2, column: 24, messageId: 'dropColumn' }],
    },
  ],
});
