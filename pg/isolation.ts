/**
 * Tenant-isolation probe. For each tenant table: rows for two tenants A and B are inserted as the superuser
 * (pg/rows.ts), then, for each tenant context that could make a request "tenant A" (pg/tenant-context.ts), a
 * user of tenant A is created with what makes the policies true (a membership row, JWT claims, a setting), and
 * the probe runs SELECT, UPDATE and DELETE without WHERE, an INSERT of a row of B and an UPDATE moving A's rows
 * to B, as that request, with B's rows present. Each step runs in a savepoint that is rolled back.
 *
 * "isolated" needs every step probed and a context in which A really sees or changes its own rows (else the
 * probe may just have asked as nobody), unless every step is refused to everyone (privileges, no policy).
 *
 * A table whose rows belong to users (IsolationTable.perUser) is probed the same way as two signed-in users, each
 * the tenant of its rows. There, other users' rows that a SELECT policy independent of who asks lets through
 * (`USING (true)`) are the design that policy states: "shared", when every write is isolated.
 */
import type { TenantContextConfig } from '../rules/index';
import { isDatabaseError, type Driver } from './driver';
import { errorText, ident, literal, RowFactory, Untestable, type Column, type TableInfo } from './rows';
import {
  contextJson, describeContext, enter, inferContexts, loadPolicies, policyUserColumns, readCatalog, requestRole, setUpIdentity,
  type Candidate, type Catalog, type Identity, type PolicyInfo,
} from './tenant-context';
import { EngineFailure, inStep, qualifiedName } from './trace';
import type { IsolationResult, IsolationTable, TraceEntry } from './types';

export { ident, literal } from './rows';

const PROBE_OUT_OF_STEP = 'engine failure: PGlite lost step with its protocol while probing as tenant A (typically ' +
  'a stack overflow in a recursive policy function, which PGlite does not report); the engine was restarted';

/** Records the tenant of each row an UPDATE or DELETE reaches, and skips the row (BEFORE trigger returning NULL). */
const COUNTER = '"!sqla_touch"';

type Op = 'select' | 'update' | 'delete' | 'insert' | 'move';
const OP_CMD: Record<Op, string> = { select: 'r', update: 'w', delete: 'd', insert: 'a', move: 'w' };

interface Counts { a: number; b: number; other: number; nulls: number }

/** What happened under one candidate context. */
interface Outcome {
  candidate: Candidate;
  /** Who A and B are: two tenants, or two users of a per-user table. */
  unit: 'tenant' | 'user';
  /** Per-user table: a policy grants every user the read of other users' rows (done.select names it). */
  shared?: boolean;
  role: string;
  /** The step that could not be done (creating the user, the membership row …). */
  failed?: string;
  leaks: string[];
  problems: string[];
  notes: string[];
  /** Per step: how it went, in words, when it was probed. */
  done: Partial<Record<Op, string>>;
  /** Steps refused to every request of this role (privileges, or RLS without a policy for it). */
  refused: Partial<Record<Op, string>>;
  ownSeen: number;
  ownTotal: number;
  ownUpdated: number;
  ownDeleted: number;
  /** A row of tenant A (shaped like the probe's row of B) was accepted. */
  ownInserted: boolean;
  identity?: Identity;
}

function score(o: Outcome): number {
  return (o.ownSeen > 0 ? 8 : 0) + (o.ownUpdated > 0 ? 4 : 0) + (o.ownDeleted > 0 ? 2 : 0) + (o.ownInserted ? 1 : 0);
}

function validated(o: Outcome): boolean {
  return score(o) > 0;
}

function allRefused(o: Outcome): boolean {
  return (['select', 'update', 'delete', 'insert', 'move'] as Op[]).every((op) => o.refused[op]);
}

/** 42501 is both "permission denied" (privileges) and "violates row-level security policy" (WITH CHECK). */
function isRlsViolation(e: unknown): boolean {
  return isDatabaseError(e) && e.code === '42501' && /row-level security/i.test(e.message);
}

