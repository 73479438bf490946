import type { Action, LockMode, Origin, QName, Span, Statement, TableModel } from '../model/types';
import type { SchemaModel } from '../model/schema';
import type { LockPlan } from '../locks';
import type { ProjectModel } from '../project/types';
import type { StatementFacts } from './run';
import type { ResolvedConfig } from './config';

export type Severity = 'error' | 'warning' | 'info';
export type Category = 'tenancy' | 'security' | 'locking' | 'design' | 'meta';

/** A text edit in UTF-16 offsets. `file` is set only when the edit targets another (possibly new) file. */
export interface TextEdit {
  file?: string;
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  /** Safe fixes preserve meaning and may be applied by "fix all"; unsafe ones only on request. */
  safe: boolean;
  edits: TextEdit[];
}

export interface RelatedInfo extends Origin {
  message: string;
}

/** The values of a message template's `{{placeholders}}`. */
export type MessageData = Record<string, string | number>;

/** What a rule reports; the engine adds rule id, severity and file, and renders the message. */
export interface Report<M extends string = string> {
  /** A key of the rule's `messages`. */
  messageId: M;
  /** Fills the template's `{{placeholders}}`. */
  data?: MessageData;
  /** Where the user must act; defaults to the statement. */
  span?: Span;
  /** The file of `span` when it is not the current statement's file (set-level rules). */
  file?: string;
  related?: RelatedInfo[];
  fixes?: Fix[];
  /** The complete safe recipe as SQL with the user's names, shown by the CLI and hover. */
  recipe?: string;
  /** The statement the finding belongs to, for suppressions (set-level rules anchor on a statement). */
  statement?: Statement;
  /** A severity other than the rule's default for this finding (a configured severity still wins). */
  severity?: Severity;
}

export interface Finding {
  rule: string;
  severity: Severity;
  category: Category;
  /** The rendered message; for a rule that scales with table size, followed by the engine's note on the table's size when it is known. */
  message: string;
  /** The key of the rule's `messages` the message was rendered from, and the data that filled it. */
  messageId: string;
  data?: MessageData;
  file: string;
  start: number;
  end: number;
  related: readonly RelatedInfo[];
  fixes: readonly Fix[];
  recipe?: string;
}

export interface FileContext {
  path: string;
  text: string;
  statements: Statement[];
  /** `.down.sql` files and goose Down sections are checked for syntax only. */
  replayed: boolean;
}

/**
 * Who opened the transaction block a statement runs in: an explicit BEGIN of the file, the migration tool (BEGIN …
 * COMMIT around the file), or PostgreSQL itself (the file sent as one multi-statement query); `none`: autocommit.
 */
export type TxKind = 'explicit' | 'tool' | 'implicit' | 'none';

/** The transaction a statement runs in, as the engine computed it once for every rule. */
export interface TxFacts {
  inTransaction: boolean;
  kind: TxKind;
  /** In words: the tool's rule, the directive or the BEGIN that decided. */
  why: string;
  /** The explicit BEGIN that opened the block, when there is one. */
  begin?: Statement;
  /** Index (in its file) of the first statement of the block; the statement's own index outside a transaction. */
  firstIndex: number;
}

/** A lock that an earlier statement of the same transaction holds until it ends. */
export interface HeldLock {
  table: string;
  mode: LockMode;
  /** The statement that took it and what it did ("ADD COLUMN"). */
  statement: Statement;
  what: string;
}

