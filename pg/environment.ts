/**
 * Environment setup run in the fresh database before the replay: a convenience for Supabase projects.
 *
 * Supabase migrations assume a platform database: the roles anon / authenticated / service_role, an `auth`
 * schema with auth.uid() / auth.jwt() / auth.role() and auth.users, sometimes `storage`, `realtime`, and
 * uuid-ossp / pgcrypto preinstalled in schema `extensions`, which is on Supabase's default search_path.
 * A plain PostgreSQL has none of them, so every policy `TO authenticated USING (auth.uid() = user_id)` and
 * every `REFERENCES auth.users` would fail and hide the real findings. This recreates the minimum of that
 * platform. It is environment setup, not a mock of our code: the functions are Supabase's own definitions
 * (they read the request.jwt.* settings that PostgREST sets per request).
 */
import type { EnvironmentPlan } from './classify';

export function environmentSql(plan: EnvironmentPlan): string[] {
  const out: string[] = [];
  for (const role of plan.roles) {
    // CREATE ROLE has no IF NOT EXISTS; roles are cluster-wide, so a real server may already have them.
    const attrs = role === 'service_role' ? 'NOLOGIN NOINHERIT BYPASSRLS' : 'NOLOGIN NOINHERIT';
    out.push(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} ${attrs}; END IF; END $$`);
  }
  // Only the roles created here exist yet; roles the migrations create themselves come later.
  const grantees = (): string => plan.roles.filter((r) => ['anon', 'authenticated', 'service_role'].includes(r)).join(', ');
  if (plan.supabaseGrants && grantees()) {
    // Supabase grants the API roles everything in public by default; RLS policies are what restrict them.
    out.push(`GRANT USAGE ON SCHEMA public TO ${grantees()}`);
    for (const what of ['TABLES', 'SEQUENCES', 'FUNCTIONS']) {
      out.push(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON ${what} TO ${grantees()}`);
    }
  }
  if (plan.extensionsSchema) {
    out.push('CREATE SCHEMA IF NOT EXISTS extensions');
    // Supabase lets the API roles use the extensions schema (it is on their search_path); without USAGE,
    // PostgreSQL silently skips the schema and a default such as gen_random_bytes(…) is not found.
    if (plan.supabaseGrants && grantees()) out.push(`GRANT USAGE ON SCHEMA extensions TO ${grantees()}`);
  }
  for (const ext of plan.preinstalled) out.push(`CREATE EXTENSION IF NOT EXISTS "${ext}" WITH SCHEMA extensions`);
  if (plan.preinstalled.length) {
    // Supabase's database default search_path is "$user", public, extensions. A session-level SET lasts
    // for the whole replay: the replay runs on a single session.
    out.push('SET search_path = "$user", public, extensions');
  }
  if (plan.authSchema) {
    out.push('CREATE SCHEMA IF NOT EXISTS auth');
    out.push(`CREATE TABLE IF NOT EXISTS auth.users (
  instance_id uuid, id uuid PRIMARY KEY, aud varchar(255), role varchar(255), email varchar(255) UNIQUE,
  encrypted_password varchar(255), email_confirmed_at timestamptz, phone text UNIQUE, phone_confirmed_at timestamptz,
  last_sign_in_at timestamptz, raw_app_meta_data jsonb, raw_user_meta_data jsonb, is_super_admin boolean,
  is_anonymous boolean NOT NULL DEFAULT false, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(),
  deleted_at timestamptz)`);
    // Setting names with a dot are "custom" settings: current_setting(name, true) returns NULL when unset.
    out.push(`CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$`);
    out.push(`CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text $$`);
    out.push(`CREATE OR REPLACE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.email', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text $$`);
    out.push(`CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$`);
    const roles = grantees();
    if (roles) {
      out.push(`GRANT USAGE ON SCHEMA auth TO ${roles}`);
      out.push(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO ${roles}`);
    }
  }
  if (plan.storageSchema) {
    out.push('CREATE SCHEMA IF NOT EXISTS storage');
    out.push(`CREATE TABLE IF NOT EXISTS storage.buckets (
  id text PRIMARY KEY, name text NOT NULL UNIQUE, owner uuid, owner_id text, public boolean DEFAULT false,
  avif_autodetection boolean DEFAULT false, file_size_limit bigint, allowed_mime_types text[],
  created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now())`);
    out.push(`CREATE TABLE IF NOT EXISTS storage.objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), bucket_id text REFERENCES storage.buckets (id), name text, owner uuid,
  owner_id text, metadata jsonb, path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
  version text, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), last_accessed_at timestamptz DEFAULT now())`);
    out.push('ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY');
    out.push(`CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$`);
    out.push(`CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$`);
    out.push(`CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT reverse(split_part(reverse(name), '.', 1)) $$`);
    const roles = grantees();
    if (roles) {
      out.push(`GRANT USAGE ON SCHEMA storage TO ${roles}`);
      out.push(`GRANT ALL ON ALL TABLES IN SCHEMA storage TO ${roles}`);
    }
  }
  if (plan.realtimeSchema) {
    out.push('CREATE SCHEMA IF NOT EXISTS realtime');
    out.push(`CREATE TABLE IF NOT EXISTS realtime.messages (
  id uuid NOT NULL DEFAULT gen_random_uuid(), topic text NOT NULL, extension text NOT NULL, payload jsonb, event text,
  private boolean DEFAULT false, updated_at timestamp NOT NULL DEFAULT now(), inserted_at timestamp NOT NULL DEFAULT now(),
  PRIMARY KEY (id, inserted_at))`);
    out.push('ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY');
    out.push(`CREATE OR REPLACE FUNCTION realtime.topic() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('realtime.topic', true), '')::text $$`);
    const roles = grantees();
    if (roles) {
      out.push(`GRANT USAGE ON SCHEMA realtime TO ${roles}`);
      out.push(`GRANT ALL ON ALL TABLES IN SCHEMA realtime TO ${roles}`);
    }
  }
  return out;
}
