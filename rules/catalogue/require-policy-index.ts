import { defineRule, type Report, type SetContext } from '../engine/types';
import type { PolicyModel, TableModel } from '../model/types';
import { onlyBypassRoles } from '../project/roles';
import { freeIndexName } from './design-util';
import { addIndexFix, andList, columnsSql, flat, identName, quoteIdent, tableLabel, tableSql, tenantPinningColumns, tenantTablesOf } from './util';

const messages = {
  noIndex: '{{policies}} on {{table}} {{filter}} rows by comparing {{column}} with {{value}}, and no index leads with {{column}}: row-level security adds that filter to every query of {{table}}, and without an index each one reads the whole table to find the current user\'s rows. Add an index on {{table}} ({{column}}).',
};

export const requirePolicyIndex = defineRule({
  id: 'require-policy-index',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Index the column a row-level security policy compares with the current user',
  messages,
  rationale:
    'A policy such as `USING (user_id = (SELECT auth.uid()))` is added to every query of its table: `SELECT * FROM todos` becomes `SELECT * FROM todos WHERE user_id = …`. With an index leading with `user_id`, PostgreSQL reads only the current user\'s rows; without one, every query, however small its result, reads the whole table, every user\'s rows included. Supabase lists it first among its RLS performance recommendations (over 100× on a 100,000-row table).',
  docs: {
    bad: 'CREATE TABLE todos (id bigint PRIMARY KEY, user_id uuid NOT NULL, task text);\nALTER TABLE todos ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own_todos ON todos TO authenticated USING (user_id = (SELECT auth.uid()));',
    good: 'CREATE TABLE todos (id bigint PRIMARY KEY, user_id uuid NOT NULL, task text);\nCREATE INDEX todos_user_id_idx ON todos (user_id);\nALTER TABLE todos ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own_todos ON todos TO authenticated USING (user_id = (SELECT auth.uid()));',
    details: 'Reported: a policy for reading, updating or deleting rows (an INSERT policy filters no query) on a table with row-level security enabled, whose USING compares a column for equality with the session (`auth.uid()`, `auth.jwt() ->> …`, `current_setting(…)`, with or without `(SELECT …)`) in its top-level AND, when no index (primary key and unique constraints included; a partial one only if it keeps the rows that are not soft-deleted) leads with any column so compared. A comparison under OR or inside a subquery is not judged. The schema at the end of the migration set counts, so an index a later migration adds is enough. Left to other rules: the tenant column of a tenant table (`require-tenant-index`) and a column with a single-column foreign key (`require-foreign-key-index`, which asks for the same index). Policies only for roles that bypass row-level security are not judged. One finding per table and column, on the first such policy; the fix adds the index after it, CONCURRENTLY when the table existed before that migration (no fix when the column has been renamed since: the recipe, with its present name, is for a new migration).',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    // Built when a policy first needs it: most sets have no table with row-level security.
    let tenantTables: Map<TableModel, string> | undefined;
    const tenantColumn = (t: TableModel) => {
      tenantTables ??= ctx.config.rules['require-tenant-index'] === 'off' ? new Map() : new Map(tenantTablesOf(ctx.project).map((x) => [x.table, x.column] as const));
      return tenantTables.get(t);
    };
    const foreignKeyRule = ctx.config.rules['require-foreign-key-index'] !== 'off';
    for (const table of ctx.model.tables.values()) {
      if (!table.rlsEnabled || table.temporary || table.policies.length === 0) continue;
      const byColumn = new Map<string, PolicyModel[]>();
      for (const p of table.policies) {
        const keys = p.usingKeys?.filter((k) => table.columns.has(k));
        if (!keys?.length || p.command === 'insert' || onlyBypassRoles(ctx.project.roles, p.roles)) continue;
        if (keys.some((k) => leads(table, k))) continue;
        const column = keys[0];
        // The same index, asked for by the rule whose business it is.
        if (foreignKeyRule && table.constraints.some((c) => c.kind === 'foreign' && c.columns.length === 1 && c.columns[0] === column)) continue;
        const tenant = tenantColumn(table);
        if (tenant !== undefined && tenantPinningColumns(ctx, table, tenant).includes(column)) continue;
        byColumn.set(column, [...(byColumn.get(column) ?? []), p]);
      }
      for (const [column, policies] of byColumn) reports.push(report(ctx, table, column, policies));
    }
    return reports;
  },
});

/** An index the policy's filter can use: leading with the column, not partial (or only without soft-deleted rows). */
function leads(table: TableModel, column: string): boolean {
  return table.indexes.some((i) => i.columns[0] === column && (!i.partial || i.softDelete) && (i.method === 'btree' || i.method === 'hash'));
}

function report(ctx: SetContext, table: TableModel, column: string, policies: PolicyModel[]): Report<keyof typeof messages> {
  const first = policies[0];
  const stmt = ctx.statementAt(first.origin);
  const name = freeIndexName(ctx.model, table, identName(table.name, column, 'idx'));
  const add = stmt ? addIndexFix(ctx, stmt, table, [column], name, flat`Add index ${name} on ${tableLabel(table)} (${column})`) : undefined;
  const names = policies.map((p) => `"${p.name}"`);
  return {
    file: first.origin.file,
    span: stmt?.span ?? first.origin.span,
    statement: stmt,
    messageId: 'noIndex',
    data: {
      policies: `${names.length > 1 ? 'Policies' : 'Policy'} ${andList(names, 3)}`,
      filter: names.length > 1 ? 'filter' : 'filters',
      table: tableLabel(table), column, value: sessionValueText(first),
    },
    related: policies.slice(1).map((p) => ({ file: p.origin.file, span: p.origin.span, message: `policy "${p.name}" filters by ${column} too` })),
    recipe: add?.sql ?? `CREATE INDEX ${quoteIdent(name)} ON ${tableSql(table)} (${columnsSql([column])});`,
    // The fix goes right after the policy, so the column must have its present name there (not renamed since).
    fixes: add?.fix && stmt?.actions.some((a) => (a.type === 'create-policy' ? a.policy.usingKeys : a.type === 'alter-policy' ? a.usingKeys : undefined)?.includes(column)) ? [add.fix] : [],
  };
}

/** What the policy compares the column with, in a few words: the session function it calls. */
function sessionValueText(p: PolicyModel): string {
  const fns = p.functions ?? [];
  const fn = fns.find((f) => f.startsWith('auth.')) ?? fns.find((f) => f === 'current_setting' || f.endsWith('.current_setting'));
  return fn ? `${fn}()` : 'a value of the session';
}
