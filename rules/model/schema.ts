// The schema model a migration set builds as it is replayed, statement by statement.
import type {
  Action, ActionOf, ColumnDef, ColumnModel, ConstraintDef, ConstraintModel, FunctionModel, IndexModel, Origin, PolicyModel, QName, RoleModel, TableModel, ViewModel,
} from './types';
import { defaultConstraintName, defaultIndexName } from './names';
import { NONE, orNone, sized } from './lists';

export function tableKey(schema: string, name: string): string {
  // Most keys are public's: joined to the one 'public.' literal, not to a copy of it made by `${schema}.` (24 bytes
  // each, 60,000 of them kept by the 20,000-table check).
  return schema === 'public' ? 'public.' + name : `${schema}.${name}`;
}

/**
 * The statement that last created or changed each table object (a table is changed in place only by the one model
 * that owns it, so this holds whichever model did it). See `adoptFinal`.
 */
const lastChange = new WeakMap<TableModel, Origin>();

/** Whether `origin`'s statement (the same parsed statement, by its span) is the last that created or changed `t`. */
function lastChangedAt(t: TableModel, origin: Origin): boolean {
  const o = lastChange.get(t);
  return o !== undefined && o.span === origin.span && o.file === origin.file;
}

/** `public.t` is shown as `t`; other schemas stay qualified. */
export function displayName(t: { schema: string; name: string }): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

export class SchemaModel {
  readonly tables = new Map<string, TableModel>();
  readonly functions = new Map<string, FunctionModel>();
  /** Views and materialized views, with the relations their queries read. */
  readonly views = new Map<string, ViewModel>();
  readonly schemas = new Set<string>(['public']);
  readonly extensions = new Set<string>();
  /** Index name (schema-qualified) → owning table key. */
  readonly indexOwner = new Map<string, string>();
  /** Some table carries its size from a live database. */
  sized = false;
  /** The first schema of search_path: where unqualified names resolve. */
  defaultSchema = 'public';
  /** Roles created or altered by the migrations. */
  readonly roles = new Map<string, RoleModel>();
  /** Schema → roles granted USAGE on it. */
  readonly schemaUsage = new Map<string, Map<string, Origin>>();
  /** Schema ('' for every schema) → roles that ALTER DEFAULT PRIVILEGES grants table privileges to. */
  readonly defaultGrants = new Map<string, Map<string, Origin>>();
  /** Policies on tables the migrations do not create (Supabase's storage.objects), by table key. */
  readonly outsidePolicies = new Map<string, { schema: string; name: string; policies: readonly PolicyModel[] }>();
  /**
   * The tables this model may change in place: those it made or copied since it last shared them. A copy of the model
   * shares every table with it until either changes one (copy on write): an editor's analysis copies the model before
   * the edited file twice a keystroke, and most tables are never changed after it.
   */
  #owned = new Set<TableModel>();
  /** The statement being applied. */
  #origin?: Origin;
  /** The tables the statements applied since the last `adoptFinal` created or changed (kept after `keepChanges`). */
  #changed?: Set<TableModel>;

  /**
   * A copy that replaying more actions into leaves this one as it is: every map, list and record that `apply` changes
   * in place is copied (a table when either model first changes it); what it only replaces (a column list, a type, an
   * origin) is shared.
   */
  clone(): SchemaModel {
    const m = new SchemaModel();
    for (const [k, t] of this.tables) m.tables.set(k, t);
    // Shared from now on: neither model changes these tables in place any more.
    this.#owned = new Set();
    for (const [k, f] of this.functions) m.functions.set(k, { ...f });
    for (const [k, v] of this.views) m.views.set(k, { ...v });
    m.schemas.clear();
    for (const x of this.schemas) m.schemas.add(x);
    for (const x of this.extensions) m.extensions.add(x);
    for (const [k, v] of this.indexOwner) m.indexOwner.set(k, v);
    m.sized = this.sized;
    m.defaultSchema = this.defaultSchema;
    for (const [k, r] of this.roles) m.roles.set(k, { ...r });
    for (const [k, roles] of this.schemaUsage) m.schemaUsage.set(k, new Map(roles));
    for (const [k, roles] of this.defaultGrants) m.defaultGrants.set(k, new Map(roles));
    for (const [k, e] of this.outsidePolicies) m.outsidePolicies.set(k, { ...e, policies: e.policies.map((p) => ({ ...p })) });
    return m;
  }

