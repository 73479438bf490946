import { defineRule, type Fix, type Report, type SetContext, type TextEdit } from '../engine/types';
import { displayName } from '../model/schema';
import type { PolicyModel, Statement, TableModel } from '../model/types';
import { policyClauses } from '../parser/lexer';
import { onlyBypassRoles, policyReachesApp } from '../project/roles';
import { setFunction, tenantMap } from './tenancy-util';
import { quoteIdent, tableSql, userTables } from './util';

const messages = {
  anyRow: 'Policy "{{policy}}" lets {{roles}} {{verbs}} any row of {{table}}, whoever owns it{{insert}}: its USING does not check {{column}}, the column policy "{{keyPolicy}}" compares with the signed-in user. Add {{column}} = (SELECT auth.uid()) to its USING{{andCheck}}{{select}}.',
  unchecked: 'Policy "{{policy}}" lets {{roles}} insert rows into {{table}} without checking {{column}}, the column policy "{{keyPolicy}}" compares with the signed-in user: a user can create rows that belong to another user{{dflt}}. Add {{column}} = (SELECT auth.uid()) to its WITH CHECK.',
  giveAway: 'Policy "{{policy}}" lets {{roles}} hand their rows of {{table}} to another user: its WITH CHECK does not check {{column}}, the column policy "{{keyPolicy}}" compares with the signed-in user, so an UPDATE may set it to anyone. Add {{column}} = (SELECT auth.uid()) to its WITH CHECK.',
};

