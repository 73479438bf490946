// The design review report: one generator over the analysed migration sets, read by the Markdown, HTML and JSON
// renderers, the CLI and the editor. Pure: analysis results in, plain data out.
import type { ResolvedConfig } from '../engine/config';
import { ruleMeta, docsUrl } from '../engine/registry';
import { statementContaining, type SetResult } from '../engine/run';
import type { Category, Finding, SetContext, Severity } from '../engine/types';
import { blocks, modeName } from '../locks';
import { sizeText } from '../engine/sizes';
import { LineIndex } from '../parser/positions';
import { displayName } from '../model/schema';
import type { ColumnModel, ConstraintModel, IndexModel, Origin, PolicyModel, TableModel } from '../model/types';
import { classifyColumn, protectionEvidence, storesPlainly } from '../catalogue/no-unencrypted-sensitive-column';
import { naturalPrimaryKey, uniqueKeyExempt } from '../catalogue/require-tenant-in-unique';
import { judgePolicy } from '../catalogue/require-tenant-scoped-policy';
import { appliesToAnyRole, constrains, indexColumnNames, rlsDisabledAt, type PolicyExpr } from '../catalogue/tenancy-util';
import { findColumnDef, findConstraintDef, tenantColumnsOf, tenantTablesOf, typeSql } from '../catalogue/util';
import { nameWords } from '../project/names';
import { mermaidErDiagram } from './er';
import { inferredSet } from './inferred';
import type {
  Cell, ColumnFact, FindingLocation, KeyFact, Loc, PolicyFact, ProvedIsolation, Relationship, ReportModel, RiskFile, RiskStatement, RuleFindings,
  SensitiveColumn, Summary, TableFact, TenantRow, UserIsolationRow, Verdict,
} from './types';

export interface ReportOptions {
  /** The configuration each set was analysed with (tenant columns, sensitive columns). */
  configFor(setId: string): ResolvedConfig;
  /** The path shown and linked for a file or folder, e.g. relative to the workspace. */
  relPath(file: string): string;
  /** Limit findings and migration risk to these files (paths as analysed): migrations added after a git ref. */
  since?: { newFiles: ReadonlySet<string>; ref?: string };
  title?: string;
  /** The last lock trace, when one ran (paths as analysed). */
  trace?: { file: string; line: number; sql: string; locks: { relation: string; mode: string }[]; rewrites: string[]; ms: number; error?: string }[];
  /** The last tenant-isolation proof, when one ran: a verdict per set id and table (display name). */
  isolation?: { setId: string; table: string; tenantColumn?: string; perUser?: boolean; status: ProvedIsolation['status']; details: string }[];
}

const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];
const CATEGORIES: Category[] = ['tenancy', 'security', 'locking', 'design', 'meta'];

/** Everything about one analysed set that the sections share. */
class SetView {
  readonly ctx: SetContext;
  readonly setName: string;
  private readonly indexes = new Map<string, LineIndex>();
  constructor(readonly result: SetResult, readonly config: ResolvedConfig, private readonly relPath: (f: string) => string) {
    const files = result.files;
    this.ctx = {
      model: result.model, project: result.project, files, config,
      statementAt: (o) => statementContaining(files, o.file, o.span.start),
      factsAt: (s) => result.facts.get(s),
      fileText: (p) => files.find((f) => f.path === p)?.text ?? (result.baseline?.path === p ? result.baseline.text : undefined),
    };
    this.setName = relPath(result.id) || '.';
  }
  loc(file: string, offset: number): Loc {
    let idx = this.indexes.get(file);
    if (!idx) {
      idx = new LineIndex(this.ctx.fileText(file) ?? '');
      this.indexes.set(file, idx);
    }
    const p = idx.position(offset);
    return { file: this.relPath(file), line: p.line + 1, column: p.column + 1 };
  }
  at(o: Origin): Loc {
    return this.loc(o.file, o.span.start);
  }
  /** The constraint's own definition inside its statement (a REFERENCES clause, a table constraint), else the statement. */
  constraintLoc(c: ConstraintModel): Loc {
    const def = findConstraintDef(this.ctx.statementAt(c.origin), c);
    return def && def.span.start >= c.origin.span.start && def.span.start <= c.origin.span.end ? this.loc(c.origin.file, def.span.start) : this.at(c.origin);
  }
  /** An index; one behind a PRIMARY KEY / UNIQUE constraint is where the constraint is written. */
  indexLoc(table: TableModel, i: IndexModel): Loc {
    const c = i.constraint ? table.constraints.find((k) => k.name === i.constraint) : undefined;
    return c ? this.constraintLoc(c) : this.at(i.origin);
  }
  /** The column's own definition inside its statement, else the statement. */
  columnLoc(c: ColumnModel): Loc {
    const def = findColumnDef(this.ctx.statementAt(c.origin), c.name);
    return def && def.span.start >= c.origin.span.start && def.span.start <= c.origin.span.end ? this.loc(c.origin.file, def.span.start) : this.at(c.origin);
  }
}

