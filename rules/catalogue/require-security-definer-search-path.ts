import { defineRule, type Fix, type Report } from '../engine/types';
import { displayName } from '../model/schema';
import { tokens } from '../parser/lexer';
import { tableSql } from './util';

const messages = {
  noSearchPath: "SECURITY DEFINER function {{function}} does not set search_path: a caller can put their own schema or temporary objects first on search_path, shadow a table or function {{function}} uses, and run code with the privileges of its owner. Add SET search_path = '' to the definition and schema-qualify the names in the body.",
};

export const requireSecurityDefinerSearchPath = defineRule({
  id: 'require-security-definer-search-path',
  category: 'security',
  defaultSeverity: 'error',
  fixable: true,
  title: 'SECURITY DEFINER functions must set search_path',
  messages,
  rationale:
    'A SECURITY DEFINER function runs with the privileges of its owner, but resolves unqualified names through the caller\'s search_path. A caller who can create objects in any schema on their search_path (or a temporary table) can shadow a table, function or operator the body uses and run their own code as the owner, often a superuser or the table owner that bypasses row-level security. Pin search_path in the function definition and schema-qualify the names in the body.',
  docs: {
    bad: 'CREATE FUNCTION public.add_member(a uuid, u uuid) RETURNS void LANGUAGE sql SECURITY DEFINER\nAS $$ INSERT INTO public.members (account_id, user_id) VALUES (a, u) $$;',
    good: "CREATE FUNCTION public.add_member(a uuid, u uuid) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ''\nAS $$ INSERT INTO public.members (account_id, user_id) VALUES (a, u) $$;",
    details: [
      'The final state of the migration set counts: a later `ALTER FUNCTION … SET search_path = …` or `CREATE OR REPLACE` with a SET clause clears the finding. The finding sits on the `SECURITY DEFINER` keywords.',
      "The fix inserts `SET search_path = ''` right after SECURITY DEFINER (an empty path, as Supabase's linter recommends). With it, every table, view, type and non-catalog function in the body must be schema-qualified (`public.members`, `extensions.uuid_generate_v4()`), so the fix can break the function and is never applied by \"fix all\". Built-in functions and operators still resolve, because pg_catalog is always searched. Note that PostgreSQL searches the session's temporary schema first for tables and types when pg_temp is not listed, so qualify catalog tables too (`pg_catalog.pg_class`); `SET search_path = pg_catalog, pg_temp` is the equivalent that puts pg_temp last.",
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const fn of ctx.model.functions.values()) {
      if (!fn.securityDefiner || fn.setsSearchPath) continue;
      const stmt = ctx.statementAt(fn.origin);
      const text = ctx.fileText(fn.origin.file);
      let anchor = stmt?.span ?? fn.origin.span;
      const fixes: Fix[] = [];
      if (stmt && text) {
        // Only tokens outside strings, dollar quotes and comments: the body cannot fool the search.
        const toks = tokens(text, stmt.span.start, stmt.span.end);
        const i = toks.findIndex((t, k) => t.word === 'security' && toks[k + 1]?.word === 'definer');
        // The fix belongs in the definition only when the definition itself lacks the SET (not reset later).
        const own = stmt.actions.find((a) => a.type === 'create-function');
        if (i >= 0) {
          anchor = { start: toks[i].start, end: toks[i + 1].end };
          if (own?.type === 'create-function' && !own.fn.setsSearchPath) {
            fixes.push({ title: "Add SET search_path = '' to the function", safe: false, edits: [{ start: anchor.end, end: anchor.end, newText: " SET search_path = ''" }] });
          }
        }
      }
      const name = displayName(fn);
      reports.push({
        file: fn.origin.file,
        span: anchor,
        statement: stmt,
        messageId: 'noSearchPath',
        data: { function: name },
        recipe: `ALTER FUNCTION ${tableSql(fn)} SET search_path = '';`,
        fixes,
      });
    }
    return reports;
  },
});
