import { defineRule, type Fix, type Report } from '../engine/types';
import { appliesToAnyRole, definerFunctionsReading, forceRlsSql, rlsUnforcedAt } from './tenancy-util';
import { fileOf, insertAfterStatement, related, tableLabel, tableSql, tenantTablesOf } from './util';

const messages = {
  noForce: "NO FORCE ROW LEVEL SECURITY on tenant table {{table}} lets the table owner, the role the application connects as, bypass every policy again and see all tenants' rows. Remove it, or force row-level security again.",
  notForced: "Row-level security on tenant table {{table}} is enabled but not forced, and the application connects as the owner (no policy or grant names another role): the owner bypasses every policy and sees all tenants' rows. Add ALTER TABLE {{tableSql}} FORCE ROW LEVEL SECURITY.",
  notForcedDefiners: "Row-level security on tenant table {{table}} is enabled but not forced, and the application connects as the owner (no policy or grant names another role): the owner bypasses every policy and sees all tenants' rows. Add ALTER TABLE {{tableSql}} FORCE ROW LEVEL SECURITY; the SECURITY DEFINER {{definers}} will then see only the rows the policies allow.",
};

export const requireForceRls = defineRule({
  id: 'require-force-rls',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Force row-level security on tenant tables the application reads as their owner',
  messages,
  rationale:
    'ENABLE ROW LEVEL SECURITY filters every role except the table owner (and superusers and BYPASSRLS roles). When the application connects as the role that ran the migrations, it owns the tables and no policy applies: every query sees every tenant. FORCE ROW LEVEL SECURITY makes the policies apply to the owner too.',
  docs: {
    bad: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nCREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);",
    good: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\nALTER TABLE invoices FORCE ROW LEVEL SECURITY;\nCREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);",
    details: [
      'Only when the application connects as the tables\' owner, which the project model infers when no policy or grant names another role (Supabase projects connect as anon and authenticated; `"appRoles"` in .sqlarchitect.json says it for yours). Tenant tables only; FORCE in a later migration of the set counts.',
      'Not reported, because FORCE would do harm there: a table with no policy (FORCE would deny the owner every row and break every function that reads it), and a table whose policies call a SECURITY DEFINER function (the function runs as the owner, so its own read of the table would be filtered by the same policy: recursion or empty results). The message names the SECURITY DEFINER functions that read the table, since FORCE filters them too.',
      'The finding sits on the ENABLE ROW LEVEL SECURITY statement and the fix adds FORCE right after it; a later NO FORCE ROW LEVEL SECURITY is reported on that statement, without a fix. Superusers and roles with BYPASSRLS are never filtered, forced or not: keep them for maintenance, not for the application.',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    if (!ctx.project.roles.connectsAsOwner) return reports;
    for (const { table, column, origin } of tenantTablesOf(ctx.project)) {
      if (!table.rlsEnabled || table.rlsForced) continue;
      // No policy applies to the owner: FORCE would deny it every row.
      if (!table.policies.some(appliesToAnyRole)) continue;
      const definers = new Set([...ctx.model.functions.values()].filter((f) => f.securityDefiner).map((f) => [f.name, `${f.schema}.${f.name}`]).flat());
      if (table.policies.some((p) => p.functions?.some((fn) => definers.has(fn)))) continue;
      const name = tableLabel(table);
      const unforced = rlsUnforcedAt(ctx, table);
      if (unforced) {
        reports.push({
          file: unforced.file,
          span: unforced.span,
          messageId: 'noForce',
          data: { table: name },
          related: related(table.rlsEnabled, 'row-level security is enabled here'),
        });
        continue;
      }
      const at = table.rlsEnabled;
      const stmt = ctx.statementAt(at);
      const file = fileOf(ctx, at.file);
      const sql = forceRlsSql(table);
      const fixes: Fix[] = file && stmt ? [{ title: `Force row-level security on ${name}`, safe: false, edits: [insertAfterStatement(file.text, stmt, sql)] }] : [];
      const readers = definerFunctionsReading(ctx, table);
      reports.push({
        file: at.file,
        span: stmt?.span ?? at.span,
        ...(readers.length
          ? { messageId: 'notForcedDefiners', data: { table: name, tableSql: tableSql(table), definers: `function${readers.length === 1 ? '' : 's'} ${readers.join(', ')}` } } as const
          : { messageId: 'notForced', data: { table: name, tableSql: tableSql(table) } } as const),
        related: related(origin, `${column} makes ${name} tenant-scoped`),
        recipe: sql,
        fixes,
      });
    }
    return reports;
  },
});
