import { defineRule, type Fix, type Report } from '../engine/types';
import { enableRlsSql, forceRlsSql, isolationPolicySql, rlsDisabledAt } from './tenancy-util';
import { fileOf, insertAfterStatement, related, tableLabel, tenantTables } from './util';

export const requireTenantRls = defineRule({
  id: 'require-tenant-rls',
  category: 'tenancy',
  defaultSeverity: 'error',
  fixable: true,
  title: 'Tenant tables need row-level security',
  rationale:
    'Without row-level security, the tenant filter of a multi-tenant table lives only in application code: one query that forgets `WHERE tenant_id = …` (a report, an admin screen, an ORM default scope turned off) returns or changes the rows of every tenant. Enable and force RLS and add a policy that compares the tenant column with the session\'s tenant setting, so the database enforces the isolation for every query.',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
    good: [
      'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
      'ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
      'ALTER TABLE invoices FORCE ROW LEVEL SECURITY;',
      "CREATE POLICY invoices_tenant_isolation ON invoices",
      "  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid)",
      "  WITH CHECK (tenant_id = current_setting('app.current_tenant_id', true)::uuid);",
    ].join('\n'),
    details: [
      'A table is tenant-scoped when it has one of the `tenantColumns` (default `tenant_id`, `organization_id`, `org_id`, `workspace_id`, `team_id`, `account_id`); the table that column references (the tenant registry itself) is not. The whole migration set is considered: RLS enabled in a later migration counts.',
      'The finding sits on the statement that made the table tenant-scoped (its CREATE TABLE, or the ADD COLUMN of the tenant column). The fix adds ENABLE and FORCE ROW LEVEL SECURITY and a `<table>_tenant_isolation` policy reading the `tenantSetting` (default `app.current_tenant_id`); the application sets it per transaction with `SET LOCAL app.current_tenant_id = …` or `set_config(…, true)`. It changes what queries return, so it is never applied by "fix all".',
      'A tenant table that has policies but no RLS is reported by `no-policy-without-rls` instead, and one whose RLS is switched off again with DISABLE ROW LEVEL SECURITY is reported on that DISABLE statement.',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report[] = [];
    for (const { table, column, origin } of tenantTables(ctx.model, ctx.config)) {
      if (table.rlsEnabled || table.policies.length > 0) continue;
      const name = tableLabel(table);
      const col = table.columns.get(column)!;
      const disabled = rlsDisabledAt(ctx, table);
      if (disabled) {
        reports.push({
          file: disabled.file,
          span: disabled.span,
          message: `Row-level security on tenant table ${name} is disabled here and never enabled again: every query that forgets to filter on ${column} reads and changes the rows of all tenants. Remove the DISABLE, or enable and force RLS again with a policy on ${column}.`,
          related: related(origin, `${column} makes ${name} tenant-scoped`),
        });
        continue;
      }
      const stmt = ctx.statementAt(origin);
      const file = fileOf(ctx, origin.file);
      const sql = [enableRlsSql(table), forceRlsSql(table), isolationPolicySql(table, column, col.type, ctx.config.tenantSetting)].join('\n');
      const fixes: Fix[] = file && stmt
        ? [{ title: `Enable and force row-level security on ${name} with a policy on ${column}`, safe: false, edits: [insertAfterStatement(file.text, stmt, sql)] }]
        : [];
      reports.push({
        file: origin.file,
        span: stmt?.span ?? origin.span,
        message: `Tenant table ${name} has no row-level security: any query that forgets WHERE ${column} = … reads and changes the rows of every tenant. Enable and force RLS on ${name} and add a policy comparing ${column} with current_setting('${ctx.config.tenantSetting}', true).`,
        related: related(table.created.file !== origin.file || table.created.span.start !== origin.span.start ? table.created : undefined, `${name} is created here`),
        recipe: sql,
        fixes,
      });
    }
    return reports;
  },
});
