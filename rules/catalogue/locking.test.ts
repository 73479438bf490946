// The locking category as a whole: every rule's docs examples are linted (bad → exactly one finding of the rule,
// good → none), every rule has a rationale, a test table beside it and a unique id.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { runCase, caseFiles } from '../testing/tester';
import { lockingRules } from './locking';

describe('locking rules', () => {
  before(() => initParser());
  it('starts with require-concurrent-index and has unique ids', () => {
    assert.equal(lockingRules[0].id, 'require-concurrent-index');
    assert.equal(new Set(lockingRules.map((r) => r.id)).size, lockingRules.length);
  });
  for (const rule of lockingRules) {
    describe(rule.id, () => {
      it('docs.bad gives exactly one finding of the rule', () => {
        const r = runCase(caseFiles(rule.docs.bad));
        assert.deepEqual(r.internalErrors, []);
        assert.equal(r.findings.filter((f) => f.rule === 'syntax-error').length, 0, 'docs.bad must parse');
        assert.equal(r.findings.filter((f) => f.rule === rule.id).length, 1);
      });
      it('docs.good gives no finding of the rule', () => {
        const r = runCase(caseFiles(rule.docs.good));
        assert.equal(r.findings.filter((f) => f.rule === 'syntax-error').length, 0, 'docs.good must parse');
        assert.deepEqual(r.findings.filter((f) => f.rule === rule.id).map((f) => f.message), []);
      });
      it('has metadata and a test table', () => {
        assert.equal(rule.category, 'locking');
        assert.match(rule.id, /^(no|require|prefer)-[a-z0-9-]+$/);
        assert.ok(rule.rationale.length > 80, 'rationale paragraph');
        assert.ok(existsSync(join(__dirname, `${rule.id}.ts`)), 'rule file named after the id');
        assert.ok(existsSync(join(__dirname, `${rule.id}.test.ts`)), 'test table beside the rule');
      });
    });
  }
});
