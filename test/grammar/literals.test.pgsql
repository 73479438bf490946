-- SYNTAX TEST "source.pgsql" "comments, strings, identifiers, numbers and operators"
-- a line comment with SELECT inside
-- <-- comment.line.double-dash.pgsql punctuation.definition.comment.pgsql
--                     ^^^^^^ comment.line.double-dash.pgsql - keyword.other.dml.pgsql
/* outer /* nested */ still the outer comment */ SELECT 1;
-- <-- comment.block.pgsql punctuation.definition.comment.begin.pgsql
--          ^^^^^^ comment.block.pgsql comment.block.pgsql
--                    ^^^^^^^^^^^^^^^^^^^^^^^ comment.block.pgsql
--                                               ^^^^^^ keyword.other.dml.pgsql - comment.block.pgsql
/*
   DROP TABLE inside a multi-line block comment
-- ^^^^ comment.block.pgsql - keyword.other.ddl.pgsql
*/
SELECT 1; -- trailing comment
--     ^ constant.numeric.pgsql
--        ^^^^^^^^^^^^^^^^^^^ comment.line.double-dash.pgsql
SELECT 10--3 is a comment too
--     ^^ constant.numeric.pgsql
--       ^^^ comment.line.double-dash.pgsql - keyword.operator.arithmetic.pgsql
-- Standard strings: doubled quote escapes, no backslash escapes
SELECT 'it''s -- not a comment' AS s;
--     ^ string.quoted.single.pgsql punctuation.definition.string.begin.pgsql
--        ^^ string.quoted.single.pgsql constant.character.escape.quote.pgsql
--            ^^^^^^^^^^^^^^^^ string.quoted.single.pgsql - comment.line.double-dash.pgsql
--                              ^^ keyword.other.pgsql - string.quoted.single.pgsql
SELECT 'plain \n is not an escape';
--            ^^ string.quoted.single.pgsql - constant.character.escape.pgsql
SELECT '/* not a comment */';
--      ^^ string.quoted.single.pgsql - comment.block.pgsql
-- E strings: backslash escapes
SELECT E'line\nbreak \'quoted\' \\ done', e'\x41';
--     ^ string.quoted.single.escape.pgsql storage.type.string.pgsql
--           ^^ string.quoted.single.escape.pgsql constant.character.escape.pgsql
--                   ^^ string.quoted.single.escape.pgsql constant.character.escape.pgsql
--                              ^^ constant.character.escape.pgsql
--                                 ^^^^ string.quoted.single.escape.pgsql
--                                          ^^^^ constant.character.escape.pgsql
SELECT U&'d\0061t', B'1010', X'1F';
--         ^^^^^ string.quoted.single.unicode.pgsql constant.character.escape.pgsql
--                  ^^^^^^^ string.quoted.single.bit.pgsql
-- Quoted identifiers
SELECT "Mixed Case", "has ""quotes"" inside", "select" FROM "Order";
--     ^^^^^^^^^^^^ variable.other.quoted.pgsql
--                        ^^ variable.other.quoted.pgsql constant.character.escape.quote.pgsql
--                                             ^^^^^^ variable.other.quoted.pgsql - keyword.other.dml.pgsql
--                                                           ^^^^^ variable.other.quoted.pgsql - keyword.other.pgsql
-- Numbers and positional parameters
SELECT 42, 3.14, .5, 1e10, 2.5E-3, 0x1F, 1_000_000, t1.col2, $1;
--     ^^ constant.numeric.pgsql
--         ^^^^ constant.numeric.pgsql
--               ^^ constant.numeric.pgsql
--                         ^^^^^^ constant.numeric.pgsql
--                                 ^^^^ constant.numeric.pgsql
--                                       ^^^^^^^^^ constant.numeric.pgsql
--                                                  ^^ source.pgsql - constant.numeric.pgsql
--                                                           ^^ variable.parameter.positional.pgsql
-- Operators
SELECT a + b - c * d / e, a || b, a <> b, a >= b, x::int[], doc->>'k', doc @> '{}'::jsonb;
--       ^ keyword.operator.arithmetic.pgsql
--           ^ keyword.operator.arithmetic.pgsql
--                          ^^ keyword.operator.concatenation.pgsql
--                                  ^^ keyword.operator.comparison.pgsql
--                                          ^^ keyword.operator.comparison.pgsql
--                                                 ^^ keyword.operator.cast.pgsql
--                                                   ^^^ storage.type.pgsql
--                                                             ^^^ keyword.operator.json.pgsql
--                                                                         ^^ keyword.operator.json.pgsql
