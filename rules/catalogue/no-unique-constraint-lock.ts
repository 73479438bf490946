import { defineRule, type Fix, type MessageData, type Report, type StatementContext, type TextEdit } from '../engine/types';
import { isSerialType, type ConstraintDef, type QName } from '../model/types';
import { alterTableCommands, bareTableName, columnClauses, commandOf, isExisting, removeTokens, skipParens, spanOf, statementAfter, tableText, transactionScope } from './locking-util';
import { columnsSql, insertAfterStatement, insertBeforeStatement, quoteIdent } from './util';
import { type Tok, tokens, tokText } from '../parser/lexer';
import { defaultConstraintName, pgObjectName } from '../model/names';

const HARM = '{{what}} on {{table}} builds a unique index{{nullCheck}} while holding an ACCESS EXCLUSIVE lock: every query on {{table}} waits, SELECT included, for the whole build.';
const TODO = 'Build the index with CREATE UNIQUE INDEX CONCURRENTLY first (outside a transaction block), then attach it with ADD CONSTRAINT … USING INDEX, which takes the lock only for a moment.';
const messages = {
  attachExisting: `${HARM} The unique index {{index}} on the same columns already exists: attach it with ADD CONSTRAINT … {{kind}} USING INDEX {{indexSql}}, which takes the lock only for a moment (it renames the index to the constraint).`,
  buildConcurrently: `${HARM} ${TODO}`,
  inlinePrimaryKey: `${HARM} Add the column, fill it, make it NOT NULL, then build the index concurrently and ADD PRIMARY KEY USING INDEX.`,
  inlineUnique: `${HARM} Add the column without UNIQUE, then build the index with CREATE UNIQUE INDEX CONCURRENTLY first (outside a transaction block), then attach it with ADD CONSTRAINT … USING INDEX, which takes the lock only for a moment.`,
};

export const noUniqueConstraintLock = defineRule({
  id: 'no-unique-constraint-lock',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Build the index of a new UNIQUE or PRIMARY KEY constraint concurrently',
  messages,
  rationale:
    'ADD UNIQUE and ADD PRIMARY KEY build a unique index while holding an ACCESS EXCLUSIVE lock on the table: every query, SELECT included, waits for the whole build, which takes minutes on a large table. Build the index first with CREATE UNIQUE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE: reads and writes continue), then attach it with ADD CONSTRAINT … USING INDEX, which only takes the lock for a moment. A PRIMARY KEY also needs its columns NOT NULL beforehand, or USING INDEX scans for NULLs under the lock.',
  docs: {
    bad: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
    good: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
    details: 'Tables created earlier in the same file are exempt. The fix needs CREATE INDEX CONCURRENTLY to run outside a transaction block: in a file with an explicit BEGIN it goes before the BEGIN; where the migration tool wraps the file in its transaction or sends it as one multi-statement query (Prisma) there is no fix, and the recipe puts the build in a migration of its own. If the concurrent build fails (duplicate values), it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY, fix the data, and run again. Partitioned tables support neither CONCURRENTLY nor USING INDEX: build the index on each partition concurrently, then create it ON ONLY the parent and ATTACH each partition\'s index.',
  },
  actionTypes: ['add-constraint', 'add-column'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type === 'add-constraint' && (a.constraint.kind === 'unique' || a.constraint.kind === 'primary') && !a.constraint.usingIndex && isExisting(ctx, a.table)) {
        reports.push(tableConstraint(ctx, a, a.table, a.constraint));
      }
      if (a.type === 'add-column' && isExisting(ctx, a.table)) {
        // A column that fills itself for every row (volatile default, serial, identity, stored generated) is
        // no-volatile-default-column's finding, whose recipe ends with the key built concurrently.
        const fills = a.column.defaultKind === 'volatile' || isSerialType(a.column.type) || a.column.identity || a.column.generatedStored;
        if (fills && ctx.config.rules['no-volatile-default-column'] !== 'off') continue;
        for (const c of a.column.constraints) {
          if (c.kind === 'unique' || c.kind === 'primary') reports.push(inlineConstraint(ctx, a, a.table, a.column.name, c));
        }
      }
    }
    return reports;
  },
});

/** The data of HARM. */
function harm(ctx: StatementContext, table: QName, c: ConstraintDef, what: string): MessageData {
  return { what, table: tableText(ctx, table), nullCheck: c.kind === 'primary' ? ' (and checks its columns for NULLs)' : '' };
}

