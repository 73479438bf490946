import { defineRule, type Report } from '../engine/types';
import { policyExpr, tenantMap, type Command } from './tenancy-util';
import { tableLabel } from './util';
import { onlyBypassRoles, policyReachesApp } from '../project/roles';

const WRITE_COMMANDS: Command[] = ['insert', 'update', 'delete'];

const messages = {
  alwaysTrue: 'Policy "{{policy}}" on {{table}} is always true ({{clauses}}): {{roles}} can {{commands}} any row of {{table}}, so row-level security protects nothing for these commands. Compare a column with the current user or tenant instead, or drop the policy if only the service role should write.',
};

export const noAlwaysTrueWritePolicy = defineRule({
  id: 'no-always-true-write-policy',
  category: 'security',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Write policies must not be always true',
  messages,
  rationale:
    'A permissive INSERT, UPDATE, DELETE or ALL policy whose USING or WITH CHECK is a constant true lets every role it applies to write, change or delete any row: row-level security is on, but does nothing for writes. Public read access (a SELECT policy with USING (true)) is often intended; public write access rarely is. Restrict the policy to the rows the role owns, for example USING (owner_id = auth.uid()).',
  docs: {
    bad: "CREATE TABLE comments (id bigint PRIMARY KEY, author_id uuid NOT NULL, body text);\nALTER TABLE comments ENABLE ROW LEVEL SECURITY;\nCREATE POLICY comments_edit ON comments FOR UPDATE USING (true);",
    good: "CREATE TABLE comments (id bigint PRIMARY KEY, author_id uuid NOT NULL, body text);\nCREATE INDEX comments_author_id_idx ON comments (author_id);\nALTER TABLE comments ENABLE ROW LEVEL SECURITY;\nCREATE POLICY comments_edit ON comments FOR UPDATE USING (author_id = (SELECT current_setting('app.user_id', true))::uuid);",
    details: 'Like splinter\'s `rls_policy_always_true`: SELECT policies are exempt, and so are restrictive policies (they only narrow access). Tenant tables are left to `require-tenant-scoped-policy`, which reports any policy there that does not constrain the tenant column, always-true ones included. Only policies on tables created in the migration set are checked, and only policies for roles the application connects as (a `TO service_role` policy is not: that role bypasses RLS anyway).',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = tenantMap(ctx);
    for (const table of ctx.model.tables.values()) {
      if (tenants.has(table)) continue;
      for (const p of table.policies) {
        if (!p.permissive) continue;
        // service_role bypasses RLS anyway; a policy for a role the application never uses opens nothing to it.
        if (onlyBypassRoles(ctx.project.roles, p.roles) || !policyReachesApp(ctx.project.roles, p.roles)) continue;
        const open = new Set<string>();
        const clauses = new Set<string>();
        for (const cmd of WRITE_COMMANDS) {
          for (const side of ['read', 'write'] as const) {
            const e = policyExpr(p, cmd, side);
            if (e?.alwaysTrue) { open.add(cmd.toUpperCase()); clauses.add(`${e.clause} (true)`); }
          }
        }
        if (open.size === 0) continue;
        const roles = p.roles.length && !p.roles.includes('public') ? `role${p.roles.length > 1 ? 's' : ''} ${p.roles.join(', ')}` : 'every role';
        reports.push({
          file: p.origin.file,
          span: ctx.statementAt(p.origin)?.span ?? p.origin.span,
          messageId: 'alwaysTrue',
          data: { policy: p.name, table: tableLabel(table), clauses: [...clauses].join(', '), roles, commands: [...open].join(', ') },
        });
      }
    }
    return reports;
  },
});