/** What a per-statement rule sees. */
export interface StatementContext {
  statement: Statement;
  file: FileContext;
  /** The schema model just before this statement (all earlier files of the set, earlier statements of this file). */
  before: SchemaModel;
  config: ResolvedConfig;
  /** What the project is: tenants, roles, migration tool, conventions (inferred once per set). */
  project: ProjectModel;
  /**
   * The migration tool (`project.runner`), for how this file runs: read it here rather than through `project`, and
   * the editor can reuse the rule's result while the statements before this one are unchanged.
   */
  runner: ProjectModel['runner'];
  /** What the project does consistently (`project.conventions`'s ids), by value: likewise reusable. */
  conventions: ReadonlySet<string>;
  /** The schema at the end of the set: a finding later migrations already resolved is not worth raising. */
  after: SchemaModel;
  tx: TxFacts;
  /** The locks this statement takes (rules/locks.ts), computed once by the engine. */
  locks: LockPlan;
  /** The statement runs inside a transaction block (explicit, the tool's, or an implicit multi-statement one). */
  inTransaction: boolean;
  /** `SET lock_timeout` (non-zero) ran earlier in this file. */
  lockTimeoutSet: boolean;
  /** The table was created earlier in this same migration: the file, or the files of one ory/popx migration (locks on it harm nobody yet). */
  createdInFile(table: { schema?: string; name: string }): boolean;
  /** The table exists in the model before this statement and was not created in this file. */
  existedBefore(table: { schema?: string; name: string }): TableModel | undefined;
  /** The strongest lock earlier statements of this transaction hold on the table (they keep it until the end). */
  heldLock(table: QName): HeldLock | undefined;
  /** Every lock on an existing table that earlier statements of this transaction hold. */
  heldLocks(): HeldLock[];
  /**
   * The statement earlier in this transaction after which the table is known to be empty: a TRUNCATE, an
   * unconditional DELETE, or an ADD COLUMN … NOT NULL with nothing to fill old rows (PostgreSQL refuses it otherwise),
   * and no INSERT into it since.
   */
  emptiedInTransaction(table: QName): Statement | undefined;
  /**
   * The locks the engine planned for an earlier statement of the set (a DO block's statements each their own), with
   * the schema as it stood before that statement; undefined for a statement not yet reached.
   */
  earlierLocks(stmt: Statement): LockPlan | undefined;
  /** Name of a new migration file that sorts right after this one, in the folder's own convention. */
  followUpFileName(slug: string): string;
}

/** What a set-level rule sees: the final model after replaying the whole migration set. */
export interface SetContext {
  model: SchemaModel;
  project: ProjectModel;
  files: FileContext[];
  config: ResolvedConfig;
  /** The statement at an origin, for suppressions and fixes. */
  statementAt(origin: Origin): Statement | undefined;
  /** The engine's facts about a statement (its transaction, locks, lock_timeout). */
  factsAt(statement: Statement): StatementFacts | undefined;
  fileText(path: string): string | undefined;
}

export interface RuleDocs {
  /** Extra paragraphs for the docs page (markdown). */
  details?: string;
  /** "Instead of" SQL: linting it gives exactly one finding of this rule. */
  bad: string;
  /** "Use" SQL: linting it gives no finding of this rule. */
  good: string;
}

export interface RuleMeta {
  id: string;
  category: Category;
  defaultSeverity: Severity;
  title: string;
  /** One paragraph: the harm (which lock, what waits, since which version) and what to do. */
  rationale: string;
  fixable: boolean;
  /** Message templates by id; `{{name}}` is filled from a report's `data` (ESLint's `meta.messages`). */
  messages: Record<string, string>;
  docs: RuleDocs;
  /** Reported by replaying migrations on a real PostgreSQL (`sql-architect trace`), not by static analysis. */
  requiresDatabase?: boolean;
  /** Reported for input past the engine's size limits, which a docs example is too small to show. */
  sizeLimit?: boolean;
  /**
   * The harm grows with the table: a lock held while it is scanned, rewritten or indexed. When the table's size is
   * known (a live database, "tableSizes"), the finding says it, and on a small table it is reported as info.
   */
  scalesWithTableSize?: boolean;
}

export interface Rule<M extends string = string> extends RuleMeta {
  messages: Record<M, string>;
  /**
   * A statement rule that looks only at actions of these types: the engine runs `check` only on statements that
   * have one (most statements of a migration concern no given rule). Without it, `check` runs on every statement.
   */
  actionTypes?: readonly Action['type'][];
  check?(ctx: StatementContext): Report<NoInfer<M>>[];
  checkSet?(ctx: SetContext): Report<NoInfer<M>>[];
}

/** Whether the engine runs the statement rule on the statement (see Rule.actionTypes). */
export function concerns(rule: Rule, stmt: Statement): boolean {
  const types = rule.actionTypes;
  if (!types) return true;
  for (const a of stmt.actions) if (types.includes(a.type)) return true;
  return false;
}

/** A rule; its reports may name only the message ids it declares. */
export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}
