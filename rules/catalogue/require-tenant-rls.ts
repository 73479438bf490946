import { defineRule, type Fix, type Report } from '../engine/types';
import { reachableByApp } from '../project/infer';
import { enableRlsSql, forceRlsSql, projectIsolationPolicy, rlsDisabledAt } from './tenancy-util';
import { fileOf, insertAfterStatement, related, tableLabel, tenantTablesOf, type TenantTable } from './util';
import type { SetContext } from '../engine/types';
import type { SchemaModel } from '../model/schema';
import { rememberedFor } from '../model/remember';

/** The fix and recipe for one table: ENABLE (+ FORCE when the application connects as the owner) and a policy. */
function rlsFix(ctx: SetContext, t: TenantTable): { sql: string; fixes: Fix[]; source: string } {
  const { table, column, origin } = t;
  const policy = projectIsolationPolicy(ctx, table, column);
  // A policy on the tenant setting hides every row until the application sets it: say so where nothing sets it yet.
  const setFirst = policy.readsSetting && !settingsPoliciesRead(ctx.model).has(ctx.config.tenantSetting)
    ? [`-- the application must run SET LOCAL ${ctx.config.tenantSetting} = '<tenant>' in each transaction first: until then these policies hide every row from it`]
    : [];
  const sql = [...setFirst, enableRlsSql(table), ...(ctx.project.roles.connectsAsOwner ? [forceRlsSql(table)] : []), policy.sql].join('\n');
  const stmt = ctx.statementAt(origin);
  const file = fileOf(ctx, origin.file);
  const fixes: Fix[] = file && stmt
    ? [{ title: `Enable row-level security on ${tableLabel(table)} with a policy on ${column}`, safe: false, edits: [insertAfterStatement(file.text, stmt, sql)] }]
    : [];
  return { sql, fixes, source: policy.source };
}

const messages = {
  application: "Tenant isolation is left to application code: none of the {{count}} tenant {{tables}} ({{names}}) has row-level security, so every query must filter by its tenant column and one that forgets reads or changes every tenant's rows. If that is the design, record it with \"isolation\": \"application\" in .sqlarchitect.json; otherwise enable row-level security, starting here with {{first}}.",
  disabled: 'Row-level security on tenant table {{table}} is disabled here and never enabled again: every query that forgets to filter on {{column}} reads and changes the rows of all tenants. Remove the DISABLE, or enable RLS again with a policy on {{column}}.',
  noRls: 'Tenant table {{table}} has no row-level security{{unlike}}: any query that forgets WHERE {{column}} = … reads and changes the rows of every tenant. Enable RLS on {{table}} with a policy on {{column}} ({{source}}).',
};

