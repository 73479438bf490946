/**
 * Rows that satisfy the schema, for the isolation probe: values for NOT NULL columns, enum labels, parent rows
 * through foreign keys (in dependency order), and values that pass CHECK constraints and domains, found by
 * evaluating the constraint itself on candidate values in the database. PostgreSQL's errors drive the retries:
 * 23502 names the column that needs a value, 23503 the foreign key that needs a parent, 23505 a unique clash,
 * 23514 the CHECK constraint to satisfy.
 */
import { isDatabaseError, type Driver } from './driver';
import { qualifiedName } from './trace';

export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

export function literal(value: string): string {
  // standard_conforming_strings is on by default since 9.1: backslashes are ordinary characters.
  return "'" + value.replace(/'/g, "''") + "'";
}

export function errorText(e: unknown): string {
  if (isDatabaseError(e)) return `${e.message} (SQLSTATE ${e.code})`;
  return e instanceof Error ? e.message : String(e);
}

/** A step of the probe that cannot be done: the table is reported untestable with this message. */
export class Untestable extends Error {}

export interface Column {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  /** The default expression as PostgreSQL prints it. */
  defaultExpr?: string;
  identity: string;
  generated: string;
  /** typname of the column type, or of the domain's base type. */
  base: string;
  /** format_type of the base type (the column type unless it is a domain). */
  baseType: string;
  /** typtype of the base type: b base, e enum, c composite, r range … */
  typtype: string;
  category: string;
  typeOid: string;
  baseTypmod: number;
  /** The domain's oid when the column type is a domain. */
  domainOid?: string;
}

export interface ForeignKey {
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

export interface CheckInfo {
  name: string;
  /** The boolean expression, with the columns named as in the table. */
  expr: string;
  columns: string[];
}

export interface TableInfo {
  schema: string;
  table: string;
  oid: string;
  rls: boolean;
  force: boolean;
  owner: string;
  columns: Column[];
  fks: ForeignKey[];
  checks: CheckInfo[];
}

/** A row as the text output of every column. */
export type Row = Record<string, string | null>;

const MAX_DEPTH = 5;
const MAX_COMBINATIONS = 2000;

/** Values for `n`: letters only, for CHECKs with a pattern such as '^[a-z]+$'. */
function letters(n: number): string {
  let s = '';
  do { s = String.fromCharCode(97 + (n % 26)) + s; n = Math.floor(n / 26); } while (n > 0);
  return s;
}

/** The string and number literals of a constraint as PostgreSQL prints it (`'owner'::text`, `(-1)`, `100`). */
function literalsOf(expr: string): { strings: string[]; numbers: number[] } {
  const strings: string[] = [];
  const numbers: number[] = [];
  const re = /'((?:[^']|'')*)'|(?<![\w$."])(-?\d+(?:\.\d+)?)(?![\w$"])/g;
  for (const m of expr.matchAll(re)) {
    if (m[1] !== undefined) strings.push(m[1].replace(/''/g, "'"));
    else if (m[2] !== undefined) numbers.push(Number(m[2]));
  }
  return { strings: [...new Set(strings)], numbers: [...new Set(numbers)] };
}

export class RowFactory {
  private seq = 0;
  private savepoints = 0;
  private readonly tables = new Map<string, TableInfo | null>();
  private readonly enumLabels = new Map<string, string[]>();

  constructor(readonly db: Driver) {}

  /** A savepoint name not used before in this session. */
  savepoint(prefix = 'sqla_sp'): string {
    return `${prefix}_${++this.savepoints}`;
  }

  labels(col: Column): string[] {
    return this.enumLabels.get(col.typeOid) ?? [];
  }

