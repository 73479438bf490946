// The lexer's reading of statements the parser rejected.
import assert from 'node:assert/strict';
import { createdTableName } from './lexer';

describe('createdTableName: the table a CREATE TABLE the parser rejected names', () => {
  const cases: [string, { schema?: string; name: string } | undefined][] = [
    ['create table\n  public.sentry_functions_challenge (\n    id bigint\n  ) tablespace;', { schema: 'public', name: 'sentry_functions_challenge' }],
    ['-- a comment first\nCREATE UNLOGGED TABLE IF NOT EXISTS "Task""Run" (', { name: 'Task"Run' }],
    ['CREATE GLOBAL TEMPORARY TABLE Scratch (id int', { name: 'scratch' }],
    ['create table app."Orders" (id int,,)', { schema: 'app', name: 'Orders' }],
    ['CREATE TABLE', undefined],
    ['create table public. (id int)', undefined],
    ['CREATE INDEX orders_idx ON orders (id', undefined],
    ['ALTER TABLE orders ADD COLUMN (', undefined],
  ];
  for (const [sql, want] of cases) {
    it(JSON.stringify(sql.slice(0, 50)), () => assert.deepEqual(createdTableName(sql), want));
  }
});
