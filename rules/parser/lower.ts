// Lowering: one statement's AST becomes the typed Actions rules read (model/types.ts). One function per kind of
// statement; a kind not listed is `{ type: 'other', node }`. Rules never see the parser's JSON.
import type * as pg from 'libpg-query';
import type { Action, ColumnDef, ConstraintDef, IndexDef, LockMode, PolicyCall, PolicyCommand, PolicyDef, QName, Span, Volatility } from '../model/types';
import {
  constValue, listNames, node, qname, qnameFromList, qnameFromNames, roleName, roleNames, str, tagOf,
  type Node, type NodeOf, type NodeTag, type Source,
} from './ast';
import { columnRefs, functionsCalled, isConstTrue, isSoftDeleteFilter, notNullFilterColumns, relationsRead, rowFreeCalls, sessionKeys, settingsRead } from './expressions';
import { callEnd, policyClauses } from './lexer';
import { alterCmd, columnDef, constraintDef, indexColumns } from './lower-table';
import { doBlockAction, functionInjections, type PlParser } from './plpgsql';
import { mapStrings } from './walk';
import { NONE, orNone, sized } from '../model/lists';

/**
 * The statement's node name and its actions, placeholders renamed back to what the migration wrote. `pl`: the
 * adapter's parsers, for the PL/pgSQL of DO blocks and functions (./plpgsql.ts).
 */
export function lowerStatement(ast: Node, src: Source, pl: PlParser, names?: Map<string, string>): { node: string; actions: Action[] } {
  const tag = tagOf(ast);
  try {
    return { node: tag, actions: renamePlaceholders(lower(tag, ast, src, pl), names) };
  } catch {
    // A shape of AST we did not expect must not stop the analysis of the file.
    return { node: tag, actions: [{ type: 'other', node: tag }] };
  }
}

type Lowering<K extends NodeTag> = (n: NodeOf<K>, src: Source, pl: PlParser) => Action[];

function lower(tag: string, ast: Node, src: Source, pl: PlParser): Action[] {
  if (!Object.hasOwn(STATEMENTS, tag)) return [{ type: 'other', node: tag }];
  // The table pairs each tag with the lowering of that node's body; TypeScript cannot follow the pairing here.
  const f = STATEMENTS[tag as NodeTag] as (n: unknown, src: Source, pl: PlParser) => Action[];
  return f((ast as Record<string, unknown>)[tag], src, pl);
}

/** Actions with the identifiers that stood in for placeholders named as the migration wrote them. */
function renamePlaceholders<T>(value: T, names: Map<string, string> | undefined): T {
  return names?.size ? mapStrings(value, (v) => names.get(v) ?? v) : value;
}

function createTable(n: pg.CreateStmt, src: Source): Action[] {
  const columns: ColumnDef[] = [];
  const constraints: ConstraintDef[] = [];
  const likeTables: QName[] = [];
  for (const e of n.tableElts ?? []) {
    const el = node(e);
    if (el.ColumnDef) columns.push(columnDef(el.ColumnDef, src));
    else if (el.Constraint) {
      const c = constraintDef(el.Constraint, src);
      if (c) constraints.push(c);
    } else if (el.TableLikeClause) likeTables.push(qname(el.TableLikeClause.relation));
  }
  const persistence = n.relation?.relpersistence;
  const parent = n.inhRelations?.[0];
  return [{
    type: 'create-table', table: qname(n.relation), columns: sized(columns), constraints: orNone(sized(constraints)), ifNotExists: Boolean(n.if_not_exists),
    partitioned: Boolean(n.partspec), partitionOf: n.partbound && parent ? qname(node(parent).RangeVar) : undefined,
    unlogged: persistence === 'u', temporary: persistence === 't', likeTables: orNone(likeTables), asSelect: false,
  }];
}

function createTableAs(n: pg.CreateTableAsStmt): Action[] {
  const rel = n.into?.rel;
  if (n.objtype === 'OBJECT_MATVIEW') return [{ type: 'create-view', view: qname(rel), materialized: true, sources: relationsRead(n.query) }];
  return [{
    type: 'create-table', table: qname(rel), columns: [], constraints: [], ifNotExists: Boolean(n.if_not_exists),
    partitioned: false, unlogged: rel?.relpersistence === 'u', temporary: rel?.relpersistence === 't', likeTables: NONE, asSelect: true,
  }];
}