export function buildReport(sets: SetResult[], opts: ReportOptions): ReportModel {
  const views = sets.map((s) => new SetView(s, opts.configFor(s.id), opts.relPath));
  const inScope = (file: string) => !opts.since || opts.since.newFiles.has(file);
  const findings = views.flatMap((v) => v.result.findings.filter((f) => inScope(f.file)).map((f) => ({ v, f })));
  const tenantMatrix = views.flatMap((v) => tenantRows(v, opts.isolation));
  const sensitive = views.flatMap(sensitiveColumns);
  const migrationRisk = views.flatMap((v) => riskFiles(v, inScope));
  const tables = views.flatMap(tableFacts);
  const relationships = views.flatMap(relationshipsOf);
  const allFiles = views.flatMap((v) => v.result.files.map((f) => f.path));
  return {
    version: 1,
    title: opts.title ?? 'Design review',
    since: opts.since ? { ref: opts.since.ref, files: allFiles.filter((f) => opts.since!.newFiles.has(f)).map(opts.relPath) } : undefined,
    sets: views.map((v) => v.setName),
    files: allFiles.map(opts.relPath),
    summary: summarize(views, findings.map((x) => x.f), tenantMatrix, sensitive, migrationRisk, tables.length),
    inferred: views.map((v) => inferredSet(v.result, v.setName, (o) => v.at(o), v.config)),
    tenantColumns: [...new Set(views.flatMap((v) => v.config.tenantColumns))],
    tenantMatrix,
    sensitive,
    migrationRisk,
    findingsByRule: byRule(findings),
    tables,
    relationships,
    ...(opts.isolation ? { isolationProved: true as const } : {}),
    ...(opts.isolation?.some((p) => p.perUser) ? { userIsolation: userIsolationRows(views, opts.isolation) } : {}),
    measuredLocks: opts.trace?.map((e) => ({
      at: { file: opts.relPath(e.file), line: e.line, column: 1 }, sql: e.sql, locks: e.locks, rewrites: e.rewrites, ms: e.ms, error: e.error,
    })),
    erDiagram: mermaidErDiagram(tables, relationships, views.length > 1),
    internalErrors: views.flatMap((v) => v.result.internalErrors),
  };
}

/* ---------------- tenant isolation ---------------- */

function rlsEnabledCell(v: SetView, table: TableModel): Cell {
  if (table.rlsEnabled) return { status: 'yes', text: 'enabled', loc: v.at(table.rlsEnabled) };
  const off = rlsDisabledAt(v.ctx, table);
  return off ? { status: 'no', text: 'disabled again', loc: v.at(off) } : { status: 'no', text: 'not enabled', loc: v.at(table.created) };
}

function policiesCell(v: SetView, table: TableModel, policyList: PolicyFact[], column: string, colLoc: Loc): Cell {
  const permissive = policyList.filter((p) => p.permissive);
  const unscoped = permissive.filter((p) => !p.scoped);
  if (policyList.length === 0) {
    return { status: 'no', text: table.rlsEnabled ? 'none: RLS denies every row' : 'none', loc: table.rlsEnabled ? v.at(table.rlsEnabled) : colLoc };
  }
  if (permissive.length === 0) return { status: 'no', text: 'only restrictive policies: RLS denies every row', loc: policyList[0].loc };
  if (unscoped.length === 0) return { status: 'yes', text: `${plural(policyList.length, 'policy', 'policies')}, all limited to ${column}`, loc: policyList[0].loc };
  return {
    status: unscoped.length === permissive.length ? 'no' : 'partial',
    text: `${unscoped.map((p) => p.name).join(', ')} ${unscoped.length === 1 ? 'does' : 'do'} not constrain ${column}`,
    loc: unscoped[0].loc,
  };
}

