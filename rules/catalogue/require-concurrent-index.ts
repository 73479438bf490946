import { defineRule, type Fix, type Report, type StatementContext } from '../engine/types';
import type { IndexDef } from '../model/types';
import { heldNote, knownEmpty, outsideTransactionFix, slug } from './locking-util';
import { tableSql } from './util';

const messages = {
  createIndex: 'CREATE INDEX on {{table}} holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on {{table}} waits. Use CREATE INDEX CONCURRENTLY, outside a transaction block.{{held}}',
};

export const requireConcurrentIndex = defineRule({
  id: 'require-concurrent-index',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  scalesWithTableSize: true,
  title: 'Build indexes on existing tables concurrently',
  messages,
  rationale:
    'CREATE INDEX holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits until the index is built, which takes minutes on a large table. CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE instead, so writes continue; it cannot run inside a transaction block.',
  docs: {
    bad: 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    good: 'CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);',
    details: 'Tables created earlier in the same migration file are exempt: nobody else can be using them yet. So are tables known to be empty in the transaction: emptied earlier in it (TRUNCATE, DELETE without WHERE), or given a NOT NULL column without a default by a later statement of it, which PostgreSQL allows only on an empty table (Prisma warns "This is not possible if the table is not empty"); the index builds at once. An exact copy of an index the table keeps is left to no-duplicate-index, which says to drop it. If the concurrent build fails it leaves an INVALID index behind: drop it with `DROP INDEX CONCURRENTLY` and run the migration again. The fix adds CONCURRENTLY where the statement runs alone; where it runs in a transaction (its file\'s BEGIN, the migration tool\'s, or Prisma\'s one multi-statement query) it moves the statement to a migration of its own with the tool\'s opt-out header; a tool that runs every file in a transaction with no opt-out (Drizzle, gobuffalo/pop, `assumeInTransaction`) gets no fix, only the recipe; ory/popx gets a `….autocommit.up.sql` file when the set already uses them.',
  },
  actionTypes: ['create-index'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'create-index' || a.index.concurrently || ctx.createdInFile(a.index.table)) continue;
      // An empty table builds its index at once (emptied earlier in this transaction, or one a later statement of it
      // needs empty): the SHARE lock blocks nobody for long.
      if (knownEmpty(ctx, a.index.table)) continue;
      // An exact copy of an index the table already has: no-duplicate-index says to drop it, which is the advice.
      if (duplicatesExisting(ctx, a.index) && ctx.config.rules['no-duplicate-index'] !== 'off') continue;
      const text = ctx.statement.text;
      const m = /^\s*CREATE\s+(UNIQUE\s+)?INDEX\b/i.exec(text);
      const concurrent = text.replace(/^\s*CREATE\s+(UNIQUE\s+)?INDEX\b/i, (s) => `${s} CONCURRENTLY`);
      const fixes: Fix[] = !m ? [] : outsideTransactionFix(
        ctx,
        { title: 'Use CREATE INDEX CONCURRENTLY', edits: [{ start: ctx.statement.span.start + m[0].length, end: ctx.statement.span.start + m[0].length, newText: ' CONCURRENTLY' }] },
        { title: 'Build the index CONCURRENTLY in a migration of its own', slug: slug('index', a.index.name ?? tableSql(a.index.table)), sql: `${concurrent};` },
      );
      const table = tableSql(a.index.table);
      reports.push({
        messageId: 'createIndex',
        data: { table, held: heldNote(ctx, a.index.table, 'Share') },
        recipe: `${concurrent};  -- outside BEGIN … COMMIT`,
        fixes,
      });
    }
    return reports;
  },
});

/**
 * The table already has an index on the same columns in the same order, of the same method, whole, at least as
 * unique, and both are still there at the end of the set: no-duplicate-index reports the new one. (An index built to
 * replace another that a later migration drops is a real build, and stays reported here.)
 */
function duplicatesExisting(ctx: StatementContext, i: IndexDef): boolean {
  if (i.partial || i.include.length || !i.name) return false;
  const same = ctx.before.table(i.table)?.indexes.filter((x) => !x.partial && x.method === i.method && (x.unique || !i.unique)
    && x.columns.length === i.columns.length && x.columns.every((c, k) => c === i.columns[k])) ?? [];
  // The end of the set only for an index that duplicates one (the editor reuses what a rule said while the
  // statements before it are unchanged, unless it read the end of the set).
  if (same.length === 0) return false;
  const end = ctx.after.table(i.table);
  return end !== undefined && end.indexes.some((x) => x.name === i.name) && same.some((x) => end.indexes.some((y) => y.name === x.name));
}
