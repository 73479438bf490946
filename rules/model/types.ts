// The typed model every rule reads. Only rules/parser/ sees raw libpg-query JSON;
// it turns each statement into a Statement with a list of Actions, described here.

/** A half-open range of UTF-16 offsets into one file's text. */
export interface Span {
  start: number;
  end: number;
}

/** A schema-qualified name. `schema` is undefined when the SQL did not qualify it. */
export interface QName {
  schema?: string;
  name: string;
}

const SERIAL_INTEGER: Record<string, IntegerType> = { smallserial: 'int2', serial: 'int4', bigserial: 'int8' };

export type IntegerType = 'int2' | 'int4' | 'int8';

/** serial, bigserial, smallserial: an integer column whose DEFAULT is nextval() of a sequence it owns. */
export function isSerialType(type: { name: string }): boolean {
  return Object.hasOwn(SERIAL_INTEGER, type.name);
}

/**
 * ADD COLUMN … NOT NULL with nothing to fill old rows (no default, identity, serial or generated value): PostgreSQL
 * refuses it unless the table is empty, so after it succeeds the table is known to be empty.
 */
export function requiresEmptyTable(c: Pick<ColumnDef, 'notNull' | 'defaultKind' | 'identity' | 'generatedStored' | 'type'>): boolean {
  return c.notNull && c.defaultKind === 'none' && !c.identity && !c.generatedStored && !isSerialType(c.type);
}

/** The integer type a column stores: int2, int4 or int8 for those types and their serials; undefined otherwise. */
export function integerType(type: { name: string }): IntegerType | undefined {
  if (isSerialType(type)) return SERIAL_INTEGER[type.name];
  return type.name === 'int2' || type.name === 'int4' || type.name === 'int8' ? type.name : undefined;
}

export interface TypeRef {
  /** Normalised type name without schema, e.g. `int4`, `timestamp`, `varchar`, `text`, `uuid`, `serial`. */
  name: string;
  /** Schema written or implied (pg_catalog for built-ins spelled with SQL keywords). */
  schema?: string;
  /** Type modifiers as written, e.g. [10] for varchar(10), [10, 2] for numeric(10,2). */
  mods: readonly number[];
  array: boolean;
  /** Where the type name starts in the file (the end is found lazily by fixes that need it). */
  start: number;
}

export type ConstraintKind = 'primary' | 'unique' | 'foreign' | 'check' | 'exclude' | 'not-null';

export interface ConstraintDef {
  kind: ConstraintKind;
  name?: string;
  columns: readonly string[];
  /** Foreign keys: the referenced table and columns. */
  refTable?: QName;
  refColumns?: readonly string[];
  onDelete?: string;
  /** CHECK: the expression is `<column> IS NOT NULL` (used by the SET NOT NULL recipe since PG 12). */
  checkIsNotNullOf?: string;
  /** CHECK: columns the expression mentions. */
  checkColumns?: string[];
  /** NOT VALID was written (skip_validation). */
  notValid: boolean;
  /** ADD UNIQUE/PRIMARY KEY USING INDEX <index>. */
  usingIndex?: string;
  /** Declared inline on a column definition. */
  inline: boolean;
  span: Span;
}

export type DefaultKind = 'none' | 'constant' | 'stable' | 'volatile';

export interface ColumnDef {
  name: string;
  type: TypeRef;
  notNull: boolean;
  /** How the DEFAULT expression behaves for ADD COLUMN (volatile defaults rewrite the table). */
  defaultKind: DefaultKind;
  defaultText?: string;
  identity: boolean;
  generatedStored: boolean;
  /** The column's constraints written inline (PRIMARY KEY, UNIQUE, REFERENCES, CHECK). */
  constraints: readonly ConstraintDef[];
  span: Span;
}

