import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { ruleTester } from '../testing/tester';
import { requireSecurityDefinerSearchPath, unqualifiedNames } from './require-security-definer-search-path';

const BODY = "AS $$ SELECT 1 $$";

ruleTester(requireSecurityDefinerSearchPath, {
  valid: [
    `CREATE FUNCTION f() RETURNS int LANGUAGE sql ${BODY};`,
    `CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = '' ${BODY};`,
    `CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path TO pg_catalog, pg_temp ${BODY};`,
    `CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY INVOKER ${BODY};`,
    // Fixed later by ALTER FUNCTION or CREATE OR REPLACE.
    {
      sql: {
        'db/001.sql': `CREATE FUNCTION app.f(a int) RETURNS int LANGUAGE sql SECURITY DEFINER ${BODY};`,
        'db/002.sql': "ALTER FUNCTION app.f(int) SET search_path = '';",
      },
    },
    `CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER ${BODY};\nCREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = public ${BODY};`,
    // Dropped again.
    `CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER ${BODY}; DROP FUNCTION f();`,
  ],
  invalid: [
    {
      // The body names a table without its schema: an empty path would break it, so no fix; the recipe says what to qualify.
      sql: `CREATE TABLE public.members (account_id uuid, user_id uuid);\nCREATE FUNCTION public.is_member(a uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER\nAS $$ SELECT EXISTS (SELECT 1 FROM members m WHERE m.account_id = a AND extract(epoch FROM now()) > 0) $$;`,
      errors: [{ line: 2, messageId: 'noSearchPath', severity: 'error' }],
      output: null,
    },
    {
      // A trigger function: no client calls it (warning).
      sql: `CREATE FUNCTION public.on_signup() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER\nAS $$ BEGIN INSERT INTO public.profiles (id) VALUES (NEW.id); RETURN NEW; END $$;`,
      errors: [{ line: 1, messageId: 'noSearchPath', severity: 'warning' }],
      output: "CREATE FUNCTION public.on_signup() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\nAS $$ BEGIN INSERT INTO public.profiles (id) VALUES (NEW.id); RETURN NEW; END $$;",
    },
    {
      sql: `CREATE FUNCTION public.add_member(a uuid) RETURNS void LANGUAGE sql SECURITY DEFINER\nAS $$ INSERT INTO public.members (account_id) VALUES (a) $$;`,
      errors: [{ line: 1, column: 69, messageId: 'noSearchPath', data: { function: 'add_member' } }],
      output: "CREATE FUNCTION public.add_member(a uuid) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ''\nAS $$ INSERT INTO public.members (account_id) VALUES (a) $$;",
    },
    {
      // The words in the body, in a comment and in a string do not count; lower case after the body.
      sql: "CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger AS $body$\nBEGIN\n  -- security definer\n  RAISE NOTICE 'security definer';\n  RETURN NEW;\nEND\n$body$ language plpgsql /* security definer */ security   definer;",
      errors: [{ line: 7, column: 48, messageId: 'noSearchPath', data: { function: 'app.touch' } }],
      output: "CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger AS $body$\nBEGIN\n  -- security definer\n  RAISE NOTICE 'security definer';\n  RETURN NEW;\nEND\n$body$ language plpgsql /* security definer */ security   definer SET search_path = '';",
    },
    {
      // search_path reset later; non-ASCII in the body before the keywords.
      sql: {
        'db/001.sql': "CREATE FUNCTION grüße() RETURNS text LANGUAGE sql AS $$ SELECT 'Grüße 👋' $$ SECURITY DEFINER SET search_path = '';",
        'db/002.sql': 'ALTER FUNCTION grüße() RESET search_path;',
      },
      errors: [{ file: 'db/001.sql', line: 1, column: 78, messageId: 'noSearchPath', data: { function: 'grüße' } }],
    },
    {
      // Non-ASCII text before the insertion point (UTF-16 offsets).
      sql: "-- Begrüßung 👋\nCREATE FUNCTION grüße() RETURNS text LANGUAGE sql AS $$ SELECT 'Grüße 👋' $$ SECURITY DEFINER;",
      errors: [{ line: 2, column: 78, messageId: 'noSearchPath', data: { function: 'grüße' } }],
      output: "-- Begrüßung 👋\nCREATE FUNCTION grüße() RETURNS text LANGUAGE sql AS $$ SELECT 'Grüße 👋' $$ SECURITY DEFINER SET search_path = '';",
    },
    {
      // Made SECURITY DEFINER by ALTER FUNCTION: anchored on the CREATE, no fix (the keywords are elsewhere).
      sql: `CREATE FUNCTION f() RETURNS int LANGUAGE sql ${BODY};\nALTER FUNCTION f() SECURITY DEFINER;`,
      errors: [{ line: 1, column: 1, messageId: 'noSearchPath' }],
      output: null,
    },
  ],
});

describe('require-security-definer-search-path: what the body names without a schema', () => {
  it('finds tables and pgcrypto calls, not CTEs, variables, qualified names or FROM inside a function call', () => {
    assert.deepEqual(unqualifiedNames(`
      WITH recent AS (SELECT * FROM public.events)
      SELECT role INTO v_role FROM user_roles JOIN recent r ON true
      WHERE extract(epoch FROM created_at) > 0 AND x IN (SELECT 1 FROM public.t);
      UPDATE projects SET k = pgp_sym_encrypt(v, key);
      INSERT INTO audit_logs (a) VALUES (extensions.crypt('a', gen_salt('bf')));`).sort(), ['audit_logs', 'gen_salt', 'pgp_sym_encrypt', 'projects', 'user_roles']);
  });
});