/** Reads who asks: the signed-in user, the JWT, the role, a setting. */
const WHO = /"?\bauth"?\s*\.\s*"?(uid|jwt|email)"?\s*\(|\bcurrent_user\b|\bsession_user\b|\bcurrent_setting\b|request\.jwt/i;

type Clause = 'using' | 'check';

export const requireOwnerCheck = defineRule({
  id: 'require-owner-check',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Write policies of a table keyed on the signed-in user must check the owner',
  messages,
  rationale:
    'When a table\'s policies key its rows on the signed-in user (`USING (user_id = auth.uid())`), every policy that lets a user write must say so too. An INSERT policy whose WITH CHECK looks only at other columns (`personal_account = false`, `length(title) > 0`) lets any signed-in user insert a row that names another user as its owner, through the API Supabase generates for every table; a `DEFAULT auth.uid()` on the column does not help, it fills the column only when the request leaves it out. An UPDATE or DELETE policy whose USING does not ask who the user is (`auth.role() = \'authenticated\'`, `is_public`) lets every signed-in user change or delete every user\'s rows; an UPDATE policy whose WITH CHECK does not lets a user hand rows to someone else.',
  docs: {
    bad: "CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL DEFAULT auth.uid(), title text NOT NULL);\nCREATE INDEX todos_user_id_idx ON todos (user_id);\nALTER TABLE todos ENABLE ROW LEVEL SECURITY;\nCREATE POLICY read_own ON todos FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));\nCREATE POLICY add_todos ON todos FOR INSERT TO authenticated WITH CHECK (length(title) > 0);",
    good: "CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id uuid NOT NULL DEFAULT auth.uid(), title text NOT NULL);\nCREATE INDEX todos_user_id_idx ON todos (user_id);\nALTER TABLE todos ENABLE ROW LEVEL SECURITY;\nCREATE POLICY read_own ON todos FOR SELECT TO authenticated USING (user_id = (SELECT auth.uid()));\nCREATE POLICY add_todos ON todos FOR INSERT TO authenticated WITH CHECK (length(title) > 0 AND user_id = (SELECT auth.uid()));",
    details: 'A table is keyed on the signed-in user when it has row-level security, is not a tenant table (`require-tenant-scoped-policy` judges those), and one of its policies compares a column with `auth.uid()` in the top-level AND of its USING or WITH CHECK; `explain` lists these tables. Judged: the permissive INSERT, UPDATE, DELETE and ALL policies for roles the application connects as. A clause asks who the user is when it compares a column with the session, names `auth.uid()`, `auth.jwt()`, `current_user` or a setting, or the policy calls a function of the project whose body does (or that has no body to read); `auth.role() = \'authenticated\'` does not, since every signed-in user has that role. Reported, once per policy: a USING of UPDATE, DELETE or ALL that does not ask (any user changes any row); a WITH CHECK of INSERT or ALL that does not (any user inserts rows for others), unless a trigger of the table assigns `NEW.<owner>` or runs a function the migrations do not define; an explicit WITH CHECK of UPDATE or ALL that does not, while its USING does (a user hands rows to another). An always-true clause is left to `no-always-true-write-policy`. A check that asks about the user in some other way (a membership subquery, a function that reads `auth.uid()`) is not judged. The fix adds `AND <column> = (SELECT auth.uid())` to each clause that does not ask; it is offered on request, since it changes who may write (for an ALL policy that was meant to share reading, make it a FOR SELECT policy instead). The recipe is the ALTER POLICY for a migration that has already run. `verify-isolation` proves the same on PostgreSQL, as two users.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = new Set(tenantMap(ctx).keys());
    for (const { table, column, policy: key } of userTables(ctx.model, ctx.config, tenants)) {
      if (!key.functions?.includes('auth.uid')) continue;
      for (const p of table.policies) {
        if (!p.permissive || p.command === 'select') continue;
        if (onlyBypassRoles(ctx.project.roles, p.roles) || !policyReachesApp(ctx.project.roles, p.roles)) continue;
        const open = (clause: Clause): boolean => {
          const alwaysTrue = clause === 'using' ? p.usingAlwaysTrue : p.checkAlwaysTrue;
          const text = clause === 'using' ? p.usingText : p.checkText;
          return text !== undefined && !alwaysTrue && !asksWho(ctx, p, clause);
        };
        // USING decides which rows UPDATE and DELETE reach; WITH CHECK (or, without one, USING) the rows written.
        const anyRow = p.command !== 'insert' && open('using');
        const writes: Clause | undefined = p.checkText !== undefined ? 'check' : p.command === 'all' || p.command === 'update' ? 'using' : undefined;
        const inserts = (p.command === 'insert' || p.command === 'all') && writes !== undefined && open(writes) && !triggerMaySet(ctx, table, column);
        const gives = p.command === 'update' && writes === 'check' && open('check') && !anyRow && !triggerMaySet(ctx, table, column);
        if (!anyRow && !inserts && !gives) continue;
        const wrap = new Set<Clause>();
        if (anyRow) wrap.add('using');
        if ((inserts || gives) && writes) wrap.add(writes);
        if (anyRow && writes === 'check' && open('check')) wrap.add('check');
        reports.push(report(ctx, table, column, key, p, anyRow ? 'anyRow' : inserts ? 'unchecked' : 'giveAway', wrap, inserts));
      }
    }
    return reports;
  },
});

/** The clause depends on who asks: it pins a column to the session, or reads the user, the JWT, a setting. */
function asksWho(ctx: SetContext, p: PolicyModel, clause: Clause): boolean {
  if ((clause === 'using' ? p.usingKeys : p.checkKeys)?.length) return true;
  if (WHO.test((clause === 'using' ? p.usingText : p.checkText) ?? '')) return true;
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

function report(ctx: SetContext, table: TableModel, column: string, key: PolicyModel, p: PolicyModel,
  messageId: keyof typeof messages, wrap: ReadonlySet<Clause>, inserts: boolean): Report<keyof typeof messages> {
  const statement = ctx.statementAt(p.origin);
  const owner = `${quoteIdent(column)} = (SELECT auth.uid())`;
  const named = [column, ...(wrap.has('using') ? p.usingColumns ?? [] : []), ...(wrap.has('check') ? p.checkColumns ?? [] : [])];
  const renamed = renamedIn(ctx, table, named);
  const dflt = /^\s*\(?\s*auth\s*\.\s*uid\s*\(\s*\)\s*\)?\s*$/i.test(table.columns.get(column)?.defaultText ?? '')
    ? `; the DEFAULT auth.uid() on ${column} fills it only when the request leaves it out`
    : '';
  const roles = p.roles.length && !p.roles.includes('public') ? `role${p.roles.length > 1 ? 's' : ''} ${p.roles.join(', ')}` : 'every role';
  const verbs = p.command === 'update' ? 'update' : p.command === 'delete' ? 'delete' : 'read, update and delete';
  const clauses = [...wrap].map((c) => `${c === 'using' ? 'USING' : 'WITH CHECK'} ((${c === 'using' ? p.usingText : p.checkText}) AND ${owner})`);
  const fix = renamed ? undefined : ownerFix(ctx, statement, p, owner, wrap);
  return {
    file: p.origin.file,
    span: statement?.span ?? p.origin.span,
    messageId,
    data: {
      policy: p.name, roles, table: displayName(table), column, keyPolicy: key.name, dflt, verbs,
      insert: messageId === 'anyRow' && inserts ? ', and insert rows for other users' : '',
      andCheck: messageId === 'anyRow' && wrap.has('check') ? ' and its WITH CHECK' : '',
      select: messageId === 'anyRow' && p.command === 'all' ? ' (if only reading was meant to be shared, make it a FOR SELECT policy)' : '',
    },
    recipe: renamed ? undefined : `ALTER POLICY ${quoteIdent(p.name)} ON ${tableSql(table)}\n  ${clauses.join('\n  ')};`,
    fixes: fix ? [fix] : [],
  };
}

/** Each clause of the CREATE POLICY that wrote the policy with the owner added (an INSERT's WITH CHECK, an UPDATE's USING …). */
function ownerFix(ctx: SetContext, statement: Statement | undefined, p: PolicyModel, owner: string, wrap: ReadonlySet<Clause>): Fix | undefined {
  const text = ctx.fileText(p.origin.file);
  if (!statement || !text || statement.embedded || !statement.actions.some((a) => a.type === 'create-policy' && a.policy.name === p.name)) return undefined;
  const clauses = policyClauses(text, statement.span);
  const edits: TextEdit[] = [];
  for (const c of wrap) {
    const at = clauses[c];
    if (!at) return undefined;
    edits.push({ start: at.start, end: at.start, newText: '(' }, { start: at.end, end: at.end, newText: `) AND ${owner}` });
  }
  return { title: `Check ${owner} in ${[...wrap].map((c) => (c === 'using' ? 'USING' : 'WITH CHECK')).join(' and ')}`, safe: false, edits };
}

/** A column of `names` got its name from a RENAME COLUMN: the policy's statement names it otherwise. */
function renamedIn(ctx: SetContext, table: TableModel, names: readonly string[]): boolean {
  return ctx.files.some((f) => f.statements.some((s) => s.actions.some((a) => a.type === 'rename-column' && ctx.model.table(a.table) === table && names.includes(a.to))));
}
