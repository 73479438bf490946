import { defineRule, type Fix, type Report } from '../engine/types';
import { isSerialType, type Span, type TableModel } from '../model/types';
import { tokens } from '../parser/lexer';
import { indexColumnNames } from './tenancy-util';
import { columnsSql, findColumnDef, findConstraintDef, quoteIdent, related, tableLabel, tenantPinningColumns, tenantTablesOf } from './util';
import type { SetContext } from '../engine/types';
import { nameWords } from '../project/names';
import { remembered } from '../model/remember';

/** A surrogate id column (`id`, `uuid`, `project_id`, `"runId"`): its values come from a generator, not from users. */
const idLike = remembered((column: string): boolean =>
  /^(id|uuid|pk|oid|ulid|cuid|uid)$/i.test(column) || /(_id|_uuid|_pk|_ulid|_ref|[a-z0-9]Id|[a-z0-9]ID|[a-z0-9]Uuid|[a-z0-9]Ref)$/.test(column));

const CREDENTIAL_WORDS = new Set(['token', 'tokens', 'hash', 'hashed', 'digest', 'secret', 'nonce', 'fingerprint', 'jti', 'otp']);
const CREDENTIAL_PAIRS = ['api_key', 'apikey', 'access_key', 'public_key', 'publishable_key', 'secret_key', 'private_key', 'signing_key', 'license_key', 'client_id', 'client_secret', 'session_key'];

/**
 * A credential or its hash (`token_hash`, `api_key`, `"publicKey"`, `verification_token`): unique across all tenants on
 * purpose, since the value alone must find its one owner; adding the tenant would let one secret open two tenants.
 */
export const credentialColumn = remembered((column: string): boolean => {
  const words = nameWords(column);
  if (words.some((w) => CREDENTIAL_WORDS.has(w))) return true;
  const joined = words.join('_');
  return CREDENTIAL_PAIRS.some((p) => joined === p || joined.endsWith(`_${p}`) || joined.startsWith(`${p}_`) || joined.replace(/_/g, '') === p.replace(/_/g, ''));
});


/**
 * A single-column key whose values are unique across all tenants by construction: generated (identity, serial,
 * a volatile DEFAULT such as gen_random_uuid()) or the key of another table (a one-to-one foreign key).
 */
export function globallyUnique(ctx: Pick<SetContext, 'statementAt'>, table: TableModel, column: string): boolean {
  return generated(ctx, table, column) || table.constraints.some((c) => c.kind === 'foreign' && c.columns.length === 1 && c.columns[0] === column);
}

/** Identity, serial, or a volatile DEFAULT such as gen_random_uuid(): a fresh value for every row. */
function generated(ctx: Pick<SetContext, 'statementAt'>, table: TableModel, column: string): boolean {
  const col = table.columns.get(column);
  if (!col) return false;
  if (col.identity || isSerialType(col.type)) return true;
  return findColumnDef(ctx.statementAt(col.origin), column)?.defaultKind === 'volatile';
}

/** Unique across tenants by construction: a generated or one-to-one column, or a credential, anywhere in the key. */
export function uniqueKeyExempt(ctx: Pick<SetContext, 'statementAt'>, table: TableModel, cols: readonly string[]): boolean {
  // One generated public identifier (`friendlyId`, `external_ref`): unique everywhere by construction.
  if (cols.length === 1 && (globallyUnique(ctx, table, cols[0]) || idLike(cols[0]))) return true;
  // The surrogate key itself in a longer key (`PRIMARY KEY (id, "createdAt")` of a partitioned table).
  const pk = table.constraints.find((c) => c.kind === 'primary' && c.columns.length === 1)?.columns[0] ?? (table.columns.has('id') ? 'id' : undefined);
  if (cols.length > 1 && pk && cols.includes(pk) && idLike(pk)) return true;
  return cols.some((c) => generated(ctx, table, c) || credentialColumn(c));
}

/** A one-column primary key on a natural key (`key`, `slug`), which two tenants cannot share. */
export function naturalPrimaryKey(columns: readonly string[]): boolean {
  return columns.length === 1 && !idLike(columns[0]);
}

/** Edit inserting the tenant column first into the column list of a table constraint or CREATE UNIQUE INDEX. */
function prependEdit(text: string, from: Span, kind: 'constraint' | 'index', column: string): Fix['edits'] | undefined {
  const toks = tokens(text, from.start, from.end);
  const start = kind === 'index'
    ? toks.findIndex((t) => t.word === 'on')
    : toks.findIndex((t) => t.word === 'unique' || t.word === 'key');
  if (start < 0 || toks.some((t) => t.word === 'using' && kind === 'constraint')) return undefined;
  // Just after the `(` that opens the column list.
  const paren = toks.slice(start).find((t) => t.text === '(');
  return paren ? [{ start: paren.end, end: paren.end, newText: `${quoteIdent(column)}, ` }] : undefined;
}

const messages = {
  primaryKey: 'Primary key "{{name}}" on tenant table {{table}} covers ({{columns}}) without {{column}}: once one tenant uses a value no other tenant can, and the duplicate-key error reveals that it exists. Make it PRIMARY KEY ({{wanted}}).',
  uniqueConstraint: 'Unique constraint "{{name}}" on tenant table {{table}} covers ({{columns}}) without {{column}}: once one tenant uses a value no other tenant can, and the duplicate-key error reveals that it exists. Make it UNIQUE ({{wanted}}).',
  uniqueIndex: 'Unique index "{{name}}" on tenant table {{table}} covers ({{columns}}) without {{column}}: once one tenant uses a value no other tenant can, and the duplicate-key error reveals that it exists. Index ({{wanted}}) instead.',
  partialUniqueIndex: 'Unique index "{{name}}" on tenant table {{table}} covers ({{columns}}) without {{column}} (the WHERE clause does not change that): once one tenant uses a value no other tenant can, and the duplicate-key error reveals that it exists. Index ({{wanted}}) instead.',
};