function rlsForcedCell(v: SetView, table: TableModel, namedRolesOnly: boolean): Cell {
  const roles = v.result.project.roles;
  if (table.rlsForced) return { status: 'yes', text: 'forced', loc: v.at(table.rlsForced) };
  if (!table.rlsEnabled) return { status: 'no', text: 'not forced', loc: v.at(table.created) };
  if (namedRolesOnly) {
    return { status: 'partial', text: roles.connectsAsOwner ? 'not forced (policies are for named roles only)' : `not forced (the application connects as ${roles.appRoles.join(', ')}, not as the owner)`, loc: v.at(table.rlsEnabled) };
  }
  return { status: 'no', text: 'not forced: the table owner bypasses every policy', loc: v.at(table.rlsEnabled) };
}

/** Whether the unique keys and the foreign keys to other tenant tables include the tenant column. */
function keyCells(keys: KeyFact[], column: string): { unique: Cell; foreignKeys: Cell } {
  const uniques = keys.filter((k) => k.kind !== 'foreign' && !k.exempt);
  const badUnique = uniques.filter((k) => !k.includesTenant);
  const unique: Cell = uniques.length === 0
    ? { status: 'n/a', text: 'no natural unique keys' }
    : badUnique.length === 0
      ? { status: 'yes', text: `${plural(uniques.length, 'unique key', 'unique keys')}, all include ${column}`, loc: uniques[0].loc }
      : { status: 'no', text: badUnique.map((k) => `${k.name} (${k.columns.join(', ')})`).join(', ') + ` without ${column}`, loc: badUnique[0].loc };
  const fks = keys.filter((k) => k.kind === 'foreign' && !k.exempt);
  const badFk = fks.filter((k) => !k.includesTenant);
  const foreignKeys: Cell = fks.length === 0
    ? { status: 'n/a', text: 'no foreign keys to other tenant tables' }
    : badFk.length === 0
      ? { status: 'yes', text: `${plural(fks.length, 'foreign key', 'foreign keys')} to tenant tables, all include ${column}`, loc: fks[0].loc }
      : { status: 'no', text: badFk.map((k) => `${k.name} → ${k.references}`).join(', ') + ` without ${column}`, loc: badFk[0].loc };
  return { unique, foreignKeys };
}

function userIsolationRows(views: SetView[], proof: NonNullable<ReportOptions['isolation']>): UserIsolationRow[] {
  return views.flatMap((v) => proof.filter((p) => p.perUser && p.setId === v.result.id)
    .map((p) => ({ set: v.setName, table: p.table, column: p.tenantColumn ?? '', status: p.status, details: p.details })));
}

function tenantRows(v: SetView, proof: ReportOptions['isolation']): TenantRow[] {
  const { config } = v;
  const tenants = tenantTablesOf(v.result.project);
  const tenantSet = new Set(tenants.map((t) => t.table));
  const rows: TenantRow[] = [];
  for (const { table, column } of tenants) {
    const scope = tenantColumnsOf(table, config, column);
    const col = table.columns.get(column)!;
    const colLoc = v.columnLoc(col);
    const name = displayName(table);

    const idx = table.indexes.find((i) => !i.partial && i.columns[0] === column);
    const index: Cell = idx
      ? { status: 'yes', text: `${idx.name} (${idx.columns.join(', ')})`, loc: v.indexLoc(table, idx) }
      : { status: 'no', text: `no index leading with ${column}`, loc: colLoc };

    const rlsEnabled = rlsEnabledCell(v, table);
    const policyList = table.policies.map((p) => policyFact(v, table, p, scope, column));
    const permissive = policyList.filter((p) => p.permissive);
    const unscoped = permissive.filter((p) => !p.scoped);
    const policies = policiesCell(v, table, policyList, column, colLoc);
    // FORCE matters only when the application connects as the owner and a policy applies to the owner.
    const namedRolesOnly = !v.result.project.roles.connectsAsOwner || (table.policies.length > 0 && !table.policies.some(appliesToAnyRole));
    const rlsForced = rlsForcedCell(v, table, namedRolesOnly);
    const keys = keyFacts(v, table, scope, tenantSet);
    const { unique, foreignKeys } = keyCells(keys, column);

    const gaps: string[] = [];
    if (!table.rlsEnabled) gaps.push('row-level security is not enabled');
    else if (permissive.length === 0) gaps.push('no permissive policy: nobody can read it');
    if (unscoped.length) gaps.push(`${plural(unscoped.length, 'policy', 'policies')} not limited to ${column}`);
    if (table.rlsEnabled && !table.rlsForced && !namedRolesOnly) gaps.push('not forced: the owner bypasses RLS');
    const proved = proof?.find((p) => p.setId === v.result.id && p.table === name);
    rows.push({
      set: v.setName, table: name, loc: v.at(table.created),
      tenantColumn: { name: column, type: typeSql(col.type), notNull: col.notNull, loc: colLoc },
      index, rlsEnabled, rlsForced, policies, policyList, unique, foreignKeys, keys,
      isolated: gaps.length === 0,
      gaps,
      ...(proved ? { proved: { status: proved.status, details: proved.details } } : {}),
    });
  }
  return rows.sort((a, b) => cmp(a.set, b.set) || cmp(a.table, b.table));
}