function isPrivilegeError(e: unknown): boolean {
  return isDatabaseError(e) && e.code === '42501' && !/row-level security/i.test(e.message);
}

export interface ProbeOptions {
  tenantSetting: string;
  tenantColumns: string[];
  /** Roles the probe role joins (policies TO authenticated). */
  memberOf?: string[];
  /** The configured context: the only one tried. */
  tenantContext?: TenantContextConfig;
  /** The project looks like a Supabase project: requests run as `authenticated` with its real privileges. */
  supabase?: boolean;
}

export class IsolationProbe {
  private readonly rows: RowFactory;
  private catalog?: Catalog;

  constructor(private readonly db: Driver, private readonly options: ProbeOptions, private readonly replay: TraceEntry[]) {
    this.rows = new RowFactory(db);
  }

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
      ({ table: name, tenantColumn: t.tenantColumn, ...(t.perUser ? { perUser: true } : {}), status, details });
    await this.db.exec('RESET ROLE').catch(() => undefined);
    await this.db.exec('BEGIN');
    let broken = false;
    try {
      const info = await this.rows.loadTable(schema, t.table);
      if (!info) {
        const related = this.replay.filter((e) => e.error && e.sql.toLowerCase().includes(t.table.toLowerCase()));
        const why = related.length
          ? `; replay errors: ${related.slice(0, 2).map((e) => `${e.file}:${e.line} ${e.error!.message}`).join('; ')}`
          : '';
        return result('untestable', `table ${name} does not exist after the replay${why}`);
      }
      const col = info.columns.find((c) => c.name === t.tenantColumn);
      if (!col) return result('untestable', `column ${t.tenantColumn} does not exist in ${name}`);
      return await this.probe(info, col, result, Boolean(t.perUser));
    } catch (e) {
      if (e instanceof Untestable) {
        const hint = /isolationSeed|tenantContext/.test(e.message) ? ''
          : '; rows the generator cannot make can come from a seed file ("isolationSeed": "…sql" in .sqlarchitect.json)';
        return result('untestable', `${e.message}${hint}`);
      }
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
    result: (s: IsolationResult['status'], d: string) => IsolationResult, perUser: boolean): Promise<IsolationResult> {
    const warnings: string[] = [];
    if (!info.rls) warnings.push('row level security is not enabled on the table');
    else if (!info.force) warnings.push(`FORCE ROW LEVEL SECURITY is off: the owner (${info.owner}) bypasses RLS`);

    const { a, b, seeded } = await this.tenantRows(info, tenantCol);
    if (seeded) warnings.push('rows already in the table were used (from the seed file, or made by a trigger such as a sign-up trigger)');
    await this.installCounter(info, tenantCol);
    await this.grantProbeRole(info, this.db.probeRole);
    const policies = await loadPolicies(this.db, info.oid);
    const inferred = async (): Promise<Candidate[]> => inferContexts(this.rows, {
      info, tenantColumn: tenantCol.name, tenantSetting: this.options.tenantSetting,
      tenantColumns: this.options.tenantColumns, policies, catalog: this.catalog ??= await readCatalog(this.db),
    });
    const candidates: Candidate[] = perUser ? await this.userContexts(inferred, tenantCol.name)
      : this.options.tenantContext ? [{ context: this.options.tenantContext, why: 'the tenantContext of the configuration' }]
        : await inferred();

    const outcomes: Outcome[] = [];
    for (const candidate of candidates) {
      const sp = this.rows.savepoint('sqla_ctx');
      await this.db.exec(`SAVEPOINT ${sp}`);
      const role = await requestRole(this.db, candidate.context, this.db.probeRole, Boolean(this.options.supabase));
      const outcome: Outcome = {
        candidate, role, unit: perUser ? 'user' : 'tenant', leaks: [], problems: [], notes: [], done: {}, refused: {},
        ownSeen: 0, ownTotal: 0, ownUpdated: 0, ownDeleted: 0, ownInserted: false,
      };
      try {
        await this.tryContext(info, tenantCol, outcome, a, b, policies);
      } catch (e) {
        if (e instanceof Untestable) outcome.failed = e.message;
        else if (isDatabaseError(e)) outcome.failed = `probe failed: ${errorText(e)}`;
        else throw e;
      }
      await this.db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
      outcomes.push(outcome);
      // A leak under any context is a leak: a user who is not of tenant B reached B's rows.
      if (outcome.leaks.length) break;
    }
    return this.verdict(outcomes, info, warnings, result);
  }