export const requireTenantRls = defineRule({
  id: 'require-tenant-rls',
  category: 'tenancy',
  defaultSeverity: 'error',
  fixable: true,
  title: 'Tenant tables need row-level security',
  messages,
  rationale:
    'Without row-level security, the tenant filter of a multi-tenant table lives only in application code: one query that forgets `WHERE tenant_id = …` (a report, an admin screen, an ORM default scope turned off) returns or changes the rows of every tenant. In a project that isolates tenants with RLS, a tenant table without it is the gap; in a project that filters in application code, that is one design decision, reported once.',
  docs: {
    bad: [
      'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
      'ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
      "CREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);",
      'CREATE TABLE payments (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, amount numeric);',
    ].join('\n'),
    good: [
      'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
      'ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
      "CREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);",
      'CREATE TABLE payments (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, amount numeric);',
      'ALTER TABLE payments ENABLE ROW LEVEL SECURITY;',
      "CREATE POLICY payments_tenant_isolation ON payments USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);",
    ].join('\n'),
    details: [
      'Which tables are tenant tables, and how the project isolates tenants, come from the project model (`sql-architect explain` shows it): a table is tenant-scoped when a column refers to the tenant table (organizations, accounts, …) or, without such a foreign key, is named like a tenant key (`tenant_id`, `organizationId`, …; case and underscores do not matter) and cannot be another system\'s id.',
      '**Isolation by row-level security** (RLS is enabled on any tenant table, or the project is a Supabase project, whose Data API exposes tables to the anon and authenticated roles): every tenant table the application\'s roles can reach without RLS is an error, on the statement that made it tenant-scoped. The fix enables RLS (and FORCE when the application connects as the owner) and adds a policy in the project\'s own style: the expression its other tenant policies use (`has_role_on_account(account_id)`, a membership subquery) on this table\'s key, or else a comparison with the `tenantSetting`. Tables in schemas the application\'s roles are not granted are not reported.',
      '**Isolation in application code** (no tenant table has RLS): one finding for the whole set, at info severity, on the first tenant table, the others as related locations: a design decision to confirm, not a defect (an application that connects as the owner would need FORCE and a tenant setting per transaction for RLS to bind it). Set `"isolation": "application"` in .sqlarchitect.json to record it (the finding goes away), or `"isolation": "rls"` to get one error per table.',
      'A table whose RLS is switched off again with DISABLE ROW LEVEL SECURITY is reported on that DISABLE statement. A tenant table that has policies but no RLS is reported by `no-policy-without-rls` instead. The fix changes what queries return, so it is never applied by "fix all".',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = tenantTablesOf(ctx.project);
    const isolation = ctx.project.tenancy.isolation;
    const unprotected = tenants.filter(({ table }) => !table.rlsEnabled && table.policies.length === 0);
    if (isolation.strategy === 'application') {
      if (isolation.configured || unprotected.length === 0) return [];
      const [first, ...rest] = unprotected;
      // No fix: protecting one table would not settle the design question (the recipe shows the SQL).
      const { sql } = rlsFix(ctx, first);
      const names = unprotected.map((t) => tableLabel(t.table));
      const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
      return [{
        file: first.origin.file,
        span: ctx.statementAt(first.origin)?.span ?? first.origin.span,
        // A design decision to confirm, not a defect: the application may well filter every query (and connect as the
        // owner, whom RLS would not bind without FORCE and a tenant setting per transaction).
        severity: 'info',
        messageId: 'application',
        data: { count: unprotected.length, tables: unprotected.length === 1 ? 'table' : 'tables', names: shown, first: tableLabel(first.table) },
        related: rest.slice(0, 50).map((t) => ({ file: t.origin.file, span: ctx.statementAt(t.origin)?.span ?? t.origin.span, message: `${tableLabel(t.table)} is tenant-scoped by ${t.column} and has no row-level security` })),
        recipe: sql,
      }];
    }
    for (const t of unprotected) {
      const { table, column, origin } = t;
      if (!reachableByApp(ctx.project, table)) continue;
      const name = tableLabel(table);
      const disabled = rlsDisabledAt(ctx, table);
      if (disabled) {
        reports.push({
          file: disabled.file,
          span: disabled.span,
          messageId: 'disabled',
          data: { table: name, column },
          related: related(origin, `${column} makes ${name} tenant-scoped`),
        });
        continue;
      }
      const { sql, fixes, source } = rlsFix(ctx, t);
      const withRls = tenants.filter((x) => x.table.rlsEnabled).length;
      reports.push({
        file: origin.file,
        span: ctx.statementAt(origin)?.span ?? origin.span,
        messageId: 'noRls',
        data: { table: name, unlike: withRls ? `, unlike ${withRls} other tenant table${withRls === 1 ? '' : 's'} of the project` : '', column, source },
        related: related(table.created.file !== origin.file || table.created.span.start !== origin.span.start ? table.created : undefined, `${name} is created here`),
        recipe: sql,
        fixes,
      });
    }
    return reports;
  },
});

/** The settings some policy of the set reads (when one reads the tenant setting, the application sets it); once per set. */
const settingsPoliciesRead = rememberedFor((model: SchemaModel): Set<string> => {
  const out = new Set<string>();
  for (const t of model.tables.values()) for (const p of t.policies) for (const s of p.settings) out.add(s);
  return out;
});