  async loadTable(schema: string, table: string): Promise<TableInfo | null> {
    const key = `${schema}.${table}`;
    if (this.tables.has(key)) return this.tables.get(key)!;
    const t = await this.db.query(`SELECT c.oid::text AS oid, c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
        pg_catalog.pg_get_userbyid(c.relowner) AS owner
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, [schema, table]);
    if (t.rows.length === 0) {
      this.tables.set(key, null);
      return null;
    }
    const oid = String(t.rows[0].oid);
    const cols = await this.db.query(`SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
        a.attnotnull AS notnull, a.atthasdef AS hasdef, a.attidentity::text AS identity,
        a.attgenerated::text AS generated, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS defexpr,
        coalesce(bt.typname, t.typname)::text AS base, coalesce(bt.typtype, t.typtype)::text AS basetyptype,
        CASE WHEN bt.oid IS NULL THEN pg_catalog.format_type(a.atttypid, a.atttypmod)
             ELSE pg_catalog.format_type(bt.oid, t.typtypmod) END AS basetype,
        coalesce(bt.oid, t.oid)::text AS typeoid, (CASE WHEN bt.oid IS NULL THEN a.atttypmod ELSE t.typtypmod END)::int AS basetypmod,
        coalesce(bt.typcategory, t.typcategory)::text AS basecategory, CASE WHEN bt.oid IS NULL THEN NULL ELSE t.oid::text END AS domainoid
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [oid]);
    const cons = await this.db.query(`SELECT con.conname AS name, con.contype::text AS kind,
        (SELECT array_agg(a.attname ORDER BY k.i)::text[] FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS cols,
        (SELECT array_agg(a.attname ORDER BY k.i)::text[] FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS refcols,
        rn.nspname AS refschema, rc.relname AS reftable,
        CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END AS expr
      FROM pg_catalog.pg_constraint con LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
      LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE con.conrelid = $1::oid AND con.contype IN ('f', 'c')`, [oid]);
    const info: TableInfo = {
      schema, table, oid,
      rls: Boolean(t.rows[0].rls), force: Boolean(t.rows[0].force), owner: String(t.rows[0].owner),
      columns: cols.rows.map((c) => ({
        name: String(c.name), type: String(c.type), notNull: Boolean(c.notnull),
        hasDefault: Boolean(c.hasdef), defaultExpr: c.defexpr === null ? undefined : String(c.defexpr),
        identity: String(c.identity ?? ''), generated: String(c.generated ?? ''),
        base: String(c.base), baseType: String(c.basetype), typtype: String(c.basetyptype), category: String(c.basecategory),
        typeOid: String(c.typeoid), baseTypmod: Number(c.basetypmod), domainOid: c.domainoid === null ? undefined : String(c.domainoid),
      })),
      fks: cons.rows.filter((f) => f.kind === 'f').map((f) => ({
        name: String(f.name), columns: f.cols as string[], refColumns: f.refcols as string[],
        refSchema: String(f.refschema), refTable: String(f.reftable),
      })),
      checks: cons.rows.filter((f) => f.kind === 'c' && f.expr !== null).map((f) => ({
        name: String(f.name), expr: String(f.expr), columns: (f.cols as string[] | null) ?? [],
      })),
    };
    for (const c of info.columns) {
      if (c.typtype === 'e' && !this.enumLabels.has(c.typeOid)) {
        const l = await this.db.query(`SELECT enumlabel FROM pg_catalog.pg_enum WHERE enumtypid = $1::oid
          ORDER BY enumsortorder`, [c.typeOid]);
        this.enumLabels.set(c.typeOid, l.rows.map((r) => String(r.enumlabel)));
      }
    }
    this.tables.set(key, info);
    return info;
  }

