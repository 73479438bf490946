// Helpers shared by the locking rules: lock wording, existing-table tests, transaction scope, a small token
// walker over statement text (subcommand and inline-clause spans the AST does not give), PostgreSQL's
// default constraint names, follow-up migrations and the two-migration recipes.
import { blocks, modeName, strongerOf } from '../locks';
import { requiresEmptyTable, type ConstraintDef, type LockMode, type QName, type Statement } from '../model/types';
import type { Fix, StatementContext, TextEdit } from '../engine/types';
import { applyEdits } from '../engine/edits';
import { tokens, tokText, type Tok } from '../parser/lexer';
import { identName, insertAfterStatement, migrationName, quoteIdent, runsMigrationAlone, standaloneMigration, standalonePath, tableSql } from './util';
import { removeStatementEdit } from './design-util';
import { rememberedFor } from '../model/remember';
import { defaultConstraintName, pgObjectName } from '../model/names';

/* ---------------- wording ---------------- */

/** `an ACCESS EXCLUSIVE lock` */
export function lockName(mode: LockMode): string {
  const name = modeName(mode);
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} lock`;
}

/** What ordinary traffic waits, as a clause: `every read and write of orders waits (even SELECT)`. */
export function waiters(mode: LockMode, table: string): string {
  const b = blocks(mode);
  if (b.reads) return `every query on ${table} waits, SELECT included`;
  if (b.writes) return `every INSERT, UPDATE and DELETE on ${table} waits (reads continue)`;
  return `only other schema changes on ${table} wait`;
}

/** The table as the user wrote it, schema shown when it is not public: for messages and SQL. */
export function tableText(ctx: StatementContext, q: QName): string {
  const t = ctx.before.table(q);
  return t ? tableSql(t) : tableSql(q);
}

/* ---------------- which tables count ---------------- */

/**
 * The table existed before this migration file: not created earlier in the same file, not temporary.
 * A table the model does not know counts as existing (a migration set may start from a live database).
 */
export function isExisting(ctx: StatementContext, q: QName): boolean {
  if (ctx.createdInFile(q)) return false;
  const t = ctx.before.table(q);
  return !t?.temporary;
}

/**
 * The column was added earlier in this migration (its file, or for ory/popx the files of its version): no deployed
 * code can use it yet, so renaming or dropping it breaks nothing (trigger.dev adds "temporary_startTime" and renames it
 * a few lines later).
 */
export function columnNewInMigration(ctx: StatementContext, q: QName, column: string): boolean {
  const origin = ctx.before.table(q)?.columns.get(column)?.origin;
  return origin !== undefined && ctx.runner.migrationOf(origin.file) === ctx.runner.migrationOf(ctx.file.path);
}

/**
 * The table is known to be empty when this action runs, so scanning or rewriting it costs nothing: an earlier
 * statement of this transaction emptied it (`emptiedInTransaction`), or the same ALTER TABLE adds a NOT NULL column
 * with nothing to fill old rows, which PostgreSQL refuses unless the table is empty (that ADD COLUMN is reported
 * on its own by no-required-column-without-default).
 */
export function knownEmpty(ctx: StatementContext, q: QName): boolean {
  if (ctx.emptiedInTransaction(q)) return true;
  if (ctx.statement.actions.some((a) => a.type === 'add-column' && sameTable(a.table, q) && requiresEmptyTable(a.column))) return true;
  return emptyLaterInTransaction(ctx, q);
}

/**
 * A later statement of the same transaction adds a NOT NULL column without a default to the table, which PostgreSQL
 * allows only on an empty table, and no statement between removes rows: for the migration to succeed (as one that
 * has run did), the table is empty now too. The statements asking hold a lock that keeps other sessions' writes out
 * until the transaction ends, so no row can come or go meanwhile (trigger.dev adds "encryptedToken" TEXT NOT NULL to
 * a table it indexed a few lines earlier).
 */
function emptyLaterInTransaction(ctx: StatementContext, q: QName): boolean {
  if (!ctx.tx.inTransaction || ctx.statement.embedded) return false;
  return neededEmptyAfter(ctx.file.statements)[ctx.statement.index]?.has(emptyKey(q)) ?? false;
}

const emptyKey = (q: QName) => `${q.schema ?? 'public'}.${q.name}`;

/**
 * For each statement of a file, the tables a later statement of the same transaction needs empty (as above): one
 * pass from the end, once per file, so that asking for every statement stays linear. The sets are shared between
 * statements until one changes them.
 */
const neededEmptyAfter = rememberedFor((statements: readonly Statement[]): ReadonlySet<string>[] => {
  const out: ReadonlySet<string>[] = new Array(statements.length);
  let now: Set<string> = new Set();
  for (let i = statements.length - 1; i >= 0; i--) {
    out[i] = now;
    // This statement's actions, last first: what holds from its first action on.
    for (const a of [...statements[i].actions].reverse()) {
      if (a.type === 'transaction' && a.op !== 'savepoint' && a.op !== 'release') now = new Set();
      else if (a.type === 'truncate') now = without(now, a.tables.map(emptyKey));
      else if (a.type === 'dml' && a.kind === 'delete' && a.table) now = without(now, [emptyKey(a.table)]);
      else if (a.type === 'add-column' && requiresEmptyTable(a.column) && !now.has(emptyKey(a.table))) now = new Set([...now, emptyKey(a.table)]);
    }
  }
  return out;
});

function without(set: Set<string>, keys: string[]): Set<string> {
  return keys.some((k) => set.has(k)) ? new Set([...set].filter((k) => !keys.includes(k))) : set;
}

/** The index's table existed before this file (an unknown index counts as existing). */
export function indexOnExistingTable(ctx: StatementContext, q: QName): boolean {
  const t = ctx.before.indexTable(q);
  return t ? isExisting(ctx, { schema: t.schema, name: t.name }) : true;
}

/** A materialized view or view created earlier in this file (the model does not track views). */
export function viewCreatedInFile(ctx: StatementContext, q: QName): boolean {
  return ctx.file.statements.slice(0, ctx.statement.index).some((s) =>
    s.actions.some((a) => a.type === 'create-view' && a.view.name === q.name && (a.view.schema ?? 'public') === (q.schema ?? 'public')));
}

/** Two written names of the same table (an unqualified name is taken to be in public). */
export function sameTable(a: QName, b: QName): boolean {
  return a.name === b.name && (a.schema ?? 'public') === (b.schema ?? 'public');
}

/* ---------------- transactions ---------------- */

export interface TxScope {
  /** The statement that opened the transaction (explicit BEGIN), when there is one. */
  begin?: Statement;
  /** Index of the first statement that runs inside the transaction. */
  firstIndex: number;
  explicit: boolean;
}

/** The transaction block the current statement runs in (as the engine computed it), or undefined in autocommit. */
export function transactionScope(ctx: StatementContext): TxScope | undefined {
  if (!ctx.tx.inTransaction) return undefined;
  return { begin: ctx.tx.begin, firstIndex: ctx.tx.firstIndex, explicit: ctx.tx.kind === 'explicit' };
}

/** The statements of the current transaction before the current statement. */
export function earlierInTransaction(ctx: StatementContext): Statement[] {
  const tx = transactionScope(ctx);
  return tx ? ctx.file.statements.slice(tx.firstIndex, ctx.statement.index).filter((s) => !s.syntaxError) : [];
}

/* ---------------- tokens ---------------- */

/** Index just past a possibly qualified name (`a`, `"A".b`, `s.t`) starting at toks[i]. */
export function skipQualifiedName(toks: Tok[], i: number): number {
  i++;
  while (toks[i]?.text === '.' && toks[i + 1]) i += 2;
  return i;
}

/** Index just past the balanced parenthesised group starting at toks[i] (which must be `(`). */
export function skipParens(toks: Tok[], i: number): number {
  let depth = 0;
  for (; i < toks.length; i++) {
    if (toks[i].text === '(') depth++;
    else if (toks[i].text === ')' && --depth === 0) return i + 1;
  }
  return toks.length;
}

/** Splits toks at depth-0 commas. */
export function splitAtCommas(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.text === '(' || t.text === '[') depth++;
    if (t.text === ')' || t.text === ']') depth--;
    if (t.text === ',' && depth === 0) { out.push([]); continue; }
    out[out.length - 1].push(t);
  }
  return out.filter((g) => g.length > 0);
}

/**
 * The subcommands of an ALTER TABLE statement, one token list per command, in the order of the statement's
 * actions. Undefined when the text does not split into as many commands as there are actions.
 */
export function alterTableCommands(ctx: StatementContext): Tok[][] | undefined {
  const s = ctx.statement;
  if (s.node !== 'AlterTableStmt') return undefined;
  const toks = tokens(ctx.file.text, s.span.start, s.span.end);
  let i = 0;
  if (toks[i]?.word !== 'alter') return undefined;
  i++;
  if (toks[i]?.word === 'foreign') i++;
  if (toks[i]?.word !== 'table') return undefined;
  i++;
  if (toks[i]?.word === 'if' && toks[i + 1]?.word === 'exists') i += 2;
  if (toks[i]?.word === 'only') i++;
  i = skipQualifiedName(toks, i);
  if (toks[i]?.text === '*') i++;
  const cmds = splitAtCommas(toks.slice(i));
  return cmds.length === s.actions.length ? cmds : undefined;
}

/** The tokens of the ALTER TABLE subcommand that produced `action`. */
export function commandOf(ctx: StatementContext, action: object): Tok[] | undefined {
  const i = ctx.statement.actions.indexOf(action as never);
  return i < 0 ? undefined : alterTableCommands(ctx)?.[i];
}

export function spanOf(toks: Tok[]): { start: number; end: number } {
  return { start: toks[0].start, end: toks[toks.length - 1].end };
}

/* ---------------- inline column clauses ---------------- */

export interface ColumnClause {
  /** The constraint name when the clause starts with CONSTRAINT <name>. */
  name?: string;
  /** The clause's keyword after CONSTRAINT <name>: references, check, unique, primary, not, null, default, generated… */
  kind: string;
  /** From CONSTRAINT (or the keyword) to the last token of the clause. */
  toks: Tok[];
  /** The tokens from the keyword on (without CONSTRAINT <name>). */
  body: Tok[];
}

const CLAUSE_STARTERS = new Set(['constraint', 'not', 'null', 'check', 'default', 'generated', 'unique', 'primary', 'references', 'collate', 'compression', 'storage']);

/**
 * Splits an `ADD [COLUMN] [IF NOT EXISTS] name type …` command into its column clauses (DEFAULT, NOT NULL,
 * REFERENCES, CHECK, UNIQUE, PRIMARY KEY, …). Returns the tokens of the column head (name and type) too.
 */
export function columnClauses(cmd: Tok[]): { head: Tok[]; clauses: ColumnClause[] } | undefined {
  let i = 0;
  if (cmd[i]?.word !== 'add') return undefined;
  i++;
  if (cmd[i]?.word === 'column') i++;
  if (cmd[i]?.word === 'if' && cmd[i + 1]?.word === 'not' && cmd[i + 2]?.word === 'exists') i += 3;
  i++; // column name
  // The type runs to the first clause keyword at depth 0.
  while (i < cmd.length && !(cmd[i].word && CLAUSE_STARTERS.has(cmd[i].word!))) i = cmd[i].text === '(' ? skipParens(cmd, i) : i + 1;
  const head = cmd.slice(0, i);
  const clauses: ColumnClause[] = [];
  let cur: Tok[] = [];
  let curName: string | undefined;
  let kindAt = 0;
  const flush = () => {
    if (cur.length) clauses.push({ name: curName, kind: cur[kindAt]?.word ?? '', toks: cur, body: cur.slice(kindAt) });
    cur = [];
    curName = undefined;
    kindAt = 0;
  };
  while (i < cmd.length) {
    const t = cmd[i];
    const prev = cur[cur.length - 1]?.word;
    const prev2 = cur[cur.length - 2]?.word;
    const kind = cur[kindAt]?.word;
    let starts = t.word !== undefined && CLAUSE_STARTERS.has(t.word);
    // Words that continue the current clause: `ON DELETE SET NULL`, `SET DEFAULT`, `BY DEFAULT`, `IS NOT NULL`,
    // `NOT DEFERRABLE`, the first token of a DEFAULT expression, the keyword after CONSTRAINT <name>.
    if (starts && cur.length > 0) {
      if (prev === 'set' || prev === 'by' || prev === 'is' || prev === 'nulls' || (prev === 'not' && prev2 === 'is')) starts = false;
      if (kind === 'constraint' && cur.length === 1) starts = false;
      if (kind === 'default' && cur.length - kindAt === 1) starts = false;
      if (kind === 'constraint' && cur.length === 2) { starts = false; kindAt = 2; }
      if (t.word === 'not' && cmd[i + 1]?.word === 'deferrable') starts = false;
      if (kind === 'not' && cur.length === 1) starts = false; // NOT NULL
      if (kind === 'primary' && cur.length === 1) starts = false;
    }
    if (starts) {
      flush();
      if (t.word === 'constraint') curName = cmd[i + 1]?.text.replace(/^"|"$/g, '').replace(/""/g, '"');
    }
    if (t.text === '(') {
      const j = skipParens(cmd, i);
      cur.push(...cmd.slice(i, j));
      i = j;
      continue;
    }
    cur.push(t);
    i++;
  }
  flush();
  return { head, clauses };
}

/** An edit removing a run of tokens together with the whitespace before it. */
export function removeTokens(toks: Tok[], before: Tok | undefined): TextEdit {
  const start = before ? before.end : toks[0].start;
  return { start, end: toks[toks.length - 1].end, newText: '' };
}

/** The clause of an inline constraint of `kind` (the nth of that kind) among the column clauses. */
export function inlineClause(clauses: ColumnClause[], c: ConstraintDef, nth: number): ColumnClause | undefined {
  const word = { foreign: 'references', check: 'check', unique: 'unique', primary: 'primary', exclude: 'exclude', 'not-null': 'not' }[c.kind];
  return clauses.filter((k) => k.body[0]?.word === word)[nth];
}

/* ---------------- fixes and recipes ---------------- */

/**
 * The fix for a statement that must run outside a transaction block (…CONCURRENTLY): `edits` in place when the
 * statement runs alone; in a transaction (its file's BEGIN, the tool's, or one multi-statement query) the statement
 * moves to a migration of its own that the tool runs without one; no fix where the tool cannot (Drizzle, popx).
 */
export function outsideTransactionFix(ctx: StatementContext, here: { title: string; edits: TextEdit[] }, moved: { title: string; slug: string; sql: string }): Fix[] {
  const shared = ctx.tx.inTransaction || ctx.runner.fileMode(ctx.file.path).mode === 'implicit';
  if (!shared) return [{ title: here.title, safe: false, edits: here.edits }];
  if (!runsMigrationAlone(ctx.runner, ctx.config)) return [];
  return [{
    title: moved.title,
    safe: false,
    edits: [removeStatementEdit(ctx.file.text, ctx.statement), followUpEdit(ctx, moved.slug, standaloneMigration(ctx.runner.id, moved.sql), { standalone: true })],
  }];
}

/** An edit creating a follow-up migration file. */
export function followUpEdit(ctx: StatementContext, slug: string, sql: string, opts: { standalone?: boolean } = {}): TextEdit {
  // `standalone`: the tool must run it outside a transaction (popx reads that from the name).
  const file = ctx.followUpFileName(slug);
  return { file: opts.standalone ? standalonePath(ctx.runner, file) : file, start: 0, end: 0, newText: sql.endsWith('\n') ? sql : `${sql}\n` };
}

/** A file-name slug from an object name: `validate_orders_customer_id_fkey`. */
export function slug(...parts: string[]): string {
  return identName(...parts).replace(/_+/g, '_').replace(/^_|_$/g, '');
}

/** The statement as the edits (without `file`) leave it, ending in `;`. */
export function statementAfter(ctx: StatementContext, edits: readonly TextEdit[]): string {
  const own = edits.filter((e) => !e.file);
  const span = ctx.statement.span;
  const lo = Math.min(span.start, ...own.map((e) => e.start));
  const hi = Math.max(span.end, ...own.map((e) => e.end));
  const out = applyEdits(ctx.file.text.slice(lo, hi), own.map((e) => ({ ...e, start: e.start - lo, end: e.end - lo }))).trim();
  return out.endsWith(';') ? out : `${out};`;
}

/**
 * A two-migration recipe: this file's statements, then the follow-up migration, each headed by its name in the
 * migrations folder (the paths the tool was given are absolute, and the follow-up lies beside this file).
 */
export function twoMigrations(ctx: StatementContext, now: string, later: string, laterFile: string): string {
  return `-- ${migrationName(ctx.file.path)}\n${now.trim()}\n\n-- ${migrationName(laterFile)} (a separate migration: its own transaction, deployed after the first)\n${later.trim()}`;
}

/** Batched backfill of one column: the primary key when the model knows a single-column one, else ctid. */
export function batchedBackfill(ctx: StatementContext, q: QName, column: string, value: string): string {
  return batchedBackfillOf(ctx, q, [{ column, value }]);
}

/**
 * The batched backfill of several columns in one pass; each keeps a value already written (by the application, once
 * the column exists), so a row missing only one of them is not overwritten in the others.
 */
export function batchedBackfillOf(ctx: StatementContext, q: QName, columns: { column: string; value: string }[]): string {
  const t = ctx.before.table(q);
  const pk = t?.constraints.find((c) => c.kind === 'primary' && c.columns.length === 1)?.columns[0];
  const key = pk ? quoteIdent(pk) : 'ctid';
  const table = tableText(ctx, q);
  const one = columns.length === 1;
  const set = columns.map(({ column, value }) => (one ? `${quoteIdent(column)} = ${value}` : `${quoteIdent(column)} = COALESCE(${quoteIdent(column)}, ${value})`)).join(', ');
  const missing = columns.map(({ column }) => `${quoteIdent(column)} IS NULL`).join(' OR ');
  return `UPDATE ${table} SET ${set}\nWHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${missing} LIMIT 10000);\n-- repeat until it updates 0 rows`;
}

/* ---------------- NOT VALID + VALIDATE ---------------- */

export interface NotValidPlan {
  /** The constraint's name, given or PostgreSQL's default (the fix writes it out so VALIDATE can name it). */
  name: string;
  /** Edits to the current file. */
  edits: TextEdit[];
}

/** The table's own name (without schema) for default constraint names. */
export function bareTableName(ctx: StatementContext, q: QName): string {
  return ctx.before.table(q)?.name ?? q.name;
}

/**
 * `ALTER TABLE t ADD [CONSTRAINT n] FOREIGN KEY … | CHECK …`: name the constraint if it is unnamed and mark
 * it NOT VALID.
 */
export function notValidTableConstraint(ctx: StatementContext, table: QName, c: ConstraintDef): NotValidPlan {
  const name = c.name ?? defaultConstraintName(bareTableName(ctx, table), c);
  const edits: TextEdit[] = [];
  if (!c.name) edits.push({ start: c.span.start, end: c.span.start, newText: `CONSTRAINT ${quoteIdent(name)} ` });
  edits.push({ start: c.span.end, end: c.span.end, newText: ' NOT VALID' });
  return { name, edits };
}

/**
 * `ALTER TABLE t ADD COLUMN c … REFERENCES p (id) | CHECK (…)`: column constraints cannot be NOT VALID, so the
 * clause moves out of the column into `ALTER TABLE t ADD CONSTRAINT … NOT VALID` right after the statement.
 * Undefined when the clause cannot be located in the text.
 */
export function notValidInlineConstraint(ctx: StatementContext, action: object, table: QName, column: string, c: ConstraintDef, nth: number): NotValidPlan | undefined {
  const cmd = commandOf(ctx, action);
  const cols = cmd && columnClauses(cmd);
  const clause = cols && inlineClause(cols.clauses, c, nth);
  if (!cmd || !clause) return undefined;
  const text = ctx.file.text;
  const name = clause.name ?? c.name ?? (c.kind === 'check'
    ? pgObjectName(bareTableName(ctx, table), [column], 'check')
    : defaultConstraintName(bareTableName(ctx, table), { ...c, columns: [column] }));
  const before = cmd[cmd.indexOf(clause.toks[0]) - 1];
  const body = tokText(text, clause.body);
  const def = c.kind === 'foreign' ? `FOREIGN KEY (${quoteIdent(column)}) ${body}` : body;
  const add = `ALTER TABLE ${tableText(ctx, table)} ADD CONSTRAINT ${quoteIdent(name)} ${def} NOT VALID;`;
  // The statement may hold other commands: keep it, drop only the clause, then add the constraint.
  const edits = [removeTokens(clause.toks, before), insertAfterStatement(ctx.file.text, ctx.statement, add, { blankLine: false })];
  return { name, edits };
}

/** The follow-up VALIDATE migration and the two-migration recipe for a NOT VALID plan. */
export function validateLater(ctx: StatementContext, table: QName, plan: NotValidPlan): { edit: TextEdit; recipe: string } {
  const later = `ALTER TABLE ${tableText(ctx, table)} VALIDATE CONSTRAINT ${quoteIdent(plan.name)};`;
  const edit = followUpEdit(ctx, slug('validate', plan.name), later);
  return { edit, recipe: twoMigrations(ctx, statementAfter(ctx, plan.edits), later, edit.file!) };
}

/** The statement's range widened to whole lines: its indentation, the `;` and the line break after it. */
export function statementWithLine(text: string, s: { start: number; end: number }): { start: number; end: number } {
  const lineStart = text.lastIndexOf('\n', s.start - 1) + 1;
  const start = /^\s*$/.test(text.slice(lineStart, s.start)) ? lineStart : s.start;
  let end = s.end;
  while (end < text.length && /[ \t]/.test(text[end])) end++;
  if (text[end] === ';') end++;
  while (end < text.length && /[ \t]/.test(text[end])) end++;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return { start, end };
}

/* ---------------- what earlier statements of the transaction hold ---------------- */

/**
 * A sentence for a lock message when an earlier statement of the same transaction holds a stronger lock on the table
 * than this statement takes: the traffic that lock blocks keeps waiting for as long as this statement runs.
 */
export function heldNote(ctx: StatementContext, q: QName, own: LockMode): string {
  const h = ctx.heldLock(q);
  if (!h || strongerOf(h.mode, own) === own) return '';
  const end = ctx.tx.kind === 'explicit' ? 'it commits' : 'the migration ends';
  return ` This transaction already holds ${lockName(h.mode)} on ${h.table} since line ${h.statement.line + 1} (${h.what}), so ${waiters(h.mode, h.table)}, until ${end}, for as long as this statement runs.`;
}
