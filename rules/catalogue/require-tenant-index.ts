import { defineRule, type Report } from '../engine/types';
import type { TableModel } from '../model/types';
import type { TenantKey } from '../project/types';
import { addIndexFix, flat, identName, related, tableLabel, tenantPinningColumns, tenantTablesOf } from './util';

const messages = {
  noIndex: 'Tenant table {{table}} has no index leading with {{column}}: every tenant-scoped query and RLS check scans the whole table. Add an index on ({{column}}) or make {{column}} the first column of the primary key.',
  notLeading: 'Tenant table {{table}} has no index leading with {{column}}: {{index}} holds it only after {{leading}}, so it serves lookups that give {{leading}}, but a query for one tenant\'s rows (listing or counting them, deleting the tenant) scans the whole table. Add an index on ({{column}}).',
};

export const requireTenantIndex = defineRule({
  id: 'require-tenant-index',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Tenant tables need an index that leads with the tenant column',
  messages,
  rationale:
    'Every query of a multi-tenant table filters on the tenant column, and every row-level security policy adds that filter to each query. Without an index (or primary key / unique constraint) whose first column is the tenant column, each of those queries scans the whole table, across all tenants.',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
    good: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);\nCREATE INDEX invoices_tenant_id_idx ON invoices (tenant_id);',
    details: 'An index leading with the tenant column counts, and so does one leading with a column that pins the row to one tenant through a parent tenant table (`project_id` of a project, `"runtimeEnvironmentId"` of an environment): queries are scoped through that parent, and row-level security adds the tenant filter to its index scan. Partial indexes do not count, except one whose only condition keeps the rows that are not soft-deleted (`WHERE deleted_at IS NULL`, also `archived_at`, `deletedAt` and the like): the application\'s queries are for those rows. Two kinds of table are left alone. One whose tenant key is nullable beside other nullable scope keys (`"userId"`, `"projectId"`) holds rows of several scopes, global ones included, rather than a tenant\'s; `require-foreign-key-index` reports its key like any other. And an event or log table kept apart from the relational model: its tenant key matched only by name and type, no foreign key at all, in a project whose tenant tables mostly reference the tenant table, and indexes for its own lookups (a trace, a span, a run) of which none holds the tenant column (trigger.dev\'s `TaskEvent`). The fix adds the index after the statement that made the table tenant-scoped; on a table that existed before that migration it is built CONCURRENTLY, in a migration of its own when the statement runs in a transaction.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const keys = tenantTablesOf(ctx.project);
    // The project keys its tenant tables by foreign key: a tenant table with no foreign key at all is kept apart on purpose.
    const keyedByForeignKey = keys.filter((k) => k.key.kind === 'foreign-key').length * 2 >= keys.length;
    for (const { table, column, origin, key } of keys) {
      // Rows of several scopes (global, per user, per tenant): not a tenant's table; its foreign key is
      // require-foreign-key-index's.
      if (key.optional) continue;
      if (keyedByForeignKey && detachedLog(table, column, key.kind)) continue;
      // Leading with the tenant column, or with a parent that pins the tenant (the environment of a run): queries are
      // scoped through it, and RLS adds the tenant filter to an index scan of it.
      const pins = tenantPinningColumns(ctx, table, column);
      // A soft-delete partial index serves the tenant's queries for its live rows, which are the application's.
      const covered = table.indexes.some((i) => (!i.partial || i.softDelete) && pins.includes(i.columns[0]));
      if (covered) continue;
      const stmt = ctx.statementAt(origin);
      const name = identName(table.name, column, 'idx');
      const add = stmt ? addIndexFix(ctx, stmt, table, [column], name, flat`Add index ${name} on ${tableLabel(table)} (${column})`) : undefined;
      // An index that holds the tenant column after others: it serves lookups that give those, not a tenant's rows.
      const later = table.indexes.find((i) => (!i.partial || i.softDelete) && i.columns.indexOf(column) > 0);
      reports.push({
        file: origin.file,
        span: stmt?.span ?? origin.span,
        ...(later
          ? {
            messageId: 'notLeading' as const,
            data: {
              table: tableLabel(table), column, leading: later.columns.slice(0, later.columns.indexOf(column)).join(', '),
              index: `${later.constraint && table.constraints.some((c) => c.kind === 'primary' && c.name === later.constraint) ? 'its primary key' : later.constraint ? `constraint ${later.constraint}` : `index ${later.name}`} (${later.columns.join(', ')})`,
            },
          }
          : { messageId: 'noIndex' as const, data: { table: tableLabel(table), column } }),
        related: related(table.created.file !== origin.file ? table.created : undefined, `${tableLabel(table)} is created here`),
        recipe: add?.sql,
        fixes: add?.fix ? [add.fix] : [],
      });
    }
    return reports;
  },
});

/**
 * An event or log table kept apart from the relational model (trigger.dev's TaskEvent): the tenant key only by name
 * and type, no foreign key at all, in a project that otherwise references its tenant table; and indexes that serve
 * its own lookups (a trace, a span, a run), none of which holds the tenant column. Its rows are read by those; a
 * tenant's are not listed from it.
 */
function detachedLog(table: TableModel, column: string, kind: TenantKey['kind']): boolean {
  if (kind !== 'name-and-type' || table.constraints.some((c) => c.kind === 'foreign')) return false;
  const primary = table.constraints.find((c) => c.kind === 'primary')?.name;
  const lookups = table.indexes.filter((i) => primary === undefined || i.constraint !== primary);
  return lookups.length > 0 && lookups.every((i) => !i.columns.includes(column));
}
