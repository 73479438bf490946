// Helpers shared by rules: names, SQL rendering, insertion points, tenant detection.
import { displayName } from '../model/schema';
import type { SchemaModel } from '../model/schema';
import type { Origin, QName, Span, Statement, TableModel, TypeRef } from '../model/types';
import type { ResolvedConfig } from '../engine/config';
import type { FileContext, SetContext, TextEdit } from '../engine/types';
import { skipToken, skipTrivia } from '../parser/lexer';

// Words that must be quoted as identifiers (PostgreSQL reserved key words, the common ones).
const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate',
  'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp',
  'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for',
  'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit',
  'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references',
  'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then', 'to', 'trailing', 'true', 'union', 'unique',
  'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
]);

export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` as SQL, schema omitted for public. */
export function tableSql(t: { schema: string; name: string } | QName): string {
  const schema = 'schema' in t ? t.schema : undefined;
  return schema && schema !== 'public' ? `${quoteIdent(schema)}.${quoteIdent(t.name)}` : quoteIdent(t.name);
}

export function columnsSql(cols: string[]): string {
  return cols.map(quoteIdent).join(', ');
}

/** A type as it would be written in SQL. */
export function typeSql(t: TypeRef): string {
  const names: Record<string, string> = {
    int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean',
    bpchar: 'char', varchar: 'varchar', timestamptz: 'timestamptz',
  };
  let s = names[t.name] ?? (t.schema && t.schema !== 'pg_catalog' ? `${quoteIdent(t.schema)}.${quoteIdent(t.name)}` : t.name);
  if (t.mods.length) s += `(${t.mods.join(', ')})`;
  if (t.array) s += '[]';
  return s;
}

/** Identifier-safe slug: `orders_tenant_id`. Names are cut to PostgreSQL's 63-byte limit. */
export function identName(...parts: string[]): string {
  const s = parts.join('_').replace(/[^A-Za-z0-9_]+/g, '_').toLowerCase();
  return s.length > 63 ? s.slice(0, 63) : s;
}

/**
 * An edit inserting SQL statements right after `stmt` (after its `;`), each on its own line.
 */
export function insertAfterStatement(text: string, stmt: { span: Span }, sql: string): TextEdit {
  let i = stmt.span.end;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] === ';') {
    return { start: i + 1, end: i + 1, newText: `\n\n${sql}` };
  }
  return { start: stmt.span.end, end: stmt.span.end, newText: `;\n\n${sql}` };
}

/** An edit inserting SQL before `stmt`, keeping the statement's own leading comments with it. */
export function insertBeforeStatement(text: string, stmt: { span: Span }, sql: string): TextEdit {
  const lineStart = text.lastIndexOf('\n', stmt.span.start - 1) + 1;
  const indent = text.slice(lineStart, stmt.span.start);
  if (/^\s*$/.test(indent)) return { start: lineStart, end: lineStart, newText: `${indent}${sql}\n` };
  return { start: stmt.span.start, end: stmt.span.start, newText: `${sql}\n` };
}

/** The statement text with `from` (a statement-relative span) replaced. */
export function replaceIn(stmt: Statement, start: number, end: number, newText: string): TextEdit {
  void stmt;
  return { start, end, newText };
}

/* ---------------- tenancy ---------------- */

/** Tables referenced by another table's tenant column: the tenant registry itself is not tenant-scoped. */
export function tenantRegistries(model: SchemaModel, config: ResolvedConfig): Set<TableModel> {
  const out = new Set<TableModel>();
  for (const t of model.tables.values()) {
    for (const c of t.constraints) {
      if (c.kind !== 'foreign' || c.columns.length !== 1 || !config.tenantColumns.includes(c.columns[0]) || !c.refTable) continue;
      const ref = model.table(c.refTable);
      if (ref && ref !== t) out.add(ref);
    }
  }
  return out;
}

export interface TenantTable {
  table: TableModel;
  column: string;
  /** Where the tenant column was defined: the statement the user must act on. */
  origin: Origin;
}

/** Tenant-scoped tables of the model: a tenantColumns column, not the registry, not temporary. */
export function tenantTables(model: SchemaModel, config: ResolvedConfig): TenantTable[] {
  const registries = tenantRegistries(model, config);
  const out: TenantTable[] = [];
  for (const t of model.tables.values()) {
    if (t.temporary || registries.has(t)) continue;
    // A partition is governed by its partitioned parent's RLS when queried through the parent.
    if (t.partitionOf) continue;
    const column = config.tenantColumns.find((c) => t.columns.has(c));
    if (!column) continue;
    out.push({ table: t, column, origin: t.columns.get(column)!.origin });
  }
  return out;
}

export function related(origin: Origin | undefined, message: string): { file: string; span: Span; message: string }[] {
  return origin ? [{ file: origin.file, span: origin.span, message }] : [];
}

export function fileOf(ctx: SetContext, path: string): FileContext | undefined {
  return ctx.files.find((f) => f.path === path);
}

/** The policy predicate comparing the tenant column with the tenant setting, cast to the column's type. */
export function tenantPredicate(column: string, type: TypeRef, setting: string): string {
  const cast = type.name === 'text' || type.name === 'varchar' ? '' : `::${typeSql({ ...type, mods: [] })}`;
  return `${quoteIdent(column)} = current_setting('${setting.replace(/'/g, "''")}', true)${cast}`;
}

export function tableLabel(t: TableModel): string {
  return displayName(t);
}

// Words that end the type of a column definition and start its constraints.
const COLUMN_CONSTRAINT_WORDS = new Set([
  'constraint', 'not', 'null', 'default', 'primary', 'unique', 'references', 'check', 'collate', 'generated',
  'deferrable', 'initially', 'compression', 'storage',
]);

/**
 * The range of a column's written type inside its definition (`character varying(255)`, `timestamp with time
 * zone`, `text[]`), from `type.start` up to the first constraint word at depth 0. `withCollate` extends it over a
 * `COLLATE name` clause, for fixes that change the type to one that has no collation.
 */
export function columnTypeSpan(text: string, typeStart: number, limit: number, withCollate = false): Span {
  let i = typeStart;
  let end = typeStart;
  let depth = 0;
  while (i < limit) {
    const t = skipTrivia(text, i, limit);
    if (t.pos >= limit) break;
    const e = Math.min(skipToken(text, t.pos), limit);
    const word = text.slice(t.pos, e).toLowerCase();
    if (word === '(' || word === '[') depth++;
    else if (word === ')' || word === ']') depth--;
    else if (depth === 0 && word === ',') break;
    else if (depth === 0 && COLUMN_CONSTRAINT_WORDS.has(word) && t.pos > typeStart) {
      if (word !== 'collate' || !withCollate) break;
      // COLLATE name, possibly schema-qualified.
      let j = e;
      for (;;) {
        const n = skipTrivia(text, j, limit);
        if (n.pos >= limit) break;
        const ne = Math.min(skipToken(text, n.pos), limit);
        end = ne;
        const dot = skipTrivia(text, ne, limit).pos;
        if (text[dot] !== '.') break;
        j = dot + 1;
      }
      i = Math.max(end, e);
      continue;
    }
    if (depth < 0) break;
    end = e;
    i = Math.max(e, t.pos + 1);
  }
  return { start: typeStart, end };
}
