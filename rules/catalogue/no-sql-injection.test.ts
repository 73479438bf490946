import { ruleTester } from '../testing/tester';
import { noSqlInjection } from './no-sql-injection';

const fn = (body: string, head = 'f(user_input text)', extra = 'SECURITY DEFINER') =>
  `CREATE FUNCTION ${head} RETURNS void LANGUAGE plpgsql ${extra} SET search_path = ''\nAS $fn$\nBEGIN\n${body}\nEND $fn$;`;

ruleTester(noSqlInjection, {
  valid: [
    fn("  EXECUTE format('DELETE FROM t WHERE name = %L', user_input);"),
    fn("  EXECUTE format('DROP TABLE %I', user_input);"),
    fn("  EXECUTE format('DROP TABLE %1$I; DELETE FROM t WHERE a = %2$L', user_input, user_input);"),
    fn("  EXECUTE 'DELETE FROM t WHERE name = ' || quote_literal(user_input);"),
    fn("  EXECUTE 'DELETE FROM t WHERE name = $1' USING user_input;"),
    // Types whose text cannot carry SQL: numbers, uuid, regclass (its text is a quoted name).
    fn("  EXECUTE 'DELETE FROM t WHERE id = ' || n;", 'f(n bigint)'),
    fn("  EXECUTE format('TRUNCATE %s', t);", 'f(t regclass)'),
    fn("  EXECUTE 'SELECT ' || user_input::int;"),
    // A hash of the input is hex digits.
    fn("  EXECUTE 'CREATE TABLE j' || encode(sha224(user_input::bytea), 'hex') || ' (id int)';"),
    // DO blocks run the migration author's SQL, not a caller's.
    "DO $$ DECLARE t text := 'x'; BEGIN EXECUTE 'DROP TABLE ' || t; END $$;",
    // SQL functions have no EXECUTE.
    "CREATE FUNCTION f(user_input text) RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM t WHERE name = user_input $$;",
    // Replaced by a safe version later in the set.
    {
      sql: {
        'db/001_f.sql': fn("  EXECUTE format('DELETE FROM t WHERE name = %s', user_input);"),
        'db/002_f.sql': fn("  EXECUTE format('DELETE FROM t WHERE name = %L', user_input);").replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'),
      },
    },
  ],
  invalid: [
    {
      // A sort direction (supabase/storage's search_by_timestamp): neither %I nor %L fits where ASC / DESC goes.
      sql: fn("  EXECUTE format('SELECT * FROM t ORDER BY %I %s LIMIT 10', sort_column, sort_order);", 'f(sort_column text, sort_order text)', 'SECURITY INVOKER'),
      errors: [{
        line: 4, column: 11, messageId: 'invokerKeyword', data: { source: 'sort_order', via: 'format() with %s' },
        message: /CASE WHEN lower\(sort_order\) = 'desc' THEN 'DESC' ELSE 'ASC' END\.$/,
      }],
    },
    {
      // Through a variable; the sort expression itself is an identifier slot, not a keyword one.
      sql: fn("  q := format('SELECT * FROM t ORDER BY %s DESC', col);\n  EXECUTE q;", 'f(col text)').replace('BEGIN', 'DECLARE q text;\nBEGIN'),
      errors: [{ line: 6, messageId: 'definer', data: { source: 'col' } }],
    },
    {
      // The done-when case: format() with %s in a SECURITY DEFINER function.
      sql: fn("  EXECUTE format('SELECT * FROM t WHERE name = %s', user_input);"),
      errors: [{ line: 4, column: 11, messageId: 'definer', data: { function: 'f', source: 'user_input', via: 'format() with %s' } }],
    },
    {
      sql: fn("  EXECUTE 'DELETE FROM t WHERE name = ''' || user_input || '''';", 'f(user_input text)', 'SECURITY INVOKER'),
      errors: [{ line: 4, column: 11, messageId: 'invoker', data: { source: 'user_input', via: 'string concatenation' } }],
    },
    {
      // Through a variable, positional $1, and RETURN QUERY EXECUTE; a '…' body doubles its quotes.
      sql: "CREATE FUNCTION search(varchar) RETURNS SETOF t LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS '\nDECLARE q text;\nBEGIN\n  q := ''SELECT * FROM t WHERE name = '' || lower($1);\n  RETURN QUERY EXECUTE q;\nEND';",
      errors: [{ line: 5, column: 24, messageId: 'definer', data: { function: 'search', source: '$1', via: 'the variable q, built by lower()' } }],
    },
    {
      // A trigger function: NEW holds what a user wrote.
      sql: "CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  EXECUTE 'INSERT INTO log VALUES (''' || NEW.note || ''')';\n  RETURN NEW;\nEND $$;",
      errors: [{ line: 3, column: 11, messageId: 'invoker', data: { function: 'audit', source: 'new.note', via: 'string concatenation' } }],
    },
    {
      // Straße: non-ASCII before the EXECUTE keeps the position right.
      sql: "-- Straße 🚀\nCREATE FUNCTION \"Straße\"(name text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE concat('SELECT ', name); END $$;",
      errors: [{ line: 2, column: 87, messageId: 'invoker', data: { function: 'Straße', source: 'name', via: 'concat()' } }],
    },
  ],
});
