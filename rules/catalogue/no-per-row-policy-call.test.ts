import { strict as assert } from 'node:assert';
import { initParser } from '../parser/adapter';
import { caseFiles, ruleTester, runCase } from '../testing/tester';
import { noPerRowPolicyCall } from './no-per-row-policy-call';

const T = 'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL, org_id uuid, body text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n';
const AUTHORIZE = "CREATE FUNCTION public.authorize(perm text, uid uuid) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN EXISTS (SELECT 1 FROM grants g WHERE g.perm = perm AND g.uid = uid); END $$;\n";

ruleTester(noPerRowPolicyCall, {
  valid: [
    // Already once per statement.
    `${T}CREATE POLICY own ON notes USING (user_id = (SELECT auth.uid()));`,
    `${T}CREATE POLICY own ON notes USING (((SELECT auth.uid() AS uid) IS NOT NULL));`,
    // Inside a subquery: the subquery's plan decides how often it runs.
    `${T}CREATE POLICY org ON notes USING (EXISTS (SELECT 1 FROM members m WHERE m.org_id = notes.org_id AND m.user_id = auth.uid()));`,
    `${T}CREATE POLICY org ON notes USING (org_id IN (SELECT org_id FROM members WHERE user_id = auth.uid()));`,
    // A function of the row cannot be cached.
    `${T}CREATE FUNCTION has_role(org uuid) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT true $$;\nCREATE POLICY org ON notes USING (has_role(org_id));`,
    // Functions that read nothing of the session, or IMMUTABLE ones (folded when the query is planned).
    `${T}CREATE POLICY recent ON notes USING (now() - interval '1 day' < now());`,
    `${T}CREATE FUNCTION app_flag() RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;\nCREATE POLICY flag ON notes USING (app_flag());`,
    // Only in another schema, and IMMUTABLE there: found through search_path, and folded.
    `CREATE SCHEMA private;\nCREATE FUNCTION private.app_flag() RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;\n${T}CREATE POLICY flag ON notes USING (app_flag());`,
    // Functions the migrations do not define: not known to cost anything.
    `${T}CREATE POLICY ext ON notes USING (some_extension.check_it());`,
    // RLS not enabled: the policy does nothing (no-policy-without-rls says so).
    'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL);\nCREATE POLICY own ON notes USING (user_id = auth.uid());',
    // Only for a role that bypasses RLS.
    `${T}CREATE POLICY svc ON notes TO service_role USING (auth.role() = 'service_role');`,
    // WITH CHECK runs for the rows written, usually a few: an INSERT policy is not reported.
    `${T}CREATE POLICY ins ON notes FOR INSERT WITH CHECK (user_id = auth.uid());`,
    // Rewritten by a later migration, or dropped.
    { sql: { 'db/001.sql': `${T}CREATE POLICY own ON notes USING (user_id = auth.uid());`, 'db/002.sql': 'ALTER POLICY own ON notes USING (user_id = (SELECT auth.uid()));' } },
    { sql: { 'db/001.sql': `${T}CREATE POLICY own ON notes USING (user_id = auth.uid());`, 'db/002.sql': 'DROP POLICY own ON notes;' } },
    // A table the migrations do not create, outside Supabase's storage: whether its RLS is on is not known.
    'CREATE POLICY own ON legacy.notes USING (user_id = auth.uid());',
    { sql: { 'supabase/migrations/20240101000000_init.sql': 'CREATE POLICY own ON legacy.notes USING (user_id = auth.uid());' } },
  ],
  invalid: [
    {
      sql: `${T}CREATE POLICY own ON notes TO authenticated USING (user_id = auth.uid());`,
      errors: [{ line: 3, column: 62, messageId: 'perRow', data: { policy: 'own', table: 'notes', calls: 'auth.uid()', wrapped: '(SELECT auth.uid())', why: '', role: '' } }],
      output: `${T}CREATE POLICY own ON notes TO authenticated USING (user_id = (SELECT auth.uid()));`,
    },
    {
      // USING and WITH CHECK wrapped together; the JWT read once, then its claim taken.
      sql: `${T}CREATE POLICY org ON notes FOR UPDATE USING (org_id = (auth.jwt() ->> 'org_id')::uuid) WITH CHECK (org_id = (auth.jwt() ->> 'org_id')::uuid AND user_id = auth.uid());`,
      errors: [{ line: 3, column: 56, messageId: 'perRow', data: { calls: 'auth.jwt() and auth.uid()', wrapped: '(SELECT auth.jwt())' } }],
      output: `${T}CREATE POLICY org ON notes FOR UPDATE USING (org_id = ((SELECT auth.jwt()) ->> 'org_id')::uuid) WITH CHECK (org_id = ((SELECT auth.jwt()) ->> 'org_id')::uuid AND user_id = (SELECT auth.uid()));`,
    },
    {
      // The tenant setting, as a plain-PostgreSQL project reads it.
      sql: `${T}CREATE POLICY tenant ON notes USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);`,
      errors: [{ line: 3, column: 54, messageId: 'perRow', data: { calls: "current_setting('app.org_id', true)" } }],
      output: `${T}CREATE POLICY tenant ON notes USING (org_id = NULLIF((SELECT current_setting('app.org_id', true)), '')::uuid);`,
    },
    {
      // The widest call that reads nothing of the row: the project's function with auth.uid() as its argument. It
      // declares no volatility (VOLATILE), so the fix is offered but not applied by "fix all".
      sql: `${AUTHORIZE}${T}CREATE POLICY del ON notes FOR DELETE USING (authorize('notes.delete', auth.uid()));`,
      errors: [{
        line: 4, column: 46, messageId: 'perRow',
        data: { calls: "authorize('notes.delete', auth.uid())", why: ', and authorize() is a function of this project whose body runs each time (it is VOLATILE: declare it STABLE if the result is the same for the whole statement)' },
      }],
      output: `${AUTHORIZE}${T}CREATE POLICY del ON notes FOR DELETE USING ((SELECT authorize('notes.delete', auth.uid())));`,
    },
    {
      // A STABLE function of the project, schema-qualified, with a constant argument.
      sql: `CREATE SCHEMA basejump;\nCREATE FUNCTION basejump.is_set(field text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN true; END $$;\n${T}CREATE POLICY teams ON notes USING (basejump.is_set('enable_team_accounts') = true AND user_id = auth.uid());`,
      errors: [{ line: 5, column: 37, messageId: 'perRow', data: { calls: "basejump.is_set('enable_team_accounts') and auth.uid()", why: ', and basejump.is_set() is a function of this project whose body runs each time' } }],
      output: `CREATE SCHEMA basejump;\nCREATE FUNCTION basejump.is_set(field text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN true; END $$;\n${T}CREATE POLICY teams ON notes USING ((SELECT basejump.is_set('enable_team_accounts')) = true AND user_id = (SELECT auth.uid()));`,
    },
    {
      // An unqualified call finds public's function before another schema's of the same name (search_path): here the
      // STABLE one, which costs per row, not the IMMUTABLE one.
      sql: `CREATE SCHEMA private;\nCREATE FUNCTION private.flag() RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;\nCREATE FUNCTION public.flag() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT true $$;\n${T}CREATE POLICY f ON notes USING (flag());`,
      errors: [{ line: 6, column: 33, messageId: 'perRow', data: { calls: 'flag()', why: ', and flag() is a function of this project whose body runs each time' } }],
      output: `CREATE SCHEMA private;\nCREATE FUNCTION private.flag() RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;\nCREATE FUNCTION public.flag() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT true $$;\n${T}CREATE POLICY f ON notes USING ((SELECT flag()));`,
    },
    {
      // auth.role() = 'authenticated' is better said with TO authenticated.
      sql: `${T}CREATE POLICY "Allow logged-in read access" ON notes FOR SELECT USING ( auth.role() = 'authenticated' );`,
      errors: [{ line: 3, column: 73, messageId: 'perRow', data: { policy: 'Allow logged-in read access', calls: 'auth.role()', role: ' A test of auth.role() is better said with TO on the policy (TO authenticated): the policy is then not even considered for other roles.' } }],
      output: `${T}CREATE POLICY "Allow logged-in read access" ON notes FOR SELECT USING ( (SELECT auth.role()) = 'authenticated' );`,
    },
    {
      // Quoted names, as pg_dump writes them, and a name with non-ASCII characters before the call.
      sql: `CREATE TABLE "Grüße" (id uuid PRIMARY KEY);\nALTER TABLE "Grüße" ENABLE ROW LEVEL SECURITY;\nCREATE POLICY "sehen" ON "Grüße" USING (("auth"."uid"() = "id"));`,
      errors: [{ line: 3, column: 42, messageId: 'perRow', data: { table: 'Grüße', calls: '"auth"."uid"()' } }],
      output: `CREATE TABLE "Grüße" (id uuid PRIMARY KEY);\nALTER TABLE "Grüße" ENABLE ROW LEVEL SECURITY;\nCREATE POLICY "sehen" ON "Grüße" USING (((SELECT "auth"."uid"()) = "id"));`,
    },
    {
      // An ALTER POLICY in a later migration set USING: the finding and its fix are there.
      sql: { 'db/001.sql': `${T}CREATE POLICY own ON notes USING (true);`, 'db/002.sql': 'ALTER POLICY own ON notes USING (user_id = auth.uid());' },
      errors: [{ file: 'db/002.sql', line: 1, column: 44, messageId: 'perRow', data: { policy: 'own' } }],
      output: 'ALTER POLICY own ON notes USING (user_id = (SELECT auth.uid()));',
    },
    {
      // Supabase's storage.objects: not created by the migrations, but Supabase runs it with RLS on, and it holds every
      // file of every bucket. Dropped and created again in a later migration: the later one is judged.
      sql: {
        'supabase/migrations/20240101000000_storage.sql': "create policy \"Anyone can update their own avatar.\" on storage.objects\n  for update using ( auth.uid() = owner ) with check (bucket_id = 'avatars');",
        'supabase/migrations/20240201000000_storage.sql': "drop policy \"Anyone can update their own avatar.\" on storage.objects;\ncreate policy \"Owners update avatars\" on storage.objects\n  for update to authenticated using ( bucket_id = 'avatars' and auth.uid() = owner );",
      },
      errors: [{ file: 'supabase/migrations/20240201000000_storage.sql', line: 3, column: 65, messageId: 'perRow', data: { policy: 'Owners update avatars', table: 'storage.objects' } }],
      output: "drop policy \"Anyone can update their own avatar.\" on storage.objects;\ncreate policy \"Owners update avatars\" on storage.objects\n  for update to authenticated using ( bucket_id = 'avatars' and (SELECT auth.uid()) = owner );",
    },
    {
      // Inside a DO block: reported, without a fix (an edit inside the block cannot be checked).
      sql: `${T}DO $$ BEGIN\n  CREATE POLICY own ON notes USING (user_id = auth.uid());\nEND $$;`,
      errors: [{ line: 4, column: 47, messageId: 'perRow' }],
      output: null,
    },
  ],
});