/** Columns that are not known to be NOT NULL: a PRIMARY KEY USING INDEX would scan them under the lock. */
function nullableColumns(ctx: StatementContext, table: QName, cols: readonly string[]): string[] {
  const t = ctx.before.table(table);
  return cols.filter((c) => !t?.columns.get(c)?.notNull);
}

function pkNote(ctx: StatementContext, table: QName, c: ConstraintDef): string {
  if (c.kind !== 'primary') return '';
  const nullable = nullableColumns(ctx, table, c.columns);
  if (nullable.length === 0) return '';
  const known = Boolean(ctx.before.table(table));
  return `-- ${known ? `${nullable.join(', ')} ${nullable.length > 1 ? 'are' : 'is'} nullable: make ${nullable.length > 1 ? 'them' : 'it'}` : `Make ${nullable.join(', ')}`} NOT NULL first with CHECK … NOT VALID + VALIDATE (see no-set-not-null-scan);\n-- otherwise ADD PRIMARY KEY USING INDEX runs SET NOT NULL, a full scan under ACCESS EXCLUSIVE.\n`;
}

interface Parsed {
  /** NULLS NOT DISTINCT, as written. */
  nulls?: string;
  include?: string;
  attrs: string;
}

/** `[CONSTRAINT n] UNIQUE [NULLS [NOT] DISTINCT] (cols) [INCLUDE (…)] [DEFERRABLE …]`; undefined for anything else. */
function parseConstraint(text: string, toks: Tok[]): Parsed | undefined {
  let i = 0;
  if (toks[i]?.word === 'constraint') i += 2;
  if (toks[i]?.word === 'unique') i++;
  else if (toks[i]?.word === 'primary' && toks[i + 1]?.word === 'key') i += 2;
  else return undefined;
  let nulls: string | undefined;
  if (toks[i]?.word === 'nulls') {
    const j = toks[i + 1]?.word === 'not' ? i + 3 : i + 2;
    nulls = tokText(text, toks.slice(i, j));
    i = j;
  }
  if (toks[i]?.text !== '(') return undefined;
  i = skipParens(toks, i);
  let include: string | undefined;
  if (toks[i]?.word === 'include' && toks[i + 1]?.text === '(') {
    const j = skipParens(toks, i + 1);
    include = tokText(text, toks.slice(i, j));
    i = j;
  }
  const rest = toks.slice(i);
  if (rest.some((t) => !['deferrable', 'not', 'initially', 'deferred', 'immediate'].includes(t.word ?? ''))) return undefined;
  return { nulls, include, attrs: tokText(text, rest) };
}

function createIndexSql(ctx: StatementContext, table: QName, name: string, cols: readonly string[], p: Parsed): string {
  const nulls = p.nulls && /not/i.test(p.nulls) ? ` ${p.nulls}` : '';
  return `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${tableText(ctx, table)} (${columnsSql(cols)})${p.include ? ` ${p.include}` : ''}${nulls};`;
}