  resolve(q: QName): { schema: string; name: string } {
    return { schema: q.schema ?? this.defaultSchema, name: q.name };
  }

  table(q: QName): TableModel | undefined {
    const r = this.resolve(q);
    const t = this.tables.get(tableKey(r.schema, r.name));
    if (t || q.schema) return t;
    // Unqualified names follow search_path, which usually still ends in public.
    return this.tables.get(tableKey('public', q.name));
  }

  view(q: QName): ViewModel | undefined {
    const r = this.resolve(q);
    return this.views.get(tableKey(r.schema, r.name)) ?? (q.schema ? undefined : this.views.get(tableKey('public', q.name)));
  }

  indexTable(q: QName): TableModel | undefined {
    const r = this.resolve(q);
    const key = this.indexOwner.get(tableKey(r.schema, r.name)) ?? (q.schema ? undefined : this.indexOwner.get(tableKey('public', q.name)));
    if (key || q.schema) return key ? this.tables.get(key) : undefined;
    // The tool's search_path may hold the index's schema (`DROP INDEX x` of an index in schema auth):
    // take the index of that name when exactly one schema has one.
    let owner: string | undefined;
    for (const [k, v] of this.indexOwner) {
      if (!k.endsWith(`.${q.name}`) || this.tables.get(v)?.schema !== k.slice(0, -q.name.length - 1)) continue;
      if (owner !== undefined && owner !== v) return undefined;
      owner = v;
    }
    return owner ? this.tables.get(owner) : undefined;
  }

