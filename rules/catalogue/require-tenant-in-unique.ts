import { defineRule, type Fix, type Report } from '../engine/types';
import { isSerialType, type Span, type Statement, type TableModel } from '../model/types';
import { findColumnDef, findConstraintDef, indexColumnNames, openParenAfter, tenantColumnsOf, tokens } from './tenancy-util';
import { columnsSql, quoteIdent, related, tableLabel, tenantTables } from './util';
import type { SetContext } from '../engine/types';


/**
 * A single-column key whose values are unique across all tenants by construction: generated (identity, serial,
 * a volatile DEFAULT such as gen_random_uuid()) or the key of another table (a one-to-one foreign key).
 */
export function globallyUnique(ctx: Pick<SetContext, 'statementAt'>, table: TableModel, column: string): boolean {
  const col = table.columns.get(column);
  if (!col) return false;
  if (col.identity || isSerialType(col.type)) return true;
  if (findColumnDef(ctx.statementAt(col.origin), column)?.defaultKind === 'volatile') return true;
  return table.constraints.some((c) => c.kind === 'foreign' && c.columns.length === 1 && c.columns[0] === column);
}

/** Edit inserting the tenant column first into the column list of a table constraint or CREATE UNIQUE INDEX. */
function prependEdit(text: string, stmt: Statement, from: Span, kind: 'constraint' | 'index', column: string): Fix['edits'] | undefined {
  const base = stmt.span.start;
  const toks = tokens(text.slice(base, stmt.span.end), base, from.start - base, from.end - base);
  const start = kind === 'index'
    ? toks.findIndex((t) => t.word === 'on')
    : toks.findIndex((t) => t.word === 'unique' || t.word === 'key');
  if (start < 0 || toks.some((t) => t.word === 'using' && kind === 'constraint')) return undefined;
  const at = openParenAfter(toks, start);
  return at === undefined ? undefined : [{ start: at, end: at, newText: `${quoteIdent(column)}, ` }];
}

export const requireTenantInUnique = defineRule({
  id: 'require-tenant-in-unique',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Unique keys of tenant tables must include the tenant column',
  rationale:
    'A UNIQUE constraint or unique index on a tenant table without the tenant column is global across tenants: once one tenant has used a value (a slug, an email, an invoice number), no other tenant can, and the duplicate-key error tells the second tenant that the value exists elsewhere, a cross-tenant information leak. Put the tenant column first in the key: UNIQUE (tenant_id, slug).',
  docs: {
    bad: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, UNIQUE (slug));',
    good: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, UNIQUE (tenant_id, slug));',
    details: [
      'Checks UNIQUE constraints, unique indexes and multi-column primary keys of tenant tables; a key that includes any tenant column of the table passes.',
      'Exempt: a primary key on one column (a surrogate `id` is unique by construction and is what foreign keys point at), and any single-column key whose values are unique across tenants by construction: identity and serial columns, columns with a volatile DEFAULT such as `gen_random_uuid()`, and one-to-one foreign key columns. A natural key that is global by nature (an id issued by another system) can be suppressed with a reason.',
      'The fix puts the tenant column first in a table-level UNIQUE (…) or a CREATE UNIQUE INDEX; it weakens the uniqueness, so it is never applied by "fix all". A UNIQUE written on the column definition has no fix: replace it with a table constraint UNIQUE (tenant_id, column).',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report[] = [];
    for (const { table, column, origin } of tenantTables(ctx.model, ctx.config)) {
      const scope = tenantColumnsOf(table, ctx.config.tenantColumns);
      const name = tableLabel(table);
      const consider = (cols: string[]) => !cols.some((c) => scope.includes(c)) && !(cols.length === 1 && globallyUnique(ctx, table, cols[0]));
      for (const c of table.constraints) {
        if (!(c.kind === 'unique' || (c.kind === 'primary' && c.columns.length > 1)) || !consider(c.columns)) continue;
        const stmt = ctx.statementAt(c.origin);
        const def = findConstraintDef(stmt, c);
        const text = ctx.fileText(c.origin.file);
        const edits = def && !def.inline && stmt && text ? prependEdit(text, stmt, def.span, 'constraint', column) : undefined;
        const what = c.kind === 'primary' ? `Primary key "${c.name}"` : `Unique constraint "${c.name}"`;
        reports.push({
          file: c.origin.file,
          span: def?.span ?? stmt?.span ?? c.origin.span,
          message: `${what} on tenant table ${name} covers (${c.columns.join(', ')}) without ${column}: once one tenant uses a value no other tenant can, and the duplicate-key error reveals that it exists. Make it ${c.kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE'} (${columnsSql([column, ...c.columns])}).`,
          related: related(origin, `${column} makes ${name} tenant-scoped`),
          fixes: edits ? [{ title: `Add ${column} to ${c.name}`, safe: false, edits }] : [],
        });
      }
      for (const i of table.indexes) {
        if (!i.unique || i.constraint) continue;
        const cols = indexColumnNames(i.columns);
        if (!consider(cols)) continue;
        const stmt = ctx.statementAt(i.origin);
        const text = ctx.fileText(i.origin.file);
        const edits = stmt && text ? prependEdit(text, stmt, stmt.span, 'index', column) : undefined;
        reports.push({
          file: i.origin.file,
          span: stmt?.span ?? i.origin.span,
          message: `Unique index "${i.name}" on tenant table ${name} covers (${i.columns.join(', ')}) without ${column}${i.partial ? ' (the WHERE clause does not change that)' : ''}: once one tenant uses a value no other tenant can, and the duplicate-key error reveals that it exists. Index (${columnsSql([column])}, ${i.columns.join(', ')}) instead.`,
          related: related(origin, `${column} makes ${name} tenant-scoped`),
          fixes: edits ? [{ title: `Add ${column} to index ${i.name}`, safe: false, edits }] : [],
        });
      }
    }
    return reports;
  },
});
