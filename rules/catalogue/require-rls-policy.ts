import { defineRule, type Fix, type Report } from '../engine/types';
import { definerFunctionsReading, forceRlsSql, projectIsolationPolicy, tenantMap } from './tenancy-util';
import { restrictsReachingRole } from '../project/infer';
import { fileOf, insertAfterStatement, related, tableLabel } from './util';

const messages = {
  tenantNoPolicy: 'Row-level security is enabled on {{table}} but no policy exists: {{who}} no rows and cannot write any. Add a policy on {{column}} ({{source}}).',
  noPolicy: 'Row-level security is enabled on {{table}} but no policy exists: {{who}} no rows and cannot write any. Add a CREATE POLICY … ON {{table}} that says which rows each role may see, or suppress this finding if deny-all is intended.',
};

export const requireRlsPolicy = defineRule({
  id: 'require-rls-policy',
  category: 'tenancy',
  defaultSeverity: 'info',
  fixable: true,
  title: 'Tables with row-level security need a policy',
  messages,
  rationale:
    'With row-level security enabled and no policy, PostgreSQL denies every row to every role that does not own the table or bypass RLS: the application sees empty tables and its writes fail, while the owner still sees everything. Add a policy that says who may see which rows (for a tenant table, one comparing the tenant column with the tenant setting).',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
    good: [
      'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);',
      'ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;',
      "CREATE POLICY invoices_tenant_isolation ON invoices USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true))::uuid);",
    ].join('\n'),
    details: [
      'Applies to every table the application\'s roles can reach (in a Supabase project, tables of the public schema and tables granted to anon or authenticated; elsewhere, tables granted to the roles policies and grants name, or every table when the application connects as the owner): a deny-all table in a schema those roles are not granted is the idiom for private data, and is not reported, nor is a table a SECURITY DEFINER function reads (the function is its door), a table granted to administrators alone (`postgres`, BYPASSRLS roles: Supabase Storage\'s `storage.objects`), or, when the application connects as the owner and RLS is not forced, a table the migrations grant to no one while they grant others. Policies added in later migrations of the set count. The finding sits on the ENABLE ROW LEVEL SECURITY statement. For a tenant table the fix adds a `<table>_tenant_isolation` policy right after it; for other tables there is no fix, since only you know who may see the rows.',
      'The default severity is info, as in Supabase\'s linter (rls_enabled_no_policy): deny-all is secure, and often intended for tables only the owner, a BYPASSRLS service role or SECURITY DEFINER functions touch. If so, say it with `-- sql-architect-ignore require-rls-policy: deny-all by design` above the ENABLE statement.',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = tenantMap(ctx);
    for (const table of ctx.model.tables.values()) {
      if (!table.rlsEnabled || table.policies.length > 0 || table.temporary) continue;
      // Deny-all is the idiom for tables the application's roles cannot reach anyway (a private schema, no grants),
      // and for tables granted to administrators alone or, when the application is the owner, to no one.
      if (!restrictsReachingRole(ctx.project, table)) continue;
      // Reached only through SECURITY DEFINER functions, which run as the owner: deny-all to everyone else is the design.
      if (definerFunctionsReading(ctx, table).length > 0) continue;
      const origin = table.rlsEnabled;
      const stmt = ctx.statementAt(origin);
      const file = fileOf(ctx, origin.file);
      const name = tableLabel(table);
      const tenant = tenants.get(table);
      const fixes: Fix[] = [];
      let recipe: string | undefined;
      let source = '';
      if (tenant) {
        const policy = projectIsolationPolicy(ctx, table, tenant.column);
        // When the application connects as the owner, the policy needs FORCE to apply to it.
        recipe = ctx.project.roles.connectsAsOwner && !table.rlsForced ? `${forceRlsSql(table)}\n${policy.sql}` : policy.sql;
        source = policy.source;
        if (file && stmt) fixes.push({ title: `Add a policy on ${name} that scopes rows by ${tenant.column}`, safe: false, edits: [insertAfterStatement(file.text, stmt, recipe)] });
      }
      const who = ctx.project.roles.connectsAsOwner
        ? 'every role except the owner and BYPASSRLS roles sees'
        : `${ctx.project.roles.appRoles.join(' and ')}, the role${ctx.project.roles.appRoles.length === 1 ? '' : 's'} the application connects as, see`;
      reports.push({
        file: origin.file,
        span: stmt?.span ?? origin.span,
        ...(tenant
          ? { messageId: 'tenantNoPolicy', data: { table: name, who, column: tenant.column, source } } as const
          : { messageId: 'noPolicy', data: { table: name, who } } as const),
        related: [...related(table.created, `${name} is created here`), ...(tenant && tenant.origin !== table.created ? related(tenant.origin, `${tenant.column} makes ${name} tenant-scoped`) : [])],
        recipe,
        fixes,
      });
    }
    return reports;
  },
});