  /** The table, copied first when it is shared with another model (see `owned`): this model is about to change it. */
  private own(t: TableModel): TableModel {
    if (this.#owned.has(t)) return this.changing(t);
    const copy = cloneTable(t);
    this.tables.set(tableKey(t.schema, t.name), copy);
    this.#owned.add(copy);
    return this.changing(copy);
  }

  /** Records a change to `t`: where pass 1 last changed it, or (pass 2) that the current statement did. */
  private changing(t: TableModel): TableModel {
    if (this.#changed) this.#changed.add(t);
    else if (this.#origin) lastChange.set(t, this.#origin);
    return t;
  }

  /** From now on, keeps the tables each statement creates or changes, for `adoptFinal`. */
  keepChanges(): this {
    this.#changed ??= new Set();
    return this;
  }

  /**
   * After a statement is applied: each table it created or changed that `final` last changed at that same statement
   * is, replayed from the same start through the same statements, equal to `final`'s table, and is replaced by it.
   * The engine's pass 2 replays the whole set again to give each statement the schema as it stood; adopting pass 1's
   * finished tables there keeps one copy of every table instead of two (the second copy lived long enough to be
   * promoted, then died: on 20,000 tables about 10 MB of the peak). Neither model changes an adopted table in place
   * any more: a later change copies it first.
   */
  adoptFinal(final: SchemaModel, origin: Origin): void {
    if (!this.#changed) throw new Error('SchemaModel.adoptFinal without keepChanges');
    for (const t of this.#changed) {
      const key = tableKey(t.schema, t.name);
      const done = final.tables.get(key);
      if (done === undefined || done === t || this.tables.get(key) !== t || !lastChangedAt(done, origin)) continue;
      this.tables.set(key, done);
      this.#owned.delete(t);
      final.#owned.delete(done);
    }
    this.#changed.clear();
  }

  /**
   * Pass 2's shortcut for a statement whose one action is `a`, a CREATE TABLE that `final` (pass 1) never changed
   * after: takes `final`'s table as it stands instead of building an equal one to adopt. Besides building the table,
   * creating it only names its indexes' owner, which this does too. False when it does not apply (another action, a
   * name already taken, a table changed later); the caller then applies the action.
   */
  takeCreated(a: Action, origin: Origin, final: SchemaModel): boolean {
    if (a.type !== 'create-table') return false;
    const r = this.resolve(a.table);
    const key = tableKey(r.schema, r.name);
    if (this.tables.has(key)) return false;
    const done = final.tables.get(key);
    if (!done || !lastChangedAt(done, origin)) return false;
    this.tables.set(key, done);
    final.#owned.delete(done);
    for (const i of done.indexes) this.indexOwner.set(tableKey(done.schema, i.name), key);
    return true;
  }

  /** A table this model is about to change. */
  private writable(q: QName): TableModel | undefined {
    const t = this.table(q);
    return t && this.own(t);
  }

  /** The table of an index this model is about to change. */
  private writableIndexTable(q: QName): TableModel | undefined {
    const t = this.indexTable(q);
    return t && this.own(t);
  }

  /** Applies one action. Unknown objects are tolerated: a migration set may start from an existing database. */
  apply(a: Action, origin: Origin): void {
    this.#origin = origin;
    switch (a.type) {
      case 'create-table': return this.createTable(a, origin);
      case 'add-column': return this.addColumnTo(a, origin);
      case 'drop-column': return this.dropColumn(a, origin);
      case 'alter-column-type':
      case 'set-not-null':
      case 'drop-not-null':
      case 'set-default':
      case 'drop-default': return this.alterColumn(a, origin);
      case 'add-constraint':
      case 'validate-constraint':
      case 'drop-constraint':
      case 'rename-constraint': return this.changeConstraint(a, origin);
      case 'rename-column': return this.renameColumn(a, origin);
      case 'rename-table': return this.renameTable(a, origin);
      case 'set-schema': return this.setSchema(a);
      case 'rename-index': return this.renameIndex(a);
      case 'create-index': return this.createIndex(a, origin);
      case 'drop-index': {
        for (const q of a.indexes) {
          const t = this.writableIndexTable(q);
          if (t) { this.removeIndex(t, q.name); t.history.push(origin); }
        }
        return;
      }
      case 'enable-rls':
      case 'disable-rls':
      case 'force-rls':
      case 'no-force-rls': return this.changeTable(a.table, origin, (t) => setRowSecurity(t, a.type, origin));
      case 'create-policy':
      case 'alter-policy':
      case 'drop-policy': return this.changePolicy(a, origin);
      case 'drop-table': return this.dropTables(a);
      case 'create-view': {
        const r = this.resolve(a.view);
        this.views.set(tableKey(r.schema, r.name), {
          schema: r.schema, name: r.name, materialized: a.materialized, sources: a.sources, uniqueIndex: false, origin,
        });
        return;
      }
      case 'create-function':
      case 'alter-function':
      case 'drop-function': return this.changeFunction(a, origin);
      case 'grant': return this.grant(a, origin);
      case 'grant-schema':
        if (a.privileges.some((p) => p === 'usage' || p === 'all')) grantRoles(this.schemaUsage, a.schemas, a, origin);
        return;
      case 'default-privileges': return grantRoles(this.defaultGrants, a.schemas.length ? a.schemas : [''], a, origin);
      case 'role': return this.role(a, origin);
      case 'set-owner': {
        const t = this.writable(a.table);
        if (t) { t.owner = a.owner; t.history.push(origin); }
        return;
      }
      case 'comment': return this.comment(a);
      case 'set':
        if (a.name === 'search_path' && a.value !== undefined) this.defaultSchema = firstSchema(a.value);
        return;
      case 'create-schema':
        this.schemas.add(a.name);
        return;
      case 'create-extension':
        this.extensions.add(a.name);
        return;
      case 'attach-partition': {
        // pg_dump writes a partition as a table of its own, then ATTACH PARTITION.
        const child = this.writable(a.partition);
        if (child && !child.partitionOf) { child.partitionOf = a.table; child.history.push(origin); }
        return;
      }
      case 'detach-partition': {
        const child = this.writable(a.partition);
        if (child?.partitionOf) { child.partitionOf = undefined; child.history.push(origin); }
        return;
      }
      case 'set-logged': {
        const t = this.writable(a.table);
        if (t) t.unlogged = !a.logged;
        return;
      }
      default:
        return;
    }
  }

  /** Runs `change` on a known table and records the statement in its history. */
  private changeTable(q: QName, origin: Origin, change: (t: TableModel) => void): void {
    const t = this.writable(q);
    if (!t) return;
    t.history.push(origin);
    change(t);
  }

  private createTable(a: ActionOf<'create-table'>, origin: Origin): void {
    const r = this.resolve(a.table);
    const key = tableKey(r.schema, r.name);
    if (this.tables.has(key) && a.ifNotExists) return;
    const t: TableModel = {
      schema: r.schema, name: r.name, columns: new Map(), constraints: [], indexes: [], policies: NONE,
      partitioned: a.partitioned, partitionOf: a.partitionOf, temporary: a.temporary, unlogged: a.unlogged,
      created: origin, history: [origin], publicGrants: NONE, grants: NONE,
    };
    this.tables.set(key, t);
    this.#owned.add(t);
    this.changing(t);
    // Tables created after ALTER DEFAULT PRIVILEGES get its grants.
    for (const [schema, roles] of this.defaultGrants) {
      if (schema !== '' && schema !== r.schema) continue;
      for (const [role, o] of roles) {
        if (role === 'public') t.publicGrants = [...t.publicGrants, { privileges: ['all'], origin: o }];
        else t.grants = [...t.grants, { role, privileges: ['all'], origin: o }];
      }
    }
    for (const like of a.likeTables) {
      const src = this.table(like);
      if (src) for (const c of src.columns.values()) t.columns.set(c.name, { ...c, origin });
    }
    const parent = a.partitionOf && this.table(a.partitionOf);
    if (parent) {
      for (const c of parent.columns.values()) t.columns.set(c.name, { ...c, origin });
      for (const i of parent.indexes) this.addIndex(t, { ...i, name: `${r.name}_${i.name}`, origin });
    }
    for (const c of a.columns) this.addColumn(t, c, origin);
    for (const c of a.constraints) this.addConstraint(t, c, origin);
    t.constraints = sized(t.constraints);
    t.indexes = sized(t.indexes);
  }

  private addColumnTo(a: ActionOf<'add-column'>, origin: Origin): void {
    const t = this.writable(a.table);
    if (!t || (a.ifNotExists && t.columns.has(a.column.name))) return;
    t.history.push(origin);
    this.addColumn(t, a.column, origin);
  }

  private dropColumn(a: ActionOf<'drop-column'>, origin: Origin): void {
    this.changeTable(a.table, origin, (t) => {
      t.columns.delete(a.column);
      // Indexes and constraints that use the column go with it.
      for (const i of t.indexes.filter((x) => x.columns.includes(a.column))) this.removeIndex(t, i.name);
      t.constraints = t.constraints.filter((c) => !c.columns.includes(a.column));
    });
  }

  private alterColumn(a: ActionOf<'alter-column-type' | 'set-not-null' | 'drop-not-null' | 'set-default' | 'drop-default'>, origin: Origin): void {
    const t = this.writable(a.table);
    const c = t?.columns.get(a.column);
    if (!t || !c) return;
    if (a.type === 'set-default' || a.type === 'drop-default') {
      c.hasDefault = a.type === 'set-default';
      c.defaultText = a.type === 'set-default' ? a.defaultText : undefined;
      return;
    }
    if (a.type === 'alter-column-type') c.type = a.newType;
    else c.notNull = a.type === 'set-not-null';
    t.history.push(origin);
  }

  private renameColumn(a: ActionOf<'rename-column'>, origin: Origin): void {
    const t = this.writable(a.table);
    const c = t?.columns.get(a.from);
    if (!t || !c) return;
    t.history.push(origin);
    t.columns.delete(a.from);
    c.name = a.to;
    t.columns.set(a.to, c);
    const ren = (cols: readonly string[]) => cols.map((x) => (x === a.from ? a.to : x));
    for (const k of t.constraints) k.columns = ren(k.columns);
    for (const i of t.indexes) { i.columns = ren(i.columns); i.include = ren(i.include); }
    for (const p of t.policies) {
      if (p.usingColumns) p.usingColumns = ren(p.usingColumns);
      if (p.checkColumns) p.checkColumns = ren(p.checkColumns);
      if (p.usingKeys) p.usingKeys = ren(p.usingKeys);
      if (p.checkKeys) p.checkKeys = ren(p.checkKeys);
    }
    for (const k of this.foreignKeysTo(t)) if (k.refColumns) k.refColumns = ren(k.refColumns);
  }

  private renameTable(a: ActionOf<'rename-table'>, origin: Origin): void {
    const t = this.writable(a.table);
    if (!t) return;
    for (const k of this.foreignKeysTo(t)) k.refTable = { schema: t.schema, name: a.to };
    this.tables.delete(tableKey(t.schema, t.name));
    t.name = a.to;
    t.history.push(origin);
    this.tables.set(tableKey(t.schema, t.name), t);
    for (const i of t.indexes) this.indexOwner.set(tableKey(t.schema, i.name), tableKey(t.schema, t.name));
  }

  /** The foreign keys of every table that reference `t`, their tables made this model's to change. */
  private foreignKeysTo(t: TableModel): ConstraintModel[] {
    const out: ConstraintModel[] = [];
    const refersToT = (k: ConstraintModel) => k.refTable !== undefined && this.table(k.refTable) === t;
    for (const other of [...this.tables.values()]) {
      if (other.constraints.some(refersToT)) out.push(...this.own(other).constraints.filter(refersToT));
    }
    return out;
  }

  private setSchema(a: ActionOf<'set-schema'>): void {
    const t = this.writable(a.table);
    if (!t) return;
    this.tables.delete(tableKey(t.schema, t.name));
    for (const i of t.indexes) this.indexOwner.delete(tableKey(t.schema, i.name));
    t.schema = a.schema;
    this.tables.set(tableKey(t.schema, t.name), t);
    for (const i of t.indexes) this.indexOwner.set(tableKey(t.schema, i.name), tableKey(t.schema, t.name));
  }

  private renameIndex(a: ActionOf<'rename-index'>): void {
    const t = this.writableIndexTable(a.index);
    const i = t?.indexes.find((x) => x.name === a.index.name);
    if (!t || !i) return;
    this.indexOwner.delete(tableKey(t.schema, i.name));
    i.name = a.to;
    this.indexOwner.set(tableKey(t.schema, i.name), tableKey(t.schema, t.name));
  }

  private createIndex(a: ActionOf<'create-index'>, origin: Origin): void {
    const t = this.table(a.index.table);
    if (!t) {
      const v = this.view(a.index.table);
      if (v && a.index.unique && !a.index.partial && a.index.columns.every((c) => !c.startsWith('('))) v.uniqueIndex = true;
      return;
    }
    const name = a.index.name ?? defaultIndexName(t.name, a.index.columns);
    if (a.index.ifNotExists && t.indexes.some((i) => i.name === name)) return;
    const mine = this.own(t);
    mine.history.push(origin);
    this.addIndex(mine, {
      name, columns: a.index.columns, include: a.index.include, unique: a.index.unique, partial: a.index.partial,
      ...(a.index.softDelete ? { softDelete: true } : {}), ...(a.index.notNullFilter ? { notNullFilter: a.index.notNullFilter } : {}), method: a.index.method, origin,
    });
  }

  private changeConstraint(a: ActionOf<'add-constraint' | 'validate-constraint' | 'drop-constraint' | 'rename-constraint'>, origin: Origin): void {
    const t = this.writable(a.table);
    if (!t) return;
    switch (a.type) {
      case 'add-constraint':
        t.history.push(origin);
        return this.addConstraint(t, a.constraint, origin);
      case 'validate-constraint': {
        const c = t.constraints.find((x) => x.name === a.name);
        if (c) c.validated = true;
        return;
      }
      case 'drop-constraint':
        t.history.push(origin);
        t.constraints = t.constraints.filter((c) => c.name !== a.name);
        for (const i of t.indexes.filter((x) => x.constraint === a.name)) this.removeIndex(t, i.name);
        return;
      case 'rename-constraint': {
        const c = t.constraints.find((x) => x.name === a.from);
        if (c) c.name = a.to;
        return;
      }
    }
  }

  private changePolicy(a: ActionOf<'create-policy' | 'alter-policy' | 'drop-policy'>, origin: Origin): void {
    const q = a.type === 'create-policy' ? a.policy.table : a.table;
    const known = this.table(q);
    if (known) {
      // ALTER POLICY of a policy the table does not have changes nothing, not even its history.
      if (a.type === 'alter-policy' && !known.policies.some((p) => p.name === a.name)) return;
      return this.changeTable(q, origin, (t) => { t.policies = policiesAfter(t.policies, a, origin); });
    }
    // A table the migrations do not create (Supabase's storage.objects): its policies are kept apart, by table.
    const r = this.resolve(q);
    const key = tableKey(r.schema, r.name);
    const entry = this.outsidePolicies.get(key) ?? { schema: r.schema, name: r.name, policies: NONE };
    entry.policies = policiesAfter(entry.policies, a, origin);
    this.outsidePolicies.set(key, entry);
  }

  private dropTables(a: ActionOf<'drop-table'>): void {
    for (const q of a.tables) {
      const t = this.table(q);
      if (!t) continue;
      for (const i of t.indexes) this.indexOwner.delete(tableKey(t.schema, i.name));
      this.tables.delete(tableKey(t.schema, t.name));
    }
  }

  private changeFunction(a: ActionOf<'create-function' | 'alter-function' | 'drop-function'>, origin: Origin): void {
    if (a.type === 'create-function') {
      const r = this.resolve(a.fn.name);
      this.functions.set(tableKey(r.schema, r.name), {
        schema: r.schema, name: r.name, securityDefiner: a.fn.securityDefiner, setsSearchPath: a.fn.setsSearchPath,
        language: a.fn.language, body: a.fn.body, injections: a.fn.injections, ...(a.fn.returnsTrigger ? { returnsTrigger: true } : {}),
        ...(a.fn.volatility ? { volatility: a.fn.volatility } : {}), origin,
      });
      return;
    }
    const r = this.resolve(a.name);
    if (a.type === 'drop-function') {
      this.functions.delete(tableKey(r.schema, r.name));
      return;
    }
    const f = this.functions.get(tableKey(r.schema, r.name)) ?? (a.name.schema ? undefined : this.functions.get(tableKey('public', a.name.name)));
    if (!f) return;
    if (a.securityDefiner !== undefined) f.securityDefiner = a.securityDefiner;
    if (a.setsSearchPath !== undefined) f.setsSearchPath = a.setsSearchPath;
    if (a.volatility !== undefined) f.volatility = a.volatility;
  }

  private grant(a: ActionOf<'grant'>, origin: Origin): void {
    const tables = a.allTablesInSchema
      ? [...this.tables.values()].filter((t) => t.schema === a.allTablesInSchema).map((t) => this.own(t))
      // Made this model's as they are named: a table named twice is the same copy.
      : a.tables.map((q) => this.writable(q)).filter((t): t is TableModel => Boolean(t));
    for (const t of tables) {
      for (const role of a.grantees) {
        if (role === 'public') {
          if (a.revoke) t.publicGrants = NONE;
          else t.publicGrants = [...t.publicGrants, { privileges: a.privileges, origin }];
        } else if (a.revoke) {
          t.grants = t.grants.filter((g) => g.role !== role);
        } else {
          t.grants = [...t.grants, { role, privileges: a.privileges, origin }];
        }
      }
    }
  }

  private role(a: ActionOf<'role'>, origin: Origin): void {
    const r = this.roles.get(a.name);
    // ALTER ROLE of a role the migrations did not create: only what matters for row-level security is kept.
    if (!r && !a.create && a.bypassRls === undefined && a.superuser === undefined) return;
    const m: RoleModel = r ?? { name: a.name, bypassRls: false, superuser: false, login: false, origin };
    if (a.bypassRls !== undefined) m.bypassRls = a.bypassRls;
    if (a.superuser !== undefined) m.superuser = a.superuser;
    if (a.login !== undefined) m.login = a.login;
    this.roles.set(a.name, m);
  }

  private comment(a: ActionOf<'comment'>): void {
    const t = a.table && this.writable(a.table);
    if (!t) return;
    if (a.target === 'table') t.comment = a.text;
    else if (a.column) {
      const c = t.columns.get(a.column);
      if (c) c.comment = a.text;
    }
  }

  private addColumn(t: TableModel, c: ColumnDef, origin: Origin): void {
    t.columns.set(c.name, {
      name: c.name, type: c.type, notNull: c.notNull, hasDefault: c.defaultKind !== 'none' || c.identity,
      ...(c.defaultKind !== 'none' && !c.identity && c.defaultText ? { defaultText: c.defaultText } : {}), identity: c.identity, origin,
    });
    for (const k of c.constraints) this.addConstraint(t, k, origin);
  }

  private addConstraint(t: TableModel, c: ConstraintDef, origin: Origin): void {
    const name = c.name ?? defaultConstraintName(t.name, c);
    const model: ConstraintModel = {
      name, kind: c.kind, columns: c.columns, refTable: c.refTable, refColumns: c.refColumns, onDelete: c.onDelete,
      validated: !c.notValid, checkIsNotNullOf: c.checkIsNotNullOf, origin,
    };
    if (c.kind === 'not-null') {
      for (const col of c.columns) { const m = t.columns.get(col); if (m) m.notNull = true; }
      return;
    }
    t.constraints.push(model);
    if (c.kind === 'primary') for (const col of c.columns) { const m = t.columns.get(col); if (m) m.notNull = true; }
    if (c.kind === 'primary' || c.kind === 'unique' || c.kind === 'exclude') {
      if (c.usingIndex) {
        const idx = t.indexes.find((i) => i.name === c.usingIndex);
        if (idx) {
          // ADD CONSTRAINT … USING INDEX renames the index to the constraint's name.
          this.indexOwner.delete(tableKey(t.schema, idx.name));
          idx.name = name;
          idx.constraint = name;
          this.indexOwner.set(tableKey(t.schema, name), tableKey(t.schema, t.name));
          if (c.kind === 'primary' || c.kind === 'unique') model.columns = idx.columns;
        }
        return;
      }
      this.addIndex(t, {
        name, columns: c.columns, include: NONE, unique: c.kind !== 'exclude', partial: false,
        method: c.kind === 'exclude' ? 'gist' : 'btree', constraint: name, origin,
      });
    }
  }

  private addIndex(t: TableModel, i: IndexModel): void {
    t.indexes = t.indexes.filter((x) => x.name !== i.name);
    t.indexes.push(i);
    this.indexOwner.set(tableKey(t.schema, i.name), tableKey(t.schema, t.name));
  }

  private removeIndex(t: TableModel, name: string): void {
    t.indexes = t.indexes.filter((x) => x.name !== name);
    this.indexOwner.delete(tableKey(t.schema, name));
  }
}

function cloneTable(t: TableModel): TableModel {
  const columns = new Map<string, ColumnModel>();
  for (const [k, c] of t.columns) columns.set(k, { ...c });
  return {
    ...t, columns, constraints: t.constraints.map((c) => ({ ...c })), indexes: t.indexes.map((i) => ({ ...i })),
    // Policies are changed in place (a column renamed), so copied; the grant lists are only ever replaced, so shared.
    policies: orNone(t.policies.map((p) => ({ ...p }))), history: [...t.history], publicGrants: t.publicGrants, grants: t.grants,
    ...(t.size ? { size: { ...t.size } } : {}),
  };
}

function setRowSecurity(t: TableModel, type: 'enable-rls' | 'disable-rls' | 'force-rls' | 'no-force-rls', origin: Origin): void {
  if (type === 'enable-rls') { t.rlsEnabled = origin; t.rlsEverEnabled ??= origin; }
  if (type === 'disable-rls') t.rlsEnabled = undefined;
  if (type === 'force-rls') t.rlsForced = origin;
  if (type === 'no-force-rls') t.rlsForced = undefined;
}

/**
 * A table's policies after CREATE POLICY (one of the same name replaced), DROP POLICY, or ALTER POLICY (the policy
 * changed in place: the caller's list is its own copy).
 */
function policiesAfter(policies: readonly PolicyModel[], a: ActionOf<'create-policy' | 'alter-policy' | 'drop-policy'>, origin: Origin): readonly PolicyModel[] {
  if (a.type === 'create-policy') {
    const { span: _span, table: _table, ...rest } = a.policy;
    return [...policies.filter((p) => p.name !== a.policy.name), { ...rest, origin }];
  }
  if (a.type === 'drop-policy') return policies.filter((p) => p.name !== a.name);
  const p = policies.find((x) => x.name === a.name);
  if (p) alterPolicy(p, a, origin);
  return policies;
}

/** ALTER POLICY: the clauses it sets, with their calls in its own file (the other clause keeps the calls it had); its roles. */
function alterPolicy(p: PolicyModel, a: ActionOf<'alter-policy'>, origin: Origin): void {
  if (a.usingColumns) { p.usingColumns = a.usingColumns; p.usingAlwaysTrue = a.usingAlwaysTrue; p.usingText = a.usingText; p.usingKeys = a.usingKeys; }
  if (a.checkColumns) { p.checkColumns = a.checkColumns; p.checkAlwaysTrue = a.checkAlwaysTrue; p.checkText = a.checkText; p.checkKeys = a.checkKeys; }
  if (a.usingColumns || a.checkColumns) {
    const kept = (p.calls ?? []).filter((c) => (c.clause === 'using' ? !a.usingColumns : !a.checkColumns));
    const calls = [...kept, ...(a.calls ?? []).map((c) => ({ ...c, file: origin.file }))];
    p.calls = calls.length ? calls : undefined;
  }
  if (a.functions && (a.usingColumns || a.checkColumns)) p.functions = [...new Set([...(a.usingColumns ? [] : p.functions ?? []), ...a.functions])];
  if (a.roles) p.roles = a.roles;
}

/** GRANT USAGE ON SCHEMA and ALTER DEFAULT PRIVILEGES: the roles of each schema, added or (REVOKE) removed. */
function grantRoles(bySchema: Map<string, Map<string, Origin>>, schemas: string[], a: { grantees: string[]; revoke: boolean }, origin: Origin): void {
  for (const schema of schemas) {
    const roles = bySchema.get(schema) ?? new Map<string, Origin>();
    for (const role of a.grantees) {
      if (a.revoke) roles.delete(role);
      else roles.set(role, origin);
    }
    bySchema.set(schema, roles);
  }
}

/** The first schema of a search_path value (`"$user", public` → public). */
function firstSchema(searchPath: string): string {
  return searchPath.split(',').map((s) => s.trim().replace(/^"|"$/g, '')).find((s) => s && s !== '$user') || 'public';
}
