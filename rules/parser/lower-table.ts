// Lowering of table definitions: types, columns, constraints, index elements and ALTER TABLE commands.
import type { AlterTableCmd, ColumnDef as PgColumnDef, Constraint, TypeName } from 'libpg-query';
import type { Action, ColumnDef, ConstraintDef, DefaultKind, QName, TypeRef } from '../model/types';
import { isSerialType } from '../model/types';
import { listNames, node, qname, roleName, str, type Node, type Source } from './ast';
import { columnRefs, defaultKindOf } from './expressions';
import { nameList, orNone, sized } from '../model/lists';

const TYPE_ALIASES: Record<string, string> = {
  int: 'int4', integer: 'int4', int4: 'int4', smallint: 'int2', int2: 'int2', bigint: 'int8', int8: 'int8',
  'timestamp with time zone': 'timestamptz', bool: 'bool', boolean: 'bool', float8: 'float8', float4: 'float4',
  'character varying': 'varchar', character: 'bpchar', char: 'bpchar', decimal: 'numeric',
  serial4: 'serial', serial8: 'bigserial', serial2: 'smallserial',
};

export function typeRef(tn: TypeName | undefined, src: Source): TypeRef {
  const names = listNames(tn?.names);
  // The parser has folded unquoted names already; a quoted one keeps its case (`"TaskRunStatus"` is another type than
  // taskrunstatus).
  const raw = names[names.length - 1] ?? '';
  const name = TYPE_ALIASES[raw] ?? TYPE_ALIASES[raw.toLowerCase()] ?? raw;
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  const mods = (tn?.typmods ?? []).map((m) => Number(node(m).A_Const?.ival?.ival ?? 0));
  return { name, schema, mods: orNone(mods), array: Boolean(tn?.arrayBounds?.length), start: src.at(tn?.location) };
}

const CONSTRAINT_KINDS: Partial<Record<NonNullable<Constraint['contype']>, ConstraintDef['kind']>> = {
  CONSTR_PRIMARY: 'primary', CONSTR_UNIQUE: 'unique', CONSTR_FOREIGN: 'foreign', CONSTR_CHECK: 'check',
  CONSTR_EXCLUSION: 'exclude', CONSTR_NOTNULL: 'not-null',
};

/** A table constraint, or one written on a column (`inlineColumn`); undefined for DEFAULT, GENERATED and the like. */
export function constraintDef(c: Constraint, src: Source, inlineColumn?: string): ConstraintDef | undefined {
  const kind = c.contype && CONSTRAINT_KINDS[c.contype];
  if (!kind) return undefined;
  let columns: string[] = listNames(c.keys);
  if (kind === 'foreign') columns = listNames(c.fk_attrs);
  if (kind === 'exclude') columns = (c.exclusions ?? []).map((e) => node(node(e).List?.items?.[0]).IndexElem?.name ?? '').filter(Boolean);
  if (columns.length === 0 && inlineColumn) columns = [inlineColumn];
  const def: ConstraintDef = {
    kind,
    name: c.conname || undefined,
    columns: nameList(columns),
    notValid: Boolean(c.skip_validation),
    usingIndex: c.indexname || undefined,
    inline: inlineColumn !== undefined,
    span: src.element(c.location),
  };
  if (kind === 'foreign') {
    def.refTable = qname(c.pktable);
    def.refColumns = nameList(listNames(c.pk_attrs));
    def.onDelete = c.fk_del_action;
  }
  if (kind === 'check') {
    def.checkColumns = columnRefs(c.raw_expr);
    const nt = node(c.raw_expr).NullTest;
    const ref = node(nt?.arg).ColumnRef;
    if (nt?.nulltesttype === 'IS_NOT_NULL' && ref) {
      const f = (ref.fields ?? []).map(str);
      def.checkIsNotNullOf = f[f.length - 1];
    }
  }
  return def;
}

