import { defineRule, type Fix, type Report } from '../engine/types';
import { enableRlsSql, forceRlsSql, rlsDisabledAt, tenantMap } from './tenancy-util';
import { applyOrder, fileOf, insertAfterStatement, related, tableLabel, tableSql } from './util';

const messages = {
  disabled: 'Row-level security on {{table}} is disabled here, so its {{policies}} ignored: every role with a table privilege reads and writes every row. Remove the DISABLE or enable row-level security again.',
  notEnabled: '{{policies}} on {{table}} {{are}} ignored: row-level security is not enabled on {{table}}, so every role with a table privilege reads and writes every row. Add ALTER TABLE {{tableSql}} ENABLE ROW LEVEL SECURITY.',
  notEnabledTenant: '{{policies}} on {{table}} {{are}} ignored: row-level security is not enabled on {{table}}, so every role with a table privilege reads and writes every row. Add ALTER TABLE {{tableSql}} ENABLE ROW LEVEL SECURITY (and FORCE it).',
};

export const noPolicyWithoutRls = defineRule({
  id: 'no-policy-without-rls',
  category: 'tenancy',
  defaultSeverity: 'error',
  fixable: true,
  title: 'Policies do nothing until row-level security is enabled',
  messages,
  rationale:
    'CREATE POLICY succeeds on a table without row-level security, and PostgreSQL then ignores the policy: every role with a table privilege reads and writes every row. The migration looks protected and is not. Enable row-level security on the table (and force it for tenant tables, so the owner is filtered too).',
  docs: {
    bad: "CREATE TABLE documents (id bigint PRIMARY KEY, owner_id uuid NOT NULL);\nCREATE INDEX documents_owner_id_idx ON documents (owner_id);\nCREATE POLICY documents_owner ON documents USING (owner_id = (SELECT current_setting('app.user_id', true))::uuid);",
    good: "CREATE TABLE documents (id bigint PRIMARY KEY, owner_id uuid NOT NULL);\nCREATE INDEX documents_owner_id_idx ON documents (owner_id);\nALTER TABLE documents ENABLE ROW LEVEL SECURITY;\nCREATE POLICY documents_owner ON documents USING (owner_id = (SELECT current_setting('app.user_id', true))::uuid);",
    details: 'Applies to every table. RLS enabled in a later migration of the set counts. The finding sits on the first CREATE POLICY of the table; the fix enables RLS right after it (and forces it on tenant tables). When RLS was switched off with DISABLE ROW LEVEL SECURITY, the finding sits on that statement and has no fix.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = tenantMap(ctx);
    const order = applyOrder(ctx.files);
    for (const table of ctx.model.tables.values()) {
      if (table.rlsEnabled || table.policies.length === 0) continue;
      const name = tableLabel(table);
      const policies = [...table.policies].sort((a, b) => order(a.origin, b.origin));
      const first = policies[0];
      const names = policies.map((p) => `"${p.name}"`).join(', ');
      const others = policies.slice(1).map((p) => ({ file: p.origin.file, span: p.origin.span, message: `policy "${p.name}" is ignored too` }));
      const disabled = rlsDisabledAt(ctx, table);
      if (disabled) {
        reports.push({
          file: disabled.file,
          span: disabled.span,
          messageId: 'disabled',
          data: { table: name, policies: policies.length === 1 ? `policy ${names} is` : `policies ${names} are` },
          related: policies.map((p) => ({ file: p.origin.file, span: p.origin.span, message: `policy "${p.name}" is ignored` })),
        });
        continue;
      }
      const tenant = tenants.get(table);
      const stmt = ctx.statementAt(first.origin);
      const file = fileOf(ctx, first.origin.file);
      const sql = tenant ? `${enableRlsSql(table)}\n${forceRlsSql(table)}` : enableRlsSql(table);
      const fixes: Fix[] = file && stmt
        ? [{ title: `Enable row-level security on ${name}${tenant ? ' (and force it)' : ''}`, safe: false, edits: [insertAfterStatement(file.text, stmt, sql)] }]
        : [];
      reports.push({
        file: first.origin.file,
        span: stmt?.span ?? first.origin.span,
        messageId: tenant ? 'notEnabledTenant' : 'notEnabled',
        data: { policies: `${policies.length === 1 ? 'Policy' : 'Policies'} ${names}`, table: name, are: policies.length === 1 ? 'is' : 'are', tableSql: tableSql(table) },
        related: [...others, ...related(table.created, `${name} is created here`)],
        recipe: sql,
        fixes,
      });
    }
    return reports;
  },
});
