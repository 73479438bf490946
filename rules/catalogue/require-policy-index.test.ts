import { ruleTester } from '../testing/tester';
import { requirePolicyIndex } from './require-policy-index';

// Clerk with Supabase: the user id comes from the JWT's `sub`, a text column with no foreign key (the users live in Clerk).
const TASKS = "CREATE TABLE tasks (id bigint PRIMARY KEY, user_id text NOT NULL DEFAULT (auth.jwt() ->> 'sub'), name text);\nALTER TABLE tasks ENABLE ROW LEVEL SECURITY;\n";

ruleTester(requirePolicyIndex, {
  valid: [
    // An index leading with the column, the primary key, or a unique constraint.
    `${TASKS}CREATE INDEX tasks_user_id_idx ON tasks (user_id, id);\nCREATE POLICY own ON tasks USING (user_id = (SELECT auth.jwt() ->> 'sub'));`,
    'CREATE TABLE profiles (id uuid PRIMARY KEY, bio text);\nALTER TABLE profiles ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON profiles USING ((SELECT auth.uid()) = id);',
    // An index a later migration adds counts.
    { sql: { 'db/001.sql': `${TASKS}CREATE POLICY own ON tasks USING (user_id = (SELECT auth.jwt() ->> 'sub'));`, 'db/002.sql': 'CREATE INDEX CONCURRENTLY tasks_user_idx ON tasks (user_id);' } },
    // One of the columns compared in the AND is indexed: the query can use it.
    `${TASKS}CREATE INDEX tasks_name_idx ON tasks (name);\nCREATE POLICY own ON tasks USING (name = current_setting('app.task') AND user_id = (SELECT auth.jwt() ->> 'sub'));`,
    // Under OR, inside a subquery, or against a constant: not judged.
    `${TASKS}CREATE POLICY own ON tasks USING (user_id = (SELECT auth.jwt() ->> 'sub') OR name IS NULL);`,
    `${TASKS}CREATE POLICY own ON tasks USING (EXISTS (SELECT 1 FROM members m WHERE m.user_id = tasks.user_id AND m.uid = auth.uid()));`,
    `${TASKS}CREATE POLICY pub ON tasks USING (name = 'public');`,
    // INSERT policies filter no query; RLS off; a role that bypasses RLS.
    `${TASKS}CREATE POLICY ins ON tasks FOR INSERT WITH CHECK (user_id = (SELECT auth.jwt() ->> 'sub'));`,
    "CREATE TABLE tasks (id bigint PRIMARY KEY, user_id text NOT NULL);\nCREATE POLICY own ON tasks USING (user_id = (SELECT auth.jwt() ->> 'sub'));",
    `${TASKS}CREATE POLICY svc ON tasks TO service_role USING (user_id = current_setting('app.user'));`,
    // A single-column foreign key: require-foreign-key-index asks for the same index.
    'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL REFERENCES auth.users);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON notes USING (user_id = (SELECT auth.uid()));',
    // The tenant column of a tenant table: require-tenant-index asks for it.
    "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY t ON invoices USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);",
  ],
  invalid: [
    {
      sql: `${TASKS}CREATE POLICY "Users see their tasks" ON tasks FOR SELECT TO authenticated USING ((SELECT auth.jwt() ->> 'sub') = user_id);`,
      errors: [{ line: 3, column: 1, messageId: 'noIndex', data: { policies: 'Policy "Users see their tasks"', filter: 'filters', table: 'tasks', column: 'user_id', value: 'auth.jwt()' } }],
      output: `${TASKS}CREATE POLICY "Users see their tasks" ON tasks FOR SELECT TO authenticated USING ((SELECT auth.jwt() ->> 'sub') = user_id);\n\nCREATE INDEX tasks_user_id_idx ON tasks (user_id);`,
    },
    {
      // Several policies on the same column: one finding, the others as related locations; a cast column, a setting.
      sql: `${TASKS}CREATE POLICY sel ON tasks FOR SELECT USING (user_id::text = current_setting('app.user_id', true));\nCREATE POLICY upd ON tasks FOR UPDATE USING (user_id = current_setting('app.user_id', true)) WITH CHECK (true);\nCREATE POLICY del ON tasks FOR DELETE USING (name IS NOT NULL AND user_id = current_setting('app.user_id', true));`,
      errors: [{ line: 3, column: 1, messageId: 'noIndex', data: { policies: 'Policies "sel", "upd" and "del"', filter: 'filter', column: 'user_id', value: 'current_setting()' } }],
      output: `${TASKS}CREATE POLICY sel ON tasks FOR SELECT USING (user_id::text = current_setting('app.user_id', true));\n\nCREATE INDEX tasks_user_id_idx ON tasks (user_id);\nCREATE POLICY upd ON tasks FOR UPDATE USING (user_id = current_setting('app.user_id', true)) WITH CHECK (true);\nCREATE POLICY del ON tasks FOR DELETE USING (name IS NOT NULL AND user_id = current_setting('app.user_id', true));`,
    },
    {
      // A column renamed after the policy was written: the policy follows it, and so does the finding. An index right
      // after the policy would name a column that does not exist yet: no fix, the recipe for a new migration.
      sql: `${TASKS}CREATE POLICY own ON tasks USING (user_id = (SELECT auth.jwt() ->> 'sub'));\nALTER TABLE tasks RENAME COLUMN user_id TO owner_sub;`,
      errors: [{ line: 3, column: 1, messageId: 'noIndex', data: { column: 'owner_sub' } }],
      output: null,
    },
    {
      // The policy comes in a later migration, on a table that already has rows: CONCURRENTLY, in a migration of its own.
      sql: {
        'supabase/migrations/20240101000000_tasks.sql': TASKS,
        'supabase/migrations/20240201000000_rls.sql': "CREATE POLICY own ON tasks USING (user_id = (SELECT auth.jwt() ->> 'sub'));",
      },
      errors: [{ file: 'supabase/migrations/20240201000000_rls.sql', line: 1, column: 1, messageId: 'noIndex', data: { column: 'user_id' } }],
      outputFiles: { 'supabase/migrations/20240201000001_index_tasks_user_id_idx.sql': /^CREATE INDEX CONCURRENTLY tasks_user_id_idx ON tasks \(user_id\);/m },
    },
  ],
});
