// Helpers of the design rules: where a column's type is written, where a constraint is declared, and the
// edits that rewrite a type or remove a statement.
import type { FileContext, SetContext, StatementContext, TextEdit } from '../engine/types';
import { tableKey, type SchemaModel } from '../model/schema';
import type { Action, ColumnModel, ConstraintModel, QName, Span, Statement, TableModel, TypeRef } from '../model/types';
import { rememberedFor, rememberedRecent } from '../model/remember';
import { pushTo } from '../model/group';

/** A column definition or type change written in a statement, as the per-statement type rules see it. */
export interface TypedColumn {
  table: QName;
  column: string;
  type: TypeRef;
  /** `create-table` and `add-column` define a new column; `alter-column-type` changes an existing one. */
  kind: 'create-table' | 'add-column' | 'alter-column-type';
}

/** The column types a statement writes: CREATE TABLE columns, ADD COLUMN, ALTER COLUMN … TYPE. */
export function typedColumns(actions: readonly Action[]): TypedColumn[] {
  const out: TypedColumn[] = [];
  for (const a of actions) {
    if (a.type === 'create-table') {
      for (const c of a.columns) out.push({ table: a.table, column: c.name, type: c.type, kind: 'create-table' });
    } else if (a.type === 'add-column') {
      out.push({ table: a.table, column: a.column.name, type: a.column.type, kind: 'add-column' });
    } else if (a.type === 'alter-column-type') {
      out.push({ table: a.table, column: a.column, type: a.newType, kind: 'alter-column-type' });
    }
  }
  return out;
}

/**
 * The column as it stands at the end of the set, when it still has the type this statement gives it. A column a
 * later migration converted, dropped or renamed needs no action here: the finding is not worth raising.
 */
export function stillTyped(ctx: StatementContext, c: TypedColumn): ColumnModel | { comment?: undefined } | undefined {
  const table = ctx.after.table(c.table);
  // A table the set never creates (it starts from an existing database) cannot be followed: the statement stands.
  if (!table) return ctx.before.table(c.table) || c.kind === 'create-table' ? undefined : {};
  const col = table.columns.get(c.column);
  return col && col.type.name === c.type.name && col.type.array === c.type.array ? col : undefined;
}

/** A built-in type: unqualified or pg_catalog (a user type of the same name in another schema is not). */
export function builtin(t: TypeRef, ...names: string[]): boolean {
  return (t.schema === undefined || t.schema === 'pg_catalog') && names.includes(t.name);
}

/**
 * The source range of a type written at `type.start` when it matches `pattern` there (case-insensitive,
 * an optional `pg_catalog.` prefix allowed). The pattern must not use capture-group-dependent flags.
 */
export function typeTextSpan(text: string, type: TypeRef, pattern: string): (Span & { text: string }) | undefined {
  const re = new RegExp(`(?:pg_catalog\\s*\\.\\s*)?(?:${pattern})(?![A-Za-z0-9_$])`, 'iy');
  re.lastIndex = type.start;
  const m = re.exec(text);
  return m ? { start: type.start, end: type.start + m[0].length, text: m[0] } : undefined;
}

/** Where a type the set model holds was written: the statement of its CREATE TABLE, ADD COLUMN or ALTER TYPE. */
export interface TypeSite {
  file: FileContext;
  statement: Statement;
  kind: TypedColumn['kind'];
}

/** Where each TypeRef of the set is written, by identity (the model keeps the parser's TypeRef objects). */
export function typeSites(ctx: SetContext): { get(t: TypeRef): TypeSite | undefined } {
  return sitesOf(ctx.files);
}
/**
 * Once per set (two rules ask): the statement of each TypeRef is kept with the TypeRef itself, gathered once per
 * file's statements, so an editor's next analysis looks up only the files that changed rather than rebuilding a
 * map of every column type of 800 migrations.
 */
const sitesOf = rememberedFor((files: readonly FileContext[]) => {
  const byPath = new Map<string, FileContext>();
  for (const file of files) {
    byPath.set(file.path, file);
    registerSites(file.statements);
  }
  return {
    get(t: TypeRef): TypeSite | undefined {
      const site = sites.get(t);
      const file = site && byPath.get(site.statement.file);
      return file && { file, statement: site.statement, kind: site.kind };
    },
  };
});
const sites = new WeakMap<TypeRef, { statement: Statement; kind: TypedColumn['kind'] }>();
const registered = new WeakSet<readonly Statement[]>();
/** Records where a file's column types are written, once per statements list (an editor's next analysis keeps an unchanged file's). */
function registerSites(statements: readonly Statement[]): void {
  if (registered.has(statements)) return;
  registered.add(statements);
  for (const statement of statements) for (const t of typedColumns(statement.actions)) sites.set(t.type, { statement, kind: t.kind });
}