  /** A SQL expression of the column's type, different on each call where the type allows it. */
  valueExpr(col: Column, type = col.type): string | null {
    const n = ++this.seq;
    const cast = (e: string): string => `(${e})::${type}`;
    if (col.category === 'A') return cast(`'{}'`);
    if (col.typtype === 'e') {
      const label = this.labels(col)[0];
      return label === undefined ? null : cast(literal(label));
    }
    // atttypmod of varchar(n)/char(n) is n + 4 (VARHDRSZ); of numeric(p,s) it is ((p << 16) | s) + 4.
    const len = col.baseTypmod > 4 ? col.baseTypmod - 4 : undefined;
    switch (col.base) {
      case 'int2': return cast(String((n % 32000) + 1));
      case 'int4': case 'int8': case 'oid': case 'float4': case 'float8': case 'money':
        return cast(String(n));
      case 'numeric': {
        if (len === undefined) return cast(String(n));
        const precision = (len >> 16) & 0xffff;
        const scale = len & 0xffff;
        const digits = Math.max(0, precision - scale);
        return cast(digits === 0 ? '0' : String(n % 10 ** Math.min(digits, 9)));
      }
      case 'text': case 'varchar': case 'bpchar': case 'name': case 'citext': {
        let s = `sqla_${n}`;
        if (len !== undefined && s.length > len) s = n.toString(36).slice(-len);
        return cast(literal(s));
      }
      case 'uuid': return cast('gen_random_uuid()');
      case 'bool': return cast('true');
      case 'date': return cast(`DATE '2024-01-01' + ${n % 3650}`);
      case 'timestamp': case 'timestamptz':
        return cast(`TIMESTAMPTZ '2024-01-01 00:00:00+00' + interval '${n} seconds'`);
      case 'time': case 'timetz': return cast(`'12:00:00'`);
      case 'interval': return cast(`interval '${n} seconds'`);
      case 'json': case 'jsonb': return cast(`'{}'`);
      case 'bytea': return cast(`'\\x00'`);
      case 'inet': return cast(`'10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}'`);
      case 'cidr': return cast(`'10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32'`);
      case 'macaddr': return cast(`'08:00:2b:01:02:03'`);
      case 'tsvector': return cast(`''`);
      case 'xml': return cast(`'<sqla/>'`);
      case 'point': return cast(`'(0,0)'`);
      case 'bit': return cast(`repeat('0', ${col.baseTypmod > 0 ? col.baseTypmod : 1})`);
      case 'varbit': return cast(`'0'`);
      default:
        if (col.category === 'R') return cast(`'empty'`);
        return null;
    }
  }

  /**
   * Values to try for a column against a constraint: the current one first, then NULL, enum labels,
   * booleans, the constraint's own literals and numbers around them, fresh generated values, short texts.
   * Expressions of the base type (a domain's check must not fire while candidates are compared).
   */
  private candidates(col: Column, current: string | undefined, constraintExpr: string): string[] {
    const type = col.baseType;
    const out: string[] = [];
    const add = (e: string | null): void => { if (e !== null && !out.includes(e)) out.push(e); };
    if (current !== undefined) add(current);
    if (!col.notNull) add('NULL');
    for (const l of this.labels(col)) add(`${literal(l)}::${type}`);
    const { strings, numbers } = literalsOf(constraintExpr);
    const lengths = numbers.filter((x) => Number.isInteger(x) && x > 0 && x <= 1000);
    switch (col.category) {
      case 'B': add(`true`); add(`false`); break;
      case 'N':
        for (const x of numbers) for (const d of [0, 1, -1]) add(`(${x + d})::${type}`);
        for (const x of [0, 1, -1, 100, 1000000]) add(`(${x})::${type}`);
        break;
      case 'S':
        for (const s of strings) add(`${literal(s)}::${type}`);
        add(this.valueExpr(col, type));
        add(`${literal(`sqla${letters(++this.seq)}`)}::${type}`);
        add(`${literal(`sqla-${++this.seq}`)}::${type}`);
        for (const x of lengths) for (const d of [0, 1, -1]) if (x + d > 0) add(`repeat('x', ${x + d})::${type}`);
        add(`'a'::${type}`);
        add(`''::${type}`);
        break;
      case 'D':
        add(`now()::${type}`);
        for (const s of strings) if (/^\d{4}-\d\d-\d\d/.test(s)) add(`${literal(s)}::${type}`);
        add(this.valueExpr(col, type));
        break;
      default:
        add(this.valueExpr(col, type));
    }
    return out.slice(0, 16);
  }