function alterTable(n: pg.AlterTableStmt, src: Source): Action[] {
  if (n.objtype && n.objtype !== 'OBJECT_TABLE' && n.objtype !== 'OBJECT_FOREIGN_TABLE') {
    return [{ type: 'other', node: `AlterTableStmt:${n.objtype}` }];
  }
  const table = qname(n.relation);
  return (n.cmds ?? []).map((c) => alterCmd(table, node(c).AlterTableCmd ?? {}, src));
}

/** `notNullFilter` of a partial index whose condition only requires columns to be non-null. */
function notNullFilter(where: pg.Node | undefined): { notNullFilter?: string[] } {
  const cols = where ? notNullFilterColumns(where) : undefined;
  return cols?.length ? { notNullFilter: cols } : {};
}

function createIndex(n: pg.IndexStmt, src: Source): Action[] {
  const index: IndexDef = {
    name: n.idxname || undefined,
    table: qname(n.relation),
    columns: indexColumns(n.indexParams),
    include: indexColumns(n.indexIncludingParams),
    unique: Boolean(n.unique || n.primary),
    partial: Boolean(n.whereClause),
    ...(n.whereClause && isSoftDeleteFilter(n.whereClause) ? { softDelete: true } : {}),
    ...notNullFilter(n.whereClause),
    concurrently: Boolean(n.concurrent),
    ifNotExists: Boolean(n.if_not_exists),
    method: n.accessMethod ?? 'btree',
    span: src.span,
  };
  return [{ type: 'create-index', index }];
}

function drop(n: pg.DropStmt): Action[] {
  const ifExists = Boolean(n.missing_ok);
  const objects = (n.objects ?? []).map((o) => qnameFromList(node(o).List?.items ?? (node(o).String ? [o] : [])));
  switch (n.removeType) {
    case 'OBJECT_TABLE':
      return [{ type: 'drop-table', tables: objects, cascade: n.behavior === 'DROP_CASCADE', ifExists }];
    case 'OBJECT_INDEX':
      return [{ type: 'drop-index', indexes: objects, concurrently: Boolean(n.concurrent), ifExists }];
    case 'OBJECT_POLICY': {
      const items = listNames(node(n.objects?.[0]).List?.items);
      const name = items[items.length - 1] ?? '';
      const tbl = items.slice(0, -1);
      return [{ type: 'drop-policy', name, table: tbl.length > 1 ? { schema: tbl[0], name: tbl[1] } : { name: tbl[0] ?? '' }, ifExists }];
    }
    case 'OBJECT_FUNCTION':
    case 'OBJECT_PROCEDURE':
      return (n.objects ?? []).map((o) => ({ type: 'drop-function', name: qnameFromList(node(o).ObjectWithArgs?.objname) }));
    default:
      return [{ type: 'other', node: `DropStmt:${n.removeType}` }];
  }
}

function rename(n: pg.RenameStmt): Action[] {
  switch (n.renameType) {
    case 'OBJECT_COLUMN':
      return [{ type: 'rename-column', table: qname(n.relation), from: n.subname ?? '', to: n.newname ?? '' }];
    case 'OBJECT_TABLE':
      return [{ type: 'rename-table', table: qname(n.relation), to: n.newname ?? '' }];
    case 'OBJECT_INDEX':
      return [{ type: 'rename-index', index: qname(n.relation), to: n.newname ?? '' }];
    case 'OBJECT_TABCONSTRAINT':
      return [{ type: 'rename-constraint', table: qname(n.relation), from: n.subname ?? '', to: n.newname ?? '' }];
    default:
      return [{ type: 'other', node: `RenameStmt:${n.renameType}` }];
  }
}

function setSchema(n: pg.AlterObjectSchemaStmt): Action[] {
  if (n.objectType === 'OBJECT_TABLE') return [{ type: 'set-schema', table: qname(n.relation), schema: n.newschema ?? '' }];
  return [{ type: 'other', node: 'AlterObjectSchemaStmt' }];
}

