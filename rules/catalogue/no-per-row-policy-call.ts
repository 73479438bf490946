import { defineRule, type Fix, type Report, type SetContext, type TextEdit } from '../engine/types';
import { embeddedStatements, lazyLines } from '../engine/embedded';
import { displayName } from '../model/schema';
import type { FunctionModel, PolicyCall, PolicyModel, Statement } from '../model/types';
import { onlyBypassRoles } from '../project/roles';
import { callText, perRowCalls, setFunction } from './tenancy-util';
import { andList, quoteIdent, tableSql } from './util';

/** A table, or a table the migrations do not create but write policies for. */
type Named = { schema: string; name: string };

const messages = {
  perRow: 'Policy "{{policy}}" on {{table}} calls {{calls}} for every row it checks: PostgreSQL runs a function call in a policy again for each row, so a query that reads or changes many rows of {{table}} pays for it as many times{{why}}. Wrap {{each}} in a scalar subquery, {{wrapped}}: it then runs once per statement (an InitPlan) and every row reuses the result.{{role}}',
};

export const noPerRowPolicyCall = defineRule({
  id: 'no-per-row-policy-call',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Policies should call auth.uid(), current_setting() and their own functions once per statement, not per row',
  messages,
  rationale:
    'Row-level security adds a policy\'s USING and WITH CHECK to every query of the table, and PostgreSQL evaluates a function call there again for each row it checks: `user_id = auth.uid()` parses the JWT once per row, `authorize(\'x\', auth.uid())` runs its query once per row. Written as a scalar subquery, `user_id = (SELECT auth.uid())`, the call becomes an InitPlan: it runs once per statement and every row compares with its result. Supabase measured a 100,000-row table going from 179 ms to 9 ms; its Performance Advisor reports the same thing (splinter\'s `auth_rls_initplan`) on a live database.',
  docs: {
    bad: 'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL, body text);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own_notes ON notes TO authenticated USING (user_id = auth.uid());',
    good: 'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL, body text);\nCREATE INDEX notes_user_id_idx ON notes (user_id);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own_notes ON notes TO authenticated USING (user_id = (SELECT auth.uid()));',
    details: 'Reported: a policy whose USING has a call that reads nothing of the row and sits outside any subquery, when the call runs `auth.uid()`, `auth.jwt()`, `auth.role()`, `auth.email()`, `current_setting()`, or a function the migrations define that is not IMMUTABLE (an IMMUTABLE call with constant arguments is folded once when the query is planned). The widest such call is wrapped: `authorize(\'channels.delete\', auth.uid())` as a whole, `auth.jwt()` in `auth.jwt() ->> \'org_id\'`. Calls that take a column of the row (`has_role_on_account(account_id)`) cannot be cached and are not reported; calls inside a subquery (`EXISTS (SELECT … WHERE m.user_id = auth.uid())`) are left to the subquery\'s plan. USING runs for every row a query reads, updates or deletes; WITH CHECK only for the rows a statement writes, usually a few, so a policy with such calls only in WITH CHECK (an INSERT policy) is not reported, and one that is reported has the calls of its WITH CHECK wrapped too. The policy as it stands after the whole migration set is judged: one that a later migration drops, or rewrites with the subquery, is not reported, and neither is one on a table whose row-level security is not enabled (no-policy-without-rls says that) or one only for roles that bypass row-level security. In a Supabase project, policies on its storage tables (`storage.objects`, which holds every file of every bucket) are checked too: the migrations do not create those tables, and Supabase runs them with row-level security on. The fix wraps every reported call of the policy; it is offered as safe for the session functions and for functions declared STABLE, and only on request for a function declared VOLATILE (or with no volatility, which is VOLATILE), whose result PostgreSQL may not assume is the same for every row. The recipe is the ALTER POLICY for a migration that has already run (none when a column of the policy has been renamed since, which it would name by its old name).',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const judge = (table: Named, policies: readonly PolicyModel[]) => {
      for (const policy of policies) {
        if (!policy.calls || onlyBypassRoles(ctx.project.roles, policy.roles)) continue;
        const perRow = perRowCalls(ctx, policy);
        // USING runs for every row a query reads, updates or deletes; WITH CHECK only for the rows it writes, usually
        // a few: a policy is reported for its USING, and its WITH CHECK is then wrapped along with it.
        if (!perRow.some((c) => c.clause === 'using')) continue;
        // One finding per file the calls are in: an ALTER POLICY in a later migration may have set one of the clauses.
        const byFile = new Map<string, PolicyCall[]>();
        for (const c of perRow) {
          const file = c.file ?? policy.origin.file;
          byFile.set(file, [...(byFile.get(file) ?? []), c]);
        }
        for (const [file, calls] of byFile) reports.push(report(ctx, table, policy, file, calls));
      }
    };
    for (const table of ctx.model.tables.values()) if (table.rlsEnabled && table.policies.length) judge(table, table.policies);
    // Supabase enables row-level security on its storage tables (storage.objects holds every file of every bucket),
    // which the migrations do not create but write policies for.
    if (ctx.project.roles.platform.id === 'supabase') {
      for (const t of ctx.model.outsidePolicies.values()) if (t.schema === 'storage') judge(t, t.policies);
    }
    return reports;
  },
});

