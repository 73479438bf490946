import type { RunnerId } from '../engine/config';
import { defineRule, type Fix, type MessageData, type Report, type StatementContext, type TextEdit } from '../engine/types';
import type { Action, Statement } from '../model/types';
import { LineIndex } from '../parser/positions';
import { transactionScope, statementWithLine } from './locking-util';

/** What in the statement PostgreSQL refuses inside a transaction block. */
function refused(a: Action): string | undefined {
  if (a.type === 'create-index' && a.index.concurrently) return 'CREATE INDEX CONCURRENTLY';
  if (a.type === 'drop-index' && a.concurrently) return 'DROP INDEX CONCURRENTLY';
  if (a.type === 'reindex' && a.concurrently) return 'REINDEX … CONCURRENTLY';
  if (a.type === 'detach-partition' && a.concurrently) return 'DETACH PARTITION … CONCURRENTLY';
  if (a.type === 'vacuum') return 'VACUUM';
  return undefined;
}

const messages = {
  inBegin: '{{what}} cannot run inside the transaction block opened by BEGIN on line {{line}}: PostgreSQL rejects it ("cannot run inside a transaction block") and the migration fails. Run it outside BEGIN … COMMIT.',
  inImplicit: '{{what}} cannot run inside the implicit transaction of a multi-statement query ({{why}}): PostgreSQL rejects it ("cannot run inside a transaction block") and the migration fails. Put it alone in a migration of its own: {{optOut}}.',
  inTool: '{{what}} cannot run inside the transaction the migration tool wraps this file in ({{why}}): PostgreSQL rejects it ("cannot run inside a transaction block") and the migration fails. Put it in a migration of its own that the tool runs without a transaction: {{optOut}}.',
};

export const noConcurrentInTransaction = defineRule({
  id: 'no-concurrent-in-transaction',
  category: 'locking',
  defaultSeverity: 'error',
  fixable: true,
  title: 'CONCURRENTLY cannot run inside a transaction block',
  messages,
  rationale:
    'CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY, DETACH PARTITION … CONCURRENTLY and VACUUM commit internally several times, so PostgreSQL rejects them inside a transaction block ("cannot run inside a transaction block") and the migration fails. Run them outside BEGIN … COMMIT; when the migration tool wraps every file in a transaction, put them in a migration of their own that the tool runs without one.',
  docs: {
    bad: 'BEGIN;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nCOMMIT;',
    good: 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);',
    details: 'Which statements share a transaction comes from the migration tool the project model recognises (`sql-architect explain` shows it; `runner` in .sqlarchitect.json sets it): goose, dbmate, Flyway, Atlas, graphile-migrate, sqlx, ory/popx, postgres-migrations and the Supabase CLI wrap each file in a transaction; Prisma (engines before early 2026) and golang-migrate send the whole file as one query, which PostgreSQL runs as one implicit transaction unless the file holds a single statement; plain files run statement by statement, as `psql -f` does. An explicit BEGIN starts a transaction in any of them. The files\' own opt-outs count (`-- +goose NO TRANSACTION`, `-- migrate:up transaction:false`, `-- atlas:txmode none`, `-- postgres-migrations disable-transaction`, `*.autocommit.up.sql`), and the Supabase CLI (2.109+) and Flyway run such statements outside the transaction by themselves. `assumeInTransaction` overrides the tool for every file. The message names the opt-out of your tool; the fix moves the statement after the COMMIT of its block when the file has its own BEGIN … COMMIT.',
  },
  actionTypes: ['create-index', 'drop-index', 'reindex', 'detach-partition', 'vacuum'],
  check(ctx) {
    if (!ctx.inTransaction) return [];
    const what = ctx.statement.actions.map(refused).find(Boolean);
    if (!what) return [];
    const tx = transactionScope(ctx);
    const fixes: Fix[] = [];
    let messageId: keyof typeof messages;
    let data: MessageData;
    if (tx?.begin) {
      messageId = 'inBegin';
      data = { what, line: new LineIndex(ctx.file.text).position(tx.begin.span.start).line + 1 };
      const commit = ctx.file.statements.slice(ctx.statement.index + 1).find((s) => s.actions.some((a) => a.type === 'transaction' && (a.op === 'commit' || a.op === 'rollback')));
      const isCommit = commit?.actions.some((a) => a.type === 'transaction' && a.op === 'commit');
      if (commit && isCommit && ctx.runner.fileMode(ctx.file.path).mode === 'none') fixes.push(moveAfter(ctx, commit, what));
    } else if (ctx.tx.kind === 'implicit') {
      messageId = 'inImplicit';
      data = { what, why: ctx.tx.why, optOut: OPT_OUT[ctx.runner.id] ?? 'a file that holds only this statement runs outside a transaction block' };
    } else {
      messageId = 'inTool';
      data = { what, why: ctx.tx.why, optOut: OPT_OUT[ctx.runner.id] ?? 'goose `-- +goose NO TRANSACTION`, dbmate `-- migrate:up transaction:false`, Atlas `-- atlas:txmode none`, Rails `disable_ddl_transaction!`, Django `atomic = False`' };
    }
    return [{
      messageId,
      data,
      recipe: `${ctx.statement.text};  -- outside any transaction block`,
      fixes,
    } satisfies Report<keyof typeof messages>];
  },
});

/** How each migration tool runs a statement outside a transaction (docs/runners.md). */
const OPT_OUT: Partial<Record<RunnerId, string>> = {
  goose: 'start the file with `-- +goose NO TRANSACTION`',
  dbmate: 'mark it `-- migrate:up transaction:false` and keep only this statement in the block',
  atlas: 'start the file with `-- atlas:txmode none` (and a blank line)',
  prisma: 'a migration folder whose migration.sql holds only this statement (Prisma then sends it alone)',
  'golang-migrate': 'a migration file that holds only this statement (golang-migrate sends the whole file as one query)',
  popx: 'name the file `*.autocommit.up.sql` and keep only this statement in it',
  'postgres-migrations': 'start the file with `-- postgres-migrations disable-transaction` and keep only this statement in it',
  'graphile-migrate': 'make `--! no-transaction` the first line of the body, with only this statement',
  sqlx: 'start the file with `-- no-transaction` and keep only this statement in it',
  supabase: 'update the Supabase CLI (2.109 and later run such statements alone), or give the statement a migration file of its own',
  drizzle: 'drizzle-kit migrate cannot run it (all pending files share one transaction): run it with psql outside the migrator',
};

/** Moves the statement (with its line) to right after `commit`. */
function moveAfter(ctx: StatementContext, commit: Statement, what: string): Fix {
  const text = ctx.file.text;
  const { start, end } = statementWithLine(text, ctx.statement.span);
  let at = commit.span.end;
  while (at < text.length && /\s/.test(text[at]) && text[at] !== '\n') at++;
  if (text[at] === ';') at++;
  const edits: TextEdit[] = [
    { start, end, newText: '' },
    { start: at, end: at, newText: `\n${ctx.statement.text};` },
  ];
  return { title: `Move ${what} after the COMMIT`, safe: false, edits };
}
