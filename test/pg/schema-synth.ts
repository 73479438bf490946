/**
 * Synthesises the schema a migration case relies on but does not create itself, so that the case can run on a
 * fresh embedded database: tables with the columns the statements mention (index, constraint, foreign-key,
 * altered / renamed / dropped, policy and CHECK columns, as far as the typed model exposes them), the tables
 * foreign keys reference (with a key on the referenced columns), indexes, constraints and policies that are
 * dropped, validated or renamed, partitions that are detached, materialized views that are refreshed, enum
 * types that get a value, trigger functions, schemas, roles and the tenant setting.
 *
 * The statements are replayed into a SchemaModel (the analysis core's own): whatever an action references and
 * the model does not know at that point is synthesised, and added to the model so that later statements
 * (renames, drops, ALTER … RENAME … and the view a fix puts in place of a renamed table) see it. Several
 * versions of one case (the original and each fixed migration set) share one synthesis: they all run on the
 * same starting schema.
 */
import {
  SchemaModel, tableKey, type Action, type ColumnDef, type ConstraintDef, type Origin, type QName, type Statement,
  type TableModel, type TypeRef,
} from '../../rules';
import { defaultConstraintName } from '../../rules/model/names';

/** One statement of a version, with the text of its file (spans are file offsets). */
export interface CaseStatement {
  stmt: Statement;
  fileText: string;
}

interface SynthColumn {
  name: string;
  /** A type the case implies (a foreign-key partner, a cast in a policy, a declared FK column). */
  type?: string;
  /** A weaker hint (compared with a number in a CHECK). */
  hint?: string;
  /** Same type as this (synthesised) referenced column. */
  sameAs?: { table: SynthTable; column: string };
}

interface SynthTable {
  schema: string;
  name: string;
  columns: Map<string, SynthColumn>;
  /** Column lists that must be unique because a foreign key references them; the first is the primary key. */
  keys: string[][];
  partitioned: boolean;
  partitionOf?: SynthTable;
  /** `dropConcurrently`: the case drops it CONCURRENTLY, which PostgreSQL refuses for a partitioned index. */
  indexes: Map<string, { unique: boolean; columns: string[]; dropConcurrently?: boolean }>;
  constraints: Set<string>;
  policies: Set<string>;
}

/** Tables the engine's Supabase environment creates when the input names their schema. */
const ENV_TABLES: Record<string, Record<string, string>> = {
  'auth.users': { id: 'uuid', email: 'varchar(255)', phone: 'text', role: 'varchar(255)', created_at: 'timestamptz' },
  'storage.buckets': { id: 'text', name: 'text', owner: 'uuid', public: 'boolean' },
  'storage.objects': { id: 'uuid', bucket_id: 'text', name: 'text', owner: 'uuid', owner_id: 'text', metadata: 'jsonb' },
};

/** Roles the engine's environment always provides. */
const ENV_ROLES = new Set(['anon', 'authenticated', 'service_role', 'postgres']);
const PSEUDO_ROLES = new Set(['public', 'current_user', 'session_user', 'current_role', '']);

const BUILTIN_TYPES = new Set([
  'int2', 'int4', 'int8', 'serial', 'bigserial', 'smallserial', 'float4', 'float8', 'numeric', 'money', 'text', 'varchar',
  'bpchar', 'char', 'name', 'bool', 'uuid', 'json', 'jsonb', 'xml', 'bytea', 'date', 'time', 'timetz', 'timestamp',
  'timestamptz', 'interval', 'inet', 'cidr', 'macaddr', 'macaddr8', 'bit', 'varbit', 'tsvector', 'tsquery', 'point',
  'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'oid', 'regclass', 'regtype', 'regproc', 'regprocedure',
  'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange', 'int4multirange', 'int8multirange',
  'nummultirange', 'tsmultirange', 'tstzmultirange', 'datemultirange', 'record', 'void', 'trigger', 'anyelement',
  'pg_lsn', 'txid_snapshot', 'pg_snapshot', 'jsonpath', 'float', 'real', 'double', 'decimal', 'integer', 'smallint',
  'bigint', 'boolean', 'character', 'time with time zone', 'timestamp with time zone',
]);

const ORIGIN: Origin = { file: '<synthesised setup>', span: { start: 0, end: 0 } };

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A TypeRef as SQL (serial types become their integer type: the column of a referenced key). */
export function typeSql(t: TypeRef): string {
  const serial: Record<string, string> = { serial: 'int4', bigserial: 'int8', smallserial: 'int2' };
  const name = serial[t.name] ?? t.name;
  const schema = t.schema && t.schema !== 'pg_catalog' ? `${ident(t.schema)}.` : '';
  const base = schema ? ident(name) : name;
  return `${schema}${base}${t.mods.length ? `(${t.mods.join(', ')})` : ''}${t.array ? '[]' : ''}`;
}

