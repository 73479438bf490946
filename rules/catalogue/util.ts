// Helpers shared by rules: names, SQL rendering, insertion points, tenant detection.
import { displayName } from '../model/schema';
import type { SchemaModel } from '../model/schema';
import type { ColumnDef, ConstraintDef, ConstraintModel, Origin, PolicyModel, QName, Span, Statement, TableModel, TypeRef } from '../model/types';
import type { ResolvedConfig, RunnerId } from '../engine/config';
import { followUpMigrationPath } from '../engine/migrations';
import type { FileContext, Fix, RelatedInfo, Report, SetContext, TextEdit } from '../engine/types';
import { normName } from '../project/names';
import { rememberedFor } from '../model/remember';
import { inferRoles } from '../project/roles';
import { inferTenancy } from '../project/tenancy';
import type { Convention, ProjectModel, Runner, TenantKey } from '../project/types';
import { skipToken, skipTrivia } from '../parser/lexer';
import { pushTo } from '../model/group';

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
  // A migration tool's placeholder (`{{ index .Options "Namespace" }}`, `${schema}`) is written as is.
  if (/^(\{\{[\s\S]*\}\}|\$\{[^}]*\})$/.test(name)) return name;
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * A template literal built as one flat string. V8 keeps `${a} on ${b}` as a tree of its pieces, 32 bytes a node, and
 * copies it flat only when something reads it whole (JSON.stringify at output time), into new memory then. A fix's
 * title and SQL live as long as their finding; the 20,000-table check has 40,000 of them.
 */
/** Words for a message: "a", "a and b", "a, b and c"; past `max`, "a, b, c and 2 more". */
export function andList(items: readonly string[], max = Infinity): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown[0] ?? '';
}

export function flat(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  const parts: (string | number)[] = [strings[0]];
  for (let i = 0; i < values.length; i++) parts.push(values[i], strings[i + 1]);
  return parts.join('');
}

/** `schema.table` as SQL, schema omitted for public. */
export function tableSql(t: { schema: string; name: string } | QName): string {
  const schema = 'schema' in t ? t.schema : undefined;
  return schema && schema !== 'public' ? `${quoteIdent(schema)}.${quoteIdent(t.name)}` : quoteIdent(t.name);
}

/** `s` matched literally inside a regular expression. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function columnsSql(cols: readonly string[]): string {
  return cols.map(quoteIdent).join(', ');
}

/** A type as it would be written in SQL. */
export function typeSql(t: TypeRef): string {
  const names: Record<string, string> = {
    int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean',
    bpchar: 'char', varchar: 'varchar', timestamptz: 'timestamptz',
  };
  // A user type whose name needs quotes (`"TaskRunStatus"`) keeps them; lower-case names and PostgreSQL's own print bare.
  const bare = (n: string) => (/^[a-z_][a-z0-9_$ ]*$/.test(n) ? n : quoteIdent(n));
  let s = names[t.name] ?? (t.schema && t.schema !== 'pg_catalog' ? `${quoteIdent(t.schema)}.${quoteIdent(t.name)}` : bare(t.name));
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
 * An edit inserting SQL statements right after `stmt` (after its `;`): after a blank line, as a block of their own,
 * or (`blankLine: false`) on the next line, as the rest of the statement's own change.
 */
export function insertAfterStatement(text: string, stmt: { span: Span }, sql: string, { blankLine = true } = {}): TextEdit {
  const gap = blankLine ? '\n\n' : '\n';
  let i = stmt.span.end;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] === ';') return { start: i + 1, end: i + 1, newText: flat`${gap}${sql}` };
  return { start: stmt.span.end, end: stmt.span.end, newText: flat`;${gap}${sql}` };
}