  /**
   * Values for the columns of the failed CHECK constraint (and of the table's other checks on those columns)
   * that pass them all, found by evaluating the constraints on candidate rows in the database, fewest changes
   * first. Returns undefined when no candidate passes.
   */
  private async satisfy(info: TableInfo, failed: CheckInfo, values: Map<string, string>): Promise<Map<string, string> | undefined> {
    const vary = new Set(failed.columns);
    const checks = [failed, ...info.checks.filter((c) => c !== failed && c.columns.some((x) => vary.has(x)))];
    const involved = [...new Set(checks.flatMap((c) => c.columns))]
      .map((n) => info.columns.find((c) => c.name === n)).filter((c): c is Column => Boolean(c) && !c!.generated);
    const allText = checks.map((c) => c.expr).join(' ');
    // A domain column's value is cast to the domain, which would raise the very error being worked around.
    const current = (c: Column): string | undefined => (c.domainOid ? undefined : values.get(c.name) ??
      (c.defaultExpr && !/nextval\(/i.test(c.defaultExpr) ? `(${c.defaultExpr})::${c.baseType}` : undefined));
    let lists = involved.map((c) => (vary.has(c.name) ? this.candidates(c, current(c), allText) : [current(c) ?? 'NULL']));
    if (lists.some((l) => l.length === 0)) return undefined;
    // Keep the candidate product small: shorten the longest lists first.
    const product = (): number => lists.reduce((n, l) => n * l.length, 1);
    while (product() > 20 * MAX_COMBINATIONS) {
      const longest = lists.reduce((m, l, i) => (l.length > lists[m].length ? i : m), 0);
      lists = lists.map((l, i) => (i === longest ? l.slice(0, Math.max(1, l.length - 1)) : l));
    }
    const combos: { idx: number[]; changes: number }[] = [];
    const walk = (i: number, idx: number[], changes: number): void => {
      if (i === lists.length) { combos.push({ idx: [...idx], changes }); return; }
      for (let k = 0; k < lists[i].length; k++) walk(i + 1, [...idx, k], changes + (k > 0 ? 1 : 0));
    };
    walk(0, [], 0);
    combos.sort((a, b) => a.changes - b.changes);
    const tried = combos.slice(0, MAX_COMBINATIONS);
    const cast = (e: string, c: Column): string => (e === 'NULL' ? `NULL::${c.baseType}` : `(${e})::${c.baseType}`);
    const rows = tried.map((x, k) => `(${[String(k), ...x.idx.map((j, i) => cast(lists[i][j], involved[i]))].join(', ')})`);
    const sql = `SELECT k FROM (VALUES ${rows.join(', ')}) AS s(k, ${involved.map((c) => ident(c.name)).join(', ')})
      WHERE ${checks.map((c) => `(${c.expr}) IS NOT FALSE`).join(' AND ')} ORDER BY k LIMIT 1`;
    const sp = this.savepoint();
    await this.db.exec(`SAVEPOINT ${sp}`);
    try {
      const r = await this.db.query(sql);
      await this.db.exec(`RELEASE SAVEPOINT ${sp}`);
      if (!r.rows.length) return undefined;
      const pick = tried[Number(r.rows[0].k)];
      const out = new Map<string, string>();
      involved.forEach((c, i) => { if (vary.has(c.name)) out.set(c.name, `(${lists[i][pick.idx[i]]})::${c.type}`); });
      return out;
    } catch (e) {
      await this.db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
      if (!isDatabaseError(e)) throw e;
      return undefined;
    }
  }

  /** The CHECK that failed: the table's own, or a domain's over one of its columns (VALUE → the column). */
  private async failedCheck(info: TableInfo, name: string): Promise<CheckInfo | undefined> {
    const own = info.checks.find((c) => c.name === name);
    if (own) return own;
    const domains = info.columns.filter((c) => c.domainOid);
    if (!domains.length) return undefined;
    const r = await this.db.query(`SELECT contypid::text AS domain, pg_catalog.pg_get_constraintdef(oid) AS def
      FROM pg_catalog.pg_constraint WHERE conname = $1 AND contypid <> 0`, [name]);
    for (const row of r.rows) {
      const col = domains.find((c) => c.domainOid === String(row.domain));
      if (!col) continue;
      const expr = String(row.def).replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, '').replace(/\bVALUE\b/g, ident(col.name));
      return { name, expr, columns: [col.name] };
    }
    return undefined;
  }

  /**
   * Values that make a column of a membership row meaningful: enum labels, a CHECK's IN list, booleans.
   * Empty when the column takes any value.
   */
  choices(info: TableInfo, col: Column): string[] {
    if (col.typtype === 'e') return this.labels(col);
    if (col.category === 'B') return ['true', 'false'];
    const own = info.checks.filter((c) => c.columns.length === 1 && c.columns[0] === col.name);
    return [...new Set(own.flatMap((c) => (/= ANY|\bIN\b|=/.test(c.expr) ? literalsOf(c.expr).strings : [])))];
  }

  /** Inserts a row (as the current role, normally the superuser) and returns all its columns as text. */
  async insertRow(schema: string, table: string, fixed: Map<string, string>, tenantColumn?: string, depth = 0): Promise<Row> {
    return (await this.buildRow(schema, table, fixed, depth, tenantColumn, true)).row!;
  }

