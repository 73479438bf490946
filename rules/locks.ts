// The static lock table: which table-level lock each statement takes, whether it rewrites or scans the
// table. Hover, the locking rules and the reports read it; test/pg checks it against PostgreSQL's pg_locks.
// https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES
import { displayName, type SchemaModel } from './model/schema';
import type { Action, ActionOf, LockMode, QName, Statement, TypeRef } from './model/types';
import type { StatementContext } from './engine/types';
import type { TableSize } from './engine/sizes';

export interface LockEntry {
  table: string;
  mode: LockMode;
  /** The table (and its indexes) is rewritten: time grows with its size while the lock is held. */
  rewrite: boolean;
  /** The whole table is read (validation, index build) while the lock is held. */
  scan: boolean;
  /** The table existed before this migration file (locks on a table created in the same file harm nobody). */
  existing: boolean;
  /** What takes the lock, in words: "ADD COLUMN", "CREATE INDEX". */
  what: string;
  /** The table's size, when the database or the configuration says (engine/sizes.ts). */
  size?: TableSize;
}

export interface LockPlan {
  entries: LockEntry[];
  /**
   * DROP INDEX or REINDEX (without CONCURRENTLY) of an index the model before the statement does not know: it locks
   * some existing table, which no entry can name.
   */
  unplaced?: ('DROP INDEX' | 'REINDEX')[];
}

const ORDER: LockMode[] = ['AccessShare', 'RowShare', 'RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'];

export function strongerOf(a: LockMode, b: LockMode): LockMode {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/** What ordinary traffic a lock mode makes wait. */
export function blocks(mode: LockMode): { reads: boolean; writes: boolean; summary: string } {
  switch (mode) {
    case 'AccessExclusive':
      return { reads: true, writes: true, summary: 'blocks every read and write (even SELECT)' };
    case 'Exclusive':
      return { reads: false, writes: true, summary: 'blocks writes and SELECT … FOR UPDATE; plain reads continue' };
    case 'ShareRowExclusive':
      return { reads: false, writes: true, summary: 'blocks INSERT, UPDATE and DELETE; reads continue' };
    case 'Share':
      return { reads: false, writes: true, summary: 'blocks INSERT, UPDATE and DELETE; reads continue' };
    case 'ShareUpdateExclusive':
      return { reads: false, writes: false, summary: 'blocks only other schema changes and VACUUM; reads and writes continue' };
    case 'RowExclusive':
      return { reads: false, writes: false, summary: 'blocks only CREATE INDEX and stronger locks' };
    case 'RowShare':
    case 'AccessShare':
      return { reads: false, writes: false, summary: 'blocks only ACCESS EXCLUSIVE locks' };
  }
}

/** `AccessExclusive` → `ACCESS EXCLUSIVE`, as the PostgreSQL docs spell lock modes. */
export function modeName(mode: LockMode): string {
  return mode.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/** Type changes PostgreSQL performs without rewriting the table (binary-coercible). */
const PRECISION_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);
/** No precision, or 6, the most a time type keeps: no value is rounded. */
const unlimitedPrecision = (t: TypeRef) => t.mods.length === 0 || t.mods[0] >= 6;

export function isBinaryCompatibleChange(from: TypeRef | undefined, to: TypeRef): boolean {
  if (!from) return false;
  if (from.array !== to.array) return false;
  const f = from.name;
  const t = to.name;
  const textual = ['varchar', 'text'];
  if (f === 'varchar' && t === 'text') return true;
  if (f === 'varchar' && t === 'varchar') return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0] >= from.mods[0]);
  if (f === 'text' && t === 'varchar') return to.mods.length === 0;
  if (f === 'bpchar' && textual.includes(t)) return false;
  if (f === 'numeric' && t === 'numeric') {
    if (to.mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    return (from.mods[1] ?? 0) === (to.mods[1] ?? 0) && to.mods[0] >= from.mods[0];
  }
  if (f === t && from.mods.length === 0 && to.mods.length === 0) return true;
  // Measured on PostgreSQL 18: a time type's precision change is free when the new precision is unlimited (none or
  // 6) or not below the old one; timestamp(6) → timestamp(3) rounds every value, a rewrite.
  if (f === t && PRECISION_TYPES.has(f)) return unlimitedPrecision(to) || (from.mods.length > 0 && to.mods[0] >= from.mods[0]);
  if ((f === 'varbit' && t === 'varbit')) return to.mods.length === 0 || to.mods[0] >= (from.mods[0] ?? Infinity);
  // timestamp → timestamptz is free only when the session TimeZone is UTC (PostgreSQL 12+), and only to an unlimited
  // precision: the converted value's precision is unknown to PostgreSQL, so timestamp(3) → timestamptz(3) rounds
  // again, a rewrite (measured on PostgreSQL 18, TimeZone UTC).
  if (f === 'timestamp' && t === 'timestamptz') return unlimitedPrecision(to);
  if (f === 'cidr' && t === 'inet') return true;
  return false;
}