/** An edit inserting SQL before `stmt`, keeping the statement's own leading comments with it. */
export function insertBeforeStatement(text: string, stmt: { span: Span }, sql: string): TextEdit {
  const lineStart = text.lastIndexOf('\n', stmt.span.start - 1) + 1;
  const indent = text.slice(lineStart, stmt.span.start);
  if (/^\s*$/.test(indent)) return { start: lineStart, end: lineStart, newText: `${indent}${sql}\n` };
  return { start: stmt.span.start, end: stmt.span.start, newText: `${sql}\n` };
}

/* ---------------- tenancy ---------------- */

export interface TenantTable {
  table: TableModel;
  column: string;
  /** Where the tenant column was defined: the statement the user must act on. */
  origin: Origin;
  key: TenantKey;
}

/**
 * The tenant-scoped tables of the project model, with their key. Built once per project model: a dozen set rules ask
 * for it, and each copy of 20,000 tables was 20,000 new objects.
 */
export const tenantTablesOf: (project: ProjectModel) => readonly TenantTable[] = rememberedFor((project: ProjectModel) =>
  Object.freeze([...project.tenancy.keys.values()].map((key) => ({ table: key.table, column: key.column, origin: key.origin, key }))));

/** Tenant-scoped tables of a final model, inferred as the project model does (for front ends without a SetResult). */
export function tenantTables(model: SchemaModel, config: ResolvedConfig): readonly TenantTable[] {
  const roles = inferRoles(model, config, []);
  return tenantTablesOf({ tenancy: inferTenancy(model, config, roles) } as ProjectModel);
}

const tenantNames = rememberedFor((columns: readonly string[]) => new Set(columns.map(normName)));

/** A table whose rows belong to a user rather than a tenant: its policies key them on the signed-in user. */
export interface UserTable {
  table: TableModel;
  /** The column the policies compare with the signed-in user (`user_id` in `auth.uid() = user_id`). */
  column: string;
  /** The policy that shows it. */
  policy: PolicyModel;
}

/** The user's id in a policy: Supabase's auth.uid(), or a setting that names a user (`app.current_user_id`). */
function readsUser(p: PolicyModel, config: ResolvedConfig): boolean {
  if (p.functions?.includes('auth.uid')) return true;
  const own = config.tenantContext?.userSetting;
  return p.settings.some((s) => s === own || /(^|[._])(user|uid|sub)([._]|id|$)/i.test(s.split('.').slice(1).join('.')));
}

/**
 * Tables with row-level security, not tenant-scoped, whose USING or WITH CHECK compares a column with the signed-in
 * user in its top-level AND (`auth.uid() = user_id`): each user is the "tenant" of its rows, and the isolation proof
 * probes them as two users. The most common case of a Supabase project (a todo list, a profile, a message).
 */
export function userTables(model: SchemaModel, config: ResolvedConfig,
  tenant: ReadonlySet<TableModel> = new Set(tenantTables(model, config).map((t) => t.table))): UserTable[] {
  const out: UserTable[] = [];
  for (const table of model.tables.values()) {
    const u = tenant.has(table) ? undefined : userKeyOf(table, config);
    if (u) out.push(u);
  }
  return out;
}

/** The owner column of a table with row-level security whose policies key rows on the signed-in user (see userTables). */
export function userKeyOf(table: TableModel, config: ResolvedConfig): UserTable | undefined {
  if (!table.rlsEnabled || table.temporary) return undefined;
  for (const p of table.policies) {
    const column = readsUser(p, config) ? [...p.usingKeys ?? [], ...p.checkKeys ?? []].find((c) => table.columns.has(c)) : undefined;
    if (column) return { table, column, policy: p };
  }
  return undefined;
}

/** Every column of the table that holds a tenant (its key, and other tenant-named columns such as team_id inside org_id). */
export function tenantColumnsOf(table: TableModel, config: ResolvedConfig, key?: string): string[] {
  const names = tenantNames(config.tenantColumns);
  const out: string[] = [];
  let hasKey = false;
  for (const c of table.columns.keys()) {
    if (!names.has(normName(c))) continue;
    out.push(c);
    if (c === key) hasKey = true;
  }
  if (key && !hasKey) out.unshift(key);
  return out;
}

