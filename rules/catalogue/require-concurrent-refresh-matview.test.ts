import { ruleTester } from '../testing/tester';
import { requireConcurrentRefreshMatview } from './require-concurrent-refresh-matview';

ruleTester(requireConcurrentRefreshMatview, {
  valid: [
    'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales;',
    'REFRESH MATERIALIZED VIEW daily_sales WITH NO DATA;',
    'CREATE MATERIALIZED VIEW daily_sales AS SELECT 1 AS day WITH NO DATA;\nREFRESH MATERIALIZED VIEW daily_sales;',
  ],
  invalid: [
    {
      sql: 'REFRESH MATERIALIZED VIEW daily_sales;',
      errors: [{ line: 1, column: 1, messageId: 'refresh', data: { view: 'daily_sales' } }],
      output: 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales;',
    },
    {
      sql: { 'db/001.sql': 'CREATE MATERIALIZED VIEW "Umsätze" AS SELECT 1 AS tag;\nCREATE UNIQUE INDEX ON "Umsätze" (tag);', 'db/002.sql': '-- täglich 📈\nrefresh materialized view "Umsätze";' },
      errors: [{ file: 'db/002.sql', line: 2, column: 1, messageId: 'refresh' }],
      output: '-- täglich 📈\nrefresh materialized view CONCURRENTLY "Umsätze";',
    },
    {
      // Created without a unique index: REFRESH … CONCURRENTLY would fail, so no fix (the recipe says what to add).
      sql: { 'db/001.sql': 'CREATE MATERIALIZED VIEW "Umsätze" AS SELECT 1 AS tag;\nCREATE UNIQUE INDEX ON "Umsätze" (tag) WHERE tag > 0;', 'db/002.sql': 'REFRESH MATERIALIZED VIEW "Umsätze";' },
      errors: [{ file: 'db/002.sql', line: 1, column: 1, messageId: 'refresh' }],
      output: null,
    },
  ],
});
