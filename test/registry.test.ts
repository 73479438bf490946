// The repo test: one registry, and everything derived from it (files, tests, docs, config schema) agrees with it.
// The rules' doc examples are run as tests, so the docs cannot rot.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { initParser } from '../rules/parser/adapter';
import { allRuleIds, allRuleMeta, allRules, docsUrl, metaRules } from '../rules/engine/registry';
import { ConfigError, resolveConfig } from '../rules/engine/config';
import type { Category, Rule } from '../rules/engine/types';
import { designRules } from '../rules/catalogue/design';
import { lockingRules } from '../rules/catalogue/locking';
import { securityRules } from '../rules/catalogue/security';
import { tenancyRules } from '../rules/catalogue/tenancy';
import { caseFiles, checkInvalid, runCase } from '../rules/testing/tester';
import { configSchema, generateDocs, orphanPages, ROOT, RULE_DOCS_DIR, SCHEMA_PATH } from '../scripts/gen-docs';

const CATALOGUE = path.join(ROOT, 'rules/catalogue');
const CATEGORY_LISTS: Partial<Record<Category, readonly Rule[]>> = { tenancy: tenancyRules, security: securityRules, locking: lockingRules, design: designRules };

const isRule = (v: unknown): v is Rule => typeof v === 'object' && v !== null && typeof (v as Rule).id === 'string' && typeof (v as Rule).category === 'string' && Boolean((v as Rule).check || (v as Rule).checkSet);

/**
 * What is wrong with a catalogue folder: a file that is neither a category list (`<category>.ts`), a helper
 * (`util.ts`, `*-util.ts`) nor the registered rule its name says; a rule exported anywhere but not registered;
 * a rule in the list of another category.
 */
function catalogueProblems(dir: string, lists: Partial<Record<Category, readonly Rule[]>>, registered: readonly Rule[]): string[] {
  const problems: string[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
    const stem = name.slice(0, -3);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.values(require(path.join(dir, name)) as Record<string, unknown>).filter(isRule);
    for (const r of exported) if (!registered.includes(r)) problems.push(`${name}: exports rule ${r.id}, which is not registered (add it to rules/catalogue/${r.category}.ts)`);
    if (stem in lists || stem === 'util' || stem.endsWith('-util')) continue;
    if (!exported.some((r) => r.id === stem)) problems.push(`${name}: not a category list, not a helper (*-util.ts), and it exports no rule with id "${stem}"`);
  }
  for (const [category, rules] of Object.entries(lists)) {
    for (const r of rules ?? []) if (r.category !== category) problems.push(`${r.id} is listed in ${category}.ts but its category is "${r.category}"`);
  }
  return problems;
}

describe('registry', () => {
  it('every rule id is unique and kebab-case, verb first (no-, require-, prefer-)', () => {
    const ids = allRuleMeta.map((r) => r.id);
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'duplicate ids');
    for (const id of ids) assert.match(id, /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, `"${id}" is not kebab-case`);
    for (const r of allRules) assert.match(r.id, /^(no|require|prefer)-/, `"${r.id}" does not start with no-, require- or prefer-`);
  });

  for (const rule of allRules) {
    it(`${rule.id}: rules/catalogue/${rule.id}.ts defines it and ${rule.id}.test.ts tests it`, () => {
      const file = path.join(CATALOGUE, `${rule.id}.ts`);
      assert.ok(fs.existsSync(file), `missing ${path.relative(ROOT, file)}`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file) as Record<string, unknown>;
      assert.ok(Object.values(mod).includes(rule), `${rule.id}.ts does not export the registered rule`);
      const test = path.join(CATALOGUE, `${rule.id}.test.ts`);
      assert.ok(fs.existsSync(test), `missing ${path.relative(ROOT, test)}`);
      assert.match(fs.readFileSync(test, 'utf8'), /ruleTester\(/, `${rule.id}.test.ts has no ruleTester table`);
      assert.ok(rule.check || rule.checkSet, 'a rule needs check or checkSet');
      assert.ok(rule.rationale.length > 40 && rule.title.length > 0, 'title and rationale are required');
    });
  }

  it('every file of rules/catalogue is a registered rule, a category list or a helper; every rule is in its own category list', () => {
    assert.deepEqual(catalogueProblems(CATALOGUE, CATEGORY_LISTS, allRules), []);
    assert.deepEqual(Object.values(CATEGORY_LISTS).flat(), allRules, 'the registry is the category lists');
  });

  it('the catalogue check fails on a planted rule file that is not registered, and on a rule listed under another category', () => {
    const planted = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-catalogue-'));
    try {
      const rule = (id: string) => `export const r = { id: '${id}', category: 'locking', defaultSeverity: 'warning', fixable: false, title: 't', rationale: 'r', docs: { bad: '', good: '' }, check: () => [] };\n`;
      fs.writeFileSync(path.join(planted, 'no-planted-lock.ts'), rule('no-planted-lock'));
      fs.writeFileSync(path.join(planted, 'stray.ts'), 'export const stray = 1;\n');
      fs.writeFileSync(path.join(planted, 'planted-util.ts'), 'export const helper = 1;\n');
      const problems = catalogueProblems(planted, { tenancy: [lockingRules[0]] }, allRules);
      assert.equal(problems.length, 3, problems.join('\n'));
      assert.match(problems[0], /^no-planted-lock\.ts: exports rule no-planted-lock, which is not registered/);
      assert.match(problems[1], /^stray\.ts: not a category list/);
      assert.match(problems[2], new RegExp(`^${lockingRules[0].id} is listed in tenancy\\.ts but its category is "locking"`));
    } finally {
      fs.rmSync(planted, { recursive: true, force: true });
    }
  });

  it('meta rules are reported by the engine and have no check function', () => {
    for (const m of metaRules) assert.equal((m as Partial<Rule>).check ?? (m as Partial<Rule>).checkSet, undefined);
  });
});

