import { ruleTester } from '../testing/tester';
import { noAlwaysTrueWritePolicy } from './no-always-true-write-policy';

const T = 'CREATE TABLE comments (id bigint PRIMARY KEY, author_id uuid NOT NULL, body text);\nALTER TABLE comments ENABLE ROW LEVEL SECURITY;\n';

ruleTester(noAlwaysTrueWritePolicy, {
  valid: [
    // Public read access is often intended.
    `${T}CREATE POLICY read_all ON comments FOR SELECT USING (true);`,
    `${T}CREATE POLICY own ON comments FOR UPDATE USING (author_id = auth.uid()) WITH CHECK (author_id = auth.uid());`,
    // Restrictive policies only narrow access.
    `${T}CREATE POLICY r ON comments AS RESTRICTIVE FOR INSERT WITH CHECK (true);`,
    // Tenant tables are require-tenant-scoped-policy's business.
    'CREATE TABLE docs (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); CREATE POLICY p ON docs FOR INSERT WITH CHECK (true);',
    // Fixed by ALTER POLICY in a later migration.
    { sql: { 'db/001.sql': `${T}CREATE POLICY ins ON comments FOR INSERT WITH CHECK (true);`, 'db/002.sql': 'ALTER POLICY ins ON comments WITH CHECK (author_id = auth.uid());' } },
  ],
  invalid: [
    {
      sql: `${T}CREATE POLICY comments_edit ON comments FOR UPDATE USING (true);`,
      errors: [{ line: 3, column: 1, messageId: 'alwaysTrue', data: { policy: 'comments_edit', table: 'comments', clauses: 'USING (true)', roles: 'every role', commands: 'UPDATE' } }],
    },
    {
      sql: `${T}CREATE POLICY anyone ON comments TO anon, authenticated USING (author_id = auth.uid()) WITH CHECK (true);\nCREATE POLICY wipe ON comments FOR DELETE TO anon USING ('t'::boolean);`,
      errors: [
        { line: 3, column: 1, messageId: 'alwaysTrue', data: { policy: 'anyone', clauses: 'WITH CHECK (true)', roles: 'roles anon, authenticated', commands: 'INSERT, UPDATE' } },
        { line: 4, column: 1, messageId: 'alwaysTrue', data: { policy: 'wipe', roles: 'role anon', commands: 'DELETE' } },
      ],
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Grüße" (id int);', 'db/002.sql': '-- Jeder darf schreiben ✍️\nCREATE POLICY "schreiben" ON "Grüße" FOR INSERT WITH CHECK (true);' },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'alwaysTrue', data: { policy: 'schreiben', table: 'Grüße' } }],
    },
  ],
});
