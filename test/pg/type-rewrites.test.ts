/**
 * Which column type changes rewrite the table, as rules/locks.ts says (isBinaryCompatibleChange: no-column-type-rewrite
 * and every lock plan) against PostgreSQL itself: the table's relfilenode before and after the ALTER, on the embedded
 * database (PostgreSQL 18) with TimeZone UTC, under which timestamp → timestamptz may skip the rewrite.
 */
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { initParser, parseFile } from '../../rules';
import { isBinaryCompatibleChange } from '../../rules/locks';
import type { TypeRef } from '../../rules/model/types';

const PAIRS: [string, string][] = [
  ['timestamp', 'timestamptz'], ['timestamp(3)', 'timestamptz'], ['timestamp(3)', 'timestamptz(3)'], ['timestamp', 'timestamptz(3)'],
  ['timestamp(6)', 'timestamptz(6)'], ['timestamp(3)', 'timestamptz(6)'], ['timestamp(3)', 'timestamptz(4)'],
  ['timestamp(3)', 'timestamp(6)'], ['timestamp(3)', 'timestamp'], ['timestamp(6)', 'timestamp(3)'], ['timestamp', 'timestamp(3)'],
  ['timestamptz(3)', 'timestamptz(4)'], ['timestamptz', 'timestamptz(3)'], ['time(3)', 'time(6)'], ['time(3)', 'time'], ['timetz(3)', 'timetz'],
  ['varchar(10)', 'text'], ['varchar(10)', 'varchar(20)'], ['varchar(20)', 'varchar(10)'], ['numeric(10,2)', 'numeric(12,2)'],
  ['numeric(10,2)', 'numeric(10,4)'], ['int', 'bigint'], ['cidr', 'inet'], ['char(3)', 'text'],
];

function typeOf(sql: string): TypeRef {
  const action = parseFile('t.sql', sql).statements[0].actions[0];
  assert.ok(action.type === 'alter-column-type', sql);
  return action.newType;
}

describe('pg engine: which type changes rewrite the table (rules/locks.ts against relfilenode)', function () {
  this.timeout(120000);
  it('isBinaryCompatibleChange agrees with PostgreSQL 18 under TimeZone UTC on every pair', async () => {
    await initParser();
    const db = new PGlite();
    const differences: string[] = [];
    try {
      await db.exec(`SET TimeZone = 'UTC'`);
      for (const [i, [from, to]] of PAIRS.entries()) {
        const t = `t${i}`;
        await db.exec(`CREATE TABLE ${t} (x ${from}); INSERT INTO ${t} VALUES (NULL)`);
        const file = async () => (await db.query<{ f: number }>(`SELECT relfilenode AS f FROM pg_class WHERE relname = '${t}'`)).rows[0].f;
        const before = await file();
        await db.exec(`ALTER TABLE ${t} ALTER COLUMN x TYPE ${to}`);
        const rewrote = (await file()) !== before;
        const free = isBinaryCompatibleChange(typeOf(`ALTER TABLE ${t} ALTER COLUMN x TYPE ${from};`), typeOf(`ALTER TABLE ${t} ALTER COLUMN x TYPE ${to};`));
        if (free === rewrote) differences.push(`${from} → ${to}: PostgreSQL ${rewrote ? 'rewrote' : 'did not rewrite'}, rules/locks.ts says ${free ? 'free' : 'rewrite'}`);
      }
    } finally {
      await db.close();
    }
    assert.deepEqual(differences, []);
  });
});