/** The type a column of that name plausibly has in a schema we did not see. */
function typeFromName(name: string): string {
  const n = name.toLowerCase();
  if (n === 'id' || /_id$/.test(n) || /[a-z]Id$/.test(name)) return 'bigint';
  if (/_at$/.test(n)) return 'timestamptz';
  if (/(_on|_date|^date)$/.test(n)) return 'date';
  if (/^(is|has)_/.test(n)) return 'boolean';
  if (/^(total|amount|price|preis|quantity|qty|count|discount|balance|cost|n|betrag|menge)$/.test(n)) return 'numeric';
  return 'text';
}

const ID = '(?:"(?:[^"]|"")+"|[A-Za-z_][\\w$]*)';
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex that matches a column reference in SQL text, quoted or (when it can be) unquoted. */
function columnRe(col: string): string {
  const quoted = `"${escapeRe(col.replace(/"/g, '""'))}"`;
  return /^[a-z_][a-z0-9_$]*$/.test(col) ? `(?:${quoted}|(?<![\\w$."])${escapeRe(col)}(?![\\w$]))` : quoted;
}

/**
 * Types an expression implies for the columns it compares: `col = current_setting(…)::uuid` → uuid,
 * `col = auth.uid()` → uuid, `col >= 0` → numeric (weak).
 */
