import { ruleTester } from '../testing/tester';
import { requireTenantInUnique } from './require-tenant-in-unique';

ruleTester(requireTenantInUnique, {
  valid: [
    'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, UNIQUE (tenant_id, slug));',
    'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL); CREATE UNIQUE INDEX ON projects (tenant_id, lower(slug));',
    // A surrogate primary key on one column is exempt.
    'CREATE TABLE projects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id uuid NOT NULL);',
    // Single-column keys unique by construction: identity, serial, a volatile default, a one-to-one foreign key.
    'CREATE TABLE a (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, code bigint GENERATED ALWAYS AS IDENTITY UNIQUE, n bigserial UNIQUE, token text UNIQUE DEFAULT gen_random_uuid()::text);',
    'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL); CREATE TABLE settings (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint UNIQUE REFERENCES projects (id));',
    // Non-tenant tables and the tenant registry.
    'CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);',
    'CREATE TABLE tenants (id uuid PRIMARY KEY, slug text UNIQUE); CREATE TABLE t (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id));',
    // Another tenant column of the table (team inside org) scopes the key.
    'CREATE TABLE docs (id bigint PRIMARY KEY, org_id bigint NOT NULL, team_id bigint NOT NULL, name text, UNIQUE (team_id, name));',
    // The constraint was dropped in a later migration.
    {
      sql: {
        'db/001.sql': 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, CONSTRAINT projects_slug_key UNIQUE (slug));',
        'db/002.sql': 'ALTER TABLE projects DROP CONSTRAINT projects_slug_key;',
      },
    },
  ],
  invalid: [
    {
      sql: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, UNIQUE (slug));',
      errors: [{ line: 1, column: 92, messageId: 'uniqueConstraint', data: { name: 'projects_slug_key', table: 'projects', columns: 'slug', column: 'tenant_id', wanted: 'tenant_id, slug' } }],
      output: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, UNIQUE (tenant_id, slug));',
    },
    {
      // Inline UNIQUE: anchored on it, no fix.
      sql: 'CREATE TABLE members (id bigint PRIMARY KEY, org_id bigint NOT NULL,\n  email text NOT NULL UNIQUE);',
      errors: [{ line: 2, column: 23, messageId: 'uniqueConstraint', data: { name: 'members_email_key', table: 'members', columns: 'email' } }],
      output: null,
    },
    {
      // A unique index in a later migration; expression elements keep their text.
      sql: {
        'db/001_init.sql': 'CREATE TABLE members (id bigint PRIMARY KEY, org_id bigint NOT NULL, email text NOT NULL);',
        'db/002_idx.sql': 'CREATE UNIQUE INDEX CONCURRENTLY members_email_idx ON members USING btree (lower(email)) WHERE email <> \'\';',
      },
      errors: [{ file: 'db/002_idx.sql', line: 1, column: 1, messageId: 'partialUniqueIndex', data: { name: 'members_email_idx', table: 'members' } }],
      output: 'CREATE UNIQUE INDEX CONCURRENTLY members_email_idx ON members USING btree (org_id, lower(email)) WHERE email <> \'\';',
    },
    {
      // A multi-column primary key without the tenant column; ALTER TABLE … ADD CONSTRAINT; non-ASCII names.
      sql: '-- Zuordnung Benutzer ↔ Gruppe\nCREATE TABLE "Mitglied" (benutzer_id bigint NOT NULL, gruppe_id bigint NOT NULL, tenant_id uuid NOT NULL);\nALTER TABLE "Mitglied" ADD CONSTRAINT "Mitglied_pkey" PRIMARY KEY (benutzer_id, gruppe_id);',
      errors: [{ line: 3, column: 28, messageId: 'primaryKey', data: { name: 'Mitglied_pkey', table: 'Mitglied', columns: 'benutzer_id, gruppe_id', column: 'tenant_id' } }],
      output: '-- Zuordnung Benutzer ↔ Gruppe\nCREATE TABLE "Mitglied" (benutzer_id bigint NOT NULL, gruppe_id bigint NOT NULL, tenant_id uuid NOT NULL);\nALTER TABLE "Mitglied" ADD CONSTRAINT "Mitglied_pkey" PRIMARY KEY (tenant_id, benutzer_id, gruppe_id);',
    },
  ],
});