/** The definition of `column` in the CREATE TABLE / ADD COLUMN statement that created it. */
export function findColumnDef(stmt: Statement | undefined, column: string): ColumnDef | undefined {
  for (const a of stmt?.actions ?? []) {
    if (a.type === 'create-table') {
      const c = a.columns.find((x) => x.name === column);
      if (c) return c;
    }
    if (a.type === 'add-column' && a.column.name === column) return a.column;
  }
  return undefined;
}

/** The statement's action that created the column: `create-table` or `add-column`. */
export function columnCreatedBy(stmt: Statement | undefined, column: string): 'create-table' | 'add-column' | undefined {
  for (const a of stmt?.actions ?? []) {
    if (a.type === 'create-table' && a.columns.some((x) => x.name === column)) return 'create-table';
    if (a.type === 'add-column' && a.column.name === column) return 'add-column';
  }
  return undefined;
}

/**
 * The written definition of a constraint of the model, inside the statement that declared it: the one of its name,
 * else an unnamed one of its kind and columns, else (renamed since) a named one of its kind and columns.
 */
export function findConstraintDef(stmt: Statement | undefined, c: ConstraintModel): ConstraintDef | undefined {
  // The first named alike, else the first unnamed on the same columns, else the first on the same columns; without
  // building the list of the statement's constraints (set rules ask for thousands).
  let unnamed: ConstraintDef | undefined;
  let same: ConstraintDef | undefined;
  const consider = (d: ConstraintDef): boolean => {
    if (d.kind !== c.kind) return false;
    if (d.name !== undefined && d.name === c.name) return true;
    if ((!unnamed || !same) && d.columns.length === c.columns.length && d.columns.every((x, i) => x === c.columns[i])) {
      same ??= d;
      if (!d.name) unnamed ??= d;
    }
    return false;
  };
  for (const a of stmt?.actions ?? []) {
    if (a.type === 'create-table') {
      for (const d of a.constraints) if (consider(d)) return d;
      for (const col of a.columns) for (const d of col.constraints) if (consider(d)) return d;
    } else if (a.type === 'add-column') {
      for (const d of a.column.constraints) if (consider(d)) return d;
    } else if (a.type === 'add-constraint' && consider(a.constraint)) return a.constraint;
  }
  return unnamed ?? same;
}

/**
 * Compares origins in apply order: the order of their files in the set, then their position in the file. One
 * comparison per file list (an analysis has one): rules ask for it per pair of indexes, 800 files each time.
 */
