import { defineRule, type FileContext, type Report, type SetContext } from '../engine/types';
import { displayName } from '../model/schema';
import type { FunctionModel, Statement, TableModel } from '../model/types';
import { rememberedFor } from '../model/remember';
import { tokens } from '../parser/lexer';
import { escapeRe, quoteIdent, tableLabel, tableSql, tenantTablesOf } from './util';

const messages = {
  unchecked: 'SECURITY DEFINER function {{function}} writes tenant table {{table}} ({{how}}) and never asks who calls it (no auth.uid(), auth.jwt() or current_user): {{exposure}}, so any signed-in user can change rows of any tenant through it, row-level security notwithstanding. Check the caller in the body, or REVOKE EXECUTE from the application roles if only the server calls it.',
};

/** The body asks who the caller is: Supabase's auth functions, the session's role, or PostgREST's JWT claims. */
const CALLER = /\bauth\s*\.\s*(uid|jwt|role|email)\s*\(|\bcurrent_user\b|\bsession_user\b|\bcurrent_role\b|request\.jwt/i;

/** The tenant tables the body writes: INSERT INTO, UPDATE, DELETE FROM, with or without a schema. */
function writes(ctx: SetContext, body: string, tenants: Map<string, TableModel>): { table: TableModel; how: string } | undefined {
  const toks = tokens(body, 0, body.length);
  for (let k = 0; k < toks.length; k++) {
    const w = toks[k].word;
    const how = w === 'update' ? 'UPDATE' : w === 'into' && toks[k - 1]?.word === 'insert' ? 'INSERT' : w === 'from' && toks[k - 1]?.word === 'delete' ? 'DELETE' : undefined;
    if (!how) continue;
    // An unquoted name folds to lower case (the token's word); a quoted one keeps it.
    const ident = (t: { text: string; word?: string } | undefined) => t?.word ?? t?.text.replace(/^"|"$/g, '').replace(/""/g, '"');
    const qualified = toks[k + 2]?.text === '.';
    const name = ident(qualified ? toks[k + 3] : toks[k + 1]);
    const schema = qualified ? ident(toks[k + 1]) : undefined;
    const t = name ? ctx.model.table({ schema, name }) : undefined;
    if (t && tenants.has(`${t.schema}.${t.name}`)) return { table: t, how };
  }
  return undefined;
}

/** The set's GRANT and REVOKE statements on functions, in apply order; once per set. */
const functionGrants = rememberedFor((files: readonly FileContext[]): Statement[] =>
  files.flatMap((f) => f.statements.filter((s) => s.node === 'GrantStmt' && s.actions.some((a) => a.type === 'other' && a.node === 'GrantStmt:OBJECT_FUNCTION'))));

/**
 * Who may call the function, from the migrations: EXECUTE granted to an application role or PUBLIC (and not revoked
 * later), or, on Supabase, any function of the public schema (PostgREST exposes them as RPC, and default privileges
 * give anon and authenticated EXECUTE).
 */
function exposure(ctx: SetContext, fn: FunctionModel): string | undefined {
  const app = new Set([...ctx.project.roles.appRoles, 'public', 'anon', 'authenticated']);
  const named = new RegExp(`\\bon\\s+function\\s+(?:"?${escapeRe(fn.schema)}"?\\.)?"?${escapeRe(fn.name)}"?\\b`, 'i');
  let granted: string | undefined;
  for (const s of functionGrants(ctx.files)) {
    const m = /^\s*(grant|revoke)\b[\s\S]*?\b(to|from)\s+([\s\S]+)$/i.exec(s.text);
    if (!m || !named.test(s.text)) continue;
    const roles = m[3].split(',').map((r) => r.trim().replace(/^"|"$/g, '').toLowerCase().split(/\s/)[0]);
    const toApp = roles.filter((r) => app.has(r));
    if (toApp.length === 0) continue;
    granted = m[1].toLowerCase() === 'grant' ? `EXECUTE is granted to ${toApp.join(', ')}` : undefined;
  }
  if (granted) return granted;
  if (ctx.project.roles.platform.id === 'supabase' && fn.schema === 'public') return 'Supabase exposes functions of public to anon and authenticated as RPC';
  return undefined;
}

export const requireDefinerCallerCheck = defineRule({
  id: 'require-definer-caller-check',
  category: 'security',
  defaultSeverity: 'error',
  fixable: false,
  title: 'SECURITY DEFINER functions that write tenant data must check the caller',
  messages,
  rationale:
    'A SECURITY DEFINER function runs as its owner, which row-level security does not hold back. When the application\'s roles may call it, its body is the only guard: a function that takes the organization or user to act for as an argument, and writes tenant tables without checking that the caller belongs there, lets any signed-in user act for any tenant. Supabase exposes every function of the public schema through its API.',
  docs: {
    bad: "CREATE TABLE organizations (id text PRIMARY KEY);\nCREATE TABLE user_roles (user_id uuid NOT NULL, organization_id text NOT NULL REFERENCES organizations (id), role text NOT NULL, UNIQUE (user_id, organization_id));\nCREATE FUNCTION public.assign_user_role(p_user uuid, p_org text, p_role text) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ''\nAS $$ INSERT INTO public.user_roles (user_id, organization_id, role) VALUES (p_user, p_org, p_role) $$;\nGRANT EXECUTE ON FUNCTION public.assign_user_role TO authenticated;",
    good: "CREATE TABLE organizations (id text PRIMARY KEY);\nCREATE TABLE user_roles (user_id uuid NOT NULL, organization_id text NOT NULL REFERENCES organizations (id), role text NOT NULL, UNIQUE (user_id, organization_id));\nCREATE FUNCTION public.assign_user_role(p_user uuid, p_org text, p_role text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''\nAS $$ BEGIN\n  IF NOT EXISTS (SELECT 1 FROM public.user_roles WHERE user_id = (SELECT auth.uid()) AND organization_id = p_org AND role = 'admin') THEN\n    RAISE EXCEPTION 'only an admin of % may assign roles', p_org;\n  END IF;\n  INSERT INTO public.user_roles (user_id, organization_id, role) VALUES (p_user, p_org, p_role);\nEND $$;",
    details: [
      'Reported for a SECURITY DEFINER function (not a trigger function) whose body INSERTs into, UPDATEs or DELETEs from a tenant table and never reads the caller\'s identity (`auth.uid()`, `auth.jwt()`, `current_user`, `session_user`, PostgREST\'s `request.jwt` settings), when the application can call it: the migrations grant EXECUTE to one of its roles or to PUBLIC (and do not revoke it later), or it lives in the public schema of a Supabase project.',
      'A check that reads the caller but gets it wrong is not caught: the rule looks for the question, not the answer. A function only the server calls (as service_role) should say so with `REVOKE EXECUTE ON FUNCTION … FROM PUBLIC, anon, authenticated`.',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = new Map(tenantTablesOf(ctx.project).map((t) => [`${t.table.schema}.${t.table.name}`, t.table]));
    if (tenants.size === 0) return reports;
    for (const fn of ctx.model.functions.values()) {
      if (!fn.securityDefiner || fn.returnsTrigger || !fn.body || CALLER.test(fn.body)) continue;
      const write = writes(ctx, fn.body, tenants);
      if (!write) continue;
      const exposed = exposure(ctx, fn);
      if (!exposed) continue;
      const stmt = ctx.statementAt(fn.origin);
      reports.push({
        file: fn.origin.file,
        span: stmt?.span ?? fn.origin.span,
        statement: stmt,
        messageId: 'unchecked',
        data: { function: displayName(fn), table: tableLabel(write.table), how: write.how, exposure: exposed },
        recipe: [
          `-- if only the server calls it:\nREVOKE EXECUTE ON FUNCTION ${tableSql(fn)} FROM ${revokeFrom(ctx).join(', ')};`,
          `-- otherwise, first thing in the body: refuse a caller who does not belong to the tenant it acts for, e.g.\n--   IF NOT EXISTS (SELECT 1 FROM <membership table> WHERE user_id = (SELECT auth.uid()) AND <tenant column> = <the tenant argument>) THEN\n--     RAISE EXCEPTION 'not allowed';\n--   END IF;`,
        ].join('\n'),
      });
    }
    return reports;
  },
});

/** Who to take EXECUTE from: PUBLIC, and the roles the application connects as (Supabase's anon and authenticated). */
function revokeFrom(ctx: SetContext): string[] {
  const roles = ctx.project.roles.platform.id === 'supabase' ? ['anon', 'authenticated'] : ctx.project.roles.appRoles;
  return ['PUBLIC', ...new Set(roles.map(quoteIdent))];
}
