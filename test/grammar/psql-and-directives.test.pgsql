-- SYNTAX TEST "source.pgsql" "psql meta-commands and sql-architect-ignore directives"
\set ON_ERROR_STOP on
-- <---- meta.preprocessor.psql keyword.control.directive.psql
--   ^^^^^^^^^^^^^ meta.preprocessor.psql variable.other.psql
--                 ^^ meta.preprocessor.psql string.unquoted.argument.psql - keyword.other.pgsql
\i migrations/0001_init.sql
-- <-- meta.preprocessor.psql keyword.control.directive.psql
-- ^^^^^^^^^^^^^^^^^^^^^^^^ meta.preprocessor.psql string.unquoted.argument.psql
\connect app_db
-- <-------- meta.preprocessor.psql keyword.control.directive.psql
--       ^^^^^^ meta.preprocessor.psql
\echo 'applying 0002 -- not a comment'
--    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ meta.preprocessor.psql string.quoted.single.psql - comment.line.double-dash.pgsql
SELECT 1;
-- <------ keyword.other.dml.pgsql - meta.preprocessor.psql
SELECT set_config('app.tenant', :'tenant', false) \gset
--                              ^^^^^^^^^ variable.other.psql - string.quoted.single.pgsql
--                                                ^^^^^ meta.preprocessor.psql keyword.control.directive.psql
SELECT E'\\i is not a meta-command inside a string';
--       ^^ string.quoted.single.escape.pgsql constant.character.escape.pgsql - meta.preprocessor.psql
-- Suppression directives
-- sql-architect-ignore lock/concurrently-required, rls-enable: table is empty here
-- <-- comment.line.double-dash.directive.sql-architect punctuation.definition.comment.pgsql
-- ^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.directive.sql-architect keyword.other.directive.sql-architect
--                      ^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.directive.sql-architect entity.name.tag.rule.sql-architect
--                                                ^ comment.line.double-dash.directive.sql-architect punctuation.separator.comma.sql-architect
--                                                  ^^^^^^^^^^ comment.line.double-dash.directive.sql-architect entity.name.tag.rule.sql-architect
--                                                            ^ comment.line.double-dash.directive.sql-architect punctuation.separator.reason.sql-architect
--                                                              ^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.directive.sql-architect - entity.name.tag.rule.sql-architect
-- sql-architect-ignore-file naming-snake-case: legacy schema
-- ^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.directive.sql-architect keyword.other.directive.sql-architect
--                           ^^^^^^^^^^^^^^^^^ entity.name.tag.rule.sql-architect
--sql-architect-ignore rule-a
--^^^^^^^^^^^^^^^^^^^^ keyword.other.directive.sql-architect
--                     ^^^^^^ entity.name.tag.rule.sql-architect
CREATE INDEX idx ON t (a); -- sql-architect-ignore index-concurrently: empty table
-- <------ keyword.other.ddl.pgsql - comment.line.double-dash.directive.sql-architect
--                            ^^^^^^^^^^^^^^^^^^^^ keyword.other.directive.sql-architect
-- a normal comment mentioning sql-architect-ignore is not a directive
--                             ^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.pgsql - keyword.other.directive.sql-architect comment.line.double-dash.directive.sql-architect
-- sql-architect-ignored: not a directive either
-- ^^^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.pgsql - keyword.other.directive.sql-architect
SELECT '-- sql-architect-ignore rule-a';
--         ^^^^^^^^^^^^^^^^^^^^ string.quoted.single.pgsql - keyword.other.directive.sql-architect