export const applyOrder = rememberedFor((files: readonly { path: string }[]): ((a: Origin, b: Origin) => number) => {
  const order = new Map(files.map((f, i) => [f.path, i]));
  return (a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.span.start - b.span.start;
});

/** The latest of several origins in apply order: where a fact made of all of them became true. */
export function latestOrigin(files: readonly { path: string }[], ...origins: (Origin | undefined)[]): Origin | undefined {
  const cmp = applyOrder(files);
  return origins.reduce<Origin | undefined>((best, o) => (o && (!best || cmp(o, best) > 0) ? o : best), undefined);
}

export function related(origin: Origin | undefined, message: string): { file: string; span: Span; message: string }[] {
  return origin ? [{ file: origin.file, span: origin.span, message }] : [];
}

export function fileOf(ctx: SetContext, path: string): FileContext | undefined {
  return filesByPath(ctx.files).get(path);
}
const filesByPath = rememberedFor((files: readonly FileContext[]) => {
  const byPath = new Map<string, FileContext>();
  for (const f of files) if (!byPath.has(f.path)) byPath.set(f.path, f);
  return byPath;
});

/** The policy predicate comparing the tenant column with the tenant setting, cast to the column's type. */
export function tenantPredicate(column: string, type: TypeRef, setting: string): string {
  const cast = type.name === 'text' || type.name === 'varchar' ? '' : `::${typeSql({ ...type, mods: [] })}`;
  // NULLIF: once a transaction has SET LOCAL the setting, the session keeps it as '' afterwards, and ''::uuid is an
  // error on every query; NULL matches no row instead (fail closed). (SELECT …): read once per statement, not once
  // per row (no-per-row-policy-call).
  return `${quoteIdent(column)} = NULLIF((SELECT current_setting('${setting.replace(/'/g, "''")}', true)), '')${cast}`;
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

/**
 * One finding for a project-wide choice (rules/project/conventions.ts): on its first place, the others as related
 * locations. Empty when the project has no such convention.
 */
export function conventionReport<M extends string>(ctx: SetContext, id: Convention['id'], messageId: M): Report<M>[] {
  const conv = ctx.project.conventions.get(id);
  if (!conv) return [];
  const [first, ...rest] = conv.places;
  const stmt = ctx.statementAt(first);
  const span = stmt?.span ?? first.span;
  // One related location per statement (a CREATE TABLE with two such columns is one place), not the finding's own.
  const seen = new Set([`${first.file}\0${span.start}`]);
  const related: RelatedInfo[] = [];
  for (const o of [...rest].sort(applyOrder(ctx.files))) {
    if (related.length >= 50) break;
    const at = ctx.statementAt(o)?.span ?? o.span;
    const key = `${o.file}\0${at.start}`;
    if (seen.has(key)) continue;
    seen.add(key);
    related.push({ file: o.file, span: at, message: 'the same choice here' });
  }
  return [{ file: first.file, span, statement: stmt, messageId, data: { count: conv.count }, related }];
}

/**
 * The tool can run a new migration outside a transaction (with the opt-out `standaloneMigration` writes, or because
 * it runs a one-statement file as it is). Not a tool that wraps every file and has no per-file opt-out
 * (`assumeInTransaction`, Drizzle, gobuffalo/pop, ory/popx without `.autocommit.` files): a statement that refuses a
 * transaction cannot run there.
 */
export function runsMigrationAlone(runner: Pick<Runner, 'id' | 'autocommitFiles'>, config: Pick<ResolvedConfig, 'assumeInTransaction'>): boolean {
  const optOut = ['goose', 'dbmate', 'atlas', 'postgres-migrations', 'graphile-migrate', 'sqlx'].includes(runner.id) || runner.autocommitFiles === true;
  return optOut || !(config.assumeInTransaction || runner.id === 'drizzle' || runner.id === 'popx');
}

/** Where a migration that must run outside a transaction goes: popx reads the opt-out from the name (`.autocommit.`). */
export function standalonePath(runner: Pick<Runner, 'id' | 'autocommitFiles'>, path: string): string {
  return runner.id === 'popx' && runner.autocommitFiles ? path.replace(/\.up\.sql$/i, '.autocommit.up.sql') : path;
}

/**
 * A file that the migration tool runs outside a transaction, holding `sql` alone: the tool's own opt-out header
 * (docs/runners.md), since CREATE INDEX CONCURRENTLY and its kind refuse a transaction block.
 */
export function standaloneMigration(runner: RunnerId, sql: string): string {
  switch (runner) {
    case 'goose': return `-- +goose Up\n-- +goose NO TRANSACTION\n${sql}\n`;
    case 'dbmate': return `-- migrate:up transaction:false\n${sql}\n\n-- migrate:down\n`;
    case 'atlas': return `-- atlas:txmode none\n\n${sql}\n`;
    case 'postgres-migrations': return `-- postgres-migrations disable-transaction\n${sql}\n`;
    case 'graphile-migrate': return `--! no-transaction\n${sql}\n`;
    case 'sqlx': return `-- no-transaction\n${sql}\n`;
    default: return `${sql}\n`;
  }
}

/** The paths of a set's files, one array per set (followUpMigrationPath indexes the names it is given once per array). */
const setPaths = rememberedFor((files: readonly FileContext[]) => files.map((f) => f.path));

/**
 * The fix that adds an index a set-level rule asks for, after `stmt`. On a table created in the same file the plain
 * CREATE INDEX is safe. On an existing table it must be built CONCURRENTLY, which cannot share a transaction: right
 * after the statement when it runs alone, else in a follow-up migration that the tool runs without a transaction.
 */
export function addIndexFix(ctx: SetContext, stmt: Statement, table: TableModel, columns: readonly string[], name: string, title: string): { fix?: Fix; sql: string } | undefined {
  const file = fileOf(ctx, stmt.file);
  if (!file) return undefined;
  const created = table.created.file === stmt.file;
  const plain = flat`CREATE INDEX ${quoteIdent(name)} ON ${tableSql(table)} (${columnsSql(columns)});`;
  if (created) return { sql: plain, fix: { title, safe: true, edits: [insertAfterStatement(file.text, stmt, plain)] } };
  const sql = flat`CREATE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${tableSql(table)} (${columnsSql(columns)});`;
  const facts = ctx.factsAt(stmt);
  const mode = ctx.project.runner.fileMode(stmt.file).mode;
  if (!facts?.inTransaction && mode === 'none') return { sql, fix: { title, safe: false, edits: [insertAfterStatement(file.text, stmt, sql)] } };
  if (!runsMigrationAlone(ctx.project.runner, ctx.config)) return { sql, fix: undefined };
  const path = standalonePath(ctx.project.runner, followUpMigrationPath(stmt.file, setPaths(ctx.files), identName('index', name)));
  return {
    sql: `-- ${migrationName(path)} (a migration of its own: CONCURRENTLY cannot run in a transaction)\n${sql}`,
    fix: { title: `${title} (CONCURRENTLY, in a new migration ${path.slice(path.lastIndexOf('/', path.lastIndexOf('/') - 1) + 1)})`, safe: false, edits: [{ file: path, start: 0, end: 0, newText: standaloneMigration(ctx.project.runner.id, sql) }] },
  };
}

/**
 * Columns that pin a row to one tenant: its tenant columns, and columns that point at a row of another tenant table
 * (a foreign key to it, or a name such as `"runtimeEnvironmentId"` for the table `RuntimeEnvironment` where the
 * project dropped the foreign key). A key or index leading with one of them is tenant-scoped through that parent.
 */
export function tenantPinningColumns(ctx: Pick<SetContext, 'project' | 'config' | 'model'>, table: TableModel, key: string): string[] {
  const { tenants, byName } = tenantIndex(ctx.project);
  // A handful of names: an array kept free of repeats, in the order they are found.
  const out = tenantColumnsOf(table, ctx.config, key);
  const add = (col: string) => { if (!out.includes(col)) out.push(col); };
  for (const c of table.constraints) {
    if (c.kind !== 'foreign' || c.columns.length !== 1 || !c.refTable) continue;
    const target = ctx.model.table(c.refTable);
    if (target && target !== table && tenants.has(target)) add(c.columns[0]);
  }
  for (const col of table.columns.keys()) if (byName.get(normName(col))?.some((t) => t !== table)) add(col);
  return out;
}

/** The project's tenant tables, and each by the column name that points at it (`runtimeEnvironmentId`), once per project. */
const tenantIndex = rememberedFor((project: ProjectModel) => {
  const tables = tenantTablesOf(project).map((t) => t.table);
  const byName = new Map<string, TableModel[]>();
  for (const t of tables) {
    const name = `${normName(t.name).replace(/s$/, '')}id`;
    pushTo(byName, name, t);
  }
  return { tenants: new Set(tables), byName };
});

/**
 * A migration's name as its folder shows it, for the comments of a recipe (the paths the analysis is given are
 * absolute, and a follow-up lies beside its migration); with that folder when every migration has the same file name
 * (Prisma's `<timestamp>_<name>/migration.sql`).
 */
export function migrationName(path: string): string {
  const parts = path.split('/');
  const base = parts.pop()!;
  return /^(migration|up|down)\.sql$/i.test(base) && parts.length ? `${parts.pop()}/${base}` : base;
}
