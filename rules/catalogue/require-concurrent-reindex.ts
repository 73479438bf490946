import { defineRule, type Report } from '../engine/types';
import { displayName } from '../model/schema';
import { indexOnExistingTable, isExisting, outsideTransactionFix, skipParens, slug, tableText } from './locking-util';
import { tokens } from '../parser/lexer';

const messages = {
  reindex: 'REINDEX {{kind}} {{name}} holds a SHARE lock on {{table}} for the whole rebuild (every INSERT, UPDATE and DELETE waits) and an ACCESS EXCLUSIVE lock on each index it rebuilds (every query that would use it waits). Use REINDEX … CONCURRENTLY (PostgreSQL 12+), outside a transaction block.',
};

export const requireConcurrentReindex = defineRule({
  id: 'require-concurrent-reindex',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Rebuild indexes of existing tables concurrently',
  messages,
  rationale:
    'REINDEX holds a SHARE lock on the table for the whole rebuild, so every INSERT, UPDATE and DELETE waits, and an ACCESS EXCLUSIVE lock on each index it rebuilds, so every query that would use that index waits too. Since PostgreSQL 12, REINDEX … CONCURRENTLY rebuilds under SHARE UPDATE EXCLUSIVE while reads and writes continue; it cannot run inside a transaction block.',
  docs: {
    bad: 'REINDEX INDEX orders_status_idx;',
    good: 'REINDEX INDEX CONCURRENTLY orders_status_idx;',
    details: 'Version-aware (`postgresVersion`): not reported before PostgreSQL 12, which has no concurrent REINDEX (build a new index concurrently and drop the old one instead). REINDEX SYSTEM has no concurrent form and is not reported. Indexes of tables created earlier in the same file are exempt. The fix adds CONCURRENTLY where the statement runs alone; where it runs in a transaction (its file\'s BEGIN, the migration tool\'s, or Prisma\'s one multi-statement query) it moves the statement to a migration of its own with the tool\'s opt-out header; a tool that runs every file in a transaction with no opt-out (Drizzle, gobuffalo/pop, `assumeInTransaction`) gets no fix, only the recipe; ory/popx gets a `….autocommit.up.sql` file when the set already uses them.',
  },
  actionTypes: ['reindex'],
  check(ctx) {
    if (ctx.config.postgresVersion < 12) return [];
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'reindex' || a.concurrently || a.kind === 'system') continue;
      if (a.kind === 'index' && !indexOnExistingTable(ctx, a.target)) continue;
      if (a.kind === 'table' && !isExisting(ctx, a.target)) continue;
      const idxTable = a.kind === 'index' ? ctx.before.indexTable(a.target) : undefined;
      const on = a.kind === 'index' ? (idxTable ? displayName(idxTable) : 'its table') : a.kind === 'table' ? tableText(ctx, a.target) : `every table of ${a.kind} ${a.target.name}`;
      const toks = tokens(ctx.file.text, ctx.statement.span.start, ctx.statement.span.end);
      let i = 1;
      if (toks[i]?.text === '(') i = skipParens(toks, i);
      const kind = toks[i];
      const fixed = kind ? `${ctx.file.text.slice(ctx.statement.span.start, kind.end)} CONCURRENTLY${ctx.file.text.slice(kind.end, ctx.statement.span.end)}` : undefined;
      reports.push({
        messageId: 'reindex',
        data: { kind: a.kind.toUpperCase(), name: a.target.name, table: on },
        recipe: fixed ? `${fixed};  -- outside BEGIN … COMMIT` : undefined,
        fixes: kind && fixed ? outsideTransactionFix(
          ctx,
          { title: 'Use REINDEX … CONCURRENTLY', edits: [{ start: kind.end, end: kind.end, newText: ' CONCURRENTLY' }] },
          { title: 'REINDEX … CONCURRENTLY in a migration of its own', slug: slug('reindex', a.target.name), sql: `${fixed};` },
        ) : [],
      });
    }
    return reports;
  },
});
