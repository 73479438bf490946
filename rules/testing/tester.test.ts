// The tester itself: what makes a rule table fail. Checked with a real rule (prefer-timestamptz) and the engine.
import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { preferTimestamptz } from '../catalogue/prefer-timestamptz';
import { requireNotValidForeignKey } from '../catalogue/require-not-valid-foreign-key';
import { analyzeSet } from '../engine/run';
import { defaultConfig } from '../engine/config';
import { defineRule } from '../engine/types';
import { formatMessage, reportMessage } from '../engine/messages';
import { checkActionTypes, checkInvalid, duplicateCases, type InvalidCase } from './tester';
import { noSetNotNullScan } from '../catalogue/no-set-not-null-scan';

const SQL = 'CREATE TABLE e (id bigint PRIMARY KEY, at timestamp);';
const FIXED = 'CREATE TABLE e (id bigint PRIMARY KEY, at timestamptz);';
const good: InvalidCase = { sql: SQL, errors: [{ line: 1, column: 43, messageId: 'timestamp', data: { column: 'e.at' } }], output: FIXED };

describe('rule tester', () => {
  before(() => initParser());

  it('passes a case with the right message id, data and output', () => {
    checkInvalid(preferTimestamptz, good);
  });

  it('fails on another message id, other data, an error that names neither, a wrong message text', () => {
    assert.throws(() => checkInvalid(preferTimestamptz, { ...good, errors: [{ messageId: 'alterType' }] }), /messageId of finding 0/);
    assert.throws(() => checkInvalid(preferTimestamptz, { ...good, errors: [{ messageId: 'timestamp', data: { column: 'e.other' } }] }), /data\.column of finding 0/);
    assert.throws(() => checkInvalid(preferTimestamptz, { ...good, errors: [{ line: 1 }] }), /names neither a messageId nor a message/);
    assert.throws(() => checkInvalid(preferTimestamptz, { ...good, errors: [{ message: /is json/ }] }));
    assert.throws(() => checkInvalid(preferTimestamptz, { ...good, errors: [{ messageId: 'timestamp', severity: 'info' }] }), /severity of finding 0/);
    checkInvalid(preferTimestamptz, { ...good, errors: [{ messageId: 'timestamp', severity: 'warning' }] });
  });

  it('fails a rule whose actionTypes leave out a type it reports on', () => {
    const cases = { valid: [], invalid: [{ sql: 'ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a;', errors: [{ messageId: 'notNullConstraint' }] }] };
    checkActionTypes(noSetNotNullScan, cases);
    // Declared for SET NOT NULL only, it would no longer see ADD CONSTRAINT … NOT NULL.
    assert.throws(() => checkActionTypes({ ...noSetNotNullScan, actionTypes: ['set-not-null'] }, cases), /differ when no-set-not-null-scan runs on every statement/);
  });

  it('fails when a fix is offered but no output is stated, and on output: null', () => {
    assert.throws(() => checkInvalid(preferTimestamptz, { ...good, output: undefined }), /state its output/);
    assert.throws(() => checkInvalid(preferTimestamptz, { ...good, output: null }), /expected no fix/);
  });

  it('compares the output of every fix when given a list', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN customer_id uuid REFERENCES customers (id) DEFAULT NULL;';
    const first = 'ALTER TABLE orders ADD COLUMN customer_id uuid REFERENCES customers (id);';
    const second = 'ALTER TABLE orders ADD COLUMN customer_id uuid DEFAULT NULL;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;';
    const c: InvalidCase = { sql, errors: [{ messageId: 'columnForeignKey' }], output: [first, second] };
    checkInvalid(requireNotValidForeignKey, c);
    assert.throws(() => checkInvalid(requireNotValidForeignKey, { ...c, output: [first, first] }), /output of fix 1/);
    assert.throws(() => checkInvalid(requireNotValidForeignKey, { ...c, output: [first] }), /fixes of the first finding/);
  });

  it('finds cases listed twice (same SQL and configuration)', () => {
    const dup = duplicateCases({ valid: ['SELECT 1;', { sql: 'SELECT 1;', config: { postgresVersion: 12 } }], invalid: [good, { ...good }] });
    assert.deepEqual(dup, [SQL]);
  });
});

describe('messages', () => {
  it('fills {{placeholders}} from data and leaves one without data as written', () => {
    assert.equal(formatMessage('Table {{ table }} has {{count}} rows, {{missing}}.', { table: 't', count: 3 }), 'Table t has 3 rows, {{missing}}.');
  });

  it('a report naming a message id its rule does not declare is an internal error, not a crash', () => {
    const rule = defineRule({
      id: 'no-planted-message', category: 'design', defaultSeverity: 'warning', fixable: false, title: 't', rationale: 'r',
      docs: { bad: '', good: '' }, messages: { known: 'known' },
      check: () => [{ messageId: 'unknown' as 'known' }],
    });
    assert.throws(() => reportMessage(rule, { messageId: 'unknown' }), /not in its messages/);
    const result = analyzeSet({ id: 's', files: [{ path: 'a.sql', text: 'SELECT 1;' }] }, { config: defaultConfig(), rules: [rule] });
    assert.deepEqual(result.findings.filter((f) => f.rule === rule.id), []);
    assert.match(result.internalErrors.join('\n'), /no-planted-message .*messageId "unknown"/);
  });
});