describe('rule no-per-row-policy-call: the recipe for a migration that has already run', () => {
  before(() => initParser());
  const recipeOf = (sql: string) => runCase(caseFiles(sql)).findings.find((f) => f.rule === noPerRowPolicyCall.id)?.recipe;
  it('rewrites each clause that has calls, as ALTER POLICY', () => {
    assert.equal(
      recipeOf(`${T}CREATE POLICY own ON notes FOR UPDATE USING (user_id = auth.uid() OR org_id IS NULL) WITH CHECK (user_id = auth.uid());`),
      'ALTER POLICY own ON notes\n  USING (user_id = (SELECT auth.uid()) OR org_id IS NULL)\n  WITH CHECK (user_id = (SELECT auth.uid()));',
    );
  });
  it('gives none when a column of the policy was renamed since (it would name the old column)', () => {
    assert.equal(recipeOf(`${T}CREATE POLICY own ON notes USING (user_id = auth.uid());\nALTER TABLE notes RENAME COLUMN user_id TO author_id;`), undefined);
  });
  it('leaves a clause without calls as it is, and quotes names that need it', () => {
    assert.equal(
      recipeOf(`${T}CREATE POLICY "Own notes" ON notes FOR UPDATE USING (\n  user_id = auth.uid()\n) WITH CHECK (org_id IS NOT NULL);`),
      'ALTER POLICY "Own notes" ON notes\n  USING (user_id = (SELECT auth.uid()));',
    );
  });
});
