import { defineRule, type Fix, type Report } from '../engine/types';
import { tokens } from '../parser/lexer';
import { columnCreatedBy, findColumnDef, identName, quoteIdent, tableLabel, tableSql, tenantTablesOf } from './util';

const messages = {
  nullable: 'Tenant column {{table}}.{{column}} is nullable: a row with NULL {{column}} belongs to no tenant, so every tenant-scoped query and policy hides it, and any "{{column}} IS NULL OR …" workaround shows it to all tenants. Declare {{column}} NOT NULL.',
  nullableBackfill: 'Tenant column {{table}}.{{column}} is nullable: a row with NULL {{column}} belongs to no tenant, so every tenant-scoped query and policy hides it, and any "{{column}} IS NULL OR …" workaround shows it to all tenants. Declare {{column}} NOT NULL (backfill first, then CHECK … NOT VALID, VALIDATE, SET NOT NULL).',
  convention: 'The tenant key is nullable in {{count}} of {{tables}} tenant tables: a project-wide choice, so it is reported once. A row with a NULL key belongs to no tenant: every tenant-scoped query hides it, and any "{{column}} IS NULL OR …" workaround shows it to all tenants. If every row always has a tenant, declare the keys NOT NULL (CHECK … NOT VALID, VALIDATE, SET NOT NULL per table); the related locations list them.',
};

export const requireTenantNotNull = defineRule({
  id: 'require-tenant-not-null',
  category: 'tenancy',
  defaultSeverity: 'error',
  fixable: true,
  title: 'Tenant columns must be NOT NULL',
  messages,
  rationale:
    'A row whose tenant column is NULL belongs to no tenant: `tenant_id = current_tenant` is never true for it, so it is invisible to everyone and silently lost; and a policy or query written as `tenant_id IS NULL OR …` to reach such rows makes them visible to every tenant. Declare the tenant column NOT NULL so every row belongs to exactly one tenant.',
  docs: {
    bad: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid, total numeric);',
    good: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);',
    details: 'The finding sits on the column definition. When the column is created by a CREATE TABLE, the fix adds NOT NULL to it (the table is new, so no row can violate it). A tenant column added to an existing table gets the recipe instead: a CHECK (… IS NOT NULL) NOT VALID, its VALIDATE (which does not block writes), then SET NOT NULL, which PostgreSQL 12+ proves from the check without scanning the table. Rows shared by all tenants are better kept in a separate table than as NULL-tenant rows.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const confirmed = ctx.project.tenancy.registries.length > 0;
    const tenants = tenantTablesOf(ctx.project);
    for (const { table, column, key } of tenants) {
      // A column only named like the key, in a project whose tenant table it does not reference, may be NULL on purpose
      // (a free slot, a row before assignment): only a confirmed key must always be set.
      if (key.kind === 'name-and-type' || (key.kind === 'name' && confirmed) || key.optional) continue;
      const col = table.columns.get(column)!;
      if (col.notNull) continue;
      if (table.constraints.some((c) => c.kind === 'check' && c.validated && c.checkIsNotNullOf === column)) continue;
      // Where it became nullable: a later DROP NOT NULL, else the definition.
      const dropped = [...table.history].reverse().find((o) => ctx.statementAt(o)?.actions.some((a) => a.type === 'drop-not-null' && a.column === column));
      const stmt = ctx.statementAt(col.origin);
      const def = findColumnDef(stmt, column);
      const text = ctx.fileText(col.origin.file);
      const name = tableLabel(table);
      const fixes: Fix[] = [];
      if (!dropped && stmt && def && text && !def.notNull && columnCreatedBy(stmt, column) === 'create-table') {
        // An explicit NULL next to NOT NULL is an error ("conflicting NULL/NOT NULL declarations"): replace it.
        const explicitNull = tokens(text, def.span.start, def.span.end).find((t, i, all) => t.word === 'null' && all[i - 1]?.word !== 'not' && all[i - 1]?.word !== 'default');
        fixes.push({
          title: `Declare ${column} NOT NULL`,
          safe: false,
          edits: [explicitNull ? { start: explicitNull.start, end: explicitNull.end, newText: 'NOT NULL' } : { start: def.span.end, end: def.span.end, newText: ' NOT NULL' }],
        });
      }
      const check = quoteIdent(identName(table.name, column, 'not_null'));
      const recipe = fixes.length ? undefined : [
        `ALTER TABLE ${tableSql(table)} ADD CONSTRAINT ${check} CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID;`,
        `ALTER TABLE ${tableSql(table)} VALIDATE CONSTRAINT ${check};`,
        `ALTER TABLE ${tableSql(table)} ALTER COLUMN ${quoteIdent(column)} SET NOT NULL;`,
        `ALTER TABLE ${tableSql(table)} DROP CONSTRAINT ${check};`,
      ].join('\n');
      reports.push({
        file: dropped?.file ?? col.origin.file,
        span: dropped ? ctx.statementAt(dropped)?.span ?? dropped.span : def?.span ?? stmt?.span ?? col.origin.span,
        messageId: fixes.length ? 'nullable' : 'nullableBackfill',
        data: { table: name, column },
        recipe,
        fixes,
      });
    }
    // Nullable in most tenant tables: a project-wide choice, said once.
    if (reports.length >= 3 && reports.length >= tenants.length / 2) {
      const [first, ...rest] = reports;
      const column = tenants[0].column;
      return [{
        file: first.file,
        span: first.span,
        severity: 'warning',
        messageId: 'convention',
        data: { count: reports.length, tables: tenants.length, column },
        related: rest.slice(0, 50).map((r) => ({ file: r.file!, span: r.span!, message: `Tenant column ${r.data?.table}.${r.data?.column} is nullable` })),
      }];
    }
    return reports;
  },
});