function entry(table: string, mode: LockMode, what: string, existing: boolean, opts: { rewrite?: boolean; scan?: boolean } = {}): LockEntry {
  return { table, mode, what, existing, rewrite: opts.rewrite ?? false, scan: opts.scan ?? opts.rewrite ?? false };
}

/** How a lock entry names its table: as the model knows it, else as written. */
export function lockTableName(model: SchemaModel, q: QName): string {
  const t = model.table(q);
  return t ? displayName(t) : q.schema ? `${q.schema}.${q.name}` : q.name;
}

/** The locks a statement takes, per table, from the model before it. */
export function lockPlan(stmt: Statement, ctx: Pick<StatementContext, 'before' | 'createdInFile' | 'config'>): LockPlan {
  const entries: LockEntry[] = [];
  const model = ctx.before;
  const name = (q: QName) => lockTableName(model, q);
  // A table the model does not know is taken to exist: a migration set may start from a live database.
  const existing = (q: QName) => !ctx.createdInFile(q);
  const add = (q: QName, mode: LockMode, what: string, opts?: { rewrite?: boolean; scan?: boolean; existing?: boolean }) => {
    entries.push(entry(name(q), mode, what, opts?.existing ?? existing(q), opts));
  };
  const unplaced: NonNullable<LockPlan['unplaced']> = [];
  for (const a of stmt.actions) actionLocks(a, add, ctx, (what) => unplaced.push(what));
  const plan = mergeLocks(entries);
  return unplaced.length ? { ...plan, unplaced } : plan;
}

/** One entry per table: the strongest mode, rewrite/scan if any action does (a DO block: every statement it runs). */
export function mergeLocks(entries: readonly LockEntry[]): LockPlan {
  const merged = new Map<string, LockEntry>();
  for (const e of entries) {
    const m = merged.get(e.table);
    if (!m) { merged.set(e.table, { ...e }); continue; }
    m.mode = strongerOf(m.mode, e.mode);
    m.rewrite ||= e.rewrite;
    m.scan ||= e.scan;
    m.existing ||= e.existing;
    if (!m.what.split(', ').includes(e.what)) m.what += `, ${e.what}`;
  }
  return { entries: [...merged.values()] };
}

type Add = (q: QName, mode: LockMode, what: string, opts?: { rewrite?: boolean; scan?: boolean; existing?: boolean }) => void;
/** Told of a DROP INDEX or REINDEX (without CONCURRENTLY) whose index the model does not know: see LockPlan.unplaced. */
type Unplaced = (what: 'DROP INDEX' | 'REINDEX') => void;

const ALTER_OTHER: Record<string, LockMode> = {
  AT_SetStatistics: 'ShareUpdateExclusive', AT_SetRelOptions: 'ShareUpdateExclusive', AT_ResetRelOptions: 'ShareUpdateExclusive',
  AT_ClusterOn: 'ShareUpdateExclusive', AT_DropCluster: 'ShareUpdateExclusive', AT_EnableTrig: 'ShareRowExclusive',
  AT_DisableTrig: 'ShareRowExclusive', AT_EnableTrigAll: 'ShareRowExclusive', AT_DisableTrigAll: 'ShareRowExclusive',
  AT_EnableTrigUser: 'ShareRowExclusive', AT_DisableTrigUser: 'ShareRowExclusive', AT_EnableAlwaysTrig: 'ShareRowExclusive',
  AT_EnableReplicaTrig: 'ShareRowExclusive',
  // Completes an interrupted DETACH PARTITION … CONCURRENTLY.
  AT_DetachPartitionFinalize: 'ShareUpdateExclusive',
};

type LockContext = Pick<StatementContext, 'before' | 'config'>;

