import { defineRule, type Fix, type Report } from '../engine/types';
import { appliesToAnyRole, forceRlsSql, rlsUnforcedAt } from './tenancy-util';
import { fileOf, insertAfterStatement, related, tableLabel, tableSql, tenantTables } from './util';

export const requireForceRls = defineRule({
  id: 'require-force-rls',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Force row-level security on tenant tables',
  rationale:
    'ENABLE ROW LEVEL SECURITY filters every role except the table owner (and superusers and BYPASSRLS roles). Applications very often connect as the role that ran the migrations and therefore owns the tables, and then no policy applies: every query sees every tenant. FORCE ROW LEVEL SECURITY makes the policies apply to the owner too.',
  docs: {
    bad: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);",
    good: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;\nCREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);",
    details: 'Tenant tables only; FORCE in a later migration of the set counts. The finding sits on the ENABLE ROW LEVEL SECURITY statement and the fix adds FORCE right after it; a later NO FORCE ROW LEVEL SECURITY is reported on that statement, without a fix. Superusers and roles with BYPASSRLS are never filtered, forced or not: keep them for maintenance, not for the application. Tables whose policies are all written for named roles (`TO authenticated`, `TO app_user`) are not reported: no policy applies to the owner, so the application evidently connects as those roles, and FORCE would only deny the owner every row. If the application provably connects as a role that does not own the table, suppress with a reason.',
  },
  checkSet(ctx) {
    const reports: Report[] = [];
    for (const { table, column, origin } of tenantTables(ctx.model, ctx.config)) {
      if (!table.rlsEnabled || table.rlsForced) continue;
      // Policies only for named roles (TO authenticated) say the application connects as those roles, not as
      // the owner; no policy would apply to the owner, so FORCE would only lock it out.
      if (table.policies.length > 0 && !table.policies.some(appliesToAnyRole)) continue;
      const name = tableLabel(table);
      const unforced = rlsUnforcedAt(ctx, table);
      if (unforced) {
        reports.push({
          file: unforced.file,
          span: unforced.span,
          message: `NO FORCE ROW LEVEL SECURITY on tenant table ${name} lets the table owner, often the role the application connects as, bypass every policy again and see all tenants' rows. Remove it, or force row-level security again.`,
          related: related(table.rlsEnabled, 'row-level security is enabled here'),
        });
        continue;
      }
      const at = table.rlsEnabled;
      const stmt = ctx.statementAt(at);
      const file = fileOf(ctx, at.file);
      const sql = forceRlsSql(table);
      const fixes: Fix[] = file && stmt ? [{ title: `Force row-level security on ${name}`, safe: false, edits: [insertAfterStatement(file.text, stmt, sql)] }] : [];
      reports.push({
        file: at.file,
        span: stmt?.span ?? at.span,
        message: `Row-level security on tenant table ${name} is enabled but not forced: the table owner, often the role the application connects as, bypasses every policy and sees all tenants' rows. Add ALTER TABLE ${tableSql(table)} FORCE ROW LEVEL SECURITY.`,
        related: related(origin, `${column} makes ${name} tenant-scoped`),
        recipe: sql,
        fixes,
      });
    }
    return reports;
  },
});
