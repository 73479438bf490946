import { defineRule, type Fix, type Report } from '../engine/types';
import { displayName } from '../model/schema';
import type { QName } from '../model/types';
import { indexOnExistingTable, knownEmpty, outsideTransactionFix, skipQualifiedName, slug, splitAtCommas } from './locking-util';
import { quoteIdent } from './util';
import { tokens, tokText } from '../parser/lexer';

const messages = {
  dropIndex: 'DROP INDEX {{indexes}} takes an ACCESS EXCLUSIVE lock on {{table}} until it commits: every query on {{waitOn}} waits, SELECT included, and the drop first queues behind every open transaction on it. Use DROP INDEX CONCURRENTLY, one index per statement, outside a transaction block.',
  dropUnknown: 'DROP INDEX IF EXISTS {{indexes}}: no earlier migration of this set creates it, so on a database built from them the drop does nothing. Where it does exist (made outside these migrations), the drop takes an ACCESS EXCLUSIVE lock on its table until it commits: every query on it waits, SELECT included. Use DROP INDEX CONCURRENTLY, one index per statement, outside a transaction block.',
};

export const requireConcurrentIndexDrop = defineRule({
  id: 'require-concurrent-index-drop',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Drop indexes of existing tables concurrently',
  messages,
  rationale:
    'DROP INDEX takes an ACCESS EXCLUSIVE lock on the index\'s table: every query on the table, SELECT included, waits until the drop commits, and the drop itself first waits for every running transaction that touched the table. DROP INDEX CONCURRENTLY (PostgreSQL 9.2+) waits for those transactions without blocking anyone; it cannot run inside a transaction block and drops one index per statement.',
  docs: {
    bad: 'DROP INDEX orders_status_idx;',
    good: 'DROP INDEX CONCURRENTLY orders_status_idx;',
    details: 'Indexes of tables created earlier in the same migration file are exempt, and of tables known to be empty in the transaction (as for require-concurrent-index). `DROP INDEX CONCURRENTLY` does not support `CASCADE` or several indexes in one statement: the fix writes one statement per index. The fix adds CONCURRENTLY where the statement runs alone; where it runs in a transaction (its file\'s BEGIN, the migration tool\'s, or Prisma\'s one multi-statement query) it moves the statement to a migration of its own with the tool\'s opt-out header; a tool that runs every file in a transaction with no opt-out (Drizzle, gobuffalo/pop, `assumeInTransaction`) gets no fix, only the recipe; ory/popx gets a `….autocommit.up.sql` file when the set already uses them.',
  },
  actionTypes: ['drop-index'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'drop-index' || a.concurrently) continue;
      // Not on a table known to be empty (emptied earlier in this transaction, or one a later statement needs empty).
      const emptyTable = (q: QName) => {
        const t = ctx.before.indexTable(q);
        return t !== undefined && knownEmpty(ctx, { schema: t.schema, name: t.name });
      };
      const hit = a.indexes.filter((q) => indexOnExistingTable(ctx, q) && !emptyTable(q));
      if (hit.length === 0) continue;
      const text = ctx.file.text;
      const toks = tokens(text, ctx.statement.span.start, ctx.statement.span.end);
      let i = 2;
      if (toks[i]?.word === 'if' && toks[i + 1]?.word === 'exists') i += 2;
      const ifExists = i === 4 ? ' IF EXISTS' : '';
      const tail = toks[toks.length - 1]?.word;
      const cascade = tail === 'cascade';
      const nameToks = splitAtCommas(toks.slice(i, tail === 'cascade' || tail === 'restrict' ? -1 : undefined));
      const names = nameToks.map((g) => (skipQualifiedName(g, 0) === g.length ? tokText(text, g) : undefined));
      const fixes: Fix[] = [];
      let recipe: string;
      if (!cascade && names.every((n) => n !== undefined)) {
        const sql = names.map((n) => `DROP INDEX CONCURRENTLY${ifExists} ${n}`).join(';\n');
        recipe = `${sql};  -- outside BEGIN … COMMIT`;
        fixes.push(...outsideTransactionFix(
          ctx,
          {
            title: 'Use DROP INDEX CONCURRENTLY',
            edits: names.length === 1
              ? [{ start: toks[1].end, end: toks[1].end, newText: ' CONCURRENTLY' }]
              : [{ start: ctx.statement.span.start, end: ctx.statement.span.end, newText: sql }],
          },
          // IF EXISTS: the new migration runs after the later ones of the set, one of which may drop the index with its
          // column (kratos drops the column right after the index).
          { title: 'Drop the index CONCURRENTLY in a migration of its own', slug: slug('drop', hit[0].name), sql: `${names.map((n) => `DROP INDEX CONCURRENTLY IF EXISTS ${n}`).join(';\n')};` },
        ));
      } else {
        recipe = hit.map((q) => `DROP INDEX CONCURRENTLY${ifExists} ${q.schema ? `${quoteIdent(q.schema)}.` : ''}${quoteIdent(q.name)};`).join('\n') +
          '\n-- CONCURRENTLY does not support CASCADE: drop the dependent objects first.';
      }
      const tables = [...new Set(hit.map((q) => {
        const t = ctx.before.indexTable(q);
        return t ? displayName(t) : undefined;
      }).filter((x): x is string => Boolean(x)))];
      const on = tables.length ? tables.join(', ') : 'its table';
      const waitOn = tables.length ? on : 'the table';
      // IF EXISTS of indexes no migration of the set made: a no-op on the schema they build; a lock only where the
      // database has more than they made (info).
      if (a.ifExists && tables.length === 0) {
        reports.push({ messageId: 'dropUnknown', severity: 'info', data: { indexes: hit.map((q) => q.name).join(', ') }, recipe, fixes });
        continue;
      }
      reports.push({
        messageId: 'dropIndex',
        data: { indexes: hit.map((q) => q.name).join(', '), table: on, waitOn },
        recipe,
        fixes,
      });
    }
    return reports;
  },
});