function report(ctx: SetContext, table: Named, policy: PolicyModel, file: string, calls: PolicyCall[]): Report<keyof typeof messages> {
  const text = ctx.fileText(file) ?? '';
  const written = (c: PolicyCall) => callText(ctx, policy, c).replace(/\s+/g, ' ');
  const shown = [...new Set(calls.map(written))];
  const volatile = [...new Set(calls.flatMap((c) => c.runs.map((name) => setFunction(ctx, name)).filter((f): f is FunctionModel => f !== undefined && f.volatility !== 'stable' && f.volatility !== 'immutable')))];
  const own = [...new Set(calls.flatMap((c) => c.runs.filter((name) => setFunction(ctx, name))))];
  const edits: TextEdit[] = calls.flatMap((c) => [{ start: c.span.start, end: c.span.start, newText: '(SELECT ' }, { start: c.span.end, end: c.span.end, newText: ')' }]);
  const fix: Fix = { title: `Call ${andList(shown, 2)} once per statement: wrap in (SELECT …)`, safe: volatile.length === 0, edits };
  const statement = policyStatement(ctx, file, text, calls[0].span.start);
  const roleCheck = policy.permissive && calls.some((c) => c.name === 'auth.role');
  return {
    file,
    span: calls[0].span,
    messageId: 'perRow',
    data: {
      policy: policy.name, table: displayName(table), calls: andList(shown, 3), each: shown.length > 1 ? 'each' : 'it', wrapped: `(SELECT ${shown[0]})`,
      why: own.length
        ? `, and ${andList(own.map((n) => `${n}()`), 2)} ${own.length > 1 ? 'are functions' : 'is a function'} of this project whose body runs each time${volatile.length ? ` (${volatile.length > 1 ? 'they are' : 'it is'} VOLATILE: declare ${volatile.length > 1 ? 'them' : 'it'} STABLE if the result is the same for the whole statement)` : ''}`
        : '',
      role: roleCheck ? ' A test of auth.role() is better said with TO on the policy (TO authenticated): the policy is then not even considered for other roles.' : '',
    },
    // Text inside an EXECUTE string has its quotes doubled: the recipe would need them single. A column renamed since
    // the policy was written would be named by its old name.
    recipe: statement?.embedded?.dynamic || renamedSince(statement, policy) ? undefined : alterPolicy(table, policy, text, calls),
    fixes: [fix],
    statement,
  };
}

/** The statement a call is in: a DO block's own statement when the block runs it (its fixes then stay out of the block). */
function policyStatement(ctx: SetContext, file: string, text: string, offset: number): Statement | undefined {
  const top = ctx.statementAt({ file, span: { start: offset, end: offset } });
  if (!top?.actions.some((a) => a.type === 'do-block')) return top;
  return embeddedStatements(top, text, lazyLines(text)).find((e) => e.span.start <= offset && offset <= e.span.end) ?? top;
}

/** The policy's columns have other names now than in the statement that wrote it (ALTER TABLE … RENAME COLUMN since). */
function renamedSince(statement: Statement | undefined, policy: PolicyModel): boolean {
  const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a ?? []).join('\0') === (b ?? []).join('\0');
  return Boolean(statement?.actions.some((a) => a.type === 'create-policy'
    ? !same(a.policy.usingColumns, policy.usingColumns) || !same(a.policy.checkColumns, policy.checkColumns)
    : a.type === 'alter-policy' && ((a.usingColumns && !same(a.usingColumns, policy.usingColumns)) || (a.checkColumns && !same(a.checkColumns, policy.checkColumns)))));
}

/** ALTER POLICY with each clause that has reported calls rewritten: for a migration that has already run. */
function alterPolicy(table: Named, policy: PolicyModel, text: string, calls: PolicyCall[]): string {
  const clauses: string[] = [];
  for (const clause of ['using', 'check'] as const) {
    const mine = calls.filter((c) => c.clause === clause).sort((a, b) => b.span.start - a.span.start);
    if (!mine.length) continue;
    const within = mine[0].within;
    let expr = text.slice(within.start, within.end);
    for (const c of mine) {
      const s = c.span.start - within.start;
      const e = c.span.end - within.start;
      expr = `${expr.slice(0, s)}(SELECT ${expr.slice(s, e)})${expr.slice(e)}`;
    }
    clauses.push(`${clause === 'using' ? 'USING' : 'WITH CHECK'} (${expr.trim()})`);
  }
  return `ALTER POLICY ${quoteIdent(policy.name)} ON ${tableSql(table)}\n  ${clauses.join('\n  ')};`;
}