/** `CREATE TABLE name`: the head of a statement up to the table name, so a finding does not cover the whole table. */
export function headSpan(stmt: Statement): Span {
  const m = /^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:(?:"(?:[^"]|"")*"|[^\s("]+)\s*\.\s*)?(?:"(?:[^"]|"")*"|[^\s("]+)/i.exec(stmt.text);
  return m ? { start: stmt.span.start, end: stmt.span.start + m[0].length } : stmt.span;
}

/** An edit deleting a statement with its `;`, and its line when nothing else is on it. */
export function removeStatementEdit(text: string, stmt: { span: Span }): TextEdit {
  let start = stmt.span.start;
  let end = stmt.span.end;
  let i = end;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  if (text[i] === ';') end = i + 1;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let after = end;
  while (after < text.length && (text[after] === ' ' || text[after] === '\t' || text[after] === '\r')) after++;
  const aloneBefore = /^[ \t]*$/.test(text.slice(lineStart, start));
  const aloneAfter = after >= text.length || text[after] === '\n';
  if (aloneBefore && aloneAfter) {
    start = lineStart;
    end = after < text.length ? after + 1 : after;
  } else if (aloneAfter) {
    // Keep the line break; drop the spaces that separated this statement from the previous one.
    while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    end = after;
  } else {
    while (end < after) end++;
  }
  return { start, end, newText: '' };
}

/** The columns a foreign key references: its own list, or the referenced table's primary key. */
export function referencedColumns(model: SchemaModel, fk: ConstraintModel): { table: TableModel; columns: readonly string[] } | undefined {
  if (!fk.refTable) return undefined;
  const table = model.table(fk.refTable);
  if (!table) return undefined;
  const columns = fk.refColumns?.length ? fk.refColumns : table.constraints.find((c) => c.kind === 'primary')?.columns;
  return columns && columns.length === fk.columns.length ? { table, columns } : undefined;
}

/** A name for a new index on `table` that no index of the model uses yet. */
export function freeIndexName(model: SchemaModel, table: TableModel, base: string): string {
  const taken = (n: string) => {
    const key = tableKey(table.schema, n);
    return model.indexOwner.has(key) || model.tables.has(key);
  };
  if (!taken(base)) return base;
  for (let i = 1; ; i++) {
    const suffix = String(i);
    const n = `${base.slice(0, 63 - suffix.length)}${suffix}`;
    if (!taken(n)) return n;
  }
}

/** `table.column` for messages (public schema omitted, names as written). */
export function columnLabel(table: QName | { schema: string; name: string }, column: string): string {
  return `${table.schema && table.schema !== 'public' ? `${table.schema}.` : ''}${table.name}.${column}`;
}

/**
 * Identifier-like words of a statement: unquoted ones lower-cased (and as written), quoted ones as written. Once per
 * statement: an editor keeps the Statement objects of unchanged statements from one analysis to the next.
 */
const words = rememberedFor((stmt: Statement): ReadonlySet<string> => {
  const found = new Set<string>();
  for (const m of stmt.text.matchAll(/"((?:[^"]|"")+)"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/g)) {
    if (m[1] !== undefined) found.add(m[1].replace(/""/g, '"'));
    else { found.add(m[0]); found.add(m[0].toLowerCase()); }
  }
  return found;
});

/**
 * Kept with a file's statements (an editor's next analysis keeps those of unchanged files): the words of each of its
 * DO blocks, and, asked only by mentionedAfter, each word of the file with the position of the last statement that
 * has it.
 */
const fileDoBlocks = rememberedFor((statements: readonly Statement[]): ReadonlySet<string>[] => statements.filter((s) => s.node === 'DoStmt').map(words));
const lastWords = new WeakMap<readonly Statement[], Map<string, number>>();
/** Names a file's text was searched for and does not hold, kept with its statements (an editor asks again at each keystroke). */
const absentNames = new WeakMap<readonly Statement[], Set<string>>();
function textHolds(f: FileContext, name: string): boolean {
  let absent = absentNames.get(f.statements);
  if (absent?.has(name)) return false;
  if (holdsName(f.text, name, 0)) return true;
  if (!absent) absentNames.set(f.statements, (absent = new Set()));
  absent.add(name);
  return false;
}
/**
 * The text in lower case as `words` lowers it, for the last few texts asked (each keystroke asks of a few files);
 * undefined when lowering changed its length (a dotted capital I), so that offsets would not match.
 */