describe('generated docs', () => {
  const generated = generateDocs();

  it('a docs page exists for every rule, and every page documents a rule', () => {
    for (const r of allRuleMeta) assert.ok(generated.has(`${RULE_DOCS_DIR}/${r.id}.md`));
    for (const r of allRuleMeta) assert.ok(fs.existsSync(path.join(ROOT, RULE_DOCS_DIR, `${r.id}.md`)), `missing ${RULE_DOCS_DIR}/${r.id}.md: run npm run docs`);
    assert.deepEqual(orphanPages(ROOT, generated), [], 'pages of rules that no longer exist: run npm run docs');
  });

  for (const [rel, expected] of generated) {
    it(`${rel} is up to date (npm run docs)`, () => {
      const file = path.join(ROOT, rel);
      assert.ok(fs.existsSync(file), `${rel} is missing: run npm run docs`);
      assert.ok(fs.readFileSync(file, 'utf8') === expected, `${rel} differs from what scripts/gen-docs.ts generates: run npm run docs`);
    });
  }

  it('docsUrl(id) points at the page of the rule', () => {
    for (const r of allRuleMeta) {
      const url = docsUrl(r.id);
      assert.ok(url.endsWith(`/${RULE_DOCS_DIR}/${r.id}.md`), url);
      assert.ok(fs.existsSync(path.join(ROOT, RULE_DOCS_DIR, path.basename(url))), url);
    }
  });
});

describe('doc examples are run as tests', () => {
  before(() => initParser());
  for (const rule of allRuleMeta.filter((r) => r.requiresDatabase || r.sizeLimit)) {
    it(`${rule.id}: ${rule.sizeLimit ? 'reported past the size limits (test/limits.test.ts)' : 'reported by a database replay (the pg tests run them)'}; its examples parse`, () => {
      for (const sql of [rule.docs.bad, rule.docs.good]) {
        const r = runCase(caseFiles(sql));
        assert.deepEqual(r.findings.filter((f) => f.rule === 'syntax-error' || f.rule === rule.id).map((f) => f.message), []);
      }
    });
  }
  for (const rule of allRuleMeta.filter((r) => !r.requiresDatabase && !r.sizeLimit)) {
    it(`${rule.id}: "Instead of" gives exactly one finding${rule.fixable ? ' with a fix that removes it' : ''}, "Use" gives none`, () => {
      const bad = runCase(caseFiles(rule.docs.bad));
      assert.deepEqual(bad.internalErrors, []);
      const mine = bad.findings.filter((f) => f.rule === rule.id);
      assert.equal(mine.length, 1, `docs.bad of ${rule.id}: ${JSON.stringify(mine.map((f) => f.message))}`);
      if (rule.fixable) assert.ok(mine[0].fixes.length > 0, `${rule.id} is fixable but its docs.bad finding has no fix`);
      else assert.deepEqual(mine[0].fixes, [], `${rule.id} is not fixable but offers a fix`);
      // Applies every fix, lints again: the finding is gone and no syntax error appears.
      checkInvalid(rule as Rule, { sql: rule.docs.bad, errors: [{ messageId: mine[0].messageId }] }, { outputRequired: false });

      const good = runCase(caseFiles(rule.docs.good));
      assert.deepEqual(good.internalErrors, []);
      assert.deepEqual(good.findings.filter((f) => f.rule === rule.id).map((f) => f.message), [], `docs.good of ${rule.id}`);
      assert.deepEqual(good.findings.filter((f) => f.rule === 'syntax-error').map((f) => f.message), [], `docs.good of ${rule.id} must parse`);
    });
  }
});

