import { defineRule, type Report, type SetContext } from '../engine/types';
import type { ConstraintModel, Origin, Span, TableModel } from '../model/types';
import { writableByApp } from '../project/infer';
import { tenantMap } from './tenancy-util';
import { columnsSql, findConstraintDef, identName, latestOrigin, quoteIdent, related, tableLabel, tableSql, tenantColumnsOf, type TenantTable } from './util';

/** A per-key message: which key, what is wrong with it, the harm and the composite key to write. */
function keyMessage(lead: string, problem: string): string {
  return `${lead} from tenant table {{table}} ({{columns}}) to tenant table {{target}} ${problem}{{unlike}}: a row of one tenant can reference a row of another. Make it FOREIGN KEY ({{fkColumns}}) REFERENCES {{target}} ({{targetColumns}}){{addUnique}}.`;
}
const messages = {
  convention: 'None of the {{count}} foreign keys between tenant tables includes the tenant column, so the database does not check that both rows belong to the same tenant (a forged or mistaken id links tenants). That is a project-wide design choice; to have the database enforce it, make keys such as this one {{name}} composite: FOREIGN KEY ({{columns}}) REFERENCES {{target}} ({{targetColumns}}){{unique}}.',
  missingTenant: keyMessage('Foreign key "{{name}}"', 'does not include {{tenantColumn}}'),
  mispaired: keyMessage('Foreign key "{{name}}"', 'pairs {{column}} with {{target}}.{{targetColumn}} instead of {{targetTenantColumn}}'),
  missingTenantNow: keyMessage('Now that {{later}} is here, foreign key "{{name}}"', 'does not include {{tenantColumn}}'),
  mispairedNow: keyMessage('Now that {{later}} is here, foreign key "{{name}}"', 'pairs {{column}} with {{target}}.{{targetColumn}} instead of {{targetTenantColumn}}'),
};

export const requireTenantInForeignKey = defineRule({
  id: 'require-tenant-in-foreign-key',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: false,
  title: 'Foreign keys between tenant tables must include the tenant column',
  messages,
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
    details: [
      'Applies when both tables are tenant-scoped (a foreign key to the tenant registry itself is what makes a table tenant-scoped, and is fine). The key passes when it includes a tenant column of the referencing table matched with a tenant column of the referenced one. The referenced table needs a unique key on (tenant_id, id) for the composite key, a constraint or a unique index, in any column order; when it is missing the recipe builds a unique index CONCURRENTLY (no lock on writes) in a migration of its own, and validates the new key in a later migration than the one that adds it NOT VALID, and keeps an ON DELETE SET NULL from clearing the tenant column (`ON DELETE SET NULL (project_id)`, PostgreSQL 15+). A table the application\'s roles may only read (the migrations grant them SELECT and nothing opens it further, such as billing tables written by a webhook as service_role) is info: no tenant\'s session can write the cross reference.',
      'A project that includes the tenant in none of its foreign keys (two or more) made a design choice: that is one info finding for the set, with the keys as related locations. In a project that includes it in some, each key without it is a warning: the one that was forgotten.',
      'The finding sits where the key became wrong: on the foreign key, or on the later statement that gave one of the two tables its tenant column.',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const tenants = tenantMap(ctx);
    const scoped: ConstraintModel[] = [];
    const missing: Missing[] = [];
    for (const [table, tenant] of tenants) {
      const mine = tenantColumnsOf(table, ctx.config, tenant.column);
      for (const c of table.constraints) {
        if (c.kind !== 'foreign' || !c.refTable) continue;
        const target = ctx.model.table(c.refTable);
        const other = target && tenants.get(target);
        if (!target || !other) continue;
        // The referenced table's tenant columns only matter for a key that holds one of ours (20,000 tables: most hold none).
        const paired = c.columns.some((col) => mine.includes(col));
        const theirs = paired && c.refColumns?.length ? tenantColumnsOf(target, ctx.config, other.column) : undefined;
        if (paired && c.columns.some((col, i) => mine.includes(col) && (!theirs || theirs.includes(c.refColumns![i])))) scoped.push(c);
        else missing.push({ table, tenant, target, other, c, paired });
      }
    }
    // A project that never puts the tenant in its foreign keys made that choice once: say it once.
    // A key that pairs the tenant column with the wrong column is a bug, never a design choice.
    const unscoped = missing.filter((m) => !m.paired);
    if (scoped.length === 0 && unscoped.length >= 2) {
      const [first, ...rest] = unscoped;
      const at = anchor(ctx, first);
      const targetCols = [first.other.column, ...(first.c.refColumns?.length ? first.c.refColumns : ['id'])];
      return [{
        file: at.origin.file,
        span: at.span,
        severity: 'info',
        messageId: 'convention',
        data: {
          count: unscoped.length, name: first.c.name, columns: [first.tenant.column, ...first.c.columns].join(', '), target: tableLabel(first.target),
          targetColumns: targetCols.join(', '),
          // A composite key needs a unique constraint on exactly those columns to reference.
          unique: uniqueOn(first.target, targetCols) ? '' : `, after adding UNIQUE (${targetCols.join(', ')}) to ${tableLabel(first.target)}`,
        },
        related: rest.slice(0, 50).map((m) => ({ file: m.c.origin.file, span: m.c.origin.span, message: `${m.c.name}: ${tableLabel(m.table)} → ${tableLabel(m.target)} without ${m.tenant.column}` })),
      }, ...missing.filter((m) => m.paired).map((m) => keyReport(ctx, m, scoped.length))];
    }
    for (const m of missing) reports.push(keyReport(ctx, m, scoped.length));
    return reports;
  },
});

