import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { ruleTester, runCase } from '../testing/tester';
import { requireOwnerCheck } from './require-owner-check';

// A table keyed on the signed-in user: the SELECT policy compares user_id with auth.uid().
const T = 'CREATE TABLE todos (id bigint PRIMARY KEY, user_id uuid NOT NULL DEFAULT auth.uid(), title text NOT NULL, public boolean NOT NULL DEFAULT false);\n' +
  'ALTER TABLE todos ENABLE ROW LEVEL SECURITY;\nCREATE POLICY read_own ON todos FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));\n';
const SET_OWNER = "CREATE FUNCTION set_owner() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.user_id := auth.uid(); RETURN NEW; END $$;\n";

ruleTester(requireOwnerCheck, {
  valid: [
    `${T}CREATE POLICY add_own ON todos FOR INSERT TO authenticated WITH CHECK (user_id = (SELECT auth.uid()));`,
    `${T}CREATE POLICY add_own ON todos FOR INSERT TO authenticated WITH CHECK (length(title) > 0 AND auth.uid() = user_id);`,
    // pg_dump's quoting; the user under an OR still asks who inserts.
    `${T}CREATE POLICY add_own ON "public"."todos" FOR INSERT WITH CHECK ((length("title") > 0) AND ("auth"."uid"() = "user_id"));`,
    `${T}CREATE POLICY add_own ON todos FOR INSERT WITH CHECK (public OR "auth"."uid"() = user_id);`,
    // Another way of asking who inserts: not judged.
    `${T}CREATE TABLE members (user_id uuid PRIMARY KEY);\nCREATE POLICY add ON todos FOR INSERT WITH CHECK (EXISTS (SELECT 1 FROM members m WHERE m.user_id = auth.uid()));`,
    `${T}CREATE FUNCTION may_add() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT auth.uid() IS NOT NULL $$;\nCREATE POLICY add ON todos FOR INSERT WITH CHECK (may_add());`,
    // A trigger sets the owner from the session.
    `${T}${SET_OWNER}CREATE TRIGGER todos_owner BEFORE INSERT ON todos FOR EACH ROW EXECUTE FUNCTION set_owner();\nCREATE POLICY add ON todos FOR INSERT WITH CHECK (length(title) > 0);`,
    // A trigger whose function the migrations do not define may set it too.
    `${T}CREATE TRIGGER todos_owner BEFORE INSERT ON todos FOR EACH ROW EXECUTE FUNCTION extensions.moddatetime(updated_at);\nCREATE POLICY add ON todos FOR INSERT WITH CHECK (length(title) > 0);`,
    // UPDATE and DELETE of the owner's rows; a check through a function that asks who (slack-clone's authorize()).
    `${T}CREATE POLICY edit ON todos FOR UPDATE TO authenticated USING (auth.uid() = user_id);`,
    `${T}CREATE FUNCTION authorize(perm text, uid uuid) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT uid IS NOT NULL $$;\nCREATE POLICY del ON todos FOR DELETE USING (authorize('todos.delete', auth.uid()));`,
    `${T}CREATE FUNCTION is_admin() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT (auth.jwt() ->> 'role') = 'admin' $$;\nCREATE POLICY moderate ON todos FOR DELETE USING (is_admin());`,
    // Always true: no-always-true-write-policy's.
    `${T}CREATE POLICY add ON todos FOR INSERT WITH CHECK (true);`,
    // Only for the service role, which bypasses row-level security; restrictive policies only narrow.
    `${T}CREATE POLICY add ON todos FOR INSERT TO service_role WITH CHECK (length(title) > 0);`,
    `${T}CREATE POLICY add ON todos AS RESTRICTIVE FOR INSERT WITH CHECK (length(title) > 0);`,
    // Tenant tables are require-tenant-scoped-policy's; a table keyed on a setting has no auth.uid() to offer.
    'CREATE TABLE docs (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, user_id uuid NOT NULL);\nALTER TABLE docs ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON docs FOR SELECT USING (user_id = auth.uid());\nCREATE POLICY add ON docs FOR INSERT WITH CHECK (true IS NOT NULL);',
    "CREATE TABLE notes (id bigint PRIMARY KEY, owner text NOT NULL);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON notes FOR SELECT USING (owner = current_setting('app.user_id', true));\nCREATE POLICY add ON notes FOR INSERT WITH CHECK (length(owner) > 0);",
    // Fixed by a later migration.
    { sql: { 'db/001.sql': `${T}CREATE POLICY add ON todos FOR INSERT WITH CHECK (length(title) > 0);`, 'db/002.sql': 'ALTER POLICY add ON todos WITH CHECK (length(title) > 0 AND user_id = (SELECT auth.uid()));' } },
  ],
  invalid: [
    {
      sql: `${T}CREATE POLICY add_todos ON todos FOR INSERT TO authenticated WITH CHECK (length(title) > 0);`,
      errors: [{
        line: 4, column: 1, messageId: 'unchecked',
        data: { policy: 'add_todos', roles: 'role authenticated', table: 'todos', column: 'user_id', keyPolicy: 'read_own', dflt: '; the DEFAULT auth.uid() on user_id fills it only when the request leaves it out' },
      }],
      output: `${T}CREATE POLICY add_todos ON todos FOR INSERT TO authenticated WITH CHECK ((length(title) > 0) AND user_id = (SELECT auth.uid()));`,
    },
    {
      // basejump's accounts: a trigger that fills other columns, or compares the owner, does not set it.
      sql: `${T}CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := trim(NEW.title); IF NEW.user_id = auth.uid() THEN NEW.public = false; END IF; RETURN NEW; END $$;\n` +
        'CREATE TRIGGER todos_stamp BEFORE INSERT OR UPDATE ON todos FOR EACH ROW EXECUTE FUNCTION stamp();\n' +
        'CREATE POLICY "Team todos can be created by any user" ON todos FOR INSERT TO authenticated WITH CHECK (public = false);',
      errors: [{ line: 6, column: 1, messageId: 'unchecked', data: { policy: 'Team todos can be created by any user' } }],
      output: `${T}CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := trim(NEW.title); IF NEW.user_id = auth.uid() THEN NEW.public = false; END IF; RETURN NEW; END $$;\n` +
        'CREATE TRIGGER todos_stamp BEFORE INSERT OR UPDATE ON todos FOR EACH ROW EXECUTE FUNCTION stamp();\n' +
        'CREATE POLICY "Team todos can be created by any user" ON todos FOR INSERT TO authenticated WITH CHECK ((public = false) AND user_id = (SELECT auth.uid()));',
    },
    {
      // An ALL policy whose USING does not ask who: every user reads, changes, deletes and inserts public todos of others.
      sql: `${T}CREATE POLICY shared ON todos USING (public);`,
      errors: [{
        line: 4, column: 1, messageId: 'anyRow',
        data: { policy: 'shared', roles: 'every role', verbs: 'read, update and delete', insert: ', and insert rows for other users', andCheck: '', select: ' (if only reading was meant to be shared, make it a FOR SELECT policy)' },
      }],
      output: `${T}CREATE POLICY shared ON todos USING ((public) AND user_id = (SELECT auth.uid()));`,
    },
    {
      // Every signed-in user has the role authenticated: that is no owner check.
      sql: `${T}CREATE POLICY edit ON todos FOR UPDATE TO authenticated USING (auth.role() = 'authenticated');`,
      errors: [{ line: 4, column: 1, messageId: 'anyRow', data: { policy: 'edit', verbs: 'update', insert: '', select: '' } }],
      output: `${T}CREATE POLICY edit ON todos FOR UPDATE TO authenticated USING ((auth.role() = 'authenticated') AND user_id = (SELECT auth.uid()));`,
    },
    {
      sql: `${T}CREATE POLICY tidy ON todos FOR DELETE TO authenticated USING (public);`,
      errors: [{ line: 4, column: 1, messageId: 'anyRow', data: { verbs: 'delete' } }],
      output: `${T}CREATE POLICY tidy ON todos FOR DELETE TO authenticated USING ((public) AND user_id = (SELECT auth.uid()));`,
    },
    {
      // The owner's rows only, but the new row may name anyone.
      sql: `${T}CREATE POLICY edit_own ON todos FOR UPDATE TO authenticated USING (auth.uid() = user_id) WITH CHECK (length(title) > 0);`,
      errors: [{ line: 4, column: 1, messageId: 'giveAway', data: { policy: 'edit_own', column: 'user_id' } }],
      output: `${T}CREATE POLICY edit_own ON todos FOR UPDATE TO authenticated USING (auth.uid() = user_id) WITH CHECK ((length(title) > 0) AND user_id = (SELECT auth.uid()));`,
    },
    {
      // Both clauses open: one finding, one fix for both.
      sql: `${T}CREATE POLICY shared ON todos USING (public) WITH CHECK (length(title) > 0);`,
      errors: [{ line: 4, column: 1, messageId: 'anyRow', data: { andCheck: ' and its WITH CHECK', insert: ', and insert rows for other users' } }],
      output: `${T}CREATE POLICY shared ON todos USING ((public) AND user_id = (SELECT auth.uid())) WITH CHECK ((length(title) > 0) AND user_id = (SELECT auth.uid()));`,
    },
    {
      // The policy in a later migration of a Supabase project; the owner column has no default there.
      sql: {
        'supabase/migrations/20240101000000_posts.sql': 'create table posts (id bigint primary key, author uuid not null references auth.users, body text not null);\nalter table posts enable row level security;\ncreate policy "authors edit" on posts for update to authenticated using (author = (select auth.uid()));',
        'supabase/migrations/20240201000000_insert.sql': '-- Everyone signed in may post ✍️\ncreate policy "anyone posts" on posts for insert to authenticated with check (char_length(body) < 1000);',
      },
      errors: [{ file: 'supabase/migrations/20240201000000_insert.sql', line: 2, column: 1, messageId: 'unchecked', data: { column: 'author', keyPolicy: 'authors edit', dflt: '' } }],
      output: '-- Everyone signed in may post ✍️\ncreate policy "anyone posts" on posts for insert to authenticated with check ((char_length(body) < 1000) AND author = (SELECT auth.uid()));',
    },
    {
      // The owner column renamed after the policy was written: no fix (it would name a column that does not exist
      // yet there); the recipe, for a new migration, uses today's name.
      sql: `${T}CREATE POLICY add ON todos FOR INSERT WITH CHECK (length(title) > 0);\nALTER TABLE todos RENAME COLUMN user_id TO owner_id;`,
      errors: [{ line: 4, column: 1, messageId: 'unchecked', data: { column: 'owner_id' } }],
      output: null,
    },
  ],
});

describe('require-owner-check: the recipe', () => {
  before(() => initParser());

  it('is the ALTER POLICY for a migration that has already run, with the check as it stands', () => {
    const r = runCase({ 'supabase/migrations/20240101000000_todos.sql': `${T}CREATE POLICY add ON todos FOR INSERT WITH CHECK (length(title) > 0);` });
    const f = r.findings.filter((x) => x.rule === 'require-owner-check');
    assert.equal(f.length, 1);
    assert.equal(f[0].recipe, 'ALTER POLICY add ON todos\n  WITH CHECK ((length(title) > 0) AND user_id = (SELECT auth.uid()));');
  });
});