function policyCommand(cmd: string | undefined): PolicyCommand {
  const c = (cmd ?? 'all').toLowerCase();
  return (['all', 'select', 'insert', 'update', 'delete'] as const).find((x) => x === c) ?? 'all';
}

/** What USING and WITH CHECK of a policy read, for CREATE POLICY and ALTER POLICY. */
function policyExpressions(n: pg.CreatePolicyStmt | pg.AlterPolicyStmt, src: Source) {
  return {
    usingColumns: n.qual ? columnRefs(n.qual) : undefined,
    checkColumns: n.with_check ? columnRefs(n.with_check) : undefined,
    usingAlwaysTrue: n.qual ? isConstTrue(n.qual) : undefined,
    checkAlwaysTrue: n.with_check ? isConstTrue(n.with_check) : undefined,
    usingText: n.qual ? src.expression(n.qual)?.trim() : undefined,
    checkText: n.with_check ? src.expression(n.with_check)?.trim() : undefined,
    calls: policyCalls(n, src),
    usingKeys: n.qual ? sessionKeys(n.qual) : undefined,
    checkKeys: n.with_check ? sessionKeys(n.with_check) : undefined,
  };
}

/** The calls of USING and WITH CHECK that PostgreSQL runs once per row although they read nothing of it. */
function policyCalls(n: pg.CreatePolicyStmt | pg.AlterPolicyStmt, src: Source): PolicyCall[] | undefined {
  const calls: PolicyCall[] = [];
  let clauses: Partial<Record<PolicyCall['clause'], Span>> | undefined;
  for (const [clause, expr] of [['using', n.qual], ['check', n.with_check]] as const) {
    for (const c of rowFreeCalls(expr)) {
      clauses ??= policyClauses(src.text, src.span);
      const within = clauses[clause];
      const start = src.at(c.location);
      if (within) calls.push({ name: c.name, runs: c.runs, clause, span: { start, end: callEnd(src.text, start, within.end) }, within });
    }
  }
  return calls.length ? calls : undefined;
}

function createPolicy(n: pg.CreatePolicyStmt, src: Source): Action[] {
  const policy: PolicyDef = {
    name: n.policy_name ?? '',
    table: qname(n.table),
    command: policyCommand(n.cmd_name),
    roles: roleNames(n.roles),
    permissive: n.permissive !== undefined ? Boolean(n.permissive) : false,
    ...policyExpressions(n, src),
    settings: [...settingsRead(n.qual), ...settingsRead(n.with_check)],
    functions: functionsCalled(n.qual, n.with_check),
    span: src.span,
  };
  return [{ type: 'create-policy', policy }];
}

function alterPolicy(n: pg.AlterPolicyStmt, src: Source): Action[] {
  const e = policyExpressions(n, src);
  return [{
    type: 'alter-policy', name: n.policy_name ?? '', table: qname(n.table),
    usingColumns: e.usingColumns, checkColumns: e.checkColumns, usingAlwaysTrue: e.usingAlwaysTrue, checkAlwaysTrue: e.checkAlwaysTrue,
    roles: n.roles ? roleNames(n.roles) : undefined,
    usingText: e.usingText, checkText: e.checkText, calls: e.calls, usingKeys: e.usingKeys, checkKeys: e.checkKeys,
    functions: n.qual || n.with_check ? functionsCalled(n.qual, n.with_check) : undefined,
  }];
}

function truncate(n: pg.TruncateStmt): Action[] {
  return [{ type: 'truncate', tables: (n.relations ?? []).map((r) => qname(node(r).RangeVar)), cascade: n.behavior === 'DROP_CASCADE' }];
}

