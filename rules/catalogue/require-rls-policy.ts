import { defineRule, type Fix, type Report } from '../engine/types';
import { isolationPolicySql, tenantMap } from './tenancy-util';
import { fileOf, insertAfterStatement, related, tableLabel } from './util';

export const requireRlsPolicy = defineRule({
  id: 'require-rls-policy',
  category: 'tenancy',
  defaultSeverity: 'info',
  fixable: true,
  title: 'Tables with row-level security need a policy',
  rationale:
    'With row-level security enabled and no policy, PostgreSQL denies every row to every role that does not own the table or bypass RLS: the application sees empty tables and its writes fail, while the owner still sees everything. Add a policy that says who may see which rows (for a tenant table, one comparing the tenant column with the tenant setting).',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
    good: [
      'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);',
      'ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
      "CREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);",
    ].join('\n'),
    details: [
      'Applies to every table, tenant-scoped or not; policies added in later migrations of the set count. The finding sits on the ENABLE ROW LEVEL SECURITY statement. For a tenant table the fix adds a `<table>_tenant_isolation` policy right after it; for other tables there is no fix, since only you know who may see the rows.',
      'The default severity is info, as in Supabase\'s linter (rls_enabled_no_policy): deny-all is secure, and often intended for tables only the owner, a BYPASSRLS service role or SECURITY DEFINER functions touch. If so, say it with `-- sql-architect-ignore require-rls-policy: deny-all by design` above the ENABLE statement.',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report[] = [];
    const tenants = tenantMap(ctx);
    for (const table of ctx.model.tables.values()) {
      if (!table.rlsEnabled || table.policies.length > 0 || table.temporary) continue;
      const origin = table.rlsEnabled;
      const stmt = ctx.statementAt(origin);
      const file = fileOf(ctx, origin.file);
      const name = tableLabel(table);
      const tenant = tenants.get(table);
      const fixes: Fix[] = [];
      let recipe: string | undefined;
      if (tenant) {
        recipe = isolationPolicySql(table, tenant.column, table.columns.get(tenant.column)!.type, ctx.config.tenantSetting);
        if (file && stmt) fixes.push({ title: `Add policy on ${name} comparing ${tenant.column} with the tenant setting`, safe: false, edits: [insertAfterStatement(file.text, stmt, recipe)] });
      }
      const what = tenant
        ? `Add a policy comparing ${tenant.column} with current_setting('${ctx.config.tenantSetting}', true).`
        : `Add a CREATE POLICY … ON ${name} that says which rows each role may see, or suppress this finding if deny-all is intended.`;
      reports.push({
        file: origin.file,
        span: stmt?.span ?? origin.span,
        message: `Row-level security is enabled on ${name} but no policy exists: every role except the owner and BYPASSRLS roles sees no rows and cannot write any. ${what}`,
        related: [...related(table.created, `${name} is created here`), ...(tenant && tenant.origin !== table.created ? related(tenant.origin, `${tenant.column} makes ${name} tenant-scoped`) : [])],
        recipe,
        fixes,
      });
    }
    return reports;
  },
});
