import { ruleTester } from '../testing/tester';
import { requireDefinerCallerCheck } from './require-definer-caller-check';

// A Supabase project with a membership table: user_roles and projects are tenant-scoped by organization_id.
const SCHEMA = 'CREATE TABLE public.organizations (id text PRIMARY KEY);\nCREATE TABLE public.user_roles (user_id uuid NOT NULL REFERENCES auth.users (id), organization_id text NOT NULL REFERENCES public.organizations (id), role text NOT NULL, UNIQUE (user_id, organization_id));\nCREATE TABLE public.projects (id uuid PRIMARY KEY, organization_id text NOT NULL REFERENCES public.organizations (id), status text);\n';
const fn = (body: string, extra = '') => `${SCHEMA}CREATE FUNCTION public.set_status(p_project uuid, p_status text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\nAS $$ BEGIN ${body} END $$;\n${extra}`;

ruleTester(requireDefinerCallerCheck, {
  valid: [
    // It asks who calls.
    fn("IF NOT EXISTS (SELECT 1 FROM public.user_roles r JOIN public.projects p ON p.organization_id = r.organization_id WHERE p.id = p_project AND r.user_id = (SELECT auth.uid())) THEN RAISE EXCEPTION 'no'; END IF; UPDATE public.projects SET status = p_status WHERE id = p_project;"),
    // Only reads.
    fn('PERFORM 1 FROM public.projects WHERE id = p_project;'),
    // Only the server may call it.
    fn('UPDATE public.projects SET status = p_status WHERE id = p_project;', 'REVOKE EXECUTE ON FUNCTION public.set_status FROM PUBLIC, anon, authenticated;').replace('CREATE FUNCTION public.', 'CREATE FUNCTION private.').replace('CREATE TABLE public.organizations', 'CREATE SCHEMA private;\nCREATE TABLE public.organizations'),
    // Granted, then revoked by a later migration.
    {
      sql: {
        'db/001.sql': `${SCHEMA}CREATE SCHEMA api;\nCREATE FUNCTION api.assign_role(p_user uuid, p_org text) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ''\nAS $$ INSERT INTO public.user_roles (user_id, organization_id, role) VALUES (p_user, p_org, 'member') $$;\nGRANT EXECUTE ON FUNCTION api.assign_role TO authenticated;`,
        'db/002.sql': 'REVOKE EXECUTE ON FUNCTION api.assign_role(uuid, text) FROM authenticated;',
      },
    },
    // A trigger function is not called by clients.
    `${SCHEMA}CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\nAS $$ BEGIN UPDATE public.projects SET status = 'x' WHERE id = NEW.id; RETURN NEW; END $$;`,
    // SECURITY INVOKER: row-level security holds the caller back.
    fn('UPDATE public.projects SET status = p_status WHERE id = p_project;').replace('SECURITY DEFINER', 'SECURITY INVOKER'),
  ],
  invalid: [
    {
      // supa-builder's update_project_status: the public schema of a Supabase project is exposed as RPC.
      sql: fn('UPDATE public.projects SET status = p_status WHERE id = p_project;'),
      errors: [{ line: 4, column: 1, messageId: 'unchecked', data: { function: 'set_status', table: 'projects', how: 'UPDATE', exposure: 'Supabase exposes functions of public to anon and authenticated as RPC' } }],
    },
    {
      // assign_user_role: granted to authenticated, in another schema; the role table is written.
      sql: `${SCHEMA}CREATE SCHEMA api;\nCREATE FUNCTION api.assign_role(p_user uuid, p_org text, p_role text) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ''\nAS $$ INSERT INTO public.user_roles (user_id, organization_id, role) VALUES (p_user, p_org, p_role) $$;\nGRANT EXECUTE ON FUNCTION api.assign_role TO authenticated;`,
      errors: [{ line: 5, column: 1, messageId: 'unchecked', data: { table: 'user_roles', how: 'INSERT', exposure: 'EXECUTE is granted to authenticated' } }],
    },
  ],
});