function createFunction(n: pg.CreateFunctionStmt, src: Source, pl: PlParser): Action[] {
  let securityDefiner = false;
  let setsSearchPath = false;
  let language: string | undefined;
  let body: string | undefined;
  let volatility: Volatility | undefined;
  for (const o of n.options ?? []) {
    const d = node(o).DefElem;
    if (!d) continue;
    const arg = node(d.arg);
    if (d.defname === 'security') securityDefiner = Boolean(arg.Boolean?.boolval);
    if (d.defname === 'set' && (arg.VariableSetStmt?.name ?? '').toLowerCase() === 'search_path') setsSearchPath = true;
    if (d.defname === 'language') language = str(d.arg).toLowerCase();
    if (d.defname === 'as') body = str(arg.List?.items?.[0] ?? d.arg);
    if (d.defname === 'volatility') volatility = volatilityOf(d.arg);
  }
  const injections = functionInjections(n, src, pl);
  return [{ type: 'create-function', fn: { name: qnameFromList(n.funcname), securityDefiner, setsSearchPath, language, orReplace: Boolean(n.replace), body, span: src.span, ...(injections?.length ? { injections } : {}), ...(listNames(n.returnType?.names).pop()?.toLowerCase() === 'trigger' ? { returnsTrigger: true } : {}), ...(volatility ? { volatility } : {}) } }];
}

function volatilityOf(arg: Node | undefined): Volatility | undefined {
  const v = str(arg).toLowerCase();
  return v === 'immutable' || v === 'stable' || v === 'volatile' ? v : undefined;
}

/** DO: the statements its PL/pgSQL body runs at migration time. */
function doBlock(n: pg.DoStmt, src: Source, pl: PlParser): Action[] {
  return [doBlockAction(n, src, pl)];
}

function alterFunction(n: pg.AlterFunctionStmt): Action[] {
  let securityDefiner: boolean | undefined;
  let setsSearchPath: boolean | undefined;
  let volatility: Volatility | undefined;
  for (const o of n.actions ?? []) {
    const d = node(o).DefElem;
    if (d?.defname === 'security') securityDefiner = Boolean(node(d.arg).Boolean?.boolval);
    const vs = d?.defname === 'set' ? node(d.arg).VariableSetStmt : undefined;
    if (vs && (vs.name ?? '').toLowerCase() === 'search_path') setsSearchPath = vs.kind !== 'VAR_RESET';
    if (vs && vs.kind === 'VAR_RESET_ALL') setsSearchPath = false;
    if (d?.defname === 'volatility') volatility = volatilityOf(d.arg);
  }
  return [{ type: 'alter-function', name: qnameFromList(n.func?.objname), securityDefiner, setsSearchPath, ...(volatility ? { volatility } : {}) }];
}

function privilegeNames(privs: Node[] | undefined): string[] {
  return privs ? privs.map((p) => (node(p).AccessPriv?.priv_name ?? 'all').toLowerCase()) : ['all'];
}

function grant(n: pg.GrantStmt): Action[] {
  const privileges = privilegeNames(n.privileges);
  const grantees = roleNames(n.grantees);
  const revoke = !n.is_grant;
  if (n.objtype === 'OBJECT_SCHEMA') return [{ type: 'grant-schema', schemas: listNames(n.objects), privileges, grantees, revoke }];
  if (n.objtype !== 'OBJECT_TABLE') return [{ type: 'other', node: `GrantStmt:${n.objtype}` }];
  const all = n.targtype === 'ACL_TARGET_ALL_IN_SCHEMA';
  return [{
    type: 'grant',
    tables: all ? [] : (n.objects ?? []).map((o) => qname(node(o).RangeVar)),
    allTablesInSchema: all ? str(n.objects?.[0]) : undefined,
    privileges, grantees, revoke,
  }];
}

function defaultPrivileges(n: pg.AlterDefaultPrivilegesStmt): Action[] {
  const g = n.action ?? {};
  if (g.objtype !== 'OBJECT_TABLE') return [{ type: 'other', node: `AlterDefaultPrivilegesStmt:${g.objtype}` }];
  const schemas = (n.options ?? []).map((o) => node(o).DefElem).filter((d) => d?.defname === 'schemas').flatMap((d) => listNames(node(d?.arg).List?.items));
  return [{ type: 'default-privileges', schemas, privileges: privilegeNames(g.privileges), grantees: roleNames(g.grantees), revoke: !g.is_grant }];
}

