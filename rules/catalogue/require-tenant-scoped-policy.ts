import { defineRule, type Fix, type Report, type SetContext } from '../engine/types';
import type { PolicyModel, TableModel } from '../model/types';
import { COMMANDS, type Command, constrains, isolationPolicyName, membershipPartner, policyExpr, projectIsolationPolicy, rolesCovered, type PolicyExpr } from './tenancy-util';
import { andList, fileOf, insertAfterStatement, quoteIdent, related, tableLabel, tableSql, tenantColumnsOf, tenantTablesOf } from './util';
import { onlyBypassRoles, policyReachesApp } from '../project/roles';
import { isUserColumn } from '../project/names';

/** Functions and values that say who is asking: Supabase's auth.uid(), CURRENT_USER, a requesting_user_id() helper. */
function readsIdentity(p: PolicyModel): boolean {
  return p.settings.length > 0 || (p.functions ?? []).some((f) => /^(auth\.(uid|jwt|email)|current_user|session_user|current_role|user)$/.test(f) || /(^|[._])(requesting_|current_|auth_)?user(_id|id)?$/.test(f) || /user_?id$/.test(f));
}

/** A read narrowed to the signed-in user's own rows (`user_id = auth.uid()`): narrower than a tenant. */
function userScoped(p: PolicyModel, e: PolicyExpr): boolean {
  return !e.alwaysTrue && e.columns.some(isUserColumn) && readsIdentity(p);
}

const READ_VERB: Record<Command, string> = { select: 'see', update: 'update', delete: 'delete', insert: 'insert' };

function clauseText(e: PolicyExpr): string {
  if (!e.text) return `its ${e.clause} expression`;
  const t = e.text.replace(/\s+/g, ' ');
  return `${e.clause} (${t.length > 60 ? `${t.slice(0, 57)}…` : t})`;
}

/** "filters on creator_id only, which " when the expression narrows rows by columns other than the tenant column. */
function scopeOf(e: PolicyExpr): string {
  return e.alwaysTrue || e.columns.length === 0 ? '' : `filters on ${andList(e.columns)} only, which `;
}

export interface PolicyJudgement {
  /** Commands whose rows the policy lets a session read, or write, in every tenant. */
  reads: Command[];
  writes: Command[];
  readExpr?: PolicyExpr;
  writeExpr?: PolicyExpr;
  /** Why the policy is not judged (it is only for roles that bypass RLS, or for roles the application does not use). */
  skipped?: string;
}

/**
 * Which commands of a permissive policy reach rows of every tenant. Any tenant column of the table scopes a policy
 * (team_id inside org_id is narrower, not a leak); so does a read of the signed-in user's own rows; a RESTRICTIVE
 * policy that scopes the same command for the same roles guards it. The report's tenant matrix uses the same judgement.
 */
export function judgePolicy(ctx: Pick<SetContext, 'project' | 'config'>, table: TableModel, column: string, p: PolicyModel): PolicyJudgement {
  const out: PolicyJudgement = { reads: [], writes: [] };
  if (!p.permissive) return out;
  if (onlyBypassRoles(ctx.project.roles, p.roles)) return { ...out, skipped: `only for ${p.roles.join(', ')}, which bypass${p.roles.length === 1 ? 'es' : ''} row-level security anyway` };
  if (!policyReachesApp(ctx.project.roles, p.roles)) return { ...out, skipped: `only for ${p.roles.join(', ')}, not a role the application connects as` };
  const cols = tenantColumnsOf(table, ctx.config, column);
  const scoped = (e: PolicyExpr | undefined) => cols.some((c) => constrains(e, c));
  const restrictive = table.policies.filter((r) => !r.permissive);
  const guarded = (cmd: Command, side: 'read' | 'write') => restrictive.some((r) => rolesCovered(r, p) && scoped(policyExpr(r, cmd, side)));
  // Listing your own memberships across tenants is what a membership table is for.
  const partner = membershipPartner(table, column);
  for (const cmd of COMMANDS) {
    const r = policyExpr(p, cmd, 'read');
    const ownMemberships = cmd === 'select' && partner !== undefined && r !== undefined && !r.alwaysTrue && r.columns.includes(partner);
    if (r && !scoped(r) && !ownMemberships && !userScoped(p, r) && !guarded(cmd, 'read')) { out.reads.push(cmd); out.readExpr = r; }
    const w = policyExpr(p, cmd, 'write');
    if (w && !scoped(w) && !guarded(cmd, 'write')) { out.writes.push(cmd); out.writeExpr = w; }
  }
  return out;
}

const messages = {
  unscoped: "Policy \"{{policy}}\" on tenant table {{table}} does not constrain {{column}}: {{how}}. Compare {{column}} with the session's tenant in this policy (e.g. {{predicate}}), or add a RESTRICTIVE policy that does.",
};

