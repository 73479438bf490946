-- SYNTAX TEST "source.pgsql" "dollar quoting, CREATE FUNCTION / DO bodies and PL/pgSQL"
-- A dollar-quoted literal outside a routine body is a plain string
SELECT $$plain string: BEGIN RETURN END -- no comment$$ AS s;
--     ^^ string.quoted.dollar.pgsql punctuation.definition.string.begin.pgsql
--                     ^^^^^ string.quoted.dollar.pgsql - keyword.control.plpgsql meta.embedded.block.plpgsql
--                                      ^^^^^^^^^^^^^ string.quoted.dollar.pgsql - comment.line.double-dash.pgsql
--                                                   ^^ string.quoted.dollar.pgsql punctuation.definition.string.end.pgsql
--                                                      ^^ keyword.other.pgsql - string.quoted.dollar.pgsql
COMMENT ON TABLE t IS $c$it's got $$ inside$c$;
--                       ^^^^ string.quoted.dollar.pgsql - punctuation.definition.string.begin.pgsql
--                                ^^ string.quoted.dollar.pgsql - punctuation.definition.string.end.pgsql punctuation.definition.string.begin.pgsql
--                                         ^^^ string.quoted.dollar.pgsql punctuation.definition.string.end.pgsql
--                                            ^ punctuation.terminator.statement.pgsql - string.quoted.dollar.pgsql
SELECT a$$b, $1;
--      ^^ source.pgsql - string.quoted.dollar.pgsql
-- CREATE FUNCTION: the body is PL/pgSQL, whatever the tag
CREATE OR REPLACE FUNCTION app.touch_updated_at() RETURNS trigger
-- <------ meta.function.pgsql keyword.other.ddl.pgsql
--                         ^^^^^^^^^^^^^^^^^^^^ meta.function.pgsql entity.name.function.pgsql
--                                                        ^^^^^^^ storage.type.pgsql
LANGUAGE plpgsql
-- <-------- meta.function.pgsql keyword.other.pgsql
--       ^^^^^^^ constant.other.language.pgsql
SECURITY DEFINER
-- <---------------- meta.function.pgsql keyword.other.security.pgsql
SET search_path = pg_catalog, public
AS $fn$
-- <-- meta.function.pgsql keyword.other.pgsql
-- ^^^^ meta.embedded.block.plpgsql punctuation.section.embedded.begin.pgsql
DECLARE
-- <------- meta.embedded.block.plpgsql keyword.control.plpgsql
  v_count integer := 0;
--        ^^^^^^^ meta.embedded.block.plpgsql storage.type.pgsql
--                ^^ keyword.operator.assignment.plpgsql
  v_row app.accounts%ROWTYPE;
--                   ^^^^^^^ storage.modifier.type.plpgsql
BEGIN
-- <----- meta.embedded.block.plpgsql keyword.control.plpgsql - keyword.other.transaction.pgsql
  -- a comment inside the body
--^^^^^^^^^^^^^^^^^^^^^^^^^^^^ meta.embedded.block.plpgsql comment.line.double-dash.pgsql
  IF TG_OP = 'UPDATE' THEN
--^^ keyword.control.plpgsql
--   ^^^^^ variable.language.plpgsql
--           ^^^^^^^^ string.quoted.single.pgsql - keyword.other.dml.pgsql
--                    ^^^^ keyword.control.plpgsql
    NEW.updated_at := now();
--  ^^^ variable.language.plpgsql
--                    ^^^ support.function.builtin.pgsql
  ELSIF TG_OP = 'INSERT' THEN
--^^^^^ keyword.control.plpgsql
    PERFORM pg_notify('inserted', NEW.id::text);
--  ^^^^^^^ keyword.other.plpgsql
--                                        ^^^^ storage.type.pgsql
  ELSE
    RAISE EXCEPTION 'unexpected %', TG_OP USING ERRCODE = 'P0001';
--  ^^^^^ keyword.other.raise.plpgsql
--        ^^^^^^^^^ support.constant.raise-level.plpgsql
  END IF;
--^^^^^^ keyword.control.plpgsql
  -- a nested $$ string does not close the body (only the same tag does)
  EXECUTE $$SELECT count(*) FROM app.accounts$$ INTO v_count;
--^^^^^^^ keyword.other.plpgsql
--        ^^ meta.embedded.block.plpgsql string.quoted.dollar.pgsql punctuation.definition.string.begin.pgsql - punctuation.section.embedded.end.pgsql
--          ^^^^^^ string.quoted.dollar.pgsql - keyword.other.dml.pgsql
--                                              ^^^^ meta.embedded.block.plpgsql keyword.other.pgsql - string.quoted.dollar.pgsql
  FOR v_row IN SELECT * FROM app.accounts WHERE id = $1 LOOP
--^^^ keyword.control.plpgsql
--             ^^^^^^ meta.embedded.block.plpgsql keyword.other.dml.pgsql
--                                                   ^^ variable.parameter.positional.pgsql
--                                                      ^^^^ keyword.control.plpgsql
    RAISE NOTICE 'row %', v_row.id;
--        ^^^^^^ support.constant.raise-level.plpgsql
  END LOOP;
--^^^^^^^^ keyword.control.plpgsql
  RETURN NEW;
--^^^^^^ keyword.control.plpgsql
EXCEPTION
-- <--------- keyword.control.plpgsql
  WHEN unique_violation THEN
--^^^^ keyword.control.plpgsql
--     ^^^^^^^^^^^^^^^^ support.constant.condition.plpgsql
    RETURN NULL;
END;
-- <--- meta.embedded.block.plpgsql keyword.control.plpgsql
$fn$;
-- <---- meta.embedded.block.plpgsql punctuation.section.embedded.end.pgsql
--  ^ punctuation.terminator.statement.pgsql - meta.embedded.block.plpgsql meta.function.pgsql
SELECT 1;
-- <------ keyword.other.dml.pgsql - meta.embedded.block.plpgsql meta.function.pgsql
CREATE PROCEDURE archive(p_days int) LANGUAGE sql AS $$ DELETE FROM t WHERE age > p_days $$;
--               ^^^^^^^ entity.name.function.pgsql
--                                                      ^^^^^^ meta.embedded.block.plpgsql keyword.other.dml.pgsql
--                                                                                       ^^ meta.embedded.block.plpgsql punctuation.section.embedded.end.pgsql
-- DO blocks
DO $$
-- <-- meta.statement.do.pgsql keyword.other.do.pgsql
-- ^^ meta.embedded.block.plpgsql punctuation.section.embedded.begin.pgsql
BEGIN
-- <----- meta.embedded.block.plpgsql keyword.control.plpgsql
  EXECUTE 'SET lock_timeout = ''5s''';
--^^^^^^^ keyword.other.plpgsql
--         ^^^ string.quoted.single.pgsql - keyword.other.pgsql
END
$$;
-- <-- meta.embedded.block.plpgsql punctuation.section.embedded.end.pgsql
--^ punctuation.terminator.statement.pgsql - meta.statement.do.pgsql
DO LANGUAGE plpgsql $body$ BEGIN PERFORM 1; END $body$;
-- ^^^^^^^^ meta.statement.do.pgsql keyword.other.pgsql
--                               ^^^^^^^ meta.embedded.block.plpgsql keyword.other.plpgsql
--                                              ^^^^^^ meta.embedded.block.plpgsql punctuation.section.embedded.end.pgsql