export interface IndexDef {
  name?: string;
  table: QName;
  /** Plain column names; an expression element is recorded as `(expr)`. */
  columns: string[];
  include: string[];
  unique: boolean;
  partial: boolean;
  /** Partial, and its condition only keeps rows not soft-deleted (`WHERE deleted_at IS NULL`). */
  softDelete?: boolean;
  /** Partial, and its condition only requires these columns to be non-null (`WHERE parent_id IS NOT NULL`). */
  notNullFilter?: string[];
  concurrently: boolean;
  ifNotExists: boolean;
  method: string;
  span: Span;
}

export type PolicyCommand = 'all' | 'select' | 'insert' | 'update' | 'delete';

export interface PolicyDef {
  name: string;
  table: QName;
  command: PolicyCommand;
  roles: string[];
  permissive: boolean;
  /** Column names referenced by USING / WITH CHECK. */
  usingColumns?: string[];
  checkColumns?: string[];
  /** The expression is a constant true (`USING (true)`). */
  usingAlwaysTrue?: boolean;
  checkAlwaysTrue?: boolean;
  usingText?: string;
  checkText?: string;
  /** current_setting('<name>', …) settings read by the expressions. */
  settings: string[];
  /** Functions the expressions call, lower-cased as written (`auth.uid`, `private.teams_of_current_user`). */
  functions?: string[];
  /** Calls that read nothing of the row and sit outside any subquery: PostgreSQL runs them again for each row. */
  calls?: PolicyCall[];
  /** Columns USING compares for equality with the session in its top-level AND (`user_id = auth.uid()`). */
  usingKeys?: string[];
  /** The same for WITH CHECK (`WITH CHECK (auth.uid() = author)`): the rows a user may write carry the user there. */
  checkKeys?: string[];
  span: Span;
}

/**
 * A function call in USING or WITH CHECK that reads no column and is not inside a subquery (`auth.uid()`,
 * `authorize('channels.delete', auth.uid())`): the widest such call, with the functions it calls.
 */
export interface PolicyCall {
  /** Lower-cased as written: `auth.uid`, `current_setting`, `authorize`. */
  name: string;
  /** Every function the call runs, itself included. */
  runs: string[];
  clause: 'using' | 'check';
  span: Span;
  /** The clause's expression, inside its parentheses. */
  within: Span;
  /** The file of `span` and `within` when it is not the policy's (an ALTER POLICY in a later migration set the expression). */
  file?: string;
}

export interface FunctionDef {
  name: QName;
  securityDefiner: boolean;
  /** SET search_path = … is part of the definition. */
  setsSearchPath: boolean;
  language?: string;
  orReplace: boolean;
  /** PL/pgSQL or SQL body text when given as a string. */
  body?: string;
  /** PL/pgSQL: the EXECUTEs of the body that build SQL from the caller's input without quoting it. */
  injections?: DynamicSqlRisk[];
  /** RETURNS trigger: it runs only as a trigger, never called by a client. */
  returnsTrigger?: boolean;
  /** IMMUTABLE, STABLE or VOLATILE as declared (PostgreSQL's default: volatile). */
  volatility?: Volatility;
  span: Span;
}

export type Volatility = 'immutable' | 'stable' | 'volatile';

/** An EXECUTE whose SQL text carries a value the caller controls, unquoted (rules/parser/plpgsql.ts). */
export interface DynamicSqlRisk {
  /** The EXECUTE's SQL expression. */
  span: Span;
  /** The parameter (or NEW / OLD field of a trigger) that reaches the SQL text: `user_input`, `$1`, `new.name`. */
  source: string;
  /** How it gets there, in words: `format() with %s`, `string concatenation`, `the variable q`. */
  via: string;
  /** It stands where a keyword goes (ORDER BY … ASC / DESC): no quoting fits, only a fixed list of words. */
  keyword?: boolean;
}

/**
 * A statement a DO block runs: written in the block, or the SQL of an EXECUTE whose text is known but for some
 * names (a string, format() of a constant template, strings joined with values by `||`). Offsets are file offsets.
 */