export const requireTenantScopedPolicy = defineRule({
  id: 'require-tenant-scoped-policy',
  category: 'tenancy',
  defaultSeverity: 'error',
  fixable: true,
  title: 'Policies on tenant tables must constrain the tenant column',
  messages,
  rationale:
    'Permissive policies are OR-ed together: one permissive policy on a tenant table whose USING never looks at the tenant column (USING (true), or only a role or user check) makes the rows of every tenant visible, and one whose WITH CHECK ignores it lets a session write rows into another tenant. Compare the tenant column with the session\'s tenant in every permissive policy, or add a RESTRICTIVE policy that does, which is AND-ed with all the others.',
  docs: {
    bad: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY invoices_read ON invoices FOR SELECT USING (true);",
    good: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY invoices_read ON invoices FOR SELECT USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);",
    details: [
      'Each permissive policy of a tenant table is checked per command it covers. Reads (SELECT, and the rows UPDATE and DELETE can reach) are decided by USING; writes (INSERT, and the new row of UPDATE) by WITH CHECK, and an ALL or UPDATE policy without WITH CHECK uses its USING for both, as PostgreSQL does. An expression constrains the tenant when it mentions the tenant column and is not a constant true; a membership check such as `is_member(org_id)` or `org_id IN (SELECT …)` counts.',
      'Restrictive policies are AND-ed with the permissive ones. A RESTRICTIVE policy that constrains the tenant column for the same command (and applies to all the roles of the permissive policy) therefore makes the table safe however loose the permissive policies are: they are not reported. Restrictive policies themselves are never reported, since they can only narrow access.',
      'Constant-false expressions (`USING (false)`, `WITH CHECK (false)`) admit no row and pass. On a membership table, whose primary or unique key is the tenant column plus a user column (`account_user (user_id, account_id)`), a SELECT policy that filters on the user column (`USING (user_id = auth.uid())`) passes: listing your own memberships in every tenant is what the table is for. Writes to it still need the tenant column.',
      'A write policy without any WITH CHECK on a tenant table is covered here too (PostgreSQL falls back to USING for ALL and UPDATE policies, so only a fallback that ignores the tenant column is reported); there is no separate rule for it.',
      'The fix adds a RESTRICTIVE `<table>_tenant_isolation` policy after the reported policy, which keeps your policy as it is and closes the leak for every role. It compares the tenant column the way the project already does: its most used tenant policy; on Supabase without one, membership of `auth.uid()` in the table that links users to tenants (`EXISTS (SELECT 1 FROM user_roles m WHERE m.user_id = (SELECT auth.uid()) AND m.organization_id = projects.organization_id)`); otherwise the tenant setting (`tenantSetting`). It changes what queries return, so it is never applied by "fix all".',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const { table, column } of tenantTablesOf(ctx.project)) {
      const restrictive = table.policies.filter((p) => !p.permissive);
      const name = tableLabel(table);
      const leaks = table.policies.map((p) => ({ p, j: judgePolicy(ctx, table, column, p) })).filter(({ j }) => j.reads.length > 0 || j.writes.length > 0);
      if (leaks.length === 0) continue;
      // One RESTRICTIVE policy closes every leak of the table: it is offered once, on the first, for the roles of all.
      const iso = projectIsolationPolicy(ctx, table, column);
      const pred = iso.predicate;
      const policyName = isolationPolicyName(table);
      const to = [...new Set(leaks.flatMap(({ p }) => p.roles.filter((r) => r !== 'public')))];
      const anyPublic = leaks.some(({ p }) => p.roles.length === 0 || p.roles.includes('public'));
      const sql = [
        ...(iso.prelude ? [iso.prelude] : []),
        `CREATE POLICY ${quoteIdent(policyName)} ON ${tableSql(table)} AS RESTRICTIVE${!anyPublic && to.length ? `\n  TO ${to.map(quoteIdent).join(', ')}` : ''}\n  USING (${pred})\n  WITH CHECK (${pred});`,
      ].join('\n');
      leaks.forEach(({ p, j }, k) => {
        const { reads, writes, readExpr, writeExpr } = j;
        const parts: string[] = [];
        if (readExpr) parts.push(`${clauseText(readExpr)} ${scopeOf(readExpr)}lets a session ${andList(reads.map((c) => READ_VERB[c]))} ${readExpr.alwaysTrue || readExpr.columns.length === 0 ? 'the rows of every tenant' : 'matching rows in every tenant'}`);
        if (writeExpr) {
          const same = readExpr && writeExpr.clause === readExpr.clause;
          parts.push(`${same ? 'and, used as WITH CHECK, it' : `${readExpr ? 'and ' : ''}${clauseText(writeExpr)}`} lets ${readExpr ? 'it' : 'a session'} ${andList(writes)} rows with any ${column}`);
        }
        const stmt = ctx.statementAt(p.origin);
        const file = fileOf(ctx, p.origin.file);
        const first = leaks[0].p;
        const fixes: Fix[] = k === 0 && file && stmt
          ? [{ title: `Add a RESTRICTIVE policy on ${name} that scopes rows by ${column}`, safe: false, edits: [insertAfterStatement(file.text, stmt, sql)] }]
          : [];
        reports.push({
          file: p.origin.file,
          span: stmt?.span ?? p.origin.span,
          messageId: 'unscoped',
          data: { policy: p.name, table: name, column, how: parts.join(' '), predicate: pred },
          related: [
            ...restrictive.map((r) => ({ file: r.origin.file, span: r.origin.span, message: `restrictive policy "${r.name}" does not constrain ${column} for these commands or roles` })),
            ...related(table.rlsEnabled, `row-level security on ${name} is enabled here`),
            ...(k > 0 ? related(first.origin, `the RESTRICTIVE policy offered for policy "${first.name}" closes this one too`) : []),
          ],
          recipe: k === 0 ? sql : `-- the same RESTRICTIVE policy as for policy "${first.name}" (one per table closes every leak):\n${sql}`,
          fixes,
        });
      });
    }
    return reports;
  },
});