function expressionHints(text: string | undefined, columns: string[]): Map<string, { type?: string; hint?: string }> {
  const out = new Map<string, { type?: string; hint?: string }>();
  if (!text) return out;
  const op = '(?:=|<>|!=|>=|<=|>|<)';
  const operand = `((?:${ID}\\s*\\.\\s*)*${ID}\\s*\\([^()]*(?:\\([^()]*\\)[^()]*)*\\)|'(?:[^']|'')*'|-?\\d+(?:\\.\\d+)?|${ID}(?:\\s*\\.\\s*${ID})*)(\\s*::\\s*[\\w.]+)?`;
  for (const col of columns) {
    const c = columnRe(col);
    const found: string[] = [];
    for (const m of text.matchAll(new RegExp(`${c}\\s*${op}\\s*${operand}`, 'gi'))) found.push(m[1] + (m[2] ?? ''));
    for (const m of text.matchAll(new RegExp(`${operand}\\s*${op}\\s*${c}`, 'gi'))) found.push(m[1] + (m[2] ?? ''));
    for (const f of found) {
      const cast = /::\s*([\w.]+)\s*$/.exec(f);
      if (cast) { out.set(col, { type: cast[1].toLowerCase() }); break; }
      if (/^auth\s*\.\s*uid\s*\(/i.test(f)) { out.set(col, { type: 'uuid' }); break; }
      if (/^-?\d/.test(f)) out.set(col, { hint: 'numeric' });
    }
  }
  return out;
}

/** Column names inside an index element list entry: `name` or `(a,b)` for an expression. */
function indexElementColumns(el: string): string[] {
  if (!el.startsWith('(')) return [el];
  return el.slice(1, -1).split(',').filter((c) => c && c !== 'expr' && c !== '?');
}

function columnDef(name: string): ColumnDef {
  return {
    name, type: { name: 'synth', mods: [], array: false, start: 0 }, notNull: false, defaultKind: 'none', identity: false,
    generatedStored: false, constraints: [], span: { start: 0, end: 0 },
  };
}

function checkConstraint(name: string): ConstraintDef {
  return { kind: 'check', name, columns: [], notValid: true, inline: false, span: { start: 0, end: 0 } };
}

/** The schema objects a case needs, merged over the versions walked. */
export class SchemaSynth {
  private readonly tables = new Map<string, SynthTable>();
  private readonly schemas = new Set<string>();
  private readonly createdSchemas = new Set<string>();
  private readonly roles = new Set<string>();
  private readonly createdRoles = new Set<string>();
  private readonly createdTypes = new Set<string>();
  private readonly createdTables = new Set<string>();
  private readonly createdFunctions = new Set<string>();
  private readonly functions = new Map<string, { schema: string; name: string; trigger: boolean }>();
  private readonly enums = new Map<string, { schema: string; name: string }>();
  private readonly domains = new Map<string, { schema: string; name: string }>();
  private readonly matviews = new Map<string, { schema: string; name: string }>();
  private usesExtensions = false;
  private tenantSettingType?: string;
  private tenantSettingUsed = false;

  constructor(private readonly tenantSetting: string) {}

  /** Records what the versions create themselves (so that it is not synthesised). Call before walk(). */
  prescan(stmts: CaseStatement[]): void {
    for (const { stmt } of stmts) {
      const t = stmt.text;
      for (const a of stmt.actions) {
        if (a.type === 'create-schema') this.createdSchemas.add(a.name);
        if (a.type === 'create-extension') this.usesExtensions = true;
        if (a.type === 'create-table') this.createdTables.add(tableKey(a.table.schema ?? 'public', a.table.name));
        if (a.type === 'create-function') this.createdFunctions.add(tableKey(a.fn.name.schema ?? 'public', a.fn.name.name));
      }
      for (const m of t.matchAll(new RegExp(`create\\s+(?:role|user|group)\\s+(?:if\\s+not\\s+exists\\s+)?(${ID})`, 'gi'))) {
        this.createdRoles.add(unquote(m[1]));
      }
      for (const m of t.matchAll(new RegExp(`create\\s+(?:type|domain)\\s+(?:(${ID})\\s*\\.\\s*)?(${ID})`, 'gi'))) {
        this.createdTypes.add(unquote(m[2]));
      }
      if (t.includes(this.tenantSetting)) {
        this.tenantSettingUsed = true;
        const cast = new RegExp(`current_setting\\s*\\(\\s*'${escapeRe(this.tenantSetting)}'[^)]*\\)\\s*::\\s*(\\w+)`, 'i').exec(t);
        if (cast) this.tenantSettingType ??= cast[1].toLowerCase();
      }
    }
  }

  /**
   * Replays one version's statements into a fresh model and synthesises what they reference but the model
   * does not hold. Returns, per statement, the synthesised tables it touched (for repairs).
   */
  walk(stmts: CaseStatement[]): SynthTable[][] {
    const model = new SchemaModel();
    const synthOf = new Map<TableModel, SynthTable>();
    const touched: SynthTable[][] = [];
    // Constraints the version adds itself (NOT NULL constraints are not in the model).
    const added = new Set<string>();
    for (const cs of stmts) {
      const mine = new Set<SynthTable>();
      const w = new Walk(this, model, synthOf, mine, cs, added);
      for (const a of cs.stmt.actions) {
        if (a.type === 'add-constraint') added.add(a.constraint.name ?? defaultConstraintName(a.table.name, a.constraint));
        if (a.type === 'create-table') for (const c of a.constraints) added.add(c.name ?? defaultConstraintName(a.table.name, c));
        w.action(a);
        model.apply(a, { file: cs.stmt.file, span: cs.stmt.span });
      }
      touched.push([...mine]);
    }
    return touched;
  }

  /* ---------- used by Walk ---------- */

  synthTable(schema: string, name: string): SynthTable | undefined {
    const key = tableKey(schema, name);
    let s = this.tables.get(key);
    if (!s) {
      if (this.createdTables.has(key)) return undefined;
      this.needSchema(schema);
      s = { schema, name, columns: new Map(), keys: [], partitioned: false, indexes: new Map(), constraints: new Set(), policies: new Set() };
      this.tables.set(key, s);
    }
    return s;
  }

  isCreated(schema: string, name: string): boolean {
    return this.createdTables.has(tableKey(schema, name));
  }

  findSynth(name: string, schema?: string): SynthTable | undefined {
    if (schema) return this.tables.get(tableKey(schema, name));
    return this.tables.get(tableKey('public', name)) ?? [...this.tables.values()].find((t) => t.name === name);
  }

  needSchema(name: string | undefined): void {
    if (!name || name === 'public' || name === 'pg_catalog' || name === 'information_schema' || this.createdSchemas.has(name)) return;
    this.schemas.add(name);
  }

  needRole(name: string): void {
    if (PSEUDO_ROLES.has(name) || ENV_ROLES.has(name) || this.createdRoles.has(name)) return;
    this.roles.add(name);
  }

  needFunction(schema: string, name: string, trigger: boolean): void {
    const key = tableKey(schema, name);
    if (this.createdFunctions.has(key)) return;
    this.needSchema(schema);
    this.functions.set(key, { schema, name, trigger });
  }

  needEnum(schema: string, name: string): void {
    if (this.createdTypes.has(name)) return;
    this.needSchema(schema);
    this.enums.set(tableKey(schema, name), { schema, name });
  }

  needType(t: TypeRef, defaultSchema: string): void {
    if (t.schema === 'pg_catalog' || BUILTIN_TYPES.has(t.name) || this.createdTypes.has(t.name) || this.usesExtensions) return;
    const schema = t.schema ?? defaultSchema;
    if (this.enums.has(tableKey(schema, t.name))) return;
    this.needSchema(schema);
    this.domains.set(tableKey(schema, t.name), { schema, name: t.name });
  }

  needMatview(schema: string, name: string): void {
    this.needSchema(schema);
    this.matviews.set(tableKey(schema, name), { schema, name });
  }

  /**
   * Repairs the synthesis from an error of the original migration on the database: a column, relation, role
   * or type that does not exist. `touched` are the synthesised tables of the failing statement. Returns
   * whether anything was added.
   */
  repair(error: { message: string; code?: string }, touched: SynthTable[]): boolean {
    const msg = error.message;
    let m = /^column "((?:[^"]|"")+)" of relation "((?:[^"]|"")+)" does not exist/.exec(msg);
    if (m) {
      const t = this.findSynth(m[2]);
      return Boolean(t) && addColumn(t!, m[1]);
    }
    m = /^column "((?:[^"]|"")+)"(?: named in key| referenced in foreign key constraint)? does not exist/.exec(msg);
    if (m) {
      const t = touched[0];
      return Boolean(t) && addColumn(t, m[1]);
    }
    m = /^relation "((?:[^"]|"")+)" does not exist/.exec(msg);
    if (m) {
      const [schema, name] = m[1].includes('.') ? m[1].split('.', 2) : ['public', m[1]];
      if (this.tables.has(tableKey(schema, name))) return false;
      return Boolean(this.synthTable(schema, name));
    }
    m = /^column "((?:[^"]|"")+)" is of type \S+ but expression is of type (.+)$/.exec(msg);
    if (m) {
      // The column's type was guessed wrong: take the one the statement writes into it.
      const col = m[1];
      const type = m[2];
      const owners = [...touched, ...this.tables.values()].filter((t) => t.columns.has(col));
      const c = owners[0]?.columns.get(col);
      if (!c || c.type === type) return false;
      c.type = type;
      return true;
    }
    m = /^role "((?:[^"]|"")+)" does not exist/.exec(msg);
    if (m && !this.roles.has(m[1])) {
      this.needRole(m[1]);
      return this.roles.has(m[1]);
    }
    return false;
  }

  /** The setup statements, in dependency order. */
  setup(): string[] {
    const out: string[] = [];
    for (const s of [...this.schemas].sort()) out.push(`CREATE SCHEMA IF NOT EXISTS ${ident(s)}`);
    for (const r of [...this.roles].sort()) {
      out.push(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${literal(r)}) THEN CREATE ROLE ${ident(r)} NOLOGIN; END IF; END $$`);
    }
    for (const e of this.enums.values()) out.push(`CREATE TYPE ${qualified(e.schema, e.name)} AS ENUM ('synthesised')`);
    for (const d of this.domains.values()) out.push(`CREATE DOMAIN ${qualified(d.schema, d.name)} AS text`);
    for (const f of this.functions.values()) {
      out.push(f.trigger
        ? `CREATE FUNCTION ${qualified(f.schema, f.name)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`
        : `CREATE FUNCTION ${qualified(f.schema, f.name)}() RETURNS void LANGUAGE sql AS $$ SELECT $$`);
    }
    const tables = [...this.tables.values()];
    // A partition has its parent's columns: what the statements need of it goes to the parent.
    for (const t of tables) {
      if (!t.partitionOf) continue;
      for (const c of t.columns.values()) if (!t.partitionOf.columns.has(c.name)) t.partitionOf.columns.set(c.name, { ...c });
    }
    const partitionNumber = new Map<SynthTable, number>();
    for (const t of [...tables.filter((x) => !x.partitionOf), ...tables.filter((x) => x.partitionOf)]) {
      if (t.partitionOf) {
        const parent = t.partitionOf;
        const k = (partitionNumber.get(parent) ?? 0) + 1;
        partitionNumber.set(parent, k);
        const keyType = resolveType(parent, 'id');
        const value = keyType === 'uuid' ? `'00000000-0000-0000-0000-${String(k).padStart(12, '0')}'` : keyType === 'bigint' || keyType === 'int8' ? String(k) : `'${k}'`;
        out.push(`CREATE TABLE ${qualified(t.schema, t.name)} PARTITION OF ${qualified(parent.schema, parent.name)} FOR VALUES IN (${value})`);
        continue;
      }
      if (t.partitioned && !t.columns.has('id')) t.columns.set('id', { name: 'id' });
      const cols = [...t.columns.values()].map((c) => `${ident(c.name)} ${resolveType(t, c.name)}`);
      const keys = t.keys.map((k, i) => `${i === 0 ? 'PRIMARY KEY' : 'UNIQUE'} (${k.map(ident).join(', ')})`);
      const partition = t.partitioned ? ' PARTITION BY LIST ("id")' : '';
      out.push(`CREATE TABLE ${qualified(t.schema, t.name)} (${[...cols, ...keys].join(', ')})${partition}`);
    }
    for (const v of this.matviews.values()) {
      // A view someone refreshes CONCURRENTLY has a unique index; one refreshed plainly may as well.
      out.push(`CREATE MATERIALIZED VIEW ${qualified(v.schema, v.name)} AS SELECT 1::bigint AS id`);
      out.push(`CREATE UNIQUE INDEX ON ${qualified(v.schema, v.name)} (id)`);
    }
    for (const t of tables) {
      for (const [name, i] of t.indexes) {
        if (i.dropConcurrently && t.partitioned) {
          // Not on the partitioned table: on a table of its own, as the statement needs it.
          const helper = qualified(t.schema, `${name}_table`);
          out.push(`CREATE TABLE ${helper} ("id" bigint)`, `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${ident(name)} ON ${helper} ("id")`);
          continue;
        }
        out.push(`CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${ident(name)} ON ${qualified(t.schema, t.name)} (${i.columns.map(ident).join(', ')})`);
      }
      for (const c of t.constraints) out.push(`ALTER TABLE ${qualified(t.schema, t.name)} ADD CONSTRAINT ${ident(c)} CHECK (true) NOT VALID`);
      for (const p of t.policies) out.push(`CREATE POLICY ${ident(p)} ON ${qualified(t.schema, t.name)} USING (true)`);
    }
    if (this.tenantSettingUsed) {
      const value = this.tenantSettingType === 'uuid' ? '00000000-0000-0000-0000-000000000001' : '1';
      out.push(`SELECT pg_catalog.set_config(${literal(this.tenantSetting)}, ${literal(value)}, false)`);
    }
    return out;
  }

  /** What was synthesised, in words. */
  describe(): string {
    const parts = [
      ...[...this.tables.values()].map((t) => `${t.partitionOf ? 'partition' : t.partitioned ? 'partitioned table' : 'table'} ${t.schema}.${t.name}(${[...t.columns.keys()].join(', ')})`),
      ...[...this.matviews.values()].map((v) => `matview ${v.schema}.${v.name}`),
      ...[...this.roles].map((r) => `role ${r}`),
      ...[...this.functions.values()].map((f) => `function ${f.schema}.${f.name}()`),
      ...[...this.enums.values()].map((e) => `enum ${e.schema}.${e.name}`),
      ...[...this.domains.values()].map((d) => `domain ${d.schema}.${d.name}`),
    ];
    return parts.join('; ') || 'nothing';
  }
}

function unquote(id: string): string {
  return id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id.toLowerCase();
}

function addColumn(t: SynthTable, name: string): boolean {
  if (t.columns.has(name)) return false;
  t.columns.set(name, { name });
  return true;
}

function resolveType(t: SynthTable, column: string, depth = 0): string {
  const c = t.columns.get(column);
  if (!c) return typeFromName(column);
  if (c.type) return c.type;
  if (c.sameAs && depth < 8) return resolveType(c.sameAs.table, c.sameAs.column, depth + 1);
  const byName = typeFromName(column);
  if (c.hint === 'numeric' && byName === 'text') return 'numeric';
  return byName;
}

/** The walk of one statement: synthesises what its actions reference. */
class Walk {
  constructor(
    private readonly synth: SchemaSynth,
    private readonly model: SchemaModel,
    private readonly synthOf: Map<TableModel, SynthTable>,
    private readonly touched: Set<SynthTable>,
    private readonly cs: CaseStatement,
    private readonly added: Set<string>,
  ) {}

  private resolve(q: QName): { schema: string; name: string } {
    return this.model.resolve(q);
  }

  /** The table `q` names: known to the model, provided by the environment, or synthesised now. */
  table(q: QName): { t?: TableModel; s?: SynthTable; env?: Record<string, string> } {
    if (!q.name) return {};
    const t = this.model.table(q);
    if (t) {
      const s = this.synthOf.get(t);
      if (s) this.touched.add(s);
      return { t, s };
    }
    const r = this.resolve(q);
    const env = ENV_TABLES[tableKey(r.schema, r.name)];
    if (env) return { env };
    if (this.model.view(q)) return {};
    const s = this.synth.synthTable(r.schema, r.name);
    if (!s) return {};
    this.model.apply({
      type: 'create-table', table: { schema: r.schema, name: r.name }, columns: [...s.columns.keys()].map(columnDef),
      constraints: [], ifNotExists: false, partitioned: s.partitioned, unlogged: false, temporary: false, likeTables: [], asSelect: false,
      partitionOf: s.partitionOf ? { schema: s.partitionOf.schema, name: s.partitionOf.name } : undefined,
    }, ORIGIN);
    const created = this.model.table({ schema: r.schema, name: r.name })!;
    for (const [name, i] of s.indexes) this.addModelIndex(created, name, i.unique, i.columns);
    this.synthOf.set(created, s);
    this.touched.add(s);
    return { t: created, s };
  }

  /** Ensures the columns exist on `q` (synthesised tables only); returns the table's parts. */
  columns(q: QName, cols: readonly string[], hints?: Map<string, { type?: string; hint?: string }>): { t?: TableModel; s?: SynthTable; env?: Record<string, string> } {
    const r = this.table(q);
    if (!r.t || !r.s) return r;
    for (const name of cols) {
      if (!name) continue;
      if (!r.t.columns.has(name)) {
        if (!r.s.columns.has(name)) r.s.columns.set(name, { name });
        this.model.apply({ type: 'add-column', table: { schema: r.t.schema, name: r.t.name }, column: columnDef(name), ifNotExists: false }, ORIGIN);
      }
      const c = r.s.columns.get(name);
      const h = hints?.get(name);
      if (c && h) {
        if (h.type) c.type ??= h.type;
        if (h.hint) c.hint ??= h.hint;
      }
    }
    return r;
  }

  /** The SQL type of a column the model knows (case-created or environment), if any. */
  private knownType(r: { t?: TableModel; s?: SynthTable; env?: Record<string, string> }, col: string): string | undefined {
    if (r.env) return r.env[col];
    if (r.s || !r.t) return undefined;
    const c = r.t.columns.get(col);
    return c && c.type.name !== 'synth' ? typeSql(c.type) : undefined;
  }

  /** A foreign key from `local` columns (with the types declared in the statement, when known) to `ref`. */
  private foreignKey(local: QName, localCols: readonly string[], declared: (string | undefined)[], ref: QName, refCols: readonly string[]): void {
    const l = this.table(local);
    const r = this.table(ref);
    let cols = refCols;
    if (!cols.length) {
      if (r.env) cols = ['id'];
      else if (r.s) cols = r.s.keys[0] ?? ['id'];
      else cols = r.t?.constraints.find((c) => c.kind === 'primary')?.columns ?? [];
    }
    if (r.s) {
      this.columns(ref, cols);
      if (!r.s.keys.some((k) => k.join() === cols.join())) r.s.keys.push([...cols]);
    }
    if (l.s) this.columns(local, localCols);
    localCols.forEach((lc, i) => {
      const rc = cols[i];
      if (!rc) return;
      const lType = declared[i] ?? this.knownType(l, lc);
      const rType = this.knownType(r, rc);
      const lcol = l.s?.columns.get(lc);
      const rcol = r.s?.columns.get(rc);
      if (rcol && lType) rcol.type ??= lType;
      if (lcol && rType) lcol.type ??= rType;
      if (lcol && rcol && !lcol.type) lcol.sameAs = { table: r.s!, column: rc };
    });
  }

  private constraintNeeds(table: QName, c: ConstraintDef, declaredTypes: Map<string, string>): void {
    const text = this.cs.fileText.slice(c.span.start, c.span.end);
    const cols = [...c.columns, ...(c.checkColumns ?? [])];
    this.columns(table, cols, c.kind === 'check' ? expressionHints(text, c.checkColumns ?? []) : undefined);
    if (c.kind === 'foreign' && c.refTable) {
      this.foreignKey(table, c.columns, c.columns.map((x) => declaredTypes.get(x)), c.refTable, c.refColumns ?? []);
    }
    if (c.usingIndex) this.index({ schema: table.schema, name: c.usingIndex }, true, table);
  }

  /** An index that must exist: on a table its name starts with, else on a table named after it. */
  index(q: QName, unique: boolean, on?: QName, dropConcurrently = false): void {
    if (this.model.indexTable(q)) return;
    const schema = q.schema ?? this.model.defaultSchema;
    let target: QName | undefined = on;
    let column: string | undefined;
    const stripped = q.name.replace(/_(idx|index|key|pkey|uidx|uniq|unique)$/i, '');
    if (!target) {
      // A synthesised table whose name the index name starts with (orders_status_idx → orders).
      const candidates = [...this.model.tables.values()]
        .filter((t) => t.schema === schema && this.synthOf.has(t) && q.name.startsWith(`${t.name}_`))
        .sort((a, b) => b.name.length - a.name.length);
      if (candidates[0]) target = { schema, name: candidates[0].name };
    }
    if (!target) {
      // Else a new table named by the index name's first word, or a helper table.
      const first = stripped.split('_')[0];
      const free = first && first !== q.name && !this.model.table({ schema, name: first }) && !this.model.view({ schema, name: first }) && !this.synth.isCreated(schema, first);
      target = { schema, name: free ? first : `${q.name}_table` };
    }
    const prefix = `${target.name}_`;
    if (q.name.startsWith(prefix)) column = stripped.slice(prefix.length) || undefined;
    const r = this.table(target);
    if (!r.t || !r.s) return;
    const cols = [column && /^[\p{L}_][\p{L}\p{N}_$]*$/u.test(column) ? column : 'id'];
    this.columns(target, cols);
    if (!r.s.indexes.has(q.name)) r.s.indexes.set(q.name, { unique, columns: cols, dropConcurrently });
    this.addModelIndex(r.t, q.name, unique, cols);
  }

  private addModelIndex(t: TableModel, name: string, unique: boolean, columns: string[]): void {
    this.model.apply({
      type: 'create-index',
      index: { name, table: { schema: t.schema, name: t.name }, columns, include: [], unique, partial: false, concurrently: false, ifNotExists: true, method: 'btree', span: { start: 0, end: 0 } },
    }, ORIGIN);
  }

  private constraint(table: QName, name: string): void {
    const r = this.table(table);
    if (!r.t || !r.s || this.added.has(name) || r.t.constraints.some((c) => c.name === name) || r.t.indexes.some((i) => i.name === name)) return;
    r.s.constraints.add(name);
    this.model.apply({ type: 'add-constraint', table: { schema: r.t.schema, name: r.t.name }, constraint: checkConstraint(name) }, ORIGIN);
  }

  private policy(table: QName, name: string): void {
    const r = this.table(table);
    if (!r.t || !r.s || r.t.policies.some((p) => p.name === name)) return;
    r.s.policies.add(name);
    this.model.apply({
      type: 'create-policy',
      policy: { name, table: { schema: r.t.schema, name: r.t.name }, command: 'all', roles: [], permissive: true, settings: [], span: { start: 0, end: 0 } },
    }, ORIGIN);
  }

  private partitionOf(parent: QName, child: QName): void {
    const p = this.table(parent);
    if (p.s) {
      p.s.partitioned = true;
      if (p.t) p.t.partitioned = true;
    }
    const known = this.model.table(child);
    const c = this.table(child);
    if (!known && c.s && p.s && c.s !== p.s) {
      c.s.partitionOf = p.s;
      if (c.t) c.t.partitionOf = { schema: p.s.schema, name: p.s.name };
    }
  }

  private types(cols: ColumnDef[]): void {
    for (const c of cols) this.synth.needType(c.type, this.model.defaultSchema);
  }

  action(a: Action): void {
    const text = this.cs.stmt.text;
    switch (a.type) {
      case 'create-table': {
        this.synth.needSchema(this.resolve(a.table).schema);
        for (const like of a.likeTables) this.table(like);
        if (a.partitionOf) this.table(a.partitionOf);
        this.types(a.columns);
        const declared = new Map(a.columns.map((c) => [c.name, typeSql(c.type)]));
        const self = (q: QName): boolean => q.name === a.table.name && (q.schema ?? this.model.defaultSchema) === (a.table.schema ?? this.model.defaultSchema);
        for (const c of [...a.constraints, ...a.columns.flatMap((col) => col.constraints)]) {
          if (c.kind === 'foreign' && c.refTable && !self(c.refTable)) this.foreignKeyFromNew(c, declared);
        }
        return;
      }
      case 'add-column': {
        this.table(a.table);
        this.types([a.column]);
        const declared = new Map([[a.column.name, typeSql(a.column.type)]]);
        for (const c of a.column.constraints) {
          const others = [...c.columns, ...(c.checkColumns ?? [])].filter((x) => x !== a.column.name);
          if (others.length) this.columns(a.table, others);
          if (c.kind === 'foreign' && c.refTable) this.foreignKeyFromNew(c, declared);
        }
        return;
      }
      case 'drop-column':
      case 'set-not-null':
      case 'drop-not-null':
      case 'set-default':
      case 'drop-default':
        this.columns(a.table, [a.column]);
        return;
      case 'alter-column-type': {
        this.synth.needType(a.newType, this.model.defaultSchema);
        const hint = /_at$/.test(a.column) && a.newType.name === 'timestamptz' ? 'timestamp' : undefined;
        this.columns(a.table, [a.column], hint ? new Map([[a.column, { type: hint }]]) : undefined);
        return;
      }
      case 'add-constraint':
        this.constraintNeeds(a.table, a.constraint, new Map());
        return;
      case 'validate-constraint':
      case 'drop-constraint':
        if (a.type === 'drop-constraint' && a.ifExists) { this.table(a.table); return; }
        this.constraint(a.table, a.name);
        return;
      case 'rename-constraint':
        this.constraint(a.table, a.from);
        return;
      case 'rename-column':
        this.columns(a.table, [a.from]);
        return;
      case 'rename-table':
      case 'enable-rls':
      case 'disable-rls':
      case 'force-rls':
      case 'no-force-rls':
      case 'set-logged':
      case 'alter-table-other':
      case 'create-trigger':
        this.table(a.table);
        if (a.type === 'create-trigger') {
          const m = new RegExp(`execute\\s+(?:function|procedure)\\s+(?:(${ID})\\s*\\.\\s*)?(${ID})\\s*\\(`, 'i').exec(text);
          if (m) {
            const schema = m[1] ? unquote(m[1]) : this.model.defaultSchema;
            const name = unquote(m[2]);
            if (!this.model.functions.has(tableKey(schema, name))) this.synth.needFunction(schema, name, true);
          }
        }
        return;
      case 'set-schema':
        this.table(a.table);
        this.synth.needSchema(a.schema);
        return;
      case 'create-index': {
        if (this.model.view(a.index.table)) return;
        const cols = [...a.index.columns, ...a.index.include].flatMap(indexElementColumns);
        this.columns(a.index.table, cols);
        return;
      }
      case 'drop-index':
        if (!a.ifExists) for (const q of a.indexes) this.index(q, false, undefined, a.concurrently);
        return;
      case 'rename-index':
        this.index(a.index, false);
        return;
      case 'reindex':
        if (a.kind === 'index') this.index(a.target, false);
        else if (a.kind === 'table') this.table(a.target);
        else if (a.kind === 'schema') this.synth.needSchema(a.target.name);
        return;
      case 'create-policy': {
        const p = a.policy;
        for (const r of p.roles) this.synth.needRole(r);
        const cols = [...(p.usingColumns ?? []), ...(p.checkColumns ?? [])];
        const hints = expressionHints([p.usingText, p.checkText].filter(Boolean).join(' AND '), cols);
        this.columns(p.table, cols, hints);
        return;
      }
      case 'alter-policy': {
        for (const r of a.roles ?? []) this.synth.needRole(r);
        const cols = [...(a.usingColumns ?? []), ...(a.checkColumns ?? [])];
        this.columns(a.table, cols, expressionHints([a.usingText, a.checkText].filter(Boolean).join(' AND '), cols));
        this.policy(a.table, a.name);
        return;
      }
      case 'drop-policy':
        if (a.ifExists) this.table(a.table);
        else this.policy(a.table, a.name);
        return;
      case 'drop-table':
        if (!a.ifExists) for (const q of a.tables) this.table(q);
        return;
      case 'truncate':
      case 'lock-table':
        for (const q of a.tables) this.table(q);
        return;
      case 'vacuum':
        for (const q of a.tables) this.table(q);
        return;
      case 'cluster':
        if (a.table) this.table(a.table);
        return;
      case 'grant':
        for (const q of a.tables) this.table(q);
        if (a.allTablesInSchema) this.synth.needSchema(a.allTablesInSchema);
        for (const g of a.grantees) this.synth.needRole(g);
        return;
      case 'comment':
        if (a.table) {
          if (a.target === 'column' && a.column) this.columns(a.table, [a.column]);
          else this.table(a.table);
        }
        return;
      case 'attach-partition': {
        // The partition to attach is a table of its own; only the parent must be partitioned.
        const p = this.table(a.table);
        if (p.s && p.t) { p.s.partitioned = true; p.t.partitioned = true; }
        this.table(a.partition);
        return;
      }
      case 'detach-partition':
        this.partitionOf(a.table, a.partition);
        return;
      case 'refresh-matview': {
        if (this.model.view(a.view)) return;
        const r = this.resolve(a.view);
        this.synth.needMatview(r.schema, r.name);
        this.model.apply({ type: 'create-view', view: { schema: r.schema, name: r.name }, materialized: true, sources: [] }, ORIGIN);
        return;
      }
      case 'create-view':
        this.synth.needSchema(this.resolve(a.view).schema);
        for (const q of a.sources) if (!this.model.view(q)) this.table(q);
        return;
      case 'alter-type-add-value': {
        const schema = a.typeName.schema ?? this.model.defaultSchema;
        this.synth.needEnum(schema, a.typeName.name);
        return;
      }
      case 'alter-function':
      case 'drop-function': {
        const schema = a.name.schema ?? this.model.defaultSchema;
        if (!this.model.functions.has(tableKey(schema, a.name.name))) this.synth.needFunction(schema, a.name.name, false);
        return;
      }
      case 'create-function':
        this.synth.needSchema(this.resolve(a.fn.name).schema);
        return;
      case 'dml':
        if (a.table) this.table(a.table);
        return;
      default:
        return;
    }
  }

  /** A foreign key declared with a new table or column: the local side's types are those declared. */
  private foreignKeyFromNew(c: ConstraintDef, declared: Map<string, string>): void {
    if (!c.refTable) return;
    const r = this.table(c.refTable);
    let cols = c.refColumns ?? [];
    if (!cols.length) {
      if (r.env) cols = ['id'];
      else if (r.s) cols = r.s.keys[0] ?? ['id'];
      else cols = r.t?.constraints.find((k) => k.kind === 'primary')?.columns ?? [];
    }
    if (!r.s) return;
    this.columns(c.refTable, cols);
    if (!r.s.keys.some((k) => k.join() === cols.join())) r.s.keys.push([...cols]);
    c.columns.forEach((lc, i) => {
      const rcol = cols[i] ? r.s!.columns.get(cols[i]) : undefined;
      const t = declared.get(lc);
      if (rcol && t) rcol.type ??= t;
    });
  }
}