export interface EmbeddedStatement {
  span: Span;
  /** The SQL as PostgreSQL runs it (quotes of an enclosing string undone). */
  text: string;
  /** libpg-query node name; `SyntaxError` when the SQL did not parse. */
  node: string;
  actions: Action[];
  /** Run by EXECUTE. */
  dynamic: boolean;
  /**
   * Names (and other strings) built from what the SQL leaves open, as they read with the placeholder or value put
   * back: `%I`, `%1$s_i6`, `anon_role`. They name objects nobody knows, so the model does not take them.
   */
  unknown?: string[];
}

/** What static analysis sees of a DO block's PL/pgSQL body. */
export interface PlpgsqlBlock {
  language: string;
  statements: EmbeddedStatement[];
  /** EXECUTEs whose SQL is built at run time: not analysed. */
  unanalysed: Span[];
  /** The body could not be parsed as PL/pgSQL (the parser's message): nothing in it was analysed. */
  error?: string;
}

/** Everything a statement does, one entry per effect. An ALTER TABLE with three commands gives three actions. */
export type Action =
  | { type: 'create-table'; table: QName; columns: ColumnDef[]; constraints: readonly ConstraintDef[]; ifNotExists: boolean;
      partitioned: boolean; partitionOf?: QName; unlogged: boolean; temporary: boolean; likeTables: readonly QName[]; asSelect: boolean }
  | { type: 'add-column'; table: QName; column: ColumnDef; ifNotExists: boolean }
  | { type: 'drop-column'; table: QName; column: string; ifExists: boolean }
  | { type: 'alter-column-type'; table: QName; column: string; newType: TypeRef; using: boolean; /** The USING expression as written. */ usingText?: string }
  | { type: 'set-not-null'; table: QName; column: string }
  | { type: 'drop-not-null'; table: QName; column: string }
  | { type: 'set-default'; table: QName; column: string; defaultKind: DefaultKind; defaultText?: string }
  | { type: 'drop-default'; table: QName; column: string }
  | { type: 'add-constraint'; table: QName; constraint: ConstraintDef }
  | { type: 'validate-constraint'; table: QName; name: string }
  | { type: 'drop-constraint'; table: QName; name: string; ifExists: boolean }
  | { type: 'rename-column'; table: QName; from: string; to: string }
  | { type: 'rename-table'; table: QName; to: string }
  | { type: 'rename-index'; index: QName; to: string }
  | { type: 'rename-constraint'; table: QName; from: string; to: string }
  | { type: 'set-schema'; table: QName; schema: string }
  | { type: 'create-index'; index: IndexDef }
  | { type: 'drop-index'; indexes: QName[]; concurrently: boolean; ifExists: boolean }
  | { type: 'reindex'; target: QName; kind: 'index' | 'table' | 'schema' | 'database' | 'system'; concurrently: boolean }
  | { type: 'enable-rls'; table: QName }
  | { type: 'disable-rls'; table: QName }
  | { type: 'force-rls'; table: QName }
  | { type: 'no-force-rls'; table: QName }
  | { type: 'create-policy'; policy: PolicyDef }
  | { type: 'alter-policy'; name: string; table: QName; usingColumns?: string[]; checkColumns?: string[];
      usingAlwaysTrue?: boolean; checkAlwaysTrue?: boolean; roles?: string[]; usingText?: string; checkText?: string; functions?: string[];
      calls?: PolicyCall[]; usingKeys?: string[]; checkKeys?: string[] }
  | { type: 'drop-policy'; name: string; table: QName; ifExists: boolean }
  | { type: 'drop-table'; tables: QName[]; cascade: boolean; ifExists: boolean }
  | { type: 'truncate'; tables: QName[]; cascade: boolean }
  | { type: 'create-function'; fn: FunctionDef }
  | { type: 'drop-function'; name: QName }
  /** ALTER FUNCTION … SECURITY DEFINER | INVOKER, SET search_path = …, RESET search_path, IMMUTABLE | STABLE | VOLATILE (undefined: not changed). */
  | { type: 'alter-function'; name: QName; securityDefiner?: boolean; setsSearchPath?: boolean; volatility?: Volatility }
  | { type: 'grant'; tables: QName[]; allTablesInSchema?: string; privileges: string[]; grantees: string[]; revoke: boolean }
  /** GRANT USAGE ON SCHEMA … TO … (or REVOKE). */
  | { type: 'grant-schema'; schemas: string[]; privileges: string[]; grantees: string[]; revoke: boolean }
  /** ALTER DEFAULT PRIVILEGES [IN SCHEMA …] GRANT … ON TABLES TO …: tables created later get these grants. */
  | { type: 'default-privileges'; schemas: string[]; privileges: string[]; grantees: string[]; revoke: boolean }
  /** CREATE ROLE / USER, ALTER ROLE: the attributes that matter for row-level security (undefined: not said). */
  | { type: 'role'; name: string; create: boolean; bypassRls?: boolean; superuser?: boolean; login?: boolean }
  /** ALTER TABLE … OWNER TO role. */
  | { type: 'set-owner'; table: QName; owner: string }
  | { type: 'set'; name: string; value?: string; local: boolean }
  | { type: 'reset'; name: string }
  | { type: 'transaction'; op: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to' | 'other' }
  | { type: 'vacuum'; full: boolean; tables: QName[] }
  | { type: 'cluster'; table?: QName }
  | { type: 'lock-table'; tables: QName[]; mode: LockMode }
  | { type: 'create-schema'; name: string }
  | { type: 'create-extension'; name: string }
  | { type: 'comment'; target: 'table' | 'column' | 'other'; table?: QName; column?: string; text?: string }
  | { type: 'set-logged'; table: QName; logged: boolean }
  | { type: 'attach-partition'; table: QName; partition: QName }
  | { type: 'detach-partition'; table: QName; partition: QName; concurrently: boolean }
  /** `function`: the function it executes, lower-cased as written (`basejump.trigger_set_timestamps`). */
  | { type: 'create-trigger'; table: QName; name: string; function: string }
  | { type: 'refresh-matview'; view: QName; concurrently: boolean }
  /** `sources`: the relations the view's query reads (FROM, JOIN, subqueries; CTE names excluded), as written. */
  | { type: 'create-view'; view: QName; materialized: boolean; sources: QName[] }
  | { type: 'alter-type-add-value'; typeName: QName }
  | { type: 'dml'; kind: 'insert' | 'update' | 'delete' | 'select' | 'merge'; table?: QName; hasWhere: boolean }
  | { type: 'alter-table-other'; table: QName; subtype: string }
  /** DO: the statements its body runs at migration time. */
  | { type: 'do-block'; block: PlpgsqlBlock }
  | { type: 'other'; node: string };

export type ActionType = Action['type'];
/** The action of one type: `ActionOf<'create-table'>`. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/** PostgreSQL's eight table-level lock modes, weakest first. https://www.postgresql.org/docs/current/explicit-locking.html */
export type LockMode =
  | 'AccessShare'
  | 'RowShare'
  | 'RowExclusive'
  | 'ShareUpdateExclusive'
  | 'Share'
  | 'ShareRowExclusive'
  | 'Exclusive'
  | 'AccessExclusive';

/** One statement of a file, as the rules see it. */
export interface Statement {
  /** Index in its file. */
  index: number;
  file: string;
  /** UTF-16 range, leading whitespace and comments trimmed, trailing `;` excluded. */
  span: Span;
  /** 0-based line and column (UTF-16) of span.start. */
  line: number;
  column: number;
  text: string;
  /** libpg-query node name, e.g. `AlterTableStmt`; `SyntaxError` for a statement that did not parse. */
  node: string;
  actions: Action[];
  /** Byte→UTF-16 aware location of AST nodes already applied: every Span in actions is a file offset. */
  syntaxError?: { message: string; offset: number };
  /** Its length, when longer than the parser is given (MAX_STATEMENT_CHARS): not parsed, not replayed, reported as `analysis-limit`. */
  tooLarge?: number;
  /** Ignore directives (`-- sql-architect-ignore a, b: why`) in the comments right before this statement. */
  ignores: readonly IgnoreDirective[];
  /** A statement a DO block runs (rules/engine/embedded.ts); it shares the DO statement's index and ignores. */
  embedded?: { parent: Statement; dynamic: boolean; unknown?: string[] };
}

export interface IgnoreDirective {
  rules: string[];
  reason?: string;
  file: boolean;
  span: Span;
}

/* ---------------- schema model ---------------- */

/** Where a fact was established: a statement of a file. */
export interface Origin {
  file: string;
  span: Span;
}

export interface ColumnModel {
  name: string;
  type: TypeRef;
  notNull: boolean;
  hasDefault: boolean;
  /** The DEFAULT expression as written, when the column has one the migrations spell out. */
  defaultText?: string;
  identity: boolean;
  origin: Origin;
  comment?: string;
}

export interface ConstraintModel {
  name: string;
  kind: ConstraintKind;
  columns: readonly string[];
  refTable?: QName;
  refColumns?: readonly string[];
  /** Foreign keys: the ON DELETE action as the parser spells it ('n' SET NULL, 'c' CASCADE, 'd' SET DEFAULT, …). */
  onDelete?: string;
  validated: boolean;
  checkIsNotNullOf?: string;
  origin: Origin;
}

export interface IndexModel {
  name: string;
  columns: readonly string[];
  include: readonly string[];
  unique: boolean;
  partial: boolean;
  /** Partial, and its condition only keeps rows not soft-deleted (`WHERE deleted_at IS NULL`). */
  softDelete?: boolean;
  /** Partial, and its condition only requires these columns to be non-null (`WHERE parent_id IS NOT NULL`). */
  notNullFilter?: string[];
  method: string;
  /** Backs a PRIMARY KEY / UNIQUE constraint. */
  constraint?: string;
  origin: Origin;
}

export interface PolicyModel extends Omit<PolicyDef, 'span' | 'table'> {
  origin: Origin;
}

export interface TableModel {
  schema: string;
  name: string;
  columns: Map<string, ColumnModel>;
  constraints: ConstraintModel[];
  indexes: IndexModel[];
  rlsEnabled?: Origin;
  /** The first ENABLE ROW LEVEL SECURITY, even if a later DISABLE undid it (the project meant to use RLS). */
  rlsEverEnabled?: Origin;
  rlsForced?: Origin;
  policies: readonly PolicyModel[];
  partitioned: boolean;
  partitionOf?: QName;
  temporary: boolean;
  unlogged: boolean;
  created: Origin;
  /** Every statement that changed this table, oldest first (for hover and reports). */
  history: Origin[];
  comment?: string;
  /** Privileges granted to PUBLIC. */
  publicGrants: readonly { privileges: string[]; origin: Origin }[];
  /** Privileges granted to named roles (PUBLIC is in publicGrants). */
  grants: readonly GrantModel[];
  /** ALTER TABLE … OWNER TO, when the migrations say. */
  owner?: string;
  /** Rows and bytes, when a live database backs the review (engine/sizes.ts). */
  size?: { rows?: number; bytes?: number };
}

export interface ViewModel {
  schema: string;
  name: string;
  materialized: boolean;
  /** The relations its query reads, as written (resolved through the model when used). */
  sources: QName[];
  /** A unique index on plain columns without WHERE was created on it (REFRESH … CONCURRENTLY needs one). */
  uniqueIndex: boolean;
  origin: Origin;
}

export interface FunctionModel {
  schema: string;
  name: string;
  securityDefiner: boolean;
  setsSearchPath: boolean;
  language?: string;
  /** The body when given as a string (PL/pgSQL or SQL). */
  body?: string;
  /** PL/pgSQL: EXECUTEs that build SQL from the caller's input without quoting it. */
  injections?: DynamicSqlRisk[];
  /** RETURNS trigger. */
  returnsTrigger?: boolean;
  volatility?: Volatility;
  origin: Origin;
}

/** A role the migrations create or alter, with the attributes that matter for row-level security. */
export interface RoleModel {
  name: string;
  bypassRls: boolean;
  superuser: boolean;
  login: boolean;
  origin: Origin;
}

export interface GrantModel {
  role: string;
  privileges: string[];
  origin: Origin;
}