export const requireTenantInUnique = defineRule({
  id: 'require-tenant-in-unique',
  category: 'tenancy',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Unique keys of tenant tables must include the tenant column',
  messages,
  rationale:
    'A UNIQUE constraint or unique index on a tenant table without the tenant column is global across tenants: once one tenant has used a value (a slug, an email, an invoice number), no other tenant can, and the duplicate-key error tells the second tenant that the value exists elsewhere, a cross-tenant information leak. Put the tenant column first in the key: UNIQUE (tenant_id, slug).',
  docs: {
    bad: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, UNIQUE (slug));',
    good: 'CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, slug text NOT NULL, UNIQUE (tenant_id, slug));',
    details: [
      'Checks UNIQUE constraints, unique indexes and multi-column primary keys of tenant tables; a key that includes any tenant column of the table passes.',
      'A one-column primary key on a surrogate id (`id`, `uuid`, `*_id`, `"runId"`) is exempt: it is unique by construction and is what foreign keys point at. A one-column primary key on a natural key (`key`, `slug`, `email`, `code`) is reported: two tenants cannot both have the key `"theme"`.',
      'Exempt, because their values are unique across tenants by construction or on purpose: keys that contain an identity or serial column, a column with a volatile DEFAULT such as `gen_random_uuid()`, or a one-to-one foreign key column (so `PRIMARY KEY (id, created_at)` of a partitioned table passes), and keys on credentials or their hashes (`token`, `token_hash`, `api_key`, `public_key`, `client_id`, `secret`, `nonce`): a secret must find exactly one owner, and adding the tenant would let one secret open two tenants. A unique index on exactly the primary key\'s columns is exempt too. A natural key that is global by nature (an id issued by another system) can be suppressed with a reason.',
      'The fix puts the tenant column first in a table-level UNIQUE (…) or a CREATE UNIQUE INDEX; it weakens the uniqueness, so it is never applied by "fix all". A UNIQUE written on the column definition has no fix: replace it with a table constraint UNIQUE (tenant_id, column).',
    ].join('\n\n'),
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const { table, column, origin, key } of tenantTablesOf(ctx.project)) {
      // Rows of several scopes (global, per user, per tenant): a key without the tenant may be meant to be global.
      if (key.optional) continue;
      // A column that points at another tenant table's row (projectId of a project) pins the key to that tenant.
      const scope = tenantPinningColumns(ctx, table, column);
      const name = tableLabel(table);
      const pk = table.constraints.find((c) => c.kind === 'primary')?.columns;
      const consider = (cols: readonly string[]) => !cols.some((c) => scope.includes(c)) && !uniqueKeyExempt(ctx, table, cols);
      for (const c of table.constraints) {
        // A one-column primary key is a surrogate id unless it is a natural key (`key`, `slug`, `email`).
        const naturalPk = c.kind === 'primary' && naturalPrimaryKey(c.columns);
        if (!(c.kind === 'unique' || (c.kind === 'primary' && (c.columns.length > 1 || naturalPk))) || !consider(c.columns)) continue;
        const stmt = ctx.statementAt(c.origin);
        const def = findConstraintDef(stmt, c);
        const text = ctx.fileText(c.origin.file);
        const edits = def && !def.inline && stmt && text ? prependEdit(text, def.span, 'constraint', column) : undefined;
        reports.push({
          file: c.origin.file,
          span: def?.span ?? stmt?.span ?? c.origin.span,
          messageId: c.kind === 'primary' ? 'primaryKey' : 'uniqueConstraint',
          data: { name: c.name, table: name, columns: c.columns.join(', '), column, wanted: columnsSql([column, ...c.columns]) },
          related: related(origin, `${column} makes ${name} tenant-scoped`),
          fixes: edits ? [{ title: `Add ${column} to ${c.name}`, safe: false, edits }] : [],
        });
      }
      for (const i of table.indexes) {
        if (!i.unique || i.constraint) continue;
        const cols = indexColumnNames(i.columns);
        // The same columns as the primary key: redundant perhaps, but no wider than the key itself.
        if (pk && pk.length === cols.length && pk.every((c) => cols.includes(c)) && (pk.length > 1 || idLike(pk[0]))) continue;
        if (!consider(cols)) continue;
        const stmt = ctx.statementAt(i.origin);
        const text = ctx.fileText(i.origin.file);
        const edits = stmt && text ? prependEdit(text, stmt.span, 'index', column) : undefined;
        reports.push({
          file: i.origin.file,
          span: stmt?.span ?? i.origin.span,
          messageId: i.partial ? 'partialUniqueIndex' : 'uniqueIndex',
          data: { name: i.name, table: name, columns: i.columns.join(', '), column, wanted: `${columnsSql([column])}, ${i.columns.join(', ')}` },
          related: related(origin, `${column} makes ${name} tenant-scoped`),
          fixes: edits ? [{ title: `Add ${column} to index ${i.name}`, safe: false, edits }] : [],
        });
      }
    }
    return reports;
  },
});
