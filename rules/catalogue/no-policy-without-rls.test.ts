import { ruleTester } from '../testing/tester';
import { noPolicyWithoutRls } from './no-policy-without-rls';

ruleTester(noPolicyWithoutRls, {
  valid: [
    'CREATE TABLE notes (id bigint PRIMARY KEY, owner text);',
    'CREATE TABLE notes (id bigint PRIMARY KEY, owner text); ALTER TABLE notes ENABLE ROW LEVEL SECURITY; CREATE POLICY mine ON notes USING (owner = current_user);',
    // RLS enabled in a later migration.
    {
      sql: {
        'db/001_init.sql': 'CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nCREATE POLICY mine ON notes USING (owner = current_user);',
        'db/002_rls.sql': 'ALTER TABLE notes ENABLE ROW LEVEL SECURITY;',
      },
    },
    // The policy was dropped again.
    'CREATE TABLE notes (id bigint PRIMARY KEY, owner text); CREATE POLICY mine ON notes USING (owner = current_user); DROP POLICY mine ON notes;',
    // Policies on tables the set does not create are not judged (their RLS state is unknown).
    'CREATE POLICY mine ON storage.objects USING (owner = auth.uid());',
  ],
  invalid: [
    {
      // Any table, not only tenant tables: ENABLE only, no FORCE.
      sql: 'CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nCREATE POLICY mine ON notes USING (owner = current_user);\nCREATE POLICY theirs ON notes FOR SELECT USING (true);',
      errors: [{ line: 2, column: 1, messageId: 'notEnabled', data: { policies: 'Policies "mine", "theirs"', table: 'notes', are: 'are', tableSql: 'notes' } }],
      output: 'CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nCREATE POLICY mine ON notes USING (owner = current_user);\n\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY theirs ON notes FOR SELECT USING (true);',
    },
    {
      // A tenant table gets FORCE too; the first policy is in a later file than the table; non-ASCII names.
      sql: {
        'db/001_init.sql': 'CREATE TABLE "Rechnungen" (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);',
        'db/002_policy.sql': "-- Richtlinie für Mandanten 🔒\nCREATE POLICY \"Mandant\" ON \"Rechnungen\" USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);",
      },
      errors: [{ file: 'db/002_policy.sql', line: 2, column: 1, messageId: 'notEnabledTenant', data: { policies: 'Policy "Mandant"', table: 'Rechnungen', are: 'is' } }],
      output: "-- Richtlinie für Mandanten 🔒\nCREATE POLICY \"Mandant\" ON \"Rechnungen\" USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);\n\nALTER TABLE \"Rechnungen\" ENABLE ROW LEVEL SECURITY;\nALTER TABLE \"Rechnungen\" FORCE ROW LEVEL SECURITY;",
    },
    {
      // RLS switched off after the policies: reported on the DISABLE, without a fix.
      sql: 'CREATE TABLE notes (id bigint PRIMARY KEY, owner text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY mine ON notes USING (owner = current_user);\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;',
      errors: [{ line: 4, column: 1, messageId: 'disabled', data: { policies: 'policy "mine" is' } }],
    },
  ],
});
