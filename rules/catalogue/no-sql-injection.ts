import { defineRule, type Report } from '../engine/types';
import { displayName } from '../model/schema';

const consequence = "a caller who passes `x' OR true --` runs SQL of their choosing";
const remedy = 'Quote it as it goes in: format() with %I for an identifier or %L for a value, or pass values with EXECUTE … USING.';
// Where a sort direction goes, no quoting fits: the value must become one of a few fixed words.
const keywordConsequence = 'a caller who passes `ASC, (SELECT …)` adds SQL of their choosing';
const keywordRemedy = 'It stands where ASC or DESC goes, where neither %I nor %L fits: turn it into a fixed word before it goes in, e.g. CASE WHEN lower({{source}}) = \'desc\' THEN \'DESC\' ELSE \'ASC\' END.';
const messages = {
  definer: `{{function}} puts {{source}} into the SQL text it EXECUTEs unquoted ({{via}}): ${consequence}, with the privileges of its owner (it is SECURITY DEFINER). ${remedy}`,
  invoker: `{{function}} puts {{source}} into the SQL text it EXECUTEs unquoted ({{via}}): ${consequence}, with the caller's privileges. ${remedy}`,
  definerKeyword: `{{function}} puts {{source}} into the SQL text it EXECUTEs unquoted ({{via}}): ${keywordConsequence}, with the privileges of its owner (it is SECURITY DEFINER). ${keywordRemedy}`,
  invokerKeyword: `{{function}} puts {{source}} into the SQL text it EXECUTEs unquoted ({{via}}): ${keywordConsequence}, with the caller's privileges. ${keywordRemedy}`,
};

export const noSqlInjection = defineRule({
  id: 'no-sql-injection',
  category: 'security',
  defaultSeverity: 'error',
  fixable: false,
  title: 'Dynamic SQL must quote what the caller passes in',
  messages,
  rationale:
    "A PL/pgSQL function that builds SQL text from its arguments and runs it with EXECUTE lets the caller write part of that SQL: `format('… WHERE name = %s', user_input)` or `'… ' || user_input` with user_input = `x' OR true --` runs whatever the caller chose. In a SECURITY DEFINER function the injected SQL runs with the owner's privileges, often a role that bypasses row-level security: every tenant's rows, or the whole database. Quote each value as it goes in: format() with %I for identifiers and %L for values, quote_ident() / quote_literal(), or pass values as parameters with EXECUTE … USING.",
  docs: {
    bad: "CREATE FUNCTION public.find_users(user_input text) RETURNS SETOF public.users LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\nAS $$\nBEGIN\n  RETURN QUERY EXECUTE format('SELECT * FROM public.users WHERE name = %s', user_input);\nEND $$;",
    good: "CREATE FUNCTION public.find_users(user_input text) RETURNS SETOF public.users LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\nAS $$\nBEGIN\n  RETURN QUERY EXECUTE 'SELECT * FROM public.users WHERE name = $1' USING user_input;\nEND $$;",
    details: [
      "Checks the EXECUTE statements of PL/pgSQL functions and procedures (`EXECUTE`, `FOR … IN EXECUTE`, `RETURN QUERY EXECUTE`, `OPEN … FOR EXECUTE`) as they stand at the end of the migration set. SQL text is unsafe when a parameter of a type that can hold text (text, varchar, json, arrays, a domain: anything but numbers, booleans, dates and times, uuid, network addresses and the reg* types such as regclass, whose text is quoted) reaches it through format()'s %s, string concatenation, functions that pass text through (concat, lower, replace, coalesce, …), or a variable assigned that way. In a trigger function the fields of NEW and OLD count too: they hold what a user wrote into the table. format()'s %I and %L, quote_ident(), quote_literal() and quote_nullable() make a value safe; so does a cast to one of the safe types.",
      'An error in a SECURITY DEFINER function (the injected SQL runs as its owner), a warning in a SECURITY INVOKER function (it runs with the caller\'s own privileges, but the caller may be an application role acting for an end user). There is no automatic fix: whether a value is an identifier (%I) or a value (%L) is for you to say.',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const fn of ctx.model.functions.values()) {
      for (const risk of fn.injections ?? []) {
        reports.push({
          file: fn.origin.file,
          span: risk.span,
          statement: ctx.statementAt(fn.origin),
          severity: fn.securityDefiner ? 'error' : 'warning',
          messageId: `${fn.securityDefiner ? 'definer' : 'invoker'}${risk.keyword ? 'Keyword' : ''}`,
          data: { function: displayName(fn), source: risk.source, via: risk.via },
          recipe: risk.keyword
            ? `-- a sort direction: only ASC or DESC ever reaches the SQL text\nformat('… %s …', CASE WHEN lower(${risk.source}) = 'desc' THEN 'DESC' ELSE 'ASC' END)`
            : `-- an identifier: format('… %I …', ${risk.source})\n-- a value:       format('… %L …', ${risk.source}), or EXECUTE '… $1 …' USING ${risk.source}`,
        });
      }
    }
    return reports;
  },
});