  /** The INSERT statement of a row that the superuser could insert (checked and rolled back). */
  async insertSql(schema: string, table: string, fixed: Map<string, string>, tenantColumn: string): Promise<string> {
    return (await this.buildRow(schema, table, fixed, 0, tenantColumn, false)).sql;
  }

  /** An existing row matching `fixed` (rows of a seed file or of the migrations themselves). */
  async existingRow(info: TableInfo, fixed: Map<string, string>): Promise<Row | undefined> {
    const where = [...fixed].map(([c, v]) => `${ident(c)} = ${v}`).join(' AND ') || 'true';
    const r = await this.db.query(`SELECT ${info.columns.map((c, i) => `${ident(c.name)}::text AS c${i}`).join(', ')}
      FROM ${ident(info.schema)}.${ident(info.table)} WHERE ${where} LIMIT 1`);
    if (!r.rows.length) return undefined;
    const row: Row = {};
    info.columns.forEach((c, i) => { const v = r.rows[0][`c${i}`]; row[c.name] = v === null ? null : String(v); });
    return row;
  }

  /** Sets (or clears) the Supabase request identity that auth.uid() reads, for triggers that use it. */
  private async signIn(user: string | undefined): Promise<void> {
    const claims = user ? `json_build_object('sub', (${user})::text, 'role', 'authenticated')::text` : `''`;
    const sub = user ? `(${user})::text` : `''`;
    await this.db.query(`SELECT pg_catalog.set_config('request.jwt.claims', ${claims}, true),
      pg_catalog.set_config('request.jwt.claim.sub', ${sub}, true)`);
  }