function exprOf(clause: 'USING' | 'WITH CHECK', columns: string[] | undefined, alwaysTrue: boolean | undefined, text: string | undefined): PolicyExpr | undefined {
  return columns ? { clause, columns, alwaysTrue: Boolean(alwaysTrue), text } : undefined;
}

/** The same judgement as require-tenant-scoped-policy: every command of a permissive policy is tenant-limited. */
function policyFact(v: SetView, table: TableModel, p: PolicyModel, scope: string[], column: string): PolicyFact {
  const scoped = (e: PolicyExpr | undefined) => scope.some((c) => constrains(e, c));
  const j = judgePolicy(v.ctx, table, column, p);
  const using = exprOf('USING', p.usingColumns, p.usingAlwaysTrue, p.usingText);
  const check = exprOf('WITH CHECK', p.checkColumns, p.checkAlwaysTrue, p.checkText);
  return {
    name: p.name, command: p.command.toUpperCase(), permissive: p.permissive, roles: p.roles.length ? p.roles : ['public'],
    using: oneLine(p.usingText), withCheck: oneLine(p.checkText),
    usingTenant: using ? scoped(using) : undefined,
    checkTenant: check ? scoped(check) : undefined,
    scoped: j.reads.length === 0 && j.writes.length === 0,
    loc: v.at(p.origin),
  };
}

/** Unique keys and foreign keys of a tenant table, and whether each includes a tenant column. */
function keyFacts(v: SetView, table: TableModel, scope: string[], tenantSet: Set<TableModel>): KeyFact[] {
  const out: KeyFact[] = [];
  const includes = (cols: readonly string[]) => cols.some((c) => scope.includes(c));
  // Keys unique across tenants by construction or on purpose, as require-tenant-in-unique exempts them.
  const globallyUnique = (cols: readonly string[]) => uniqueKeyExempt(v.ctx, table, cols);
  for (const c of table.constraints) {
    const stmtLoc = () => v.constraintLoc(c);
    if (c.kind === 'unique' || (c.kind === 'primary' && (c.columns.length > 1 || naturalPrimaryKey(c.columns)))) {
      out.push({ name: c.name, kind: c.kind, columns: c.columns, includesTenant: includes(c.columns), exempt: globallyUnique(c.columns), loc: stmtLoc() });
    } else if (c.kind === 'foreign' && c.refTable) {
      const target = v.ctx.model.table(c.refTable);
      // Only keys between tenant tables are judged (a self-reference included), as require-tenant-in-foreign-key does.
      const toTenant = Boolean(target && tenantSet.has(target));
      const theirKey = target ? v.result.project.tenancy.keys.get(target) : undefined;
      const theirs = target ? tenantColumnsOf(target, v.config, theirKey?.column) : [];
      const ok = c.columns.some((col, i) => scope.includes(col) && (!c.refColumns?.length || theirs.includes(c.refColumns[i])));
      out.push({
        name: c.name, kind: 'foreign', columns: c.columns, references: target ? displayName(target) : qualified(c.refTable),
        refColumns: c.refColumns, includesTenant: ok, exempt: !toTenant, loc: stmtLoc(),
      });
    }
  }
  for (const i of table.indexes) {
    if (!i.unique || i.constraint) continue;
    const cols = indexColumnNames(i.columns);
    out.push({ name: i.name, kind: 'unique-index', columns: i.columns, includesTenant: includes(cols), exempt: globallyUnique(cols), loc: v.at(i.origin) });
  }
  return out;
}

/* ---------------- sensitive data ---------------- */


