import { ruleTester } from '../testing/tester';
import { requireConcurrentDetachPartition } from './require-concurrent-detach-partition';

ruleTester(requireConcurrentDetachPartition, {
  valid: [
    'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
    { sql: 'ALTER TABLE events DETACH PARTITION events_2023;', config: { postgresVersion: 13 } },
    'CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM (\'2023-01-01\') TO (\'2024-01-01\');\nALTER TABLE events DETACH PARTITION events_2023;',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE events DETACH PARTITION events_2023;',
      errors: [{ line: 1, column: 20, messageId: 'detach', data: { table: 'events' } }],
      output: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
    },
    {
      sql: {
        'db/001_events.sql': "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');",
        'db/002_archive.sql': 'ALTER TABLE events DETACH PARTITION events_2023;',
      },
      errors: [{ file: 'db/002_archive.sql', line: 1, column: 20, messageId: 'detach' }],
      output: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
    },
    {
      sql: '-- Archiv 📦\nALTER TABLE app."Ereignis" DETACH PARTITION app."Ereignis_2023";',
      errors: [{ line: 2, column: 28, messageId: 'detach' }],
      output: '-- Archiv 📦\nALTER TABLE app."Ereignis" DETACH PARTITION app."Ereignis_2023" CONCURRENTLY;',
    },
  ],
});
