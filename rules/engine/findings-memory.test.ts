// What a check keeps of its findings and lists, and that keeping less changes nothing a reader sees: messages
// rendered when read (messages.ts, messageOnRead), empty and one-name lists shared and frozen (model/lists.ts).
import assert from 'node:assert/strict';
import { initParser } from '../parser/adapter';
import { NONE } from '../model/lists';
import { allRules } from './registry';
import { defaultConfig } from './config';
import { messageOnRead } from './messages';
import { analyzeSet, ParseCache, type SetResult } from './run';
import { defineRule, type Finding } from './types';

const SQL = `CREATE TABLE tenants (id uuid PRIMARY KEY);
CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, name text UNIQUE);
CREATE TABLE tasks (id bigint PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants, project_id bigint REFERENCES projects, api_token text);
CREATE POLICY tasks_own ON tasks USING (tenant_id = current_setting('app.tenant')::uuid);
GRANT SELECT ON tasks TO reader;
ALTER TABLE projects RENAME COLUMN id TO project_key;
`;

function analyse(sql: string, cache?: ParseCache, rules = allRules): SetResult {
  return analyzeSet({ id: 'set', files: [{ path: 'db/001_init.sql', text: sql }] }, { config: defaultConfig(), rules, ...(cache ? { cache } : {}) });
}

const isAccessor = (f: Finding) => typeof Object.getOwnPropertyDescriptor(f, 'message')?.get === 'function';

describe('findings and lists kept small', () => {
  before(() => initParser());

  it("a check's set-rule findings render their message when read, and read, spread and serialise as stored ones", () => {
    const check = analyse(SQL);
    const editor = analyse(SQL, new ParseCache(true));
    const setRules = new Set(allRules.filter((r) => r.checkSet).map((r) => r.id));
    const lazy = check.findings.filter((f) => setRules.has(f.rule));
    assert.ok(lazy.length >= 3, `set-rule findings: ${lazy.map((f) => f.rule).join(', ')}`);
    for (const f of lazy) assert.ok(isAccessor(f), `${f.rule}: message stored in a check`);
    // The editor reads messages at every keystroke: there they are stored.
    assert.ok(editor.findings.every((f) => !isAccessor(f)));
    const text = (r: SetResult) => r.findings.map((f) => `${f.start} ${f.rule} ${f.message}`);
    assert.deepEqual(text(check), text(editor));
    for (const f of lazy) {
      assert.ok(Object.keys(f).includes('message'));
      assert.equal(JSON.parse(JSON.stringify(f)).message, f.message);
      const copy = { ...f };
      assert.ok(!isAccessor(copy));
      assert.deepStrictEqual(copy, f);
    }
  });

  it('two rule objects with one id each render their own messages', () => {
    const meta = { category: 'design', defaultSeverity: 'warning', fixable: false, title: 't', rationale: 'r', docs: { bad: '', good: '' } } as const;
    const first = defineRule({ ...meta, id: 'twin', messages: { m: 'first {{x}}' }, checkSet: () => [] });
    const second = defineRule({ ...meta, id: 'twin', messages: { m: 'second {{x}}' }, checkSet: () => [] });
    const finding = (rule: typeof first) => messageOnRead({
      rule: 'twin', severity: 'warning', category: 'design', messageId: 'm', data: { x: 1 }, file: 'f.sql', start: 0, end: 1, related: [], fixes: [], recipe: undefined,
    }, rule);
    const a = finding(first);
    const b = finding(second);
    assert.equal(a.message, 'first 1');
    assert.equal(b.message, 'second 1');
    assert.deepEqual(Object.keys(b).filter((k) => k === 'message'), ['message']);
  });

  it("a set rule's unknown messageId is still its internal error in a check, and the other rules report", () => {
    const broken = defineRule({
      id: 'broken-set-rule', category: 'design', defaultSeverity: 'warning', fixable: false, title: 't', rationale: 'r',
      docs: { bad: '', good: '' }, messages: { known: 'known' },
      checkSet: (ctx) => [{ messageId: 'unknown' as 'known', file: ctx.files[0].path, span: { start: 0, end: 1 } }],
    });
    const r = analyse(SQL, undefined, [broken, ...allRules]);
    assert.ok(r.internalErrors.some((e) => /^broken-set-rule: .*not in its messages/.test(e)), r.internalErrors.join('\n'));
    assert.ok(!r.findings.some((f) => f.rule === 'broken-set-rule'));
    assert.ok(r.findings.some((f) => f.rule === 'require-tenant-index'));
  });

  it('empty and one-name lists are shared and frozen, and a change builds a new list', () => {
    const r = analyse(SQL);
    const table = (name: string) => r.model.table({ name })!;
    const [tenants, projects, tasks] = [table('tenants'), table('projects'), table('tasks')];
    // Tables without policies or grants share the one empty list; tasks got its own when its policy and grant came.
    assert.equal(tenants.policies, NONE);
    assert.equal(projects.grants, NONE);
    assert.ok(Object.isFrozen(NONE));
    assert.deepEqual(tasks.policies.map((p) => p.name), ['tasks_own']);
    assert.deepEqual(tasks.grants.map((g) => g.role), ['reader']);
    // A column's own PRIMARY KEY names one column: tables with an `id` key share that list...
    const pk = (t: typeof tasks) => t.constraints.find((c) => c.kind === 'primary')!.columns;
    assert.equal(pk(tenants), pk(tasks));
    assert.ok(Object.isFrozen(pk(tasks)));
    // ...and renaming the column in one table changes neither the others' key nor the list they share.
    assert.deepEqual(pk(projects), ['project_key']);
    assert.deepEqual(pk(tenants), ['id']);
    assert.deepEqual(pk(tasks), ['id']);
    // A foreign key without a column list references the primary key: no list, the shared empty one.
    const fk = tasks.constraints.find((c) => c.kind === 'foreign' && c.columns[0] === 'tenant_id')!;
    assert.equal(fk.refColumns, NONE);
  });
});