const WHY: Record<string, string> = {
  password: 'a password',
  credential: 'a secret credential (API key, token, secret or private key)',
  'government-id': 'a government ID number',
  card: 'a payment card number',
  cvv: 'a card verification code',
  bank: 'a bank account number',
  birth: 'a date of birth',
  health: 'health data',
  configured: 'listed in sensitiveColumns.include',
};


// Words in a column name saying it holds a hash or ciphertext of the value (password_hash, ssn_encrypted).
const PROTECTED_NAME = new Set(['hash', 'hashed', 'digest', 'encrypted', 'enc', 'encr', 'crypted', 'ciphertext', 'cipher', 'bcrypt', 'scrypt', 'argon2', 'pbkdf2', 'sha1', 'sha256', 'sha512', 'md5', 'hmac']);

/** What a column holds and whether its name says it is protected: `password_hash` is a protected password. */
function sensitiveKind(v: SetView, table: TableModel, name: string): { kind: string; protectedWord?: string } | undefined {
  const kind = classifyColumn(name, v.config.sensitiveColumns, table);
  if (kind) return { kind };
  const words = nameWords(name);
  const word = words.find((w) => PROTECTED_NAME.has(w));
  if (!word) return undefined;
  const rest = words.filter((w) => !PROTECTED_NAME.has(w));
  const inner = rest.length ? classifyColumn(rest.join('_'), v.config.sensitiveColumns, table) : undefined;
  return inner ? { kind: inner, protectedWord: word } : undefined;
}

/** The sensitive columns of one analysed set, as the report lists them (paths as analysed). */
export function sensitiveColumnsOf(result: SetResult, config: ResolvedConfig): SensitiveColumn[] {
  return sensitiveColumns(new SetView(result, config, (f) => f));
}

function sensitiveColumns(v: SetView): SensitiveColumn[] {
  const out: SensitiveColumn[] = [];
  for (const table of v.ctx.model.tables.values()) {
    // Partitions repeat their parent's columns.
    if (table.temporary || table.partitionOf) continue;
    for (const col of table.columns.values()) {
      const found = sensitiveKind(v, table, col.name);
      if (!found) continue;
      const kind = found.kind;
      const type = typeSql(col.type);
      const evidence = protectionEvidence(table, col, v.ctx);
      const plain = !found.protectedWord && storesPlainly(kind, col.type) && !evidence;
      let storage: string;
      if (plain) storage = `${type}, nothing shows it is hashed or encrypted`;
      else if (found.protectedWord) storage = `${type}; its name says ${found.protectedWord}`;
      else if (evidence) storage = `${type}; ${evidence}`;
      else if (col.type.name === 'bytea') storage = 'bytea (ciphertext or hash)';
      else if (col.type.schema && col.type.schema !== 'pg_catalog') storage = `custom type or domain ${type}`;
      else storage = `${type}: not the value itself`;
      out.push({
        set: v.setName, table: displayName(table), column: col.name, type, kind,
        why: kind === 'configured' ? WHY.configured : `its name says it holds ${WHY[kind] ?? kind}`,
        inClear: plain, storage, loc: v.columnLoc(col),
      });
    }
  }
  return out.sort((a, b) => Number(b.inClear) - Number(a.inClear) || cmp(a.table, b.table) || cmp(a.column, b.column));
}

/* ---------------- migration risk ---------------- */

function riskFiles(v: SetView, inScope: (file: string) => boolean): RiskFile[] {
  const out: RiskFile[] = [];
  for (const f of v.result.files) {
    if (!inScope(f.path)) continue;
    const statements: RiskStatement[] = [];
    for (const s of f.statements) {
      const facts = v.result.facts.get(s);
      if (!facts) continue;
      const locks = facts.locks.entries
        .filter((e) => e.existing && (blocks(e.mode).reads || blocks(e.mode).writes))
        .map((e) => {
          const b = blocks(e.mode);
          return { table: e.table, ...(e.size ? { size: sizeText(e.size) } : {}), mode: modeName(e.mode), what: e.what, waits: b.summary, blocksReads: b.reads, blocksWrites: b.writes, rewrite: e.rewrite, scan: e.scan };
        });
      if (!locks.length) continue;
      statements.push({ loc: v.loc(f.path, s.span.start), sql: sqlSummary(s.text), inTransaction: facts.inTransaction, lockTimeoutSet: facts.lockTimeoutSet, locks });
    }
    if (statements.length) out.push({ set: v.setName, file: v.loc(f.path, 0).file, statements });
  }
  // Newest migration first: the one about to be deployed.
  return out.reverse();
}