export function columnDef(cd: PgColumnDef, src: Source): ColumnDef {
  const type = typeRef(cd.typeName, src);
  let notNull = false;
  let defaultKind: DefaultKind = 'none';
  let defaultText: string | undefined;
  let identity = false;
  let generatedStored = false;
  const constraints: ConstraintDef[] = [];
  for (const cn of cd.constraints ?? []) {
    const c = node(cn).Constraint;
    if (!c) continue;
    switch (c.contype) {
      case 'CONSTR_NOTNULL': notNull = true; break;
      case 'CONSTR_PRIMARY': notNull = true; break;
      case 'CONSTR_DEFAULT':
        defaultKind = defaultKindOf(c.raw_expr);
        defaultText = src.expression(c.raw_expr);
        break;
      case 'CONSTR_IDENTITY': identity = true; notNull = true; break;
      // PostgreSQL 18 defaults to VIRTUAL generated columns (generated_kind 'v'), which are not stored.
      case 'CONSTR_GENERATED': generatedStored = c.generated_kind !== 'v'; break;
    }
    const def = constraintDef(c, src, cd.colname);
    if (def && def.kind !== 'not-null') constraints.push(def);
  }
  if (isSerialType(type)) {
    defaultKind = 'volatile'; // nextval() of a new sequence
    notNull = true;
  }
  return { name: cd.colname ?? '', type, notNull, defaultKind, defaultText, identity, generatedStored, constraints: orNone(sized(constraints)), span: src.element(cd.location) };
}

/** Index elements as names; an expression element is `(col,…)` of the columns it reads, or `(expr)`. */
export function indexColumns(params: Node[] | undefined): string[] {
  return (params ?? []).map((p) => {
    const e = node(p).IndexElem;
    if (!e) return '(?)';
    if (e.name) return e.name;
    return '(' + (columnRefs(e.expr).join(',') || 'expr') + ')';
  });
}

/** One command of ALTER TABLE. */
export function alterCmd(table: QName, c: AlterTableCmd, src: Source): Action {
  const sub = c.subtype ?? '';
  const column = c.name ?? '';
  const def = node(c.def);
  switch (c.subtype) {
    case 'AT_AddColumn':
      return { type: 'add-column', table, column: columnDef(def.ColumnDef ?? {}, src), ifNotExists: Boolean(c.missing_ok) };
    case 'AT_DropColumn':
      return { type: 'drop-column', table, column, ifExists: Boolean(c.missing_ok) };
    case 'AT_AlterColumnType':
      return {
        type: 'alter-column-type', table, column, newType: typeRef(def.ColumnDef?.typeName, src), using: Boolean(def.ColumnDef?.raw_default),
        ...(def.ColumnDef?.raw_default ? { usingText: src.expression(def.ColumnDef.raw_default)?.trim() } : {}),
      };
    case 'AT_SetNotNull':
      return { type: 'set-not-null', table, column };
    case 'AT_DropNotNull':
      return { type: 'drop-not-null', table, column };
    case 'AT_ColumnDefault':
      return c.def ? { type: 'set-default', table, column, defaultKind: defaultKindOf(c.def), defaultText: src.expression(c.def)?.trim() } : { type: 'drop-default', table, column };
    case 'AT_AddConstraint': {
      const constraint = constraintDef(def.Constraint ?? {}, src);
      return constraint ? { type: 'add-constraint', table, constraint } : { type: 'alter-table-other', table, subtype: sub };
    }
    case 'AT_ValidateConstraint':
      return { type: 'validate-constraint', table, name: column };
    case 'AT_DropConstraint':
      return { type: 'drop-constraint', table, name: column, ifExists: Boolean(c.missing_ok) };
    case 'AT_EnableRowSecurity':
      return { type: 'enable-rls', table };
    case 'AT_DisableRowSecurity':
      return { type: 'disable-rls', table };
    case 'AT_ForceRowSecurity':
      return { type: 'force-rls', table };
    case 'AT_NoForceRowSecurity':
      return { type: 'no-force-rls', table };
    case 'AT_SetLogged':
      return { type: 'set-logged', table, logged: true };
    case 'AT_SetUnLogged':
      return { type: 'set-logged', table, logged: false };
    case 'AT_AttachPartition':
      return { type: 'attach-partition', table, partition: qname(def.PartitionCmd?.name) };
    case 'AT_DetachPartition':
      return { type: 'detach-partition', table, partition: qname(def.PartitionCmd?.name), concurrently: Boolean(def.PartitionCmd?.concurrent) };
    case 'AT_ChangeOwner':
      return { type: 'set-owner', table, owner: roleName(c.newowner) };
    default:
      return { type: 'alter-table-other', table, subtype: sub };
  }
}
