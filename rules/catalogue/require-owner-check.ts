import { defineRule, type Fix, type Report, type SetContext } from '../engine/types';
import { displayName } from '../model/schema';
import type { PolicyModel, Statement, TableModel } from '../model/types';
import { policyClauses } from '../parser/lexer';
import { onlyBypassRoles, policyReachesApp } from '../project/roles';
import { policyExpr, setFunction, tenantMap } from './tenancy-util';
import { quoteIdent, tableSql, userTables } from './util';

const messages = {
  unchecked: 'Policy "{{policy}}" lets {{roles}} insert rows into {{table}} without checking {{column}}, the column policy "{{keyPolicy}}" compares with the signed-in user: a user can create rows that belong to another user{{dflt}}. Add {{column}} = (SELECT auth.uid()) to its WITH CHECK.',
};

/** Reads who asks: the signed-in user, the JWT, the role, a setting. */
const WHO = /"?\bauth"?\s*\.\s*"?(uid|jwt|email)"?\s*\(|\bcurrent_user\b|\bsession_user\b|\bcurrent_setting\b|request\.jwt/i;

export const requireOwnerCheck = defineRule({
  id: 'require-owner-check',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'INSERT policies of a table keyed on the signed-in user must check the owner',
  messages,
  rationale:
    'When a table\'s policies key its rows on the signed-in user (`USING (user_id = auth.uid())`), the INSERT policy must say so too: `WITH CHECK (user_id = auth.uid())`. An INSERT policy whose WITH CHECK looks only at other columns (`personal_account = false`, `length(title) > 0`) lets any signed-in user insert a row that names another user as its owner, through the API Supabase generates for every table. A `DEFAULT auth.uid()` on the column does not help: it fills the column only when the request leaves it out. The other user then finds rows in their account that they did not write.',
  docs: {
    bad: "CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL DEFAULT auth.uid(), title text NOT NULL);\nCREATE INDEX todos_user_id_idx ON todos (user_id);\nALTER TABLE todos ENABLE ROW LEVEL SECURITY;\nCREATE POLICY read_own ON todos FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));\nCREATE POLICY add_todos ON todos FOR INSERT TO authenticated WITH CHECK (length(title) > 0);",
    good: "CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL DEFAULT auth.uid(), title text NOT NULL);\nCREATE INDEX todos_user_id_idx ON todos (user_id);\nALTER TABLE todos ENABLE ROW LEVEL SECURITY;\nCREATE POLICY read_own ON todos FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));\nCREATE POLICY add_todos ON todos FOR INSERT TO authenticated WITH CHECK (length(title) > 0 AND user_id = (SELECT auth.uid()));",
    details: 'A table is keyed on the signed-in user when it has row-level security, is not a tenant table (`require-tenant-scoped-policy` judges those), and one of its policies compares a column with `auth.uid()` in the top-level AND of its USING or WITH CHECK; `explain` lists these tables. Reported: a permissive INSERT or ALL policy for a role the application connects as whose WITH CHECK (for ALL without one, its USING) does not depend on who asks at all: it compares no column with the session, names neither `auth.uid()`, `auth.jwt()`, `current_user` nor a setting, and calls no function of the project whose body does. A check that asks about the user some other way (a membership subquery, a function of the project that reads `auth.uid()`) is not judged. Left to others: an always-true WITH CHECK (`no-always-true-write-policy`). Not reported when a trigger of the table sets the column from NEW (basejump\'s `invited_by_user_id`), or calls a function the migrations do not define. The fix adds `AND <column> = (SELECT auth.uid())` to the WITH CHECK (or adds a WITH CHECK to an ALL policy); it is offered on request, since it changes who may insert. The recipe is the ALTER POLICY for a migration that has already run. `verify-isolation` proves the same thing on PostgreSQL: "INSERT of a row of user B as user A succeeded".',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = new Set(tenantMap(ctx).keys());
    for (const { table, column, policy: key } of userTables(ctx.model, ctx.config, tenants)) {
      if (!key.functions?.includes('auth.uid')) continue;
      for (const p of table.policies) {
        if (!p.permissive || (p.command !== 'insert' && p.command !== 'all')) continue;
        if (onlyBypassRoles(ctx.project.roles, p.roles) || !policyReachesApp(ctx.project.roles, p.roles)) continue;
        const check = policyExpr(p, 'insert', 'write');
        if (!check || check.alwaysTrue || asksWho(ctx, p, check.clause === 'USING')) continue;
        if (triggerMaySet(ctx, table, column)) continue;
        reports.push(report(ctx, table, column, key, p, check.clause === 'USING'));
      }
    }
    return reports;
  },
});

/** The INSERT check depends on who asks: it pins a column to the session, or reads the user, the JWT, a setting. */
function asksWho(ctx: SetContext, p: PolicyModel, viaUsing: boolean): boolean {
  if ((viaUsing ? p.usingKeys : p.checkKeys)?.length) return true;
  if (WHO.test((viaUsing ? p.usingText : p.checkText) ?? '')) return true;
  // A function of the project may read the user in its body; one without a body (C, unknown) may too.
  return (p.functions ?? []).some((name) => {
    const f = setFunction(ctx, name);
    return f !== undefined && (f.body === undefined || WHO.test(f.body));
  });
}

/** A trigger of the table may fill the column: its function assigns NEW.column, or the migrations do not define it. */
function triggerMaySet(ctx: SetContext, table: TableModel, column: string): boolean {
  // An assignment is a statement of its own (`NEW.user_id := auth.uid();`), not a test (`IF NEW.user_id = …`).
  const assigns = new RegExp(`(^|;|\\b(begin|then|else|loop))\\s*new\\s*\\.\\s*"?${column.replace(/[$]/g, '\\$')}"?\\s*:?=`, 'i');
  for (const file of ctx.files) {
    for (const s of file.statements) {
      for (const a of s.actions) {
        if (a.type !== 'create-trigger' || ctx.model.table(a.table) !== table) continue;
        const f = a.function ? setFunction(ctx, a.function) : undefined;
        if (!f || f.body === undefined || assigns.test(f.body)) return true;
      }
    }
  }
  return false;
}

function report(ctx: SetContext, table: TableModel, column: string, key: PolicyModel, p: PolicyModel, viaUsing: boolean): Report<keyof typeof messages> {
  const statement = ctx.statementAt(p.origin);
  const owner = `${quoteIdent(column)} = (SELECT auth.uid())`;
  const expr = (viaUsing ? p.usingText : p.checkText) ?? 'true';
  const renamed = renamedIn(ctx, table, [column, ...(viaUsing ? p.usingColumns : p.checkColumns) ?? []]);
  const dflt = /^\s*\(?\s*auth\s*\.\s*uid\s*\(\s*\)\s*\)?\s*$/i.test(table.columns.get(column)?.defaultText ?? '')
    ? `; the DEFAULT auth.uid() on ${column} fills it only when the request leaves it out`
    : '';
  const roles = p.roles.length && !p.roles.includes('public') ? `role${p.roles.length > 1 ? 's' : ''} ${p.roles.join(', ')}` : 'every role';
  const fix = renamed ? undefined : ownerFix(ctx, statement, p, owner, viaUsing, expr);
  return {
    file: p.origin.file,
    span: statement?.span ?? p.origin.span,
    messageId: 'unchecked',
    data: { policy: p.name, roles, table: displayName(table), column, keyPolicy: key.name, dflt },
    recipe: renamed ? undefined : `ALTER POLICY ${quoteIdent(p.name)} ON ${tableSql(table)}\n  WITH CHECK ((${expr}) AND ${owner});`,
    fixes: fix ? [fix] : [],
  };
}

/** The WITH CHECK of the CREATE POLICY that wrote the policy, with the owner added; for ALL without one, a new one. */
function ownerFix(ctx: SetContext, statement: Statement | undefined, p: PolicyModel, owner: string, viaUsing: boolean, expr: string): Fix | undefined {
  const text = ctx.fileText(p.origin.file);
  if (!statement || !text || statement.embedded || !statement.actions.some((a) => a.type === 'create-policy' && a.policy.name === p.name)) return undefined;
  const clauses = policyClauses(text, statement.span);
  const title = `Check ${owner} on INSERT`;
  if (!viaUsing && clauses.check) {
    const { start, end } = clauses.check;
    return { title, safe: false, edits: [{ start, end: start, newText: '(' }, { start: end, end, newText: `) AND ${owner}` }] };
  }
  if (viaUsing && clauses.using && !clauses.check) {
    const at = text.indexOf(')', clauses.using.end) + 1;
    return { title, safe: false, edits: [{ start: at, end: at, newText: ` WITH CHECK ((${expr}) AND ${owner})` }] };
  }
  return undefined;
}

/** A column of `names` got its name from a RENAME COLUMN: the policy's statement names it otherwise. */
function renamedIn(ctx: SetContext, table: TableModel, names: readonly string[]): boolean {
  return ctx.files.some((f) => f.statements.some((s) => s.actions.some((a) => a.type === 'rename-column' && ctx.model.table(a.table) === table && names.includes(a.to))));
}
