import { defineRule, type Report } from '../engine/types';
import { viewCreatedInFile } from './locking-util';
import { quoteIdent } from './util';
import { tokens } from '../parser/lexer';

const messages = {
  refresh: 'REFRESH MATERIALIZED VIEW {{view}} holds an ACCESS EXCLUSIVE lock on it for the whole refresh: every SELECT from {{view}} waits. Use REFRESH … CONCURRENTLY (reads continue), which needs a unique index on the view.',
};

export const requireConcurrentRefreshMatview = defineRule({
  id: 'require-concurrent-refresh-matview',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Refresh existing materialized views concurrently',
  messages,
  rationale:
    'REFRESH MATERIALIZED VIEW holds an ACCESS EXCLUSIVE lock on the view for the whole refresh: every SELECT from it waits until the query behind the view has run again. REFRESH … CONCURRENTLY takes an EXCLUSIVE lock instead, so reads continue; it needs a unique index on the view (plain columns, no WHERE) and a view that is already populated.',
  docs: {
    bad: 'REFRESH MATERIALIZED VIEW daily_sales;',
    good: 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales;',
    details: 'Views created earlier in the same file are exempt (nobody reads them yet; their first refresh cannot be concurrent anyway), and so is `WITH NO DATA`. Without a unique index the concurrent refresh fails: create one with CREATE UNIQUE INDEX CONCURRENTLY first.',
  },
  actionTypes: ['refresh-matview'],
  check(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    for (const a of ctx.statement.actions) {
      if (a.type !== 'refresh-matview' || a.concurrently || viewCreatedInFile(ctx, a.view)) continue;
      if (/\bwith\s+no\s+data\s*$/i.test(ctx.statement.text)) continue;
      const toks = tokens(ctx.file.text, ctx.statement.span.start, ctx.statement.span.end);
      const view = toks.find((t) => t.word === 'view');
      const name = `${a.view.schema ? `${quoteIdent(a.view.schema)}.` : ''}${quoteIdent(a.view.name)}`;
      // A view the migrations created without a unique index cannot be refreshed concurrently: PostgreSQL
      // refuses ("cannot refresh materialized view … concurrently"). The fix is offered only when one may exist.
      const known = ctx.before.view(a.view);
      const fixable = view && (!known || known.uniqueIndex);
      reports.push({
        messageId: 'refresh',
        data: { view: a.view.name },
        recipe: `-- once: a unique index on plain columns that identify each row\n-- CREATE UNIQUE INDEX CONCURRENTLY ON ${name} (<key columns>);\nREFRESH MATERIALIZED VIEW CONCURRENTLY ${name};`,
        fixes: fixable ? [{ title: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index)', safe: false, edits: [{ start: view.end, end: view.end, newText: ' CONCURRENTLY' }] }] : [],
      });
    }
    return reports;
  },
});