describe('configuration schema', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_PATH), 'utf8'));
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(schema);

  it('is the generated one, and its rule ids are the registry', () => {
    assert.deepEqual(schema, JSON.parse(JSON.stringify(configSchema(allRuleMeta))));
    assert.deepEqual(schema.properties.rules.propertyNames.enum, allRuleIds);
    assert.deepEqual(Object.keys(schema.properties.rules.properties), allRuleIds);
    assert.equal(schema.properties.rules.additionalProperties, false);
    assert.equal(schema.additionalProperties, false);
  });

  it('describes every key', () => {
    interface Node { description?: string; properties?: Record<string, Node> }
    const walk = (s: Node, at: string): void => {
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        assert.ok(v.description, `${at}${k} has no description`);
        walk(v, `${at}${k}.`);
      }
    };
    walk(schema, '');
  });

  const accepted: unknown[] = [
    {},
    { $schema: './node_modules/sql-architect/schemas/sqlarchitect.schema.json' },
    {
      postgresVersion: 16, tenantColumns: ['tenant_id', 'shop_id'], tenantSetting: 'app.current_tenant_id',
      sensitiveColumns: { include: ['iban', '/^tax_/'], exclude: ['users.token_count'] },
      rules: { 'require-primary-key': 'off', 'prefer-timestamptz': 'info', 'syntax-error': 'error' },
      lockTimeout: '500ms', assumeInTransaction: true, migrations: ['db/migrate/*.sql'],
    },
    { postgresVersion: 9 }, { postgresVersion: 30 },
    { tenantColumns: [] },
    { sensitiveColumns: {} }, { sensitiveColumns: { exclude: [] } },
    { lockTimeout: '2' }, { lockTimeout: '3 min' }, { lockTimeout: '10s' },
    { rules: {} },
    { tenantSetting: 'myapp.tenant.id' },
    { tenantContext: { setting: 'app.tenant' } },
    {
      tenantContext: {
        membership: { table: 'basejump.account_user', userColumn: 'user_id', tenantColumn: 'account_id', values: { account_role: 'owner' } },
        claims: { org_id: '{tenant}', o: { id: '{tenant}' } }, userIsTenant: false, rolePerTenant: false, userSetting: 'app.user_id', role: 'authenticated',
      },
    },
    { tenantContext: { membership: { table: 'members', userColumn: 'user_id', tenantColumn: 'team_id' } } },
    { isolationSeed: 'db/seed.sql' },
  ];
  const rejected: unknown[] = [
    null, [], 'config', 42,
    { unknownKey: true },
    { postgresVersion: 14.5 }, { postgresVersion: 8 }, { postgresVersion: 31 }, { postgresVersion: '14' },
    { tenantColumns: 'tenant_id' }, { tenantColumns: [1] },
    { tenantSetting: 'tenant_id' }, { tenantSetting: 7 }, { tenantSetting: 'app.' },
    { sensitiveColumns: [] }, { sensitiveColumns: { other: [] } }, { sensitiveColumns: { include: 'ssn' } },
    { rules: [] }, { rules: { 'no-such-rule': 'off' } }, { rules: { 'require-primary-key': 'warn' } }, { rules: { 'require-primary-key': 1 } },
    { lockTimeout: '2 hours' }, { lockTimeout: 2 }, { lockTimeout: '-1s' },
    { assumeInTransaction: 'yes' },
    { migrations: 'db/*.sql' }, { migrations: [null] },
    { tenantContext: 'app.tenant' }, { tenantContext: { setting: 'tenant' } }, { tenantContext: { other: 1 } }, { tenantContext: { claims: [] } },
    { tenantContext: { userIsTenant: 'yes' } }, { tenantContext: { role: '' } }, { tenantContext: { membership: { table: 'members' } } },
    { tenantContext: { membership: { table: 'a b', userColumn: 'u', tenantColumn: 't' } } },
    { tenantContext: { membership: { table: 'm', userColumn: 'u', tenantColumn: 't', values: { role: 1 } } } },
    { tenantContext: { membership: { table: 'm', userColumn: 'u', tenantColumn: 't', values: null } } },
    { tenantContext: { membership: { table: 'm', userColumn: 'u', tenantColumn: 't', extra: true } } },
    { isolationSeed: '' }, { isolationSeed: ['x'] }, { isolation: { seed: 'x' } },
  ];

  it('accepts a good configuration and rejects a bad one', () => {
    assert.ok(validate(accepted[2]), JSON.stringify(validate.errors));
    assert.equal(validate({ rules: { 'require-primary-key': 'warn' } }), false);
  });

  for (const [i, sample] of [...accepted, ...rejected].entries()) {
    it(`resolveConfig and the schema agree on ${JSON.stringify(sample)}`, () => {
      const bySchema = validate(sample);
      let byResolver = true;
      try {
        resolveConfig(sample, allRuleIds);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        byResolver = false;
      }
      assert.equal(bySchema, byResolver, `schema ${bySchema ? 'accepts' : 'rejects'} but resolveConfig ${byResolver ? 'accepts' : 'rejects'}: ${JSON.stringify(validate.errors)}`);
      assert.equal(bySchema, i < accepted.length, 'the sample itself is in the wrong list');
    });
  }
});