const lowerText = rememberedRecent((text: string): string | undefined => {
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : undefined;
}, (a, b) => a === b);
const identStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
const identPart = (c: number) => identStart(c) || (c >= 48 && c <= 57) || c === 36;

/**
 * Whether `text` from `from` on may hold the plain ASCII name as a whole word, as `words` cuts and lowers them: not
 * inside a longer identifier (index_posts_on_id in index_posts_on_id_and_tag). Never false where `words` would find
 * it (a hit may still be a false one: the caller then asks the words).
 */
function holdsName(text: string, name: string, from: number): boolean {
  const lower = lowerText(text);
  if (lower === undefined) return true;
  const n = name.toLowerCase();
  for (let i = lower.indexOf(n, from); i >= 0; i = lower.indexOf(n, i + 1)) {
    if ((i === 0 || !identStart(text.charCodeAt(i - 1))) && (i + n.length >= text.length || !identPart(text.charCodeAt(i + n.length)))) return true;
  }
  return false;
}

function fileLastWords(statements: readonly Statement[]): Map<string, number> {
  let last = lastWords.get(statements);
  if (!last) {
    last = new Map();
    for (let i = 0; i < statements.length; i++) for (const x of words(statements[i])) last.set(x, i);
    lastWords.set(statements, last);
  }
  return last;
}

interface SetIndex {
  /** Position of each file in apply order. */
  position: Map<string, number>;
  /** Words of each DO block of the set, and the DO blocks each word occurs in. */
  doBlocks: ReadonlySet<string>[];
  doBlocksWith: Map<string, number[]>;
}

// Built once per set from what each file keeps (a set may hold a 10 MB file: every lookup below stays linear).
const indexes = new WeakMap<SetContext, SetIndex>();

function setIndex(ctx: SetContext): SetIndex {
  let ix = indexes.get(ctx);
  if (ix) return ix;
  ix = { position: new Map(), doBlocks: [], doBlocksWith: new Map() };
  ctx.files.forEach((f, i) => {
    ix!.position.set(f.path, i);
    for (const w of fileDoBlocks(f.statements)) {
      const k = ix!.doBlocks.push(w) - 1;
      for (const x of w) pushTo(ix!.doBlocksWith, x, k);
    }
  });
  indexes.set(ctx, ix);
  return ix;
}

/**
 * Whether a `DO` block of the set mentions every one of `terms` (each one or more identifier words, matched
 * as whole words). The bodies of DO blocks are not analysed, and migrations often guard DDL with them
 * (`IF NOT EXISTS (…) THEN ALTER TABLE … ADD PRIMARY KEY`): a rule that reports something missing stays
 * silent when such a block could have added it.
 */
export function mentionedInDoBlock(ctx: SetContext, ...terms: string[]): boolean {
  const ix = setIndex(ctx);
  if (ix.doBlocks.length === 0) return false;
  const all = terms.flatMap((t) => t.split(/\s+/)).filter(Boolean);
  const first = all[0];
  if (first === undefined) return false;
  return (ix.doBlocksWith.get(first) ?? []).some((k) => all.every((w) => ix.doBlocks[k].has(w)));
}

/** Whether a statement after `stmt` (in apply order) mentions `name` as an identifier. */
export function mentionedAfter(ctx: SetContext, stmt: Statement, name: string): boolean {
  const at = setIndex(ctx).position.get(stmt.file);
  if (at === undefined) return false;
  const own = ctx.files[at].statements;
  // A statement of its file (one a DO block runs is not: it was never in the apply order asked about).
  if (own[stmt.index] !== stmt) return false;
  // A file whose words are not known yet is first searched for the name in any case (a plain ASCII name; a quote in
  // a name is written doubled): most files of a set never mention it, and need no words. In the file of the
  // statement, only its text after the statement is searched: an editor's file has new statements at every
  // keystroke, and the words of a 7,000-line dump took 5 ms to gather.
  const plain = /^[\x20-\x21\x23-\x7e]+$/.test(name);
  if ((!plain || lastWords.has(own) || holdsName(ctx.files[at].text, name, stmt.span.end)) && (fileLastWords(own).get(name) ?? -1) > stmt.index) return true;
  for (let j = at + 1; j < ctx.files.length; j++) {
    const f = ctx.files[j];
    if (plain && !lastWords.has(f.statements) && !textHolds(f, name)) continue;
    if (fileLastWords(f.statements).has(name)) return true;
  }
  return false;
}