  private async buildRow(schema: string, table: string, fixedIn: Map<string, string>, depth: number,
    tenantColumn: string | undefined, keep: boolean): Promise<{ sql: string; row?: Row }> {
    let fixed = fixedIn;
    const info = await this.loadTable(schema, table);
    const name = qualifiedName(schema, table);
    if (!info) throw new Untestable(`referenced table ${name} does not exist`);
    if (depth > MAX_DEPTH) throw new Untestable(`foreign keys nest deeper than ${MAX_DEPTH} levels (at ${name})`);
    const explicit = new Set<string>(fixed.keys());
    for (const c of info.columns) {
      if (c.notNull && !c.hasDefault && !c.identity && !c.generated) explicit.add(c.name);
    }
    /** Columns whose values were chosen to pass a CHECK: chosen again after a unique clash. */
    const checked = new Set<string>();
    /**
     * A signed-in user for the INSERT, when a trigger fills a NOT NULL column from auth.uid() (basejump's
     * invitations.invited_by_user_id): the user id the column would have held.
     */
    let writer: string | undefined;
    let lastError = '';
    for (let attempt = 0; attempt < 12; attempt++) {
      const values = new Map<string, string>(fixed);
      // Columns of a foreign key get the key of a parent row, all columns of the key together.
      for (const fk of info.fks) {
        if (!fk.columns.some((c) => explicit.has(c) && !fixed.has(c))) continue;
        const parentFixed = new Map<string, string>();
        fk.columns.forEach((c, i) => { if (values.has(c)) parentFixed.set(fk.refColumns[i], values.get(c)!); });
        const parent = await this.loadTable(fk.refSchema, fk.refTable);
        if (tenantColumn && fixed.has(tenantColumn) && parent && !parentFixed.has(tenantColumn)) {
          const own = info.columns.find((c) => c.name === tenantColumn);
          const theirs = parent.columns.find((c) => c.name === tenantColumn);
          // The parent row belongs to the same tenant when it has a tenant column of the same type.
          if (own && theirs && own.type === theirs.type) parentFixed.set(tenantColumn, fixed.get(tenantColumn)!);
        }
        let prow: Row | undefined;
        try {
          prow = await this.insertRow(fk.refSchema, fk.refTable, parentFixed, tenantColumn, depth + 1);
        } catch (e) {
          if (!(e instanceof Untestable)) throw e;
          // A row the seed file (or a migration) inserted will do.
          prow = parent ? await this.existingRow(parent, parentFixed) : undefined;
          if (!prow) throw new Untestable(`foreign key ${fk.name} of ${name}: ${e.message}`);
        }
        fk.columns.forEach((c, i) => {
          const col = info.columns.find((x) => x.name === c)!;
          const v = prow![fk.refColumns[i]];
          if (!values.has(c)) values.set(c, v === null ? 'NULL' : `${literal(v)}::${col.type}`);
        });
      }
      for (const cname of explicit) {
        if (values.has(cname)) continue;
        const col = info.columns.find((c) => c.name === cname);
        if (!col) continue;
        const expr = this.valueExpr(col);
        if (expr === null) throw new Untestable(`NOT NULL column ${name}.${col.name} has type ${col.type}, for which no value can be generated`);
        values.set(cname, expr);
      }
      const cols = [...values.keys()];
      const overriding = cols.some((c) => info.columns.find((x) => x.name === c)?.identity === 'a')
        ? ' OVERRIDING SYSTEM VALUE' : '';
      const target = `${ident(schema)}.${ident(table)}`;
      const sql = cols.length
        ? `INSERT INTO ${target} (${cols.map(ident).join(', ')})${overriding} VALUES (${cols.map((c) => values.get(c)).join(', ')})`
        : `INSERT INTO ${target} DEFAULT VALUES`;
      const returning = ` RETURNING ${info.columns.map((c, i) => `${ident(c.name)}::text AS c${i}`).join(', ')}`;
      const sp = this.savepoint('sqla_row');
      await this.db.exec(`SAVEPOINT ${sp}`);
      try {
        if (writer) await this.signIn(writer);
        const r = await this.db.query(sql + returning);
        if (writer) await this.signIn(undefined);
        if (keep) await this.db.exec(`RELEASE SAVEPOINT ${sp}`);
        else await this.db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
        const row: Row = {};
        info.columns.forEach((c, i) => { const v = r.rows[0][`c${i}`]; row[c.name] = v === null ? null : String(v); });
        return { sql, row };
      } catch (e) {
        await this.db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
        if (!isDatabaseError(e)) throw e;
        lastError = errorText(e);
        const elsewhere = e.table && e.table !== table ? ` (raised for table ${e.table}, by a trigger)` : '';
        if (e.code === '23502' && e.column && !explicit.has(e.column) && !elsewhere) { explicit.add(e.column); continue; }
        if (e.code === '23502' && e.column && !elsewhere && !writer && values.get(e.column) && values.get(e.column) !== 'NULL') {
          // We gave the column a value and it arrived NULL: a BEFORE trigger set it, typically from auth.uid().
          writer = values.get(e.column);
          continue;
        }
        if (e.code === '23502' && !e.column) {
          // A domain with NOT NULL: its columns need a value.
          const domains = info.columns.filter((c) => c.domainOid && !explicit.has(c.name));
          if (domains.length) { domains.forEach((c) => explicit.add(c.name)); continue; }
        }
        if (e.code === '23503' && !elsewhere) {
          const fk = info.fks.find((f) => f.name === e.constraint);
          if (fk && fk.columns.some((c) => !explicit.has(c))) { fk.columns.forEach((c) => explicit.add(c)); continue; }
        }
        if (e.code === '23514' && e.constraint && !elsewhere) {
          const check = await this.failedCheck(info, e.constraint);
          const chosen = check ? await this.satisfy(info, check, values) : undefined;
          if (!chosen) {
            throw new Untestable(`no generated values for ${name} pass CHECK constraint ${e.constraint}` +
              `${check ? ` (${check.expr})` : ''}; add such rows in the isolationSeed file of .sqlarchitect.json`);
          }
          fixed = new Map(fixed);
          for (const [c, v] of chosen) { fixed.set(c, v); explicit.add(c); checked.add(c); }
          continue;
        }
        // For the probe's INSERT a unique clash is fine: RLS is checked before constraints.
        if (e.code === '23505' && !keep) return { sql };
        if (e.code === '23505') {
          if (checked.size) {
            fixed = new Map([...fixed].filter(([c]) => !checked.has(c) || fixedIn.has(c)));
            checked.clear();
          }
          continue;
        }
        throw new Untestable(`could not insert a generated row into ${name}${elsewhere}: ${lastError}`);
      }
    }
    throw new Untestable(`could not insert a generated row into ${name}: ${lastError}`);
  }
}