/** A role option's value (`BYPASSRLS` → true, `NOBYPASSRLS` → false), undefined when the statement does not say. */
function roleFlag(options: Node[] | undefined, key: string): boolean | undefined {
  const d = (options ?? []).map((o) => node(o).DefElem).find((x) => x?.defname === key);
  const arg = node(d?.arg);
  return d ? arg.Boolean?.boolval !== false && arg.Integer?.ival !== 0 : undefined;
}

function createRole(n: pg.CreateRoleStmt): Action[] {
  // CREATE USER logs in by default; CREATE ROLE does not.
  const login = roleFlag(n.options, 'canlogin') ?? n.stmt_type === 'ROLESTMT_USER';
  return [{ type: 'role', name: n.role ?? '', create: true, bypassRls: roleFlag(n.options, 'bypassrls'), superuser: roleFlag(n.options, 'superuser'), login }];
}

function alterRole(n: pg.AlterRoleStmt): Action[] {
  return [{
    type: 'role', name: roleName(n.role), create: false,
    bypassRls: roleFlag(n.options, 'bypassrls'), superuser: roleFlag(n.options, 'superuser'), login: roleFlag(n.options, 'canlogin'),
  }];
}

function setVariable(n: pg.VariableSetStmt): Action[] {
  const name = (n.name ?? '').toLowerCase();
  if (n.kind === 'VAR_RESET' || n.kind === 'VAR_RESET_ALL') return [{ type: 'reset', name: n.kind === 'VAR_RESET_ALL' ? 'all' : name }];
  if (n.kind === 'VAR_SET_DEFAULT') return [{ type: 'set', name, value: undefined, local: Boolean(n.is_local) }];
  const value = (n.args ?? []).map(constValue).filter((v) => v !== undefined).join(', ');
  return [{ type: 'set', name, value, local: Boolean(n.is_local) }];
}

const TRANSACTION_OPS: Partial<Record<NonNullable<pg.TransactionStmt['kind']>, 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to'>> = {
  TRANS_STMT_BEGIN: 'begin', TRANS_STMT_START: 'begin', TRANS_STMT_COMMIT: 'commit', TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint', TRANS_STMT_RELEASE: 'release', TRANS_STMT_ROLLBACK_TO: 'rollback-to',
  TRANS_STMT_COMMIT_PREPARED: 'commit', TRANS_STMT_ROLLBACK_PREPARED: 'rollback',
};

function transaction(n: pg.TransactionStmt): Action[] {
  return [{ type: 'transaction', op: (n.kind && TRANSACTION_OPS[n.kind]) || 'other' }];
}

function vacuum(n: pg.VacuumStmt): Action[] {
  if (!n.is_vacuumcmd) return [{ type: 'other', node: 'AnalyzeStmt' }];
  const full = (n.options ?? []).some((o) => {
    const d = node(o).DefElem;
    return d?.defname === 'full' && node(d.arg).Boolean?.boolval !== false;
  });
  return [{ type: 'vacuum', full, tables: (n.rels ?? []).map((r) => qname(node(r).VacuumRelation?.relation)) }];
}

// LOCK TABLE … IN <mode> MODE: the parser gives the lock mode's number (lockdefs.h: 1 AccessShare … 8 AccessExclusive).
const LOCK_MODES: LockMode[] = [
  'AccessShare', 'AccessShare', 'RowShare', 'RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive',
  'Exclusive', 'AccessExclusive',
];

function lockTable(n: pg.LockStmt): Action[] {
  return [{ type: 'lock-table', tables: (n.relations ?? []).map((r) => qname(node(r).RangeVar)), mode: LOCK_MODES[n.mode ?? 8] ?? 'AccessExclusive' }];
}

const REINDEX_KINDS: Partial<Record<NonNullable<pg.ReindexStmt['kind']>, 'index' | 'table' | 'schema' | 'database' | 'system'>> = {
  REINDEX_OBJECT_INDEX: 'index', REINDEX_OBJECT_TABLE: 'table', REINDEX_OBJECT_SCHEMA: 'schema',
  REINDEX_OBJECT_DATABASE: 'database', REINDEX_OBJECT_SYSTEM: 'system',
};

