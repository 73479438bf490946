-- SYNTAX TEST "source.sql" "pgsql injection into the sql language (base grammar: test/grammar/fixtures/sql-base.fixture.tmLanguage.json)"
\set ON_ERROR_STOP on
-- <---- source.sql meta.preprocessor.psql keyword.control.directive.psql
-- sql-architect-ignore rule-a, rule-b: reason
-- ^^^^^^^^^^^^^^^^^^^^ source.sql comment.line.double-dash.directive.sql-architect keyword.other.directive.sql-architect
--                              ^^^^^^ entity.name.tag.rule.sql-architect
   -- sql-architect-ignore-file rule-c: indented
--    ^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.directive.sql-architect
-- ordinary comment: CONCURRENTLY
--                   ^^^^^^^^^^^^ comment.line.double-dash.sql - keyword.other.concurrently.pgsql
CREATE INDEX CONCURRENTLY idx ON t (a);
-- <------ keyword.other.sql
--           ^^^^^^^^^^^^ source.sql keyword.other.concurrently.pgsql
SELECT 'CONCURRENTLY', E'it\'s', N'x';
--      ^^^^^^^^^^^^ string.quoted.single.sql - keyword.other.concurrently.pgsql
--                     ^ string.quoted.single.escape.pgsql storage.type.string.pgsql
--                         ^^ string.quoted.single.escape.pgsql constant.character.escape.pgsql
--                                ^^^ string.quoted.single.sql
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
--            ^^^^^^^^^^^^^^^^^^^^^^^^^ keyword.other.rls.pgsql
ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;
--                                           ^^^^^^^^^ keyword.other.not-valid.pgsql
ALTER TABLE t VALIDATE CONSTRAINT c;
--            ^^^^^^^^^^^^^^^^^^^ keyword.other.validate-constraint.pgsql
SELECT $$ -- not a comment $$ AS x;
--     ^^ string.quoted.dollar.pgsql punctuation.definition.string.begin.pgsql
--        ^^^^^^^^^^^^^^^^ string.quoted.dollar.pgsql - comment.line.double-dash.sql
--                            ^^ keyword.other.alias.sql
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$
--                                               ^^ meta.embedded.block.plpgsql keyword.other.pgsql
--                                                  ^^^^ meta.embedded.block.plpgsql punctuation.section.embedded.begin.pgsql
BEGIN
-- <----- meta.embedded.block.plpgsql keyword.control.plpgsql
  EXECUTE $$SELECT 1$$;
--^^^^^^^ keyword.other.plpgsql
--        ^^ string.quoted.dollar.pgsql - punctuation.section.embedded.end.pgsql
  RETURN 1;
END
-- the closing tag must close the body (a left-priority injection must not re-open a string here)
$fn$;
-- <---- meta.embedded.block.plpgsql punctuation.section.embedded.end.pgsql - string.quoted.dollar.pgsql
DO $$
-- <-- meta.statement.do.pgsql keyword.other.do.pgsql
-- ^^ meta.embedded.block.plpgsql punctuation.section.embedded.begin.pgsql
BEGIN PERFORM 1; END
--    ^^^^^^^ meta.embedded.block.plpgsql keyword.other.plpgsql
$$;
-- <-- meta.embedded.block.plpgsql punctuation.section.embedded.end.pgsql
SELECT 1 AS one;
-- <------ keyword.other.DML.sql - meta.embedded.block.plpgsql meta.statement.do.pgsql string.quoted.dollar.pgsql
--       ^^ keyword.other.alias.sql
