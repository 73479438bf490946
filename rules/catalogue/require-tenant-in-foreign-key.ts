import { defineRule, type Report } from '../engine/types';
import { findConstraintDef, tenantColumnsOf, tenantMap } from './tenancy-util';
import { columnsSql, identName, quoteIdent, related, tableLabel, tableSql } from './util';

export const requireTenantInForeignKey = defineRule({
  id: 'require-tenant-in-foreign-key',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Foreign keys between tenant tables must include the tenant column',
  rationale:
    'A foreign key from one tenant table to another that matches only the row id lets a row of tenant A point at a row of tenant B: a bug or a forged id in a request links data across tenants, and joins then show it. Make the tenant column part of the key on both sides, FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id), so the database guarantees both rows belong to the same tenant.',
  docs: {
    bad: [
      'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, UNIQUE (tenant_id, id));',
      'CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL REFERENCES projects (id));',
    ].join('\n'),
    good: [
      'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, UNIQUE (tenant_id, id));',
      'CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, project_id bigint NOT NULL,',
      '  FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id));',
    ].join('\n'),
    details: 'Applies when both tables are tenant-scoped (a foreign key to the tenant registry itself is what makes a table tenant-scoped, and is fine). The key passes when it includes a tenant column of the referencing table matched with a tenant column of the referenced one. The referenced table needs a UNIQUE (tenant_id, id) constraint for the composite key; the recipe in the message adds it when it is missing.',
  },
  checkSet(ctx) {
    const reports: Report[] = [];
    const tenants = tenantMap(ctx);
    for (const [table, tenant] of tenants) {
      const mine = tenantColumnsOf(table, ctx.config.tenantColumns);
      for (const c of table.constraints) {
        if (c.kind !== 'foreign' || !c.refTable) continue;
        const target = ctx.model.table(c.refTable);
        const other = target && tenants.get(target);
        if (!target || !other) continue;
        const theirs = tenantColumnsOf(target, ctx.config.tenantColumns);
        const ok = c.columns.some((col, i) => mine.includes(col) && (!c.refColumns?.length || theirs.includes(c.refColumns[i])));
        if (ok) continue;
        const refCols = c.refColumns?.length ? c.refColumns : target.constraints.find((k) => k.kind === 'primary')?.columns ?? ['id'];
        // The tenant column is in the key but paired with the wrong column of the target: re-pair it.
        const at = c.columns.findIndex((col) => mine.includes(col));
        const fkCols = at >= 0 ? c.columns : [tenant.column, ...c.columns];
        const wanted = at >= 0 ? refCols.map((r, i) => (i === at ? other.column : r)) : [other.column, ...refCols];
        const hasKey = target.constraints.some((k) => (k.kind === 'primary' || k.kind === 'unique') && k.columns.join() === wanted.join())
          || target.indexes.some((i) => i.unique && !i.partial && i.columns.join() === wanted.join());
        const recipe = [
          hasKey ? undefined : `ALTER TABLE ${tableSql(target)} ADD CONSTRAINT ${quoteIdent(identName(target.name, ...wanted, 'key'))} UNIQUE (${columnsSql(wanted)});`,
          `ALTER TABLE ${tableSql(table)} DROP CONSTRAINT ${quoteIdent(c.name)};`,
          `ALTER TABLE ${tableSql(table)} ADD CONSTRAINT ${quoteIdent(c.name)} FOREIGN KEY (${columnsSql(fkCols)}) REFERENCES ${tableSql(target)} (${columnsSql(wanted)}) NOT VALID;`,
          `ALTER TABLE ${tableSql(table)} VALIDATE CONSTRAINT ${quoteIdent(c.name)};`,
        ].filter(Boolean).join('\n');
        const problem = at >= 0
          ? `pairs ${c.columns[at]} with ${tableLabel(target)}.${refCols[at]} instead of ${other.column}`
          : `does not include ${tenant.column}`;
        const stmt = ctx.statementAt(c.origin);
        const def = findConstraintDef(stmt, c);
        const name = tableLabel(table);
        reports.push({
          file: c.origin.file,
          span: def?.span ?? stmt?.span ?? c.origin.span,
          message: `Foreign key "${c.name}" from tenant table ${name} (${c.columns.join(', ')}) to tenant table ${tableLabel(target)} ${problem}: a row of one tenant can reference a row of another. Make it FOREIGN KEY (${fkCols.join(', ')}) REFERENCES ${tableLabel(target)} (${wanted.join(', ')})${hasKey ? '' : `, after adding UNIQUE (${wanted.join(', ')}) on ${tableLabel(target)}`}.`,
          related: related(target.columns.get(other.column)?.origin, `${other.column} makes ${tableLabel(target)} tenant-scoped`),
          recipe,
        });
      }
    }
    return reports;
  },
});