function sqlSummary(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 157)}…` : one;
}

/* ---------------- findings ---------------- */

function byRule(findings: { v: SetView; f: Finding }[]): RuleFindings[] {
  const groups = new Map<string, RuleFindings>();
  for (const { v, f } of findings) {
    let g = groups.get(f.rule);
    if (!g) {
      const meta = ruleMeta(f.rule);
      g = {
        rule: f.rule, title: meta?.title ?? f.rule, category: f.category, severity: f.severity,
        rationale: meta?.rationale ?? '', docs: docsUrl(f.rule), locations: [],
      };
      groups.set(f.rule, g);
    }
    if (SEVERITY_ORDER.indexOf(f.severity) < SEVERITY_ORDER.indexOf(g.severity)) g.severity = f.severity;
    const loc: FindingLocation = { loc: v.loc(f.file, f.start), severity: f.severity, message: f.message };
    g.locations.push(loc);
  }
  return [...groups.values()].sort((a, b) =>
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || b.locations.length - a.locations.length || cmp(a.rule, b.rule));
}

/* ---------------- schema overview ---------------- */

function tableFacts(v: SetView): TableFact[] {
  const out: TableFact[] = [];
  for (const t of v.ctx.model.tables.values()) {
    if (t.temporary) continue;
    const pk = t.constraints.find((c) => c.kind === 'primary')?.columns ?? [];
    const fkCols = new Set(t.constraints.filter((c) => c.kind === 'foreign').flatMap((c) => c.columns));
    const tenantColumn = v.result.project.tenancy.keys.get(t)?.column;
    const columns: ColumnFact[] = [...t.columns.values()].map((c) => ({
      name: c.name, type: typeSql(c.type), notNull: c.notNull, hasDefault: c.hasDefault, primaryKey: pk.includes(c.name),
      foreignKey: fkCols.has(c.name), tenant: c.name === tenantColumn,
      sensitive: sensitiveKind(v, t, c.name) !== undefined,
      comment: c.comment, loc: v.columnLoc(c),
    }));
    const seen = new Set<string>();
    const history: Loc[] = [];
    for (const h of t.history) {
      if (seen.has(h.file)) continue;
      seen.add(h.file);
      history.push(v.at(h));
    }
    out.push({
      set: v.setName, name: displayName(t), schema: t.schema, loc: v.at(t.created), comment: t.comment, tenantColumn,
      rls: t.rlsForced && t.rlsEnabled ? 'forced' : t.rlsEnabled ? 'enabled' : 'off', partitioned: t.partitioned,
      columns,
      constraints: t.constraints.map((c) => ({
        name: c.name, kind: c.kind, columns: c.columns, references: c.refTable ? refName(v, c.refTable) : undefined,
        refColumns: c.refColumns, validated: c.validated, loc: v.constraintLoc(c),
      })),
      indexes: t.indexes.map((i) => ({
        name: i.name, columns: i.columns, include: i.include, unique: i.unique, partial: i.partial, method: i.method,
        constraint: i.constraint, loc: v.indexLoc(t, i),
      })),
      history,
    });
  }
  return out.sort((a, b) => cmp(a.set, b.set) || cmp(a.name, b.name));
}

function relationshipsOf(v: SetView): Relationship[] {
  const out: Relationship[] = [];
  for (const t of v.ctx.model.tables.values()) {
    if (t.temporary) continue;
    for (const c of t.constraints) {
      if (c.kind !== 'foreign' || !c.refTable) continue;
      const target = v.ctx.model.table(c.refTable);
      const toColumns = c.refColumns?.length ? c.refColumns : target?.constraints.find((k) => k.kind === 'primary')?.columns ?? [];
      out.push({
        set: v.setName, name: c.name, from: displayName(t), fromColumns: c.columns, to: refName(v, c.refTable), toColumns,
        toKnown: Boolean(target && !target.temporary), required: c.columns.every((x) => t.columns.get(x)?.notNull),
        loc: v.constraintLoc(c),
      });
    }
  }
  return out.sort((a, b) => cmp(a.set, b.set) || cmp(a.from, b.from) || cmp(a.name, b.name));
}

function refName(v: SetView, q: { schema?: string; name: string }): string {
  const t = v.ctx.model.table(q);
  return t ? displayName(t) : qualified(q);
}

function qualified(q: { schema?: string; name: string }): string {
  return q.schema && q.schema !== 'public' ? `${q.schema}.${q.name}` : q.name;
}

/* ---------------- summary ---------------- */

function summarize(views: SetView[], findings: Finding[], matrix: TenantRow[], sensitive: SensitiveColumn[], risk: RiskFile[], tables: number): Summary {
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const f of findings) { bySeverity[f.severity]++; byCategory[f.category]++; }
  const status = (cat: Category): Verdict['status'] => {
    const sev = findings.filter((f) => f.category === cat).map((f) => f.severity);
    return sev.includes('error') ? 'fail' : sev.includes('warning') ? 'warn' : 'ok';
  };
  const count = (cat: Category) => {
    const n = byCategory[cat];
    return n ? ` ${plural(n, 'finding', 'findings')}.` : ' No findings.';
  };
  const verdicts: Verdict[] = [];

  const notIsolated = matrix.filter((r) => !r.isolated);
  const tenantText = matrix.length === 0
    ? `No tenant tables (no table has a column named ${listOr(views[0]?.config.tenantColumns ?? [])}).`
    : notIsolated.length === 0
      ? `All ${plural(matrix.length, 'tenant table', 'tenant tables')} are isolated by row-level security with tenant-scoped policies.`
      : `${matrix.length - notIsolated.length} of ${plural(matrix.length, 'tenant table', 'tenant tables')} isolated; not isolated: ${notIsolated.slice(0, 6).map((r) => `${r.table} (${r.gaps[0]})`).join(', ')}${notIsolated.length > 6 ? `, and ${notIsolated.length - 6} more` : ''}.`;
  verdicts.push({ area: 'tenancy', title: 'Tenant isolation', status: status('tenancy'), text: tenantText + count('tenancy') });

  const clear = sensitive.filter((s) => s.inClear);
  const sensText = sensitive.length === 0
    ? 'No column looks like a secret or personal data.'
    : clear.length === 0
      ? `${plural(sensitive.length, 'sensitive column', 'sensitive columns')}, none stored in clear.`
      : `${plural(clear.length, 'sensitive column', 'sensitive columns')} stored in clear: ${clear.slice(0, 6).map((s) => `${s.table}.${s.column}`).join(', ')}${clear.length > 6 ? `, and ${clear.length - 6} more` : ''}.`;
  verdicts.push({ area: 'security', title: 'Sensitive data and security', status: status('security'), text: sensText + count('security') });

  const stmts = risk.flatMap((r) => r.statements);
  const rewrites = stmts.filter((s) => s.locks.some((l) => l.rewrite)).length;
  const reads = stmts.filter((s) => s.locks.some((l) => l.blocksReads)).length;
  const riskText = stmts.length === 0
    ? 'No statement takes a blocking lock on an existing table.'
    : `${plural(stmts.length, 'statement', 'statements')} in ${plural(risk.length, 'migration', 'migrations')} ${stmts.length === 1 ? 'takes a blocking lock' : 'take blocking locks'} on existing tables (${reads} ${reads === 1 ? 'blocks' : 'block'} reads, ${rewrites} ${rewrites === 1 ? 'rewrites' : 'rewrite'} a table).`;
  verdicts.push({ area: 'locking', title: 'Migration risk', status: status('locking'), text: riskText + count('locking') });

  verdicts.push({ area: 'design', title: 'Schema design', status: status('design'), text: `${plural(tables, 'table', 'tables')}.${count('design')}` });
  const syntax = findings.filter((f) => f.rule === 'syntax-error').length;
  if (syntax) verdicts.push({ area: 'syntax', title: 'Parsing', status: 'fail', text: `${plural(syntax, 'statement does', 'statements do')} not parse and ${syntax === 1 ? 'was' : 'were'} not analysed.` });

  return {
    sets: views.length, files: views.reduce((n, v) => n + v.result.files.length, 0), tables, tenantTables: matrix.length,
    findings: findings.length, bySeverity, byCategory, verdicts,
  };
}

/* ---------------- helpers ---------------- */

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listOr(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** An expression on one line, without its `--` comments (which would swallow the rest of the line). */
function oneLine(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s.replace(/'(?:[^']|'')*'|--[^\n]*/g, (m) => (m.startsWith('--') ? ' ' : m)).replace(/\s+/g, ' ').trim();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