interface Missing {
  table: TableModel;
  tenant: TenantTable;
  target: TableModel;
  other: TenantTable;
  c: ConstraintModel;
  /** The key holds one of the table's tenant columns (paired with the wrong column, since it is missing). */
  paired: boolean;
}

/** Where the finding belongs: the latest of the key and the two tenant columns (a column added later made it wrong). */
function anchor(ctx: SetContext, m: Missing): { origin: Origin; span: Span; later?: string } {
  const origin = latestOrigin(ctx.files, m.c.origin, m.tenant.origin, m.other.origin) ?? m.c.origin;
  if (origin === m.c.origin) {
    const stmt = ctx.statementAt(m.c.origin);
    return { origin, span: findConstraintDef(stmt, m.c)?.span ?? stmt?.span ?? m.c.origin.span };
  }
  const col = origin === m.tenant.origin ? `${tableLabel(m.table)}.${m.tenant.column}` : `${tableLabel(m.target)}.${m.other.column}`;
  return { origin, span: ctx.statementAt(origin)?.span ?? origin.span, later: col };
}

function keyReport(ctx: SetContext, m: Missing, scopedKeys: number): Report<keyof typeof messages> {
  const { table, tenant, target, other, c } = m;
  const mine = tenantColumnsOf(table, ctx.config, tenant.column);
  const refCols = c.refColumns?.length ? c.refColumns : target.constraints.find((k) => k.kind === 'primary')?.columns ?? ['id'];
  // The tenant column is in the key but paired with the wrong column of the target: re-pair it.
  const at = c.columns.findIndex((col) => mine.includes(col));
  const fkCols = at >= 0 ? c.columns : [tenant.column, ...c.columns];
  const wanted = at >= 0 ? refCols.map((r, i) => (i === at ? other.column : r)) : [other.column, ...refCols];
  // PostgreSQL takes any unique key on the same columns, in any order (UNIQUE (id, tenant_id) serves (tenant_id, id)).
  const hasKey = uniqueOn(target, wanted);
  // ON DELETE SET NULL would now null the tenant column too: PostgreSQL 15 can name the columns to null.
  const setNull = c.onDelete === 'n' || c.onDelete === 'd';
  const nulled = c.columns.filter((col) => !mine.includes(col));
  const onDelete = setNull
    ? ctx.config.postgresVersion >= 15 ? ` ON DELETE SET ${c.onDelete === 'n' ? 'NULL' : 'DEFAULT'} (${columnsSql(nulled)})` : ''
    : c.onDelete === 'c' ? ' ON DELETE CASCADE' : c.onDelete === 'r' ? ' ON DELETE RESTRICT' : '';
  // Both tables new in the key's own migration: nobody uses them yet, so plain DDL (no NOT VALID, no CONCURRENTLY).
  const fresh = table.created.file === c.origin.file && target.created.file === c.origin.file;
  const recipe = [
    // A unique index is a key a foreign key can reference, and CONCURRENTLY builds it without blocking writes.
    hasKey ? undefined : fresh
      ? `CREATE UNIQUE INDEX ${quoteIdent(identName(target.name, ...wanted, 'key'))} ON ${tableSql(target)} (${columnsSql(wanted)});`
      : `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(identName(target.name, ...wanted, 'key'))} ON ${tableSql(target)} (${columnsSql(wanted)});  -- a migration of its own, outside a transaction`,
    `ALTER TABLE ${tableSql(table)} DROP CONSTRAINT ${quoteIdent(c.name)};`,
    `ALTER TABLE ${tableSql(table)} ADD CONSTRAINT ${quoteIdent(c.name)} FOREIGN KEY (${columnsSql(fkCols)}) REFERENCES ${tableSql(target)} (${columnsSql(wanted)})${onDelete}${fresh ? '' : ' NOT VALID'};`,
    ...(fresh ? [] : [
      '-- a later migration (VALIDATE in the same transaction would hold the lock above for the whole scan):',
      `ALTER TABLE ${tableSql(table)} VALIDATE CONSTRAINT ${quoteIdent(c.name)};`,
    ]),
    setNull && ctx.config.postgresVersion < 15 ? `-- ON DELETE SET ${c.onDelete === 'n' ? 'NULL' : 'DEFAULT'} would now also clear ${tenant.column}: PostgreSQL 15 can limit it to (${nulled.join(', ')}); before 15, use a trigger or ON DELETE RESTRICT.` : undefined,
  ].filter(Boolean).join('\n');
  const where = anchor(ctx, m);
  const name = tableLabel(table);
  // Written only by roles outside the application (a webhook as service_role): no tenant's session can make the cross
  // reference, so it is a check on that code, not a leak (info).
  const appWrites = writableByApp(ctx.project, table);
  const readGrant = appWrites ? undefined : table.grants.find((g) => ctx.project.roles.appRoles.includes(g.role));
  return {
    file: where.origin.file,
    span: where.span,
    ...(appWrites ? {} : { severity: 'info' as const }),
    messageId: at >= 0 ? (where.later ? 'mispairedNow' : 'mispaired') : where.later ? 'missingTenantNow' : 'missingTenant',
    data: {
      ...(where.later ? { later: where.later } : {}),
      name: c.name, table: name, columns: c.columns.join(', '), target: tableLabel(target),
      ...(at >= 0 ? { column: c.columns[at], targetColumn: refCols[at], targetTenantColumn: other.column } : { tenantColumn: tenant.column }),
      unlike: scopedKeys ? `, unlike ${scopedKeys} other foreign key${scopedKeys === 1 ? '' : 's'} between tenant tables` : '',
      fkColumns: fkCols.join(', '), targetColumns: wanted.join(', '),
      addUnique: hasKey ? '' : `, after adding UNIQUE (${wanted.join(', ')}) on ${tableLabel(target)}`,
    },
    related: [
      ...(where.later ? related(c.origin, `foreign key "${c.name}" is declared here`) : []),
      ...related(target.columns.get(other.column)?.origin, `${other.column} makes ${tableLabel(target)} tenant-scoped`),
      ...(readGrant ? related(readGrant.origin, `${readGrant.role} may only read ${name}: the application cannot write this reference`) : []),
    ],
    recipe,
  };
}

/** The table has a primary key, unique constraint or unique index on exactly these columns (in any order). */
function uniqueOn(t: TableModel, cols: string[]): boolean {
  const same = (xs: readonly string[]) => xs.length === cols.length && cols.every((c) => xs.includes(c));
  return t.constraints.some((c) => (c.kind === 'primary' || c.kind === 'unique') && same(c.columns))
    || t.indexes.some((i) => i.unique && !i.partial && same(i.columns));
}