function tableConstraint(ctx: StatementContext, action: object, table: QName, c: ConstraintDef): Report<keyof typeof messages> {
  const what = c.kind === 'primary' ? 'ADD PRIMARY KEY' : `ADD UNIQUE${c.name ? ` ${c.name}` : ''}`;
  const text = ctx.file.text;
  const name = c.name ?? defaultConstraintName(bareTableName(ctx, table), c);
  // A unique index on exactly these columns already exists: attach it instead of building another.
  const existing = ctx.before.table(table)?.indexes.find((i) => i.unique && !i.partial && !i.constraint && i.method === 'btree'
    && i.columns.length === c.columns.length && i.columns.every((col, k) => col === c.columns[k]));
  if (existing) {
    const kind = c.kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE';
    return {
      messageId: 'attachExisting',
      data: { ...harm(ctx, table, c, what), index: existing.name, kind, indexSql: quoteIdent(existing.name) },
      span: c.span,
      recipe: `${pkNote(ctx, table, c)}ALTER TABLE ${tableText(ctx, table)} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(existing.name)};`,
    };
  }
  const message = { messageId: 'buildConcurrently', data: harm(ctx, table, c, what) } as const;
  const parsed = parseConstraint(text, tokens(text, c.span.start, c.span.end));
  const kind = c.kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE';
  const attach = `ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(name)}${parsed?.attrs ? ` ${parsed.attrs}` : ''}`;
  const partitioned = Boolean(ctx.before.table(table)?.partitioned);
  const cmd = commandOf(ctx, action);
  // The edit keeps CONCURRENTLY in this file: before its own BEGIN, or where each statement runs alone. Not where the
  // tool wraps the file in a transaction, or sends it as one multi-statement query (Prisma): there it would fail.
  const tx = transactionScope(ctx);
  const inPlace = ctx.runner.fileMode(ctx.file.path).mode === 'none' && (!tx || Boolean(tx.begin));
  if (!parsed || partitioned || !cmd || !inPlace) {
    const where = inPlace ? 'outside BEGIN … COMMIT' : 'in a migration of its own, which the tool runs without a transaction';
    return { ...message, span: c.span, recipe: partitioned ? undefined : `${pkNote(ctx, table, c)}CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${tableText(ctx, table)} (${columnsSql(c.columns)});  -- ${where}\nALTER TABLE ${tableText(ctx, table)} ${attach};` };
  }
  const create = createIndexSql(ctx, table, name, c.columns, parsed);
  const edits: TextEdit[] = [];
  const only = alterTableCommands(ctx)?.length === 1;
  if (tx?.begin) {
    edits.push(insertBeforeStatement(text, tx.begin, create), { ...spanOf(cmd), newText: attach });
  } else if (only) {
    edits.push({ start: ctx.statement.span.start, end: ctx.statement.span.end, newText: `${create}\nALTER TABLE ${tableText(ctx, table)} ${attach}` });
  } else {
    edits.push(insertBeforeStatement(text, ctx.statement, create), { ...spanOf(cmd), newText: attach });
  }
  const recipe = `${pkNote(ctx, table, c)}${create}  -- outside BEGIN … COMMIT\n${tx?.begin || !only ? statementAfter(ctx, edits.slice(1)) : `ALTER TABLE ${tableText(ctx, table)} ${attach};`}`;
  const fixes: Fix[] = [{ title: `Build ${name} concurrently, then ADD CONSTRAINT … USING INDEX`, safe: false, edits }];
  return { ...message, span: c.span, recipe, fixes };
}

function inlineConstraint(ctx: StatementContext, action: object, table: QName, column: string, c: ConstraintDef): Report<keyof typeof messages> {
  const t = tableText(ctx, table);
  const what = `ADD COLUMN ${column} … ${c.kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE'}`;
  // PostgreSQL's own names: <table>_pkey for a primary key (no columns), <table>_<column>_key for UNIQUE.
  const name = c.name ?? pgObjectName(bareTableName(ctx, table), c.kind === 'primary' ? [] : [column], c.kind === 'primary' ? 'pkey' : 'key');
  const create = `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${t} (${quoteIdent(column)});`;
  const attach = `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} ${c.kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${quoteIdent(name)};`;
  const cmd = commandOf(ctx, action);
  const cols = cmd && columnClauses(cmd);
  const clause = cols?.clauses.find((k) => k.body[0]?.word === (c.kind === 'primary' ? 'primary' : 'unique'));
  const fixes: Fix[] = [];
  // The column first, without the key: the index needs it to exist.
  const addPlain = cmd && clause ? `${statementAfter(ctx, [removeTokens(clause.toks, cmd[cmd.indexOf(clause.toks[0]) - 1])])}\n` : '';
  let recipe = `${addPlain}${pkNote(ctx, table, c)}${create}  -- outside BEGIN … COMMIT\n${attach}`;
  // Only UNIQUE outside a transaction block: CONCURRENTLY must follow the ADD COLUMN and cannot run inside one.
  if (c.kind === 'unique' && cmd && clause && clause.body.length === 1 && !ctx.inTransaction) {
    const edits = [removeTokens(clause.toks, cmd[cmd.indexOf(clause.toks[0]) - 1]), insertAfterStatement(ctx.file.text, ctx.statement, `${create}\n${attach}`, { blankLine: false })];
    recipe = statementAfter(ctx, edits);
    fixes.push({ title: `Add ${column} without UNIQUE, build ${name} concurrently, then ADD CONSTRAINT … USING INDEX`, safe: false, edits });
  }
  return { messageId: c.kind === 'primary' ? 'inlinePrimaryKey' : 'inlineUnique', data: harm(ctx, table, c, what), recipe, fixes };
}