  /**
   * A per-user table is probed as two signed-in users, each the "tenant" of its rows: the contexts inferred with the
   * user as the tenant (JWT or the configured user setting), else that context stated. A configured tenantContext
   * names how a request becomes a tenant, which is not how it becomes a user.
   */
  private async userContexts(inferred: () => Promise<Candidate[]>, column: string): Promise<Candidate[]> {
    const found = (await inferred()).filter((c) => c.context.userIsTenant);
    if (found.length) return found;
    const userSetting = this.options.tenantContext?.userSetting;
    return [{ context: { userIsTenant: true, ...(userSetting ? { userSetting } : {}) }, why: `the policies compare ${column} with the signed-in user` }];
  }

  private verdict(outcomes: Outcome[], info: TableInfo, warnings: string[],
    result: (s: IsolationResult['status'], d: string) => IsolationResult): IsolationResult {
    const join = (...parts: string[]): string => parts.filter(Boolean).join('; ');
    const table = qualifiedName(info.schema, info.table);
    const describe = (o: Outcome): string => describeContext(o.candidate.context, this.roleLabel(o.role), table);
    // A context in which A saw none of its own rows still proves a leak: that request is no user of tenant B.
    const who = (o: Outcome): string => (validated(o) ? `${o.unit} A: ${describe(o)}` : `probed as: ${describe(o)}`);
    const leaking = outcomes.find((o) => o.leaks.length && validated(o)) ?? outcomes.find((o) => o.leaks.length);
    if (leaking) return result('leaks', join(...leaking.leaks, ...leaking.problems, ...leaking.notes, who(leaking), ...warnings));
    const probed = (o: Outcome): boolean => (['select', 'update', 'delete', 'insert', 'move'] as Op[]).every((op) => o.refused[op] ?? o.done[op]);
    const sound = outcomes.filter((o) => !o.failed && !o.problems.length && probed(o) && (validated(o) || allRefused(o)));
    if (sound.length) {
      const best = sound.reduce((m, o) => (score(o) > score(m) ? o : m), sound[0]);
      const steps = (['select', 'update', 'delete', 'insert', 'move'] as Op[]).map((op) => best.refused[op] ?? best.done[op]).filter(Boolean) as string[];
      return result(best.shared ? 'shared' : 'isolated', join(...steps, ...best.notes, who(best), ...warnings));
    }
    // Nothing proved: say what each context did and how to name the right one.
    const tried = outcomes.map((o, i) => {
      const what = o.failed ?? (o.problems.length ? join(...o.problems)
        : `${o.unit} A saw and changed none of its ${o.ownTotal} rows (the policies did not grant this context access)`);
      return `${outcomes.length > 1 ? `${i + 1}) ` : ''}${describe(o)} [${o.candidate.why}]: ${what}`;
    });
    const guess = outcomes.find((o) => o.candidate.context.membership)?.candidate.context ?? outcomes[0]?.candidate.context;
    const fix = guess
      ? `name the tenant context in .sqlarchitect.json, e.g. "tenantContext": ${contextJson(guess)}`
      : 'name the tenant context in .sqlarchitect.json ("tenantContext")';
    return result('untestable', join(`no tenant context was proved: ${tried.join('; ')}`, fix, ...warnings));
  }

  /**
   * Two tenant values with two rows each (one when the tenant column is unique) and the INSERT of a row of B.
   * Falls back on rows that already exist (a seed file) when none can be generated.
   */
  private async tenantRows(info: TableInfo, col: Column): Promise<{ a: string; b: string; seeded: boolean }> {
    const lit = (v: string): string => `${literal(v)}::${col.type}`;
    try {
      const [a, b] = await this.tenantValues(info, col);
      for (const v of [a, b]) {
        const fixed = new Map([[col.name, lit(v)]]);
        await this.rows.insertRow(info.schema, info.table, fixed, col.name);
        await this.rows.insertRow(info.schema, info.table, fixed, col.name).catch((e) => {
          if (!(e instanceof Untestable)) throw e;
        });
      }
      return { a, b, seeded: false };
    } catch (e) {
      if (!(e instanceof Untestable)) throw e;
      const r = await this.db.query(`SELECT DISTINCT ${ident(col.name)}::text AS t FROM ${ident(info.schema)}.${ident(info.table)}
        WHERE ${ident(col.name)} IS NOT NULL ORDER BY 1 LIMIT 2`);
      if (r.rows.length < 2) throw e;
      const [a, b] = r.rows.map((x) => String(x.t));
      return { a, b, seeded: true };
    }
  }

  /** Two distinct tenant values, as text; the parent rows exist when the tenant column is a foreign key. */
  private async tenantValues(info: TableInfo, col: Column): Promise<[string, string]> {
    const fk = info.fks.find((f) => f.columns.length === 1 && f.columns[0] === col.name);
    if (fk) {
      const out: string[] = [];
      for (let i = 0; i < 2; i++) {
        let v: string | null | undefined;
        try {
          v = (await this.rows.insertRow(fk.refSchema, fk.refTable, new Map()))[fk.refColumns[0]];
        } catch (e) {
          if (!(e instanceof Untestable)) throw e;
          // Tenants the seed file (or a migration) created will do.
          const r = await this.db.query(`SELECT DISTINCT ${ident(fk.refColumns[0])}::text AS t FROM ${ident(fk.refSchema)}.${ident(fk.refTable)}
            WHERE ${ident(fk.refColumns[0])} IS NOT NULL ORDER BY 1 LIMIT 2`);
          if (r.rows.length === 2) return [String(r.rows[0].t), String(r.rows[1].t)];
          throw new Untestable(`could not create a tenant (a row of ${qualifiedName(fk.refSchema, fk.refTable)}): ${e.message}`);
        }
        if (v === null || v === undefined) throw new Untestable(`could not create a row in ${fk.refTable} for the tenant`);
        out.push(v);
      }
      return [out[0], out[1]];
    }
    const expr = [this.rows.valueExpr(col), this.rows.valueExpr(col)];
    if (!expr[0] || !expr[1]) throw new Untestable(`cannot generate values of type ${col.type} for the tenant column`);
    const r = await this.db.query(`SELECT (${expr[0]})::text AS a, (${expr[1]})::text AS b`);
    const [a, b] = [String(r.rows[0].a), String(r.rows[0].b)];
    if (a === b) throw new Untestable(`cannot generate two distinct values of type ${col.type} for the tenant column`);
    return [a, b];
  }

  /**
   * A BEFORE UPDATE OR DELETE trigger that, while the transaction-local setting sqla.touch is on, records the
   * tenant of each row the statement reached and skips the row. So an UPDATE or DELETE reveals exactly the rows
   * its USING clause admits, with nothing changed, no constraint in the way, and no user trigger run. Its name
   * sorts first: triggers fire in name order (CREATE TRIGGER docs).
   */
  private async installCounter(info: TableInfo, col: Column): Promise<void> {
    await this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS sqla_touched (tenant text)`);
    await this.db.exec(`CREATE OR REPLACE FUNCTION pg_temp.sqla_touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        IF current_setting('sqla.touch', true) = 'on' THEN
          INSERT INTO pg_temp.sqla_touched VALUES (to_jsonb(OLD) ->> TG_ARGV[0]);
          RETURN NULL;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await this.db.exec(`CREATE TRIGGER ${COUNTER} BEFORE UPDATE OR DELETE ON ${ident(info.schema)}.${ident(info.table)}
      FOR EACH ROW EXECUTE FUNCTION pg_temp.sqla_touch(${literal(col.name)})`);
  }

  /** The probe role gets every privilege on the table, as an application role would; the tenant roles too. */
  private async grantProbeRole(info: TableInfo, role: string): Promise<void> {
    const tbl = `${ident(info.schema)}.${ident(info.table)}`;
    await this.db.exec(`GRANT ALL ON TABLE ${tbl} TO ${ident(role)}`);
    // Policies often call helper functions in other schemas (auth.uid(), private.is_member(…)).
    const schemas = await this.db.query(`SELECT nspname FROM pg_catalog.pg_namespace
      WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`);
    for (const s of schemas.rows) {
      await this.db.exec(`GRANT USAGE ON SCHEMA ${ident(String(s.nspname))} TO ${ident(role)}`);
    }
    await this.db.exec(`GRANT ALL ON ALL SEQUENCES IN SCHEMA ${ident(info.schema)} TO ${ident(role)}`);
    for (const m of this.options.memberOf ?? []) {
      const exists = await this.db.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [m]);
      if (exists.rows.length) await this.db.exec(`GRANT ${ident(m)} TO ${ident(role)}`);
    }
  }

  private roleLabel(role: string): string {
    if (role !== this.db.probeRole) return role;
    const m = (this.options.memberOf ?? []).length ? `, member of ${this.options.memberOf!.join(', ')}` : '';
    return `a probe role with every privilege on the table${m}`;
  }

  /**
   * The permissive SELECT policies of `role` whose USING does not depend on who asks: it names neither the owner
   * column nor the signed-in user (`USING (true)`, `auth.role() = 'authenticated'`, `is_public`). A read they let
   * through is the design the policy states, not a leak of the per-user table.
   */
  private async sharingPolicies(policies: PolicyInfo[], role: string, owner: string): Promise<PolicyInfo[]> {
    const personal = new RegExp(`(^|[^\\w$"])"?${owner.replace(/[$]/g, '\\$')}"?($|[^\\w$"])|auth\\.(uid|jwt|email)\\s*\\(|current_setting|request\\.jwt|current_user|session_user`, 'i');
    const out: PolicyInfo[] = [];
    for (const p of policies) {
      if (!p.permissive || (p.cmd !== '*' && p.cmd !== 'r') || personal.test(p.using ?? 'true')) continue;
      if (await this.appliesTo(p, role)) out.push(p);
    }
    return out;
  }

  private async appliesTo(p: PolicyInfo, role: string): Promise<boolean> {
    if (p.roles.includes('public') || p.roles.includes(role)) return true;
    for (const r of p.roles) {
      const m = await this.db.query(`SELECT pg_catalog.pg_has_role($1, $2, 'MEMBER') AS m`, [role, r]);
      if (m.rows[0]?.m) return true;
    }
    return false;
  }

  /** Whether row-level security refuses `op` to every request of `role`: RLS applies and no permissive policy covers it. */
  private async noPolicy(info: TableInfo, policies: PolicyInfo[], role: string, op: Op): Promise<boolean> {
    if (!info.rls) return false;
    const bypass = await this.db.query(`SELECT rolbypassrls OR rolsuper AS b FROM pg_catalog.pg_roles WHERE rolname = $1`, [role]);
    if (bypass.rows[0]?.b) return false;
    for (const p of policies) {
      if (!p.permissive || (p.cmd !== '*' && p.cmd !== OP_CMD[op])) continue;
      if (await this.appliesTo(p, role)) return false;
    }
    return true;
  }

  private async tryContext(info: TableInfo, tenantCol: Column, o: Outcome, a: string, b: string,
    policies: PolicyInfo[]): Promise<void> {
    const db = this.db;
    const u = o.unit;
    const [A, B] = [`${u} A`, `${u} B`];
    const tbl = `${ident(info.schema)}.${ident(info.table)}`;
    const tc = ident(tenantCol.name);
    const lit = (v: string): string => `${literal(v)}::${tenantCol.type}`;
    const grant = (r: string): Promise<void> => this.grantProbeRole(info, r);
    const idA = await setUpIdentity(db, this.rows, o.candidate.context, a, o.role, grant);
    // Tenant B gets its own user too, so that B's rows are those of a real other tenant.
    await setUpIdentity(db, this.rows, o.candidate.context, b, o.role, grant);
    o.identity = idA;
    const own = idA.own;
    // The probe's INSERTs: a row as tenant A would write it (the user in the columns the policies compare with
    // the user, as in `WITH CHECK (actor_id = auth.uid())`), for tenant A and the same for tenant B.
    const rowOf = (tenant: string): Map<string, string> => {
      const fixed = new Map([[tenantCol.name, lit(tenant)]]);
      if (idA.user !== undefined) {
        for (const c of policyUserColumns(info, policies, o.candidate.context)) {
          const col = info.columns.find((x) => x.name === c)!;
          if (c !== tenantCol.name && !col.generated && !col.identity) fixed.set(c, `${literal(idA.user)}::${col.type}`);
        }
      }
      return fixed;
    };
    const insertA = await this.rows.insertSql(info.schema, info.table, rowOf(a), tenantCol.name).catch((e) => {
      if (e instanceof Untestable) return undefined;
      throw e;
    });
    const insertB = await this.rows.insertSql(info.schema, info.table, rowOf(b), tenantCol.name);
    const counts = async (): Promise<Counts> => {
      const r = await db.query(`SELECT count(*) FILTER (WHERE ${tc}::text = ANY($1::text[]))::int AS a,
        count(*) FILTER (WHERE ${tc}::text = $2)::int AS b,
        count(*) FILTER (WHERE ${tc}::text <> ALL($1::text[]) AND ${tc}::text <> $2)::int AS other,
        count(*) FILTER (WHERE ${tc} IS NULL)::int AS nulls FROM ${tbl}`, [own, b]);
      const row = r.rows[0];
      return { a: Number(row.a), b: Number(row.b), other: Number(row.other), nulls: Number(row.nulls) };
    };
    const total = await counts();
    o.ownTotal = total.a;
    const aLabel = own.length > 1 ? `${A} (and the ${own.length - 1} other ${own.length > 2 ? "tenants" : "tenant"} its user belongs to)` : A;

    /** Runs `fn` as the request of tenant A, in a savepoint that is rolled back. */
    const asA = async <T>(fn: () => Promise<T>, touch = false): Promise<T> => {
      const sp = this.rows.savepoint('sqla_chk');
      await db.exec(`SAVEPOINT ${sp}`);
      try {
        if (touch) await db.query(`SELECT pg_catalog.set_config('sqla.touch', 'on', true)`);
        await enter(db, idA);
        return await fn();
      } finally {
        if (db.kind === 'pglite' && !(await inStep(db, PROBE_OUT_OF_STEP))) throw new EngineFailure(PROBE_OUT_OF_STEP);
        // Also undoes SET LOCAL ROLE and the settings: GUC changes roll back with the savepoint.
        await db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
      }
    };
    const refuse = async (op: Op, e: unknown): Promise<boolean> => {
      if (isPrivilegeError(e)) {
        o.refused[op] = `${op === 'move' ? 'moving rows' : op.toUpperCase()} refused by privileges (${(e as Error).message})`;
        return true;
      }
      return false;
    };
    const noPolicy = async (op: Op, what: string): Promise<void> => {
      if (await this.noPolicy(info, policies, o.role, op)) o.refused[op] = `${what}: no ${op === 'move' ? 'UPDATE' : op.toUpperCase()} policy applies to ${o.role}, so RLS refuses it to every ${u}`;
    };

    // SELECT: sees A's rows and nothing else.
    await asA(async () => {
      let seen: Counts;
      try {
        seen = await counts();
      } catch (e) {
        if (!(await refuse('select', e))) o.problems.push(`SELECT as ${A} failed: ${errorText(e)}`);
        return;
      }
      o.ownSeen = seen.a;
      const sharing = u === 'user' && (seen.b > 0 || seen.other > 0) ? await this.sharingPolicies(policies, o.role, tenantCol.name) : [];
      // Still as A: the other users' rows A sees that no sharing policy grants came through a policy on who asks.
      let unshared = 0;
      if (sharing.length) {
        const sp = this.rows.savepoint('sqla_shared');
        await db.exec(`SAVEPOINT ${sp}`);
        try {
          unshared = Number((await db.query(`SELECT count(*)::int AS n FROM ${tbl}
            WHERE ${tc}::text <> ALL($1::text[]) AND NOT COALESCE(${sharing.map((p) => `(${p.using ?? 'true'})`).join(' OR ')}, false)`, [own])).rows[0].n);
        } catch (e) {
          if (!isDatabaseError(e)) throw e;
          await db.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
          o.problems.push(`could not tell which rows of other users the shared-read policies grant: ${errorText(e)}`);
          return;
        }
      }
      if (unshared > 0) {
        o.leaks.push(`SELECT as ${A} returned ${unshared} rows of other users that no policy shares with every user ` +
          `(${sharing.map((p) => `"${p.name}"`).join(', ')} shares the others)`);
      } else if (sharing.length) {
        const others = seen.b + seen.other;
        o.shared = true;
        o.done.select = `SELECT as ${A} returned ${others} ${others === 1 ? 'row' : 'rows'} of other users, as ${sharing.length > 1 ? 'policies' : 'policy'} ` +
          `${sharing.map((p) => `"${p.name}" (USING ${p.using ?? 'true'})`).join(' and ')} ${sharing.length > 1 ? 'let' : 'lets'} every ${o.role} request read them whoever owns them`;
      } else {
        if (seen.b > 0) o.leaks.push(`SELECT as ${A} returned ${seen.b} of ${total.b} rows of ${B}`);
        if (seen.other > 0) o.leaks.push(`SELECT as ${A} returned ${seen.other} rows of other ${u}s`);
        o.done.select = `${aLabel} saw only its ${seen.a} of ${total.a} rows, none of B's ${total.b}`;
      }
      if (seen.nulls > 0) o.notes.push(`SELECT as ${A} returned ${seen.nulls} rows whose ${tenantCol.name} is NULL`);
      if (seen.a === 0) await noPolicy('select', 'SELECT returned nothing');
    });

    // UPDATE and DELETE without WHERE, reading no column (a SET or WHERE that reads columns also applies the
    // SELECT policy): the counter trigger records which rows the UPDATE/DELETE policy let through.
    for (const op of ['update', 'delete'] as const) {
      const sql = op === 'update' ? `UPDATE ${tbl} SET ${tc} = ${lit(a)}` : `DELETE FROM ${tbl}`;
      const verb = op.toUpperCase();
      await asA(async () => {
        try {
          await db.query(sql);
        } catch (e) {
          if (!(await refuse(op, e))) o.problems.push(`${verb} without WHERE as ${A} failed: ${errorText(e)}`);
          return;
        }
        await db.exec('RESET ROLE');
        const r = await db.query(`SELECT tenant, count(*)::int AS n FROM pg_temp.sqla_touched GROUP BY 1`);
        let ofA = 0; let ofB = 0; let others = 0;
        for (const row of r.rows) {
          const t = row.tenant === null ? null : String(row.tenant);
          if (t !== null && own.includes(t)) ofA += Number(row.n);
          else if (t === b) ofB += Number(row.n);
          else if (t !== null) others += Number(row.n);
        }
        if (ofB > 0) o.leaks.push(`${verb} without WHERE as ${A} reached ${ofB} of ${total.b} rows of ${B}`);
        if (others > 0) o.leaks.push(`${verb} without WHERE as ${A} reached ${others} rows of other ${u}s`);
        if (op === 'update') o.ownUpdated = ofA; else o.ownDeleted = ofA;
        o.done[op] = `${verb} without WHERE reached ${ofA} of A's ${total.a} rows and none of B's`;
        if (ofA === 0) await noPolicy(op, `${verb} reached nothing`);
      }, true);
    }

    // INSERT of a row of tenant A: whether A may write at all (it tells that the context is the right one).
    if (insertA) {
      await asA(async () => {
        try {
          await db.query(insertA);
          o.ownInserted = true;
        } catch {
          // Refused or failed: only the row of B decides the verdict.
        }
      });
    }

    // INSERT of a row of tenant B: RLS must reject it (42501). No RETURNING: it would need SELECT rights too.
    // PostgreSQL checks the RLS WITH CHECK before NOT NULL/CHECK/unique constraints and foreign keys, so an
    // integrity error (class 23) means RLS had already accepted the row.
    await asA(async () => {
      try {
        await db.query(insertB);
      } catch (e) {
        if (isRlsViolation(e)) o.done.insert = `INSERT of a row of ${B} rejected by RLS`;
        else if (isDatabaseError(e) && e.code.startsWith('23')) {
          o.leaks.push(`INSERT of a row of ${B} as ${A} passed RLS (only ${e.constraint ?? 'a constraint'} stopped it: ${e.message})`);
        } else if (!(await refuse('insert', e))) o.problems.push(`INSERT as ${A} failed before RLS decided: ${errorText(e)}`);
        return;
      }
      await db.exec('RESET ROLE');
      const now = await counts();
      if (now.b > total.b) o.leaks.push(`INSERT of a row of ${B} as ${A} succeeded`);
      else {
        o.notes.push(`INSERT of a row of ${B} as ${A} was accepted but stored for another ${u} (a trigger sets it)`);
        o.done.insert = `INSERT of a row of ${B} stored for another ${u}`;
      }
    });

    // UPDATE moving A's rows to B, again reading no column so that only the UPDATE policy decides: its
    // WITH CHECK (or its USING, which stands in for a missing WITH CHECK) must reject the new tenant.
    await asA(async () => {
      let moved: number;
      try {
        moved = (await db.query(`UPDATE ${tbl} SET ${tc} = ${lit(b)}`)).affectedRows;
      } catch (e) {
        if (isRlsViolation(e)) o.done.move = `moving rows to ${B} rejected by RLS`;
        else if (isDatabaseError(e) && e.code.startsWith('23')) {
          o.leaks.push(`UPDATE setting ${tenantCol.name} to ${B} passed RLS (only ${e.constraint ?? 'a constraint'} stopped it: ${e.message})`);
        } else if (!(await refuse('move', e))) o.problems.push(`UPDATE of ${tenantCol.name} as ${A} failed: ${errorText(e)}`);
        return;
      }
      if (moved > 0) o.leaks.push(`UPDATE setting ${tenantCol.name} to ${B} succeeded on ${moved} rows visible to ${A}`);
      else {
        o.done.move = `moving rows to ${B} changed nothing (no row of A is updatable)`;
        await noPolicy('move', `moving rows to ${B} changed nothing`);
      }
    });
    if (o.refused.insert === undefined && o.done.insert === undefined && !o.leaks.length && !o.problems.length) {
      o.problems.push(`INSERT of a row of ${B} was not decided`);
    }
  }
}
