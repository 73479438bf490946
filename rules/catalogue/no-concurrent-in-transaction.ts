import { defineRule, type Fix, type Report, type StatementContext, type TextEdit } from '../engine/types';
import type { Action, Statement } from '../model/types';
import { LineIndex } from '../parser/adapter';
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

export const noConcurrentInTransaction = defineRule({
  id: 'no-concurrent-in-transaction',
  category: 'locking',
  defaultSeverity: 'error',
  fixable: true,
  title: 'CONCURRENTLY cannot run inside a transaction block',
  rationale:
    'CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY, DETACH PARTITION … CONCURRENTLY and VACUUM commit internally several times, so PostgreSQL rejects them inside a transaction block ("cannot run inside a transaction block") and the migration fails. Run them outside BEGIN … COMMIT; when the migration tool wraps every file in a transaction, put them in a migration of their own that the tool runs without one.',
  docs: {
    bad: 'BEGIN;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nCOMMIT;',
    good: 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);',
    details: 'A file is in a transaction after an explicit BEGIN, or throughout when `assumeInTransaction` is set because the migration tool wraps each file (Rails, Django, Flyway, Prisma…). Files that opt out with `-- +goose NO TRANSACTION`, `-- migrate:up transaction:false` (dbmate), `-- atlas:txmode none` or `-- postgres-migrations disable-transaction`, and ory/popx `*.autocommit.up.sql` files, are not assumed to be in one. The fix moves the statement after the COMMIT of its block.',
  },
  check(ctx) {
    if (!ctx.inTransaction) return [];
    const what = ctx.statement.actions.map(refused).find(Boolean);
    if (!what) return [];
    const tx = transactionScope(ctx);
    const fixes: Fix[] = [];
    let where: string;
    if (tx?.begin) {
      const line = new LineIndex(ctx.file.text).position(tx.begin.span.start).line + 1;
      where = `inside the transaction block opened by BEGIN on line ${line}`;
      const commit = ctx.file.statements.slice(ctx.statement.index + 1).find((s) => s.actions.some((a) => a.type === 'transaction' && (a.op === 'commit' || a.op === 'rollback')));
      const isCommit = commit?.actions.some((a) => a.type === 'transaction' && a.op === 'commit');
      if (commit && isCommit && !ctx.config.assumeInTransaction) fixes.push(moveAfter(ctx, commit, what));
    } else {
      where = 'inside the transaction the migration tool wraps this file in (assumeInTransaction)';
    }
    const optOut = tx?.begin
      ? 'Run it outside BEGIN … COMMIT.'
      : 'Put it in a migration of its own that the tool runs without a transaction (goose: `-- +goose NO TRANSACTION`; dbmate: `-- migrate:up transaction:false`; Atlas: `-- atlas:txmode none`; Rails: `disable_ddl_transaction!`; Django: `atomic = False`).';
    return [{
      message: `${what} cannot run ${where}: PostgreSQL rejects it ("cannot run inside a transaction block") and the migration fails. ${optOut}`,
      recipe: `${ctx.statement.text};  -- outside any transaction block`,
      fixes,
    } satisfies Report];
  },
});

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