function actionLocks(a: Action, add: Add, ctx: LockContext, unplaced: Unplaced): void {
  const pg = ctx.config.postgresVersion;
  switch (a.type) {
    case 'create-table': return createTableLocks(a, add);
    case 'add-column': return addColumnLocks(a, add, pg);
    case 'drop-column':
    case 'alter-column-type':
    case 'set-not-null':
    case 'drop-not-null':
    case 'set-default':
    case 'drop-default': return columnLocks(a, add, ctx);
    case 'add-constraint': return addConstraintLocks(a, add);
    case 'validate-constraint': {
      add(a.table, 'ShareUpdateExclusive', 'VALIDATE CONSTRAINT', { scan: true });
      const fk = ctx.before.table(a.table)?.constraints.find((c) => c.name === a.name && c.kind === 'foreign');
      if (fk?.refTable) add(fk.refTable, 'RowShare', 'FOREIGN KEY reference');
      return;
    }
    case 'drop-constraint':
      return add(a.table, 'AccessExclusive', 'DROP CONSTRAINT');
    case 'rename-column':
    case 'rename-table':
    case 'rename-constraint':
      return add(a.table, 'AccessExclusive', a.type === 'rename-table' ? 'RENAME TABLE' : a.type === 'rename-column' ? 'RENAME COLUMN' : 'RENAME CONSTRAINT');
    case 'set-schema':
      return add(a.table, 'AccessExclusive', 'SET SCHEMA');
    case 'create-index':
    case 'drop-index':
    case 'reindex':
    case 'rename-index': return indexLocks(a, add, ctx, unplaced);
    case 'enable-rls':
    case 'disable-rls':
    case 'force-rls':
    case 'no-force-rls':
    case 'create-policy':
    case 'alter-policy':
    case 'drop-policy': return rowSecurityLocks(a, add);
    case 'drop-table':
    case 'truncate':
    case 'vacuum':
    case 'cluster':
    case 'lock-table':
    case 'set-logged': return wholeTableLocks(a, add, ctx);
    case 'grant':
      for (const q of a.tables) add(q, 'AccessShare', a.revoke ? 'REVOKE' : 'GRANT');
      return;
    case 'comment':
      if (a.table) add(a.table, 'ShareUpdateExclusive', 'COMMENT');
      return;
    case 'attach-partition':
      add(a.table, 'ShareUpdateExclusive', 'ATTACH PARTITION');
      return add(a.partition, 'AccessExclusive', 'ATTACH PARTITION', { scan: true });
    case 'detach-partition':
      add(a.table, a.concurrently ? 'ShareUpdateExclusive' : 'AccessExclusive', 'DETACH PARTITION');
      return add(a.partition, a.concurrently ? 'ShareUpdateExclusive' : 'AccessExclusive', 'DETACH PARTITION');
    case 'create-trigger':
      return add(a.table, 'ShareRowExclusive', 'CREATE TRIGGER');
    case 'refresh-matview': return refreshLocks(a, add, ctx);
    case 'dml':
      if (a.table) add(a.table, a.kind === 'select' ? 'AccessShare' : 'RowExclusive', a.kind.toUpperCase(), { scan: !a.hasWhere && a.kind !== 'insert' });
      return;
    case 'set-owner':
      return add(a.table, 'AccessExclusive', 'OWNER TO');
    case 'alter-table-other': {
      const mode = ALTER_OTHER[a.subtype] ?? 'AccessExclusive';
      // SET TABLESPACE copies the table's files; SET ACCESS METHOD (PostgreSQL 15) rewrites it.
      const rewrite = a.subtype === 'AT_SetTableSpace' || a.subtype === 'AT_SetAccessMethod';
      return add(a.table, mode, a.subtype.replace(/^AT_/, ''), { rewrite });
    }
    default:
      return;
  }
}

function columnLocks(a: ActionOf<'drop-column' | 'alter-column-type' | 'set-not-null' | 'drop-not-null' | 'set-default' | 'drop-default'>, add: Add, ctx: LockContext): void {
  const pg = ctx.config.postgresVersion;
  switch (a.type) {
    case 'alter-column-type': {
      const from = ctx.before.table(a.table)?.columns.get(a.column)?.type;
      // timestamp → timestamptz skips the rewrite only from PostgreSQL 12 (and only when TimeZone is UTC).
      const tz = from?.name === 'timestamp' && a.newType.name === 'timestamptz' && pg < 12;
      return add(a.table, 'AccessExclusive', 'ALTER COLUMN TYPE', { rewrite: a.using || tz || !isBinaryCompatibleChange(from, a.newType) });
    }
    case 'set-not-null': {
      const t = ctx.before.table(a.table);
      // PostgreSQL 12+ skips the scan when a validated CHECK (col IS NOT NULL) proves it.
      const proven = pg >= 12 && Boolean(t?.constraints.some((c) => c.kind === 'check' && c.validated && c.checkIsNotNullOf === a.column));
      return add(a.table, 'AccessExclusive', 'SET NOT NULL', { scan: !proven });
    }
    default: {
      const what = { 'drop-column': 'DROP COLUMN', 'drop-not-null': 'DROP NOT NULL', 'set-default': 'SET DEFAULT', 'drop-default': 'DROP DEFAULT' }[a.type];
      return add(a.table, 'AccessExclusive', what);
    }
  }
}

