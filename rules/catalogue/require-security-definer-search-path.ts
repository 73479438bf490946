import { defineRule, type Fix, type Report, type SetContext } from '../engine/types';
import { displayName } from '../model/schema';
import { tokens } from '../parser/lexer';
import { quoteIdent, tableSql } from './util';

const messages = {
  noSearchPath: "SECURITY DEFINER function {{function}} does not set search_path: a caller can put their own schema or temporary objects first on search_path, shadow a table or function {{function}} uses, and run code with the privileges of its owner. Add SET search_path = '' to the definition and schema-qualify the names in the body.",
};

/** pgcrypto and uuid-ossp functions, which Supabase installs in the `extensions` schema. */
const EXTENSION_FUNCTIONS = new Set(['pgp_sym_encrypt', 'pgp_sym_decrypt', 'pgp_pub_encrypt', 'pgp_pub_decrypt', 'crypt', 'gen_salt', 'digest', 'hmac',
  'armor', 'dearmor', 'gen_random_bytes', 'encrypt', 'decrypt', 'uuid_generate_v4', 'uuid_generate_v1']);
const NOT_A_TABLE = new Set(['select', 'lateral', 'only', 'unnest', 'generate_series', 'jsonb_to_recordset', 'json_to_recordset', 'jsonb_array_elements', 'json_array_elements']);

/**
 * Names the body uses without a schema that SET search_path = '' would no longer find: tables after FROM, JOIN,
 * UPDATE, INSERT INTO and DELETE FROM (not CTEs, not inside a function call's parentheses such as extract(… FROM …)),
 * and pgcrypto / uuid-ossp functions. Best effort, on tokens: a name it misses makes the function fail when run.
 */
export function unqualifiedNames(body: string): string[] {
  const toks = tokens(body, 0, body.length);
  const ctes = new Set<string>();
  toks.forEach((t, k) => {
    if (t.word && toks[k + 1]?.word === 'as' && toks[k + 2]?.text === '(' && (toks[k - 1]?.word === 'with' || toks[k - 1]?.text === ',' || toks[k - 1]?.word === 'recursive')) ctes.add(t.word);
  });
  const out = new Set<string>();
  const calls: boolean[] = [];
  toks.forEach((t, k) => {
    if (t.text === '(') calls.push(Boolean(toks[k - 1]?.word) && !['from', 'join', 'in', 'exists', 'values', 'as', 'and', 'or', 'not', 'where', 'on', 'select'].includes(toks[k - 1].word!));
    if (t.text === ')') calls.pop();
    const prev = toks[k - 1];
    const qualified = toks[k + 1]?.text === '.' || prev?.text === '.';
    if (t.word && !qualified && EXTENSION_FUNCTIONS.has(t.word) && toks[k + 1]?.text === '(') out.add(t.word);
    if (!prev?.word || !t.word || qualified || calls.some(Boolean)) return;
    const insert = prev.word === 'into' && toks[k - 2]?.word === 'insert';
    const relation = prev.word === 'from' || prev.word === 'join' || prev.word === 'update' || insert;
    // `FROM f(…)` is a function, `INSERT INTO t (…)` a column list.
    if (relation && !ctes.has(t.word) && !NOT_A_TABLE.has(t.word) && (insert || toks[k + 1]?.text !== '(')) out.add(t.word);
  });
  return [...out];
}

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
      "A trigger function (RETURNS trigger) is a warning, not an error: no client can call it, and only a session that writes its table can set the path it runs with.",
      "The fix inserts `SET search_path = ''` right after SECURITY DEFINER (an empty path, as Supabase's linter recommends). It is offered only when the body names its tables (after FROM, JOIN, UPDATE, INSERT INTO, DELETE FROM) and pgcrypto functions with their schema; otherwise the recipe lists what to qualify first, since a SQL body with an unqualified table fails as soon as the migration creates it. With it, every table, view, type and non-catalog function in the body must be schema-qualified (`public.members`, `extensions.uuid_generate_v4()`), so the fix can break the function and is never applied by \"fix all\". Built-in functions and operators still resolve, because pg_catalog is always searched. Note that PostgreSQL searches the session's temporary schema first for tables and types when pg_temp is not listed, so qualify catalog tables too (`pg_catalog.pg_class`); `SET search_path = pg_catalog, pg_temp` is the equivalent that puts pg_temp last.",
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
      const unqualified = fn.body ? unqualifiedNames(fn.body) : [];
      if (stmt && text) {
        // Only tokens outside strings, dollar quotes and comments: the body cannot fool the search.
        const toks = tokens(text, stmt.span.start, stmt.span.end);
        const i = toks.findIndex((t, k) => t.word === 'security' && toks[k + 1]?.word === 'definer');
        // The fix belongs in the definition only when the definition itself lacks the SET (not reset later).
        const own = stmt.actions.find((a) => a.type === 'create-function');
        if (i >= 0) {
          anchor = { start: toks[i].start, end: toks[i + 1].end };
          // Not when the body names things without a schema: an empty path would make it fail (a SQL body at once,
          // when the migration creates it).
          if (own?.type === 'create-function' && !own.fn.setsSearchPath && unqualified.length === 0) {
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
        // A trigger function is never called by a client: only a session that writes the table can steer its path.
        ...(fn.returnsTrigger ? { severity: 'warning' as const } : {}),
        data: { function: name },
        recipe: [
          ...(unqualified.length ? [`-- first schema-qualify what the body names without a schema: ${unqualified.map((n) => qualifiedGuess(ctx, n)).join(', ')}`] : []),
          `ALTER FUNCTION ${tableSql(fn)} SET search_path = '';`,
        ].join('\n'),
        fixes,
      });
    }
    return reports;
  },
});

/** How to name `n` with its schema: the one schema whose table it is, extensions for pgcrypto on Supabase. */
function qualifiedGuess(ctx: SetContext, n: string): string {
  if (EXTENSION_FUNCTIONS.has(n)) return ctx.project.roles.platform.id === 'supabase' ? `extensions.${n}()` : `<schema of pgcrypto>.${n}()`;
  const schemas = [...ctx.model.tables.values()].filter((t) => t.name === n).map((t) => t.schema);
  return schemas.length === 1 ? `${quoteIdent(schemas[0])}.${quoteIdent(n)}` : `<schema>.${quoteIdent(n)}`;
}
