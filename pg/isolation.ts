/**
 * Tenant-isolation probe: inserts rows for two tenants as the superuser, then acts as an unprivileged role
 * with the tenant setting of tenant A and checks that row-level security hides and protects tenant B's rows.
 */
import { randomUUID } from 'node:crypto';
import { isDatabaseError, type Driver } from './driver';
import { EngineFailure, inStep, qualifiedName } from './trace';
import type { IsolationResult, IsolationTable, TraceEntry } from './types';

export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

export function literal(value: string): string {
  // standard_conforming_strings is on by default since 9.1: backslashes are ordinary characters.
  return "'" + value.replace(/'/g, "''") + "'";
}

class Untestable extends Error {}

interface Column {
  name: string;
  type: string;
  typmod: number;
  notNull: boolean;
  hasDefault: boolean;
  identity: string;
  generated: string;
  /** typname of the column type, or of the domain's base type. */
  base: string;
  /** typtype: b base, e enum, d domain, c composite, r range … */
  typtype: string;
  category: string;
  typeOid: string;
  baseTypmod: number;
}

interface ForeignKey {
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

interface TableInfo {
  schema: string;
  table: string;
  oid: string;
  rls: boolean;
  force: boolean;
  owner: string;
  columns: Column[];
  fks: ForeignKey[];
}

const MAX_DEPTH = 4;

const PROBE_OUT_OF_STEP = 'engine failure: PGlite lost step with its protocol while probing as tenant A (typically ' +
  'a stack overflow in a recursive policy function, which PGlite does not report); the engine was restarted';

/** A row that was inserted, as the text output of every column. */
type Row = Record<string, string | null>;

function errorText(e: unknown): string {
  if (isDatabaseError(e)) return `${e.message} (SQLSTATE ${e.code})`;
  return e instanceof Error ? e.message : String(e);
}

export class IsolationProbe {
  private seq = 0;
  private readonly tables = new Map<string, TableInfo | null>();
  private readonly enumLabels = new Map<string, string | null>();
  private savepoints = 0;

  constructor(private readonly db: Driver, private readonly tenantSetting: string,
    private readonly replay: TraceEntry[], private readonly memberOf: string[] | undefined) {}

  /** Creates the probe role once: no login, no BYPASSRLS, not a superuser, not the owner of anything. */
  async setup(): Promise<void> {
    const role = this.db.probeRole;
    await this.db.exec('RESET ROLE; RESET SESSION AUTHORIZATION');
    await this.db.exec(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${literal(role)})
      THEN CREATE ROLE ${ident(role)} NOLOGIN NOBYPASSRLS NOSUPERUSER; END IF; END $$`);
  }

  async check(t: IsolationTable): Promise<IsolationResult> {
    const schema = t.schema || 'public';
    const name = qualifiedName(schema, t.table);
    const result = (status: IsolationResult['status'], details: string): IsolationResult =>
      ({ table: name, tenantColumn: t.tenantColumn, status, details });
    await this.db.exec('RESET ROLE').catch(() => undefined);
    await this.db.exec('BEGIN');
    let broken = false;
    try {
      const info = await this.loadTable(schema, t.table);
      if (!info) {
        const related = this.replay.filter((e) => e.error && e.sql.toLowerCase().includes(t.table.toLowerCase()));
        const why = related.length
          ? `; replay errors: ${related.slice(0, 2).map((e) => `${e.file}:${e.line} ${e.error!.message}`).join('; ')}`
          : '';
        return result('untestable', `table ${name} does not exist after the replay${why}`);
      }
      const col = info.columns.find((c) => c.name === t.tenantColumn);
      if (!col) return result('untestable', `column ${t.tenantColumn} does not exist in ${name}`);
      return await this.probe(info, col, result);
    } catch (e) {
      if (e instanceof Untestable) return result('untestable', e.message);
      if (isDatabaseError(e)) return result('untestable', `probe failed: ${errorText(e)}`);
      broken = true;
      throw e;
    } finally {
      // A broken engine may never answer again: leave it to the caller, which replaces it.
      if (!broken) {
        await this.db.exec('ROLLBACK').catch(() => undefined);
        await this.db.exec('RESET ROLE').catch(() => undefined);
      }
    }
  }

  private async probe(info: TableInfo, tenantCol: Column,
    result: (s: IsolationResult['status'], d: string) => IsolationResult): Promise<IsolationResult> {
    const tbl = `${ident(info.schema)}.${ident(info.table)}`;
    const tc = ident(tenantCol.name);
    const warnings: string[] = [];
    if (!info.rls) warnings.push('row level security is not enabled on the table');
    else if (!info.force) warnings.push(`FORCE ROW LEVEL SECURITY is off: the owner (${info.owner}) bypasses RLS`);

    const [a, b] = await this.tenantValues(info, tenantCol);
    const lit = (v: string): string => `${literal(v)}::${tenantCol.type}`;
    const fixedA = new Map([[tenantCol.name, lit(a)]]);
    const fixedB = new Map([[tenantCol.name, lit(b)]]);
    // Two rows per tenant where possible; one when the tenant column is unique (e.g. profiles.id = the user).
    for (const fixed of [fixedA, fixedB]) {
      await this.insertRow(info.schema, info.table, fixed, 0, tenantCol.name);
      await this.insertRow(info.schema, info.table, fixed, 0, tenantCol.name).catch((e) => {
        if (!(e instanceof Untestable)) throw e;
      });
    }
    const insertB = await this.insertSql(info.schema, info.table, fixedB, tenantCol.name);

    const counts = async (): Promise<{ a: number; b: number; other: number; nulls: number }> => {
      const r = await this.db.query(`SELECT count(*) FILTER (WHERE ${tc} = ${lit(a)})::int AS a,
        count(*) FILTER (WHERE ${tc} = ${lit(b)})::int AS b,
        count(*) FILTER (WHERE ${tc} <> ${lit(a)} AND ${tc} <> ${lit(b)})::int AS other,
        count(*) FILTER (WHERE ${tc} IS NULL)::int AS nulls FROM ${tbl}`);
      const row = r.rows[0];
      return { a: Number(row.a), b: Number(row.b), other: Number(row.other), nulls: Number(row.nulls) };
    };
    const total = await counts();

    const role = this.db.probeRole;
    await this.db.exec(`GRANT USAGE ON SCHEMA ${ident(info.schema)} TO ${ident(role)}`);
    await this.db.exec(`GRANT ALL ON TABLE ${tbl} TO ${ident(role)}`);
    await this.db.exec(`GRANT ALL ON ALL SEQUENCES IN SCHEMA ${ident(info.schema)} TO ${ident(role)}`);
    // Policies often call helper functions in other schemas (auth.uid(), private.is_member(…)).
    const schemas = await this.db.query(`SELECT nspname FROM pg_catalog.pg_namespace
      WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`);
    for (const s of schemas.rows) await this.db.exec(`GRANT USAGE ON SCHEMA ${ident(String(s.nspname))} TO ${ident(role)}`);
    const memberOf: string[] = [];
    for (const m of this.memberOf ?? []) {
      const exists = await this.db.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [m]);
      if (exists.rows.length) memberOf.push(m);
    }
    for (const m of memberOf) await this.db.exec(`GRANT ${ident(m)} TO ${ident(role)}`);

    const leaks: string[] = [];
    const problems: string[] = [];
    const notes: string[] = [];
    if (memberOf.length) notes.push(`probe role is a member of ${memberOf.join(', ')}`);

    /** Runs `fn` as the probe role with tenant A's setting, in a savepoint that is rolled back. */
    const asTenantA = async <T>(fn: () => Promise<T>): Promise<T> => {
      const sp = `sqla_chk_${++this.savepoints}`;
      await this.db.exec(`SAVEPOINT ${sp}`);
      try {
        await this.db.exec(`SET LOCAL ROLE ${ident(role)}`);
        // is_local = true: the setting ends with the (sub)transaction, like SET LOCAL.
        await this.db.query('SELECT pg_catalog.set_config($1, $2, true)', [this.tenantSetting, a]);
        return await fn();
      } finally {
        if (this.db.kind === 'pglite' && !(await inStep(this.db, PROBE_OUT_OF_STEP))) throw new EngineFailure(PROBE_OUT_OF_STEP);
        await this.db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
      }
    };

    // SELECT: sees A's rows and nothing else.
    const seen = await asTenantA(async () => {
      try {
        return await counts();
      } catch (e) {
        problems.push(`SELECT as tenant A failed: ${errorText(e)}`);
        return undefined;
      }
    });
    if (seen) {
      if (seen.b > 0) leaks.push(`SELECT as tenant A returned ${seen.b} of ${total.b} rows of tenant B`);
      if (seen.other > 0) leaks.push(`SELECT as tenant A returned ${seen.other} rows of other tenants`);
      if (seen.nulls > 0) notes.push(`SELECT as tenant A returned ${seen.nulls} rows whose ${tenantCol.name} is NULL`);
      if (seen.a === 0) {
        problems.push(`SELECT as tenant A returned none of A's ${total.a} rows: no policy grants tenant A access through ` +
          `${this.tenantSetting} (the policies may read another setting, or deny everything)`);
      }
    }

    // UPDATE without WHERE that reads no column, so only the UPDATE policy applies (a SET or WHERE that reads
    // columns also applies the SELECT policy). An updated row gets a new ctid: the old ctids that vanished
    // are the rows it touched, and their tenant before the UPDATE says whose rows they were.
    const ctids = async (): Promise<Map<string, string | null>> => {
      // ctids repeat across partitions: the row's own table (tableoid) makes the key unique.
      const r = await this.db.query(`SELECT tableoid::text || ctid::text AS ctid, ${tc}::text AS tenant FROM ${tbl}`);
      return new Map(r.rows.map((row) => [String(row.ctid), row.tenant === null ? null : String(row.tenant)]));
    };
    const ctidsBefore = await ctids();
    await asTenantA(async () => {
      try {
        await this.db.query(`UPDATE ${tbl} SET ${tc} = ${lit(a)}`);
      } catch (e) {
        if (isDatabaseError(e) && e.code === '42501') {
          notes.push('UPDATE without WHERE as tenant A was rejected by a WITH CHECK (rows of other tenants reach the UPDATE policy)');
        } else if (isDatabaseError(e) && e.code.startsWith('23')) {
          // Setting A on A's own rows cannot break a constraint: a row of another tenant passed RLS.
          leaks.push(`UPDATE without WHERE as tenant A reached rows of other tenants (only ${e.constraint ?? 'a constraint'} stopped it: ${e.message})`);
        } else {
          problems.push(`UPDATE without WHERE as tenant A failed: ${errorText(e)}`);
        }
        return;
      }
      await this.db.exec('RESET ROLE');
      const after = await ctids();
      let ofB = 0;
      let ofA = 0;
      let others = 0;
      for (const [ctid, tenant] of ctidsBefore) {
        if (after.has(ctid)) continue;
        if (tenant === b) ofB++;
        else if (tenant === a) ofA++;
        else others++;
      }
      if (ofB > 0) leaks.push(`UPDATE without WHERE as tenant A modified ${ofB} rows of tenant B (and moved them to tenant A)`);
      if (others > 0) leaks.push(`UPDATE without WHERE as tenant A modified ${others} rows of other tenants`);
      if (ofA === 0) notes.push('UPDATE as tenant A modified none of its own rows (no UPDATE policy for it?)');
    });

    // DELETE without WHERE.
    await asTenantA(async () => {
      try {
        await this.db.query(`DELETE FROM ${tbl}`);
      } catch (e) {
        problems.push(`DELETE without WHERE as tenant A failed: ${errorText(e)}`);
        return;
      }
      await this.db.exec('RESET ROLE');
      const left = await counts();
      if (left.b < total.b) leaks.push(`DELETE without WHERE as tenant A deleted ${total.b - left.b} rows of tenant B`);
      if (left.other < total.other) leaks.push(`DELETE without WHERE as tenant A deleted ${total.other - left.other} rows of other tenants`);
      if (left.a === total.a) notes.push('DELETE as tenant A deleted none of its own rows (no DELETE policy for it?)');
    });

    // INSERT of a row of tenant B: RLS must reject it (42501). No RETURNING: it would need SELECT rights too.
    // PostgreSQL checks the RLS WITH CHECK before NOT NULL/CHECK/unique constraints and foreign keys, so an
    // integrity error (class 23) means RLS had already accepted the row.
    await asTenantA(async () => {
      try {
        await this.db.query(insertB);
      } catch (e) {
        if (isDatabaseError(e) && e.code.startsWith('23')) {
          leaks.push(`INSERT of a row of tenant B as tenant A passed RLS (only ${e.constraint ?? 'a constraint'} stopped it: ${e.message})`);
        } else if (!(isDatabaseError(e) && e.code === '42501')) {
          problems.push(`INSERT as tenant A failed before RLS decided: ${errorText(e)}`);
        }
        return;
      }
      await this.db.exec('RESET ROLE');
      const now = await counts();
      if (now.b > total.b) leaks.push('INSERT of a row of tenant B as tenant A succeeded');
      else notes.push('INSERT of a row of tenant B as tenant A was accepted but stored for another tenant (a trigger sets it)');
    });

    // UPDATE moving A's rows to B, again reading no column so that only the UPDATE policy decides: its
    // WITH CHECK (or its USING, which stands in for a missing WITH CHECK) must reject the new tenant.
    await asTenantA(async () => {
      let moved: number;
      try {
        moved = (await this.db.query(`UPDATE ${tbl} SET ${tc} = ${lit(b)}`)).affectedRows;
      } catch (e) {
        if (isDatabaseError(e) && e.code.startsWith('23')) {
          leaks.push(`UPDATE setting ${tenantCol.name} to tenant B passed RLS (only ${e.constraint ?? 'a constraint'} stopped it: ${e.message})`);
        } else if (!(isDatabaseError(e) && e.code === '42501')) {
          problems.push(`UPDATE of ${tenantCol.name} as tenant A failed: ${errorText(e)}`);
        }
        return;
      }
      if (moved > 0) leaks.push(`UPDATE setting ${tenantCol.name} to tenant B succeeded on ${moved} rows visible to tenant A`);
    });

    const tail = [...notes, ...warnings].join('; ');
    const join = (...parts: string[]): string => parts.filter(Boolean).join('; ');
    if (leaks.length) return result('leaks', join(...leaks, ...problems, tail));
    if (problems.length) return result('untestable', join(...problems, tail));
    return result('isolated', join(
      `tenant A saw only its ${total.a} rows; UPDATE/DELETE without WHERE left tenant B alone; ` +
      `INSERT for tenant B and moving rows to tenant B were rejected`, tail));
  }

  /** Two distinct tenant values, as text; the parent rows exist when the tenant column is a foreign key. */
  private async tenantValues(info: TableInfo, col: Column): Promise<[string, string]> {
    const fk = info.fks.find((f) => f.columns.length === 1 && f.columns[0] === col.name);
    if (fk) {
      const out: string[] = [];
      for (let i = 0; i < 2; i++) {
        const row = await this.insertRow(fk.refSchema, fk.refTable, new Map(), 1, undefined);
        const v = row[fk.refColumns[0]];
        if (v === null || v === undefined) throw new Untestable(`could not create a row in ${fk.refTable} for the tenant`);
        out.push(v);
      }
      return [out[0], out[1]];
    }
    if (col.base === 'uuid') return [randomUUID(), randomUUID()];
    const expr = [this.valueExpr(col), this.valueExpr(col)];
    if (!expr[0] || !expr[1]) throw new Untestable(`cannot generate values of type ${col.type} for the tenant column`);
    const r = await this.db.query(`SELECT (${expr[0]})::text AS a, (${expr[1]})::text AS b`);
    const [a, b] = [String(r.rows[0].a), String(r.rows[0].b)];
    if (a === b) throw new Untestable(`cannot generate two distinct values of type ${col.type} for the tenant column`);
    return [a, b];
  }

  private async loadTable(schema: string, table: string): Promise<TableInfo | null> {
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
        a.atttypmod::int AS typmod, a.attnotnull AS notnull, a.atthasdef AS hasdef, a.attidentity::text AS identity,
        a.attgenerated::text AS generated, t.typtype::text AS typtype, t.typcategory::text AS category,
        coalesce(bt.typname, t.typname)::text AS base, coalesce(bt.typtype, t.typtype)::text AS basetyptype,
        coalesce(bt.oid, t.oid)::text AS typeoid, (CASE WHEN bt.oid IS NULL THEN a.atttypmod ELSE t.typtypmod END)::int AS basetypmod,
        coalesce(bt.typcategory, t.typcategory)::text AS basecategory
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
      WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [oid]);
    const fks = await this.db.query(`SELECT con.conname AS name,
        (SELECT array_agg(a.attname ORDER BY k.i)::text[] FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS cols,
        (SELECT array_agg(a.attname ORDER BY k.i)::text[] FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS refcols,
        rn.nspname AS refschema, rc.relname AS reftable
      FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
      JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE con.conrelid = $1::oid AND con.contype = 'f'`, [oid]);
    const info: TableInfo = {
      schema, table, oid,
      rls: Boolean(t.rows[0].rls), force: Boolean(t.rows[0].force), owner: String(t.rows[0].owner),
      columns: cols.rows.map((c) => ({
        name: String(c.name), type: String(c.type), typmod: Number(c.typmod), notNull: Boolean(c.notnull),
        hasDefault: Boolean(c.hasdef), identity: String(c.identity ?? ''), generated: String(c.generated ?? ''),
        base: String(c.base), typtype: String(c.basetyptype), category: String(c.basecategory),
        typeOid: String(c.typeoid), baseTypmod: Number(c.basetypmod),
      })),
      fks: fks.rows.map((f) => ({
        name: String(f.name), columns: f.cols as string[], refColumns: f.refcols as string[],
        refSchema: String(f.refschema), refTable: String(f.reftable),
      })),
    };
    for (const c of info.columns) {
      if (c.typtype === 'e' && !this.enumLabels.has(c.typeOid)) {
        const l = await this.db.query(`SELECT enumlabel FROM pg_catalog.pg_enum WHERE enumtypid = $1::oid
          ORDER BY enumsortorder LIMIT 1`, [c.typeOid]);
        this.enumLabels.set(c.typeOid, l.rows.length ? String(l.rows[0].enumlabel) : null);
      }
    }
    this.tables.set(key, info);
    return info;
  }

  /** A SQL expression of the column's type, different on each call where the type allows it. */
  private valueExpr(col: Column): string | null {
    const n = ++this.seq;
    const cast = (e: string): string => `(${e})::${col.type}`;
    if (col.category === 'A') return cast(`'{}'`);
    if (col.typtype === 'e') {
      const label = this.enumLabels.get(col.typeOid);
      return label === null || label === undefined ? null : cast(literal(label));
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
   * A value that satisfies a CHECK constraint of the simple kinds PostgreSQL stores as
   * `(col = ANY (ARRAY['a'::text, …]))` (from `col IN ('a', …)`) or `(col >= 5)` / `(col > 5)`.
   */
  private async checkHint(info: TableInfo, constraint: string): Promise<{ column: string; value: string } | undefined> {
    const r = await this.db.query(`SELECT pg_catalog.pg_get_constraintdef(oid) AS def FROM pg_catalog.pg_constraint
      WHERE conrelid = $1::oid AND conname = $2`, [info.oid, constraint]);
    const def = r.rows.length ? String(r.rows[0].def) : '';
    const col = (n: string): Column | undefined => info.columns.find((c) => c.name === n.replace(/^"|"$/g, '').replace(/""/g, '"'));
    const any = /\(\(?("(?:[^"]|"")+"|\w+)\)?(?:::[\w ]+)? = ANY \(\(?ARRAY\[\s*('(?:[^']|'')*'|-?[\d.]+)/.exec(def);
    if (any && col(any[1])) return { column: col(any[1])!.name, value: `(${any[2].replace(/::[\w ]+$/, '')})::${col(any[1])!.type}` };
    const cmp = /\(("(?:[^"]|"")+"|\w+) (>=|>) \(?'?(-?[\d.]+)'?/.exec(def);
    if (cmp && col(cmp[1])) {
      const n = Number(cmp[3]) + (cmp[2] === '>' ? 1 : 0);
      return { column: col(cmp[1])!.name, value: `(${n})::${col(cmp[1])!.type}` };
    }
    return undefined;
  }

  /** Inserts a row (as the current role, normally the superuser) and returns all its columns as text. */
  private async insertRow(schema: string, table: string, fixed: Map<string, string>, depth: number,
    tenantColumn: string | undefined): Promise<Row> {
    return (await this.buildRow(schema, table, fixed, depth, tenantColumn, true)).row!;
  }

  /** The INSERT statement of a row that the superuser could insert (checked and rolled back). */
  private async insertSql(schema: string, table: string, fixed: Map<string, string>, tenantColumn: string): Promise<string> {
    return (await this.buildRow(schema, table, fixed, 0, tenantColumn, false)).sql;
  }

  /**
   * Builds an INSERT with values for the NOT NULL columns that have no default, retrying on the errors
   * PostgreSQL reports: 23502 names the column that needs a value (a default that yields NULL, e.g.
   * auth.uid() outside a request), 23503 the foreign key that needs a parent row, 23505 a unique clash.
   */
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
    let lastError = '';
    for (let attempt = 0; attempt < 10; attempt++) {
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
        let prow: Row;
        try {
          prow = await this.insertRow(fk.refSchema, fk.refTable, parentFixed, depth + 1, tenantColumn);
        } catch (e) {
          if (e instanceof Untestable) throw new Untestable(`foreign key ${fk.name} of ${name}: ${e.message}`);
          throw e;
        }
        fk.columns.forEach((c, i) => {
          const col = info.columns.find((x) => x.name === c)!;
          const v = prow[fk.refColumns[i]];
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
      const sp = `sqla_row_${++this.savepoints}`;
      await this.db.exec(`SAVEPOINT ${sp}`);
      try {
        const r = await this.db.query(sql + returning);
        if (keep) await this.db.exec(`RELEASE SAVEPOINT ${sp}`);
        else await this.db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
        const row: Row = {};
        info.columns.forEach((c, i) => { const v = r.rows[0][`c${i}`]; row[c.name] = v === null ? null : String(v); });
        return { sql, row };
      } catch (e) {
        await this.db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
        if (!isDatabaseError(e)) throw e;
        lastError = errorText(e);
        if (e.code === '23502' && e.column && !explicit.has(e.column)) { explicit.add(e.column); continue; }
        if (e.code === '23503') {
          const fk = info.fks.find((f) => f.name === e.constraint);
          if (fk && fk.columns.some((c) => !explicit.has(c))) { fk.columns.forEach((c) => explicit.add(c)); continue; }
        }
        // For the probe's INSERT a unique clash is fine: RLS is checked before constraints (see below).
        if (e.code === '23514' && e.constraint) {
          const hint = await this.checkHint(info, e.constraint);
          if (hint && !fixed.has(hint.column)) { fixed = new Map(fixed).set(hint.column, hint.value); explicit.add(hint.column); continue; }
        }
        if (e.code === '23505' && !keep) return { sql };
        if (e.code === '23505') continue;
        throw new Untestable(`could not insert a generated row into ${name}: ${lastError}`);
      }
    }
    throw new Untestable(`could not insert a generated row into ${name}: ${lastError}`);
  }
}