function rowSecurityLocks(a: ActionOf<'enable-rls' | 'disable-rls' | 'force-rls' | 'no-force-rls' | 'create-policy' | 'alter-policy' | 'drop-policy'>, add: Add): void {
  if (a.type === 'create-policy') return add(a.policy.table, 'AccessExclusive', 'CREATE POLICY');
  if (a.type === 'alter-policy' || a.type === 'drop-policy') return add(a.table, 'AccessExclusive', a.type === 'alter-policy' ? 'ALTER POLICY' : 'DROP POLICY');
  add(a.table, 'AccessExclusive', a.type.replace(/-/g, ' ').toUpperCase().replace('RLS', 'ROW LEVEL SECURITY'));
}

/** Statements on whole tables: DROP, TRUNCATE, VACUUM, CLUSTER, LOCK, SET LOGGED / UNLOGGED. */
function wholeTableLocks(a: ActionOf<'drop-table' | 'truncate' | 'vacuum' | 'cluster' | 'lock-table' | 'set-logged'>, add: Add, ctx: LockContext): void {
  switch (a.type) {
    case 'drop-table':
      for (const q of a.tables) {
        add(q, 'AccessExclusive', 'DROP TABLE');
        // Dropping a table removes its foreign keys, which locks the referenced tables too.
        const t = ctx.before.table(q);
        for (const c of t?.constraints ?? []) if (c.kind === 'foreign' && c.refTable) add(c.refTable, 'AccessExclusive', 'DROP TABLE (foreign key)');
      }
      return;
    case 'truncate':
      for (const q of a.tables) add(q, 'AccessExclusive', 'TRUNCATE', { rewrite: true });
      return;
    case 'vacuum':
      for (const q of a.tables) add(q, a.full ? 'AccessExclusive' : 'ShareUpdateExclusive', a.full ? 'VACUUM FULL' : 'VACUUM', { rewrite: a.full, scan: true });
      return;
    case 'cluster':
      if (a.table) add(a.table, 'AccessExclusive', 'CLUSTER', { rewrite: true });
      return;
    case 'lock-table':
      for (const q of a.tables) add(q, a.mode, 'LOCK TABLE');
      return;
    case 'set-logged': {
      const t = ctx.before.table(a.table);
      // SET LOGGED / UNLOGGED rewrite the table unless it already has that persistence.
      const change = t ? t.unlogged === a.logged : true;
      return add(a.table, 'AccessExclusive', a.logged ? 'SET LOGGED' : 'SET UNLOGGED', { rewrite: change });
    }
  }
}

function createTableLocks(a: ActionOf<'create-table'>, add: Add): void {
  // The new table is not yet visible to anyone else: its own lock harms nobody.
  add(a.table, 'AccessExclusive', 'CREATE TABLE', { existing: false });
  // A foreign key in CREATE TABLE locks the referenced table against writes while it is added.
  for (const c of [...a.constraints, ...a.columns.flatMap((col) => col.constraints)]) {
    if (c.kind !== 'foreign' || !c.refTable) continue;
    const self = c.refTable.name === a.table.name && (c.refTable.schema ?? a.table.schema) === a.table.schema;
    add(c.refTable, 'ShareRowExclusive', 'FOREIGN KEY reference', self ? { existing: false } : undefined);
  }
  if (a.partitionOf) add(a.partitionOf, 'AccessExclusive', 'PARTITION OF');
}

function addColumnLocks(a: ActionOf<'add-column'>, add: Add, pg: number): void {
  const c = a.column;
  // Since PostgreSQL 11 a non-volatile DEFAULT is stored in the catalog; no rewrite.
  const rewrite = c.defaultKind === 'volatile' || c.identity || c.generatedStored || (pg < 11 && c.defaultKind !== 'none');
  add(a.table, 'AccessExclusive', 'ADD COLUMN', { rewrite });
  for (const k of c.constraints) {
    if (k.kind === 'foreign' && k.refTable) add(k.refTable, 'ShareRowExclusive', 'FOREIGN KEY reference');
    if (k.kind === 'unique' || k.kind === 'primary') add(a.table, 'AccessExclusive', 'ADD COLUMN … UNIQUE', { scan: true });
    // An inline CHECK is validated against every existing row under the ADD COLUMN lock; an inline
    // REFERENCES only when the new column gets a value (PostgreSQL skips the check of an all-NULL column).
    if (k.kind === 'check' || (k.kind === 'foreign' && (c.defaultKind !== 'none' || c.identity || c.generatedStored))) {
      add(a.table, 'AccessExclusive', 'ADD COLUMN', { scan: true });
    }
  }
}