function reindex(n: pg.ReindexStmt): Action[] {
  const concurrently = (n.params ?? []).some((p) => node(p).DefElem?.defname === 'concurrently');
  const target = n.relation ? qname(n.relation) : { name: n.name ?? '' };
  return [{ type: 'reindex', target, kind: (n.kind && REINDEX_KINDS[n.kind]) || 'index', concurrently }];
}

function comment(n: pg.CommentStmt): Action[] {
  const items = listNames(node(n.object).List?.items);
  if (n.objtype === 'OBJECT_COLUMN' && items.length >= 2) {
    return [{ type: 'comment', target: 'column', table: qnameFromNames(items.slice(0, -1)), column: items[items.length - 1], text: n.comment }];
  }
  if (n.objtype === 'OBJECT_TABLE') return [{ type: 'comment', target: 'table', table: qnameFromNames(items), text: n.comment }];
  return [{ type: 'comment', target: 'other' }];
}

function select(n: pg.SelectStmt): Action[] {
  // pg_dump writes `SELECT pg_catalog.set_config('search_path', '', false);`
  const fc = node(node(n.targetList?.[0]).ResTarget?.val).FuncCall;
  if (fc && listNames(fc.funcname).pop() === 'set_config' && constValue(fc.args?.[0]) === 'search_path') {
    return [{ type: 'set', name: 'search_path', value: constValue(fc.args?.[1]) ?? '', local: constValue(fc.args?.[2]) === 'true' }];
  }
  return [{ type: 'dml', kind: 'select', hasWhere: Boolean(n.whereClause) }];
}

const STATEMENTS: { [K in NodeTag]?: Lowering<K> } = {
  CreateStmt: createTable,
  CreateTableAsStmt: createTableAs,
  AlterTableStmt: alterTable,
  IndexStmt: createIndex,
  DropStmt: drop,
  RenameStmt: rename,
  AlterObjectSchemaStmt: setSchema,
  CreatePolicyStmt: createPolicy,
  AlterPolicyStmt: alterPolicy,
  TruncateStmt: truncate,
  CreateFunctionStmt: createFunction,
  AlterFunctionStmt: alterFunction,
  DoStmt: doBlock,
  GrantStmt: grant,
  AlterDefaultPrivilegesStmt: defaultPrivileges,
  CreateRoleStmt: createRole,
  AlterRoleStmt: alterRole,
  VariableSetStmt: setVariable,
  TransactionStmt: transaction,
  VacuumStmt: vacuum,
  ClusterStmt: (n) => [{ type: 'cluster', table: n.relation ? qname(n.relation) : undefined }],
  LockStmt: lockTable,
  ReindexStmt: reindex,
  CreateSchemaStmt: (n) => [{ type: 'create-schema', name: n.schemaname ?? '' }],
  CreateExtensionStmt: (n) => [{ type: 'create-extension', name: n.extname ?? '' }],
  CommentStmt: comment,
  CreateTrigStmt: (n) => [{ type: 'create-trigger', table: qname(n.relation), name: n.trigname ?? '', function: listNames(n.funcname).join('.').toLowerCase() }],
  RefreshMatViewStmt: (n) => [{ type: 'refresh-matview', view: qname(n.relation), concurrently: Boolean(n.concurrent) }],
  ViewStmt: (n) => [{ type: 'create-view', view: qname(n.view), materialized: false, sources: relationsRead(n.query) }],
  AlterEnumStmt: (n) => [{ type: 'alter-type-add-value', typeName: qnameFromList(n.typeName) }],
  InsertStmt: (n) => [{ type: 'dml', kind: 'insert', table: qname(n.relation), hasWhere: true }],
  UpdateStmt: (n) => [{ type: 'dml', kind: 'update', table: qname(n.relation), hasWhere: Boolean(n.whereClause) }],
  DeleteStmt: (n) => [{ type: 'dml', kind: 'delete', table: qname(n.relation), hasWhere: Boolean(n.whereClause) }],
  SelectStmt: select,
};
