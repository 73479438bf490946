import { defineRule } from '../engine/types';
import { addIndexFix, identName, related, tableLabel, tenantTablesOf } from './util';

export const requireTenantIndex = defineRule({
  id: 'require-tenant-index',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Tenant tables need an index that leads with the tenant column',
  rationale:
    'Every query of a multi-tenant table filters on the tenant column, and every row-level security policy adds that filter to each query. Without an index (or primary key / unique constraint) whose first column is the tenant column, each of those queries scans the whole table, across all tenants.',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
    good: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);\nCREATE INDEX invoices_tenant_id_idx ON invoices (tenant_id);',
  },
  checkSet(ctx) {
    const reports = [];
    for (const { table, column, origin } of tenantTablesOf(ctx.project)) {
      const covered = table.indexes.some((i) => !i.partial && i.columns[0] === column);
      if (covered) continue;
      const stmt = ctx.statementAt(origin);
      const name = identName(table.name, column, 'idx');
      const add = stmt ? addIndexFix(ctx, stmt, table, [column], name, `Add index ${name} on ${tableLabel(table)} (${column})`) : undefined;
      reports.push({
        file: origin.file,
        span: stmt?.span ?? origin.span,
        message: `Tenant table ${tableLabel(table)} has no index leading with ${column}: every tenant-scoped query and RLS check scans the whole table. Add an index on (${column}) or make ${column} the first column of the primary key.`,
        related: related(table.created.file !== origin.file ? table.created : undefined, `${tableLabel(table)} is created here`),
        recipe: add?.sql,
        fixes: add?.fix ? [add.fix] : [],
      });
    }
    return reports;
  },
});