function addConstraintLocks(a: ActionOf<'add-constraint'>, add: Add): void {
  const c = a.constraint;
  if (c.kind === 'foreign') {
    add(a.table, 'ShareRowExclusive', 'ADD FOREIGN KEY', { scan: !c.notValid });
    if (c.refTable) add(c.refTable, 'ShareRowExclusive', 'FOREIGN KEY reference');
  } else if (c.kind === 'check') {
    add(a.table, 'AccessExclusive', 'ADD CHECK', { scan: !c.notValid });
  } else if (c.kind === 'primary' || c.kind === 'unique') {
    add(a.table, 'AccessExclusive', c.kind === 'primary' ? 'ADD PRIMARY KEY' : 'ADD UNIQUE', { scan: !c.usingIndex });
  } else if (c.kind === 'not-null') {
    // ADD CONSTRAINT … NOT NULL col [NOT VALID] (PostgreSQL 18): scans unless NOT VALID.
    add(a.table, 'AccessExclusive', 'ADD NOT NULL', { scan: !c.notValid });
  } else {
    add(a.table, 'AccessExclusive', c.kind === 'exclude' ? 'ADD EXCLUDE' : 'ADD CONSTRAINT', { scan: true });
  }
}

/** Index statements lock the index's table (found through the model for DROP, REINDEX and RENAME of an index). */
function indexLocks(a: ActionOf<'create-index' | 'drop-index' | 'reindex' | 'rename-index'>, add: Add, ctx: LockContext, unplaced: Unplaced): void {
  const tableOf = (index: QName): QName | undefined => {
    const t = ctx.before.indexTable(index);
    return t && { schema: t.schema, name: t.name };
  };
  switch (a.type) {
    case 'create-index':
      return add(a.index.table, a.index.concurrently ? 'ShareUpdateExclusive' : 'Share', a.index.concurrently ? 'CREATE INDEX CONCURRENTLY' : 'CREATE INDEX', { scan: true });
    case 'drop-index': {
      let unknown = false;
      for (const q of a.indexes) {
        const t = tableOf(q);
        if (t) add(t, a.concurrently ? 'ShareUpdateExclusive' : 'AccessExclusive', a.concurrently ? 'DROP INDEX CONCURRENTLY' : 'DROP INDEX');
        else unknown = true;
      }
      if (unknown && !a.concurrently) unplaced('DROP INDEX');
      return;
    }
    case 'reindex': {
      const t = a.kind === 'index' ? tableOf(a.target) : a.kind === 'table' ? a.target : undefined;
      if (t) add(t, a.concurrently ? 'ShareUpdateExclusive' : 'Share', 'REINDEX', { scan: true });
      else if (a.kind === 'index' && !a.concurrently) unplaced('REINDEX');
      return;
    }
    case 'rename-index': {
      const t = tableOf(a.index);
      // ALTER INDEX … RENAME takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12.
      if (t) add(t, ctx.config.postgresVersion >= 12 ? 'ShareUpdateExclusive' : 'AccessExclusive', 'RENAME INDEX');
      return;
    }
  }
}

function refreshLocks(a: ActionOf<'refresh-matview'>, add: Add, ctx: LockContext): void {
  add(a.view, a.concurrently ? 'Exclusive' : 'AccessExclusive', 'REFRESH MATERIALIZED VIEW', { rewrite: true });
  // The refresh runs the view's query: ACCESS SHARE on every relation it reads (through views, too).
  const seen = new Set<string>();
  const reads = (q: QName): void => {
    for (const src of ctx.before.view(q)?.sources ?? []) {
      const key = `${src.schema ?? ''}.${src.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(src, 'AccessShare', 'REFRESH MATERIALIZED VIEW (query)', { scan: true });
      // A plain view is expanded into the query; a materialized one is read as stored.
      if (ctx.before.view(src)?.materialized === false) reads(src);
    }
  };
  reads(a.view);
}

/** Statements that PostgreSQL refuses inside a transaction block. */
export function cannotRunInTransaction(stmt: Statement): boolean {
  return stmt.actions.some((a) =>
    (a.type === 'create-index' && a.index.concurrently) ||
    (a.type === 'drop-index' && a.concurrently) ||
    (a.type === 'reindex' && a.concurrently) ||
    (a.type === 'detach-partition' && a.concurrently) ||
    a.type === 'vacuum');
}
