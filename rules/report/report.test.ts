// The design review report: the model's facts on a multi-file set, and the Markdown, HTML and JSON renderings.
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { initParser } from '../parser/adapter';
import { analyzeSet, type SetResult } from '../engine/run';
import { allRules } from '../engine/registry';
import { defaultConfig } from '../engine/config';
import { orderMigrations } from '../engine/migrations';
import { buildReport } from './model';
import { renderMarkdown } from './render-md';
import { renderHtml } from './render-html';
import { renderJson } from './render-json';
import { escapeHtml, escapeMd, mdCode } from './escape';
import type { ReportModel } from './types';

const ISOLATION = "tenant_id = current_setting('app.current_tenant_id', true)::uuid";

const FILES: Record<string, string> = {
  'db/20240101_tenants.sql': '-- Mandanten 🏢\nCREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);\n',
  'db/20240102_orders.sql': [
    'CREATE TABLE orders (',
    '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
    '  tenant_id uuid NOT NULL REFERENCES tenants (id),',
    '  customer_id bigint NOT NULL,',
    '  number text NOT NULL,',
    '  UNIQUE (tenant_id, number)',
    ');',
    'CREATE INDEX orders_tenant_idx ON orders (tenant_id, id);',
    '-- Kunden: « données personnelles »',
    'CREATE TABLE customers (',
    '  id bigint PRIMARY KEY,',
    '  tenant_id uuid NOT NULL REFERENCES tenants (id),',
    '  email text NOT NULL UNIQUE,',
    '  ssn text,',
    '  card_number bytea,',
    '  password_hash text',
    ');',
    'CREATE TABLE notes (id bigint PRIMARY KEY, body text);',
    '',
  ].join('\n'),
  'db/20240103_rls.sql': [
    '-- Sécurité des lignes',
    'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
    'ALTER TABLE orders FORCE ROW LEVEL SECURITY;',
    `CREATE POLICY orders_isolation ON orders USING (${ISOLATION}) WITH CHECK (${ISOLATION});`,
    'ALTER TABLE customers ENABLE ROW LEVEL SECURITY;',
    'CREATE POLICY customers_read ON customers FOR SELECT USING (true);',
    'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
    'CREATE INDEX CONCURRENTLY customers_tenant_idx ON customers (tenant_id);',
    'ALTER TABLE customers ADD COLUMN note text;',
    'CREATE TABLE audit (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);',
    'ALTER TABLE audit ADD COLUMN detail text;',
    '',
  ].join('\n'),
};

function analyze(files: Record<string, string>, id = 'db'): SetResult {
  const ordered = orderMigrations(Object.keys(files));
  return analyzeSet({ id, files: ordered.map((f) => ({ path: f.path, text: files[f.path], replayed: f.replayed })) }, { config: defaultConfig(), rules: allRules });
}

function report(files: Record<string, string>, since?: Set<string>): ReportModel {
  return buildReport([analyze(files)], { configFor: () => defaultConfig(), relPath: (f) => f, since: since ? { newFiles: since, ref: 'v1.0' } : undefined });
}

describe('design review report', () => {
  before(async () => { await initParser(); });

  describe('tenant isolation matrix', () => {
    let r: ReportModel;
    before(() => { r = report(FILES); });
    const row = (name: string) => {
      const x = r.tenantMatrix.find((t) => t.table === name);
      assert.ok(x, `no row for ${name}: ${r.tenantMatrix.map((t) => t.table).join(', ')}`);
      return x;
    };

    it('lists the tenant tables, not the registry or tables without a tenant column', () => {
      assert.deepEqual(r.tenantMatrix.map((t) => t.table), ['audit', 'customers', 'orders']);
      assert.equal(r.summary.tenantTables, 3);
      assert.equal(r.summary.tables, 5);
    });

    it('RLS enabled and forced in a later migration: enabled, with the later file\'s location', () => {
      const o = row('orders');
      assert.equal(o.rlsEnabled.status, 'yes');
      assert.deepEqual(o.rlsEnabled.loc, { file: 'db/20240103_rls.sql', line: 2, column: 1 });
      assert.equal(o.rlsForced.status, 'yes');
      assert.deepEqual(o.rlsForced.loc, { file: 'db/20240103_rls.sql', line: 3, column: 1 });
      assert.deepEqual(o.loc, { file: 'db/20240102_orders.sql', line: 1, column: 1 });
      assert.deepEqual(o.tenantColumn, { name: 'tenant_id', type: 'uuid', notNull: true, loc: { file: 'db/20240102_orders.sql', line: 3, column: 3 } });
    });

    it('enabled but not forced; not enabled at all', () => {
      const c = row('customers');
      assert.equal(c.rlsEnabled.status, 'yes');
      assert.equal(c.rlsForced.status, 'no');
      const a = row('audit');
      assert.equal(a.rlsEnabled.status, 'no');
      assert.deepEqual(a.rlsEnabled.loc, { file: 'db/20240103_rls.sql', line: 10, column: 1 });
      assert.equal(a.isolated, false);
      assert.match(a.gaps.join(), /not enabled/);
    });

    it('a policy on the tenant column, and one that ignores it', () => {
      const o = row('orders');
      assert.equal(o.policies.status, 'yes');
      assert.deepEqual(o.policyList.map((p) => [p.name, p.command, p.usingTenant, p.checkTenant, p.scoped]), [['orders_isolation', 'ALL', true, true, true]]);
      assert.deepEqual(o.policyList[0].loc, { file: 'db/20240103_rls.sql', line: 4, column: 1 });
      const c = row('customers');
      assert.equal(c.policies.status, 'no');
      assert.deepEqual(c.policyList.map((p) => [p.name, p.command, p.usingTenant, p.checkTenant, p.scoped]), [['customers_read', 'SELECT', false, undefined, false]]);
      assert.deepEqual(c.policies.loc, { file: 'db/20240103_rls.sql', line: 6, column: 1 });
      assert.equal(o.isolated, true);
      assert.equal(c.isolated, false);
      assert.deepEqual(c.gaps, ['1 policy not limited to tenant_id', 'not forced: the owner bypasses RLS']);
    });

    it('tenant-leading index: a composite index counts, one built concurrently later counts', () => {
      assert.equal(row('orders').index.status, 'yes');
      // The first index leading with tenant_id: the one behind UNIQUE (tenant_id, number).
      assert.equal(row('orders').index.text, 'orders_tenant_id_number_key (tenant_id, number)');
      assert.deepEqual(row('customers').index.loc, { file: 'db/20240103_rls.sql', line: 8, column: 1 });
      assert.equal(row('audit').index.status, 'no');
    });

    it('tenant in UNIQUE and FOREIGN KEY constraints', () => {
      const o = row('orders');
      assert.equal(o.unique.status, 'yes');
      assert.equal(o.foreignKeys.status, 'no');
      assert.match(o.foreignKeys.text, /orders_customer_fk → customers without tenant_id/);
      assert.deepEqual(o.foreignKeys.loc, { file: 'db/20240103_rls.sql', line: 7, column: 24 }, 'at CONSTRAINT orders_customer_fk');
      // The foreign key to the tenant registry is what makes the table tenant-scoped: not judged.
      assert.ok(o.keys.some((k) => k.name === 'orders_tenant_id_fkey' && k.exempt), JSON.stringify(o.keys));
      const c = row('customers');
      assert.equal(c.unique.status, 'no');
      assert.match(c.unique.text, /customers_email_key \(email\) without tenant_id/);
      assert.deepEqual(c.unique.loc, { file: 'db/20240102_orders.sql', line: 13, column: 23 }, 'at the UNIQUE of the column');
      assert.equal(c.foreignKeys.status, 'n/a');
    });

    it('agrees with the tenancy rules on the same set', () => {
      const rules = new Set(r.findingsByRule.map((g) => g.rule));
      assert.ok(rules.has('require-tenant-scoped-policy') && rules.has('require-force-rls') && rules.has('require-tenant-in-unique') && rules.has('require-tenant-in-foreign-key'), [...rules].join());
      const verdict = r.summary.verdicts.find((v) => v.area === 'tenancy')!;
      assert.equal(verdict.status, 'fail');
      assert.match(verdict.text, /^1 of 3 tenant tables isolated; not isolated: audit \(row-level security is not enabled\), customers/);
    });
  });

  it('an "Isolation (proved)" column appears once an isolation proof ran, with each verdict and what the probe saw', () => {
    const set = analyze(FILES);
    const without = buildReport([set], { configFor: () => defaultConfig(), relPath: (f) => f });
    assert.doesNotMatch(renderMarkdown(without), /Isolation \(proved\)/);
    assert.equal(without.isolationProved, undefined);
    const r = buildReport([set], {
      configFor: () => defaultConfig(), relPath: (f) => f,
      isolation: [
        { setId: 'db', table: 'orders', status: 'isolated', details: 'tenant A saw only its 2 of 2 rows' },
        { setId: 'db', table: 'customers', status: 'leaks', details: 'SELECT as tenant A returned 2 of 2 rows of tenant B <script>' },
        { setId: 'other', table: 'audit', status: 'isolated', details: 'a verdict of another set' },
      ],
    });
    assert.equal(r.isolationProved, true);
    assert.deepEqual(r.tenantMatrix.map((t) => [t.table, t.proved?.status]), [['audit', undefined], ['customers', 'leaks'], ['orders', 'isolated']]);
    const md = renderMarkdown(r);
    assert.match(md, /\| Isolated \| Isolation \(proved\) \|\n\|(---\|){10}/);
    assert.match(md, /\| ✅ isolated: tenant A saw only its 2 of 2 rows \|/);
    assert.match(md, /\[audit\][^\n]*\| — \|\n/);
    const html = renderHtml(r);
    assert.match(html, /<th>Isolation \(proved\)<\/th>/);
    assert.match(html, /leaks<br><span class="muted">SELECT as tenant A returned 2 of 2 rows of tenant B &lt;script&gt;<\/span>/);
    assert.equal(JSON.parse(renderJson(r)).tenantMatrix[1].proved.status, 'leaks');
  });

  it('sensitive data: flagged columns with type, reason and whether stored in clear', () => {
    const r = report(FILES);
    assert.deepEqual(r.sensitive.map((s) => [s.table, s.column, s.type, s.kind, s.inClear]), [
      ['customers', 'ssn', 'text', 'government-id', true],
      ['customers', 'card_number', 'bytea', 'card', false],
      ['customers', 'password_hash', 'text', 'password', false],
    ]);
    assert.match(r.sensitive[0].why, /government ID/);
    assert.match(r.sensitive[1].storage, /bytea/);
    assert.equal(r.sensitive[2].storage, 'text; its name says hash');
    assert.deepEqual(r.sensitive[0].loc, { file: 'db/20240102_orders.sql', line: 14, column: 3 });
  });

  it('migration risk: only blocking locks on existing tables, grouped by file, newest first', () => {
    const r = report(FILES);
    assert.deepEqual(r.migrationRisk.map((f) => f.file), ['db/20240103_rls.sql', 'db/20240102_orders.sql']);
    const rls = r.migrationRisk[0];
    assert.deepEqual(rls.statements.map((s) => s.loc.line), [2, 3, 4, 5, 6, 7, 9]);
    const all = r.migrationRisk.flatMap((f) => f.statements);
    assert.ok(!all.some((s) => /CONCURRENTLY/.test(s.sql)), 'SHARE UPDATE EXCLUSIVE blocks no traffic');
    assert.ok(!all.some((s) => s.locks.some((l) => l.table === 'audit')), 'audit is created in the same file');
    const fk = rls.statements.find((s) => s.loc.line === 7)!;
    assert.deepEqual(fk.locks.map((l) => [l.table, l.mode, l.scan, l.blocksReads, l.blocksWrites]), [
      ['orders', 'SHARE ROW EXCLUSIVE', true, false, true],
      ['customers', 'SHARE ROW EXCLUSIVE', false, false, true],
    ]);
    const add = rls.statements.find((s) => s.loc.line === 9)!;
    assert.deepEqual(add.locks.map((l) => [l.table, l.mode, l.blocksReads]), [['customers', 'ACCESS EXCLUSIVE', true]]);
    assert.equal(add.lockTimeoutSet, false);
    // CREATE TABLE orders … REFERENCES tenants locks the tenant registry, created by an earlier migration.
    assert.deepEqual(r.migrationRisk[1].statements.flatMap((s) => s.locks.map((l) => l.table)), ['tenants', 'tenants']);
  });

  it('--since: findings and migration risk only of the new migrations; the schema stays whole', () => {
    const full = report(FILES);
    const r = report(FILES, new Set(['db/20240103_rls.sql']));
    assert.deepEqual(r.since, { ref: 'v1.0', files: ['db/20240103_rls.sql'] });
    const files = new Set(r.findingsByRule.flatMap((g) => g.locations.map((l) => l.loc.file)));
    assert.deepEqual([...files], ['db/20240103_rls.sql']);
    assert.ok(full.findingsByRule.some((g) => g.locations.some((l) => l.loc.file === 'db/20240102_orders.sql')), 'the full report has findings in the older file');
    assert.ok(r.summary.findings < full.summary.findings, `${r.summary.findings} < ${full.summary.findings}`);
    assert.deepEqual(r.migrationRisk.map((f) => f.file), ['db/20240103_rls.sql']);
    assert.equal(r.tenantMatrix.length, 3);
    assert.equal(r.tables.length, 5);
  });

  it('findings by rule carry the rationale, the docs link and every location', () => {
    const r = report(FILES);
    const g = r.findingsByRule.find((x) => x.rule === 'require-tenant-scoped-policy')!;
    assert.equal(g.severity, 'error');
    assert.match(g.rationale, /Permissive policies are OR-ed/);
    assert.match(g.docs, /require-tenant-scoped-policy\.md$/);
    assert.deepEqual(g.locations.map((l) => l.loc), [{ file: 'db/20240103_rls.sql', line: 6, column: 1 }]);
    // Errors first.
    const order = r.findingsByRule.map((x) => x.severity);
    assert.deepEqual(order, [...order].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
    assert.equal(r.summary.findings, r.findingsByRule.reduce((n, x) => n + x.locations.length, 0));
  });

  it('schema overview: tables, keys, indexes, relationships and a Mermaid ER diagram', () => {
    const r = report(FILES);
    const orders = r.tables.find((t) => t.name === 'orders')!;
    assert.deepEqual(orders.columns.map((c) => [c.name, c.type, c.primaryKey, c.foreignKey, c.tenant]), [
      ['id', 'bigint', true, false, false], ['tenant_id', 'uuid', false, true, true], ['customer_id', 'bigint', false, true, false], ['number', 'text', false, false, false],
    ]);
    assert.equal(orders.rls, 'forced');
    assert.deepEqual(orders.history.map((h) => h.file), ['db/20240102_orders.sql', 'db/20240103_rls.sql']);
    assert.deepEqual(r.relationships.map((x) => `${x.from}(${x.fromColumns}) -> ${x.to}(${x.toColumns})`), [
      'customers(tenant_id) -> tenants(id)', 'orders(tenant_id) -> tenants(id)', 'orders(customer_id) -> customers(id)',
    ].sort());
    assert.match(r.erDiagram, /^erDiagram\n/);
    assert.match(r.erDiagram, /^ {2}tenants \|\|--o\{ orders : "orders_tenant_id_fkey"$/m);
    assert.match(r.erDiagram, /^ {4}bigint id PK$/m);
  });

  describe('rendering', () => {
    const EVIL_TABLE = '<img src=x onerror=alert(1)>';
    const EVIL_COLUMN = '<script>alert(1)</script>';
    const evil = {
      'db/001_evil.sql': [
        `CREATE TABLE "${EVIL_TABLE}" (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, "${EVIL_COLUMN}" text, "ssn|<b>x</b>" text);`,
        `ALTER TABLE "${EVIL_TABLE}" ENABLE ROW LEVEL SECURITY;`,
        `CREATE POLICY "<svg onload=alert(2)>" ON "${EVIL_TABLE}" USING (true);`,
        `CREATE TABLE child (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, p bigint REFERENCES "${EVIL_TABLE}" (id));`,
        '',
      ].join('\n'),
      // On the existing table: the statement's SQL is shown in the migration risk section.
      'db/002_more.sql': `ALTER TABLE "${EVIL_TABLE}" ADD COLUMN "x\`y" int;\n`,
    };

    it('escapes every identifier in HTML, standalone and in the webview', () => {
      const r = report(evil);
      assert.ok(r.tenantMatrix.some((t) => t.table === EVIL_TABLE), 'the fixture must produce the hostile table');
      assert.ok(r.migrationRisk.some((f) => f.statements.some((x) => x.sql.includes(EVIL_TABLE))), 'and a risky statement on it');
      for (const html of [renderHtml(r), renderHtml(r, { webview: { nonce: 'abc123', cspSource: 'https://webview.test' } })]) {
        assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped table name');
        assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped column name');
        assert.ok(!html.includes('<img src=x'), 'raw <img');
        assert.ok(!html.includes('<script>alert(1)'), 'raw <script');
        assert.ok(!html.includes('<svg onload'), 'raw <svg');
        assert.ok(!html.includes('<b>x</b>'), 'raw <b>');
      }
    });

    it('escapes every identifier in Markdown', () => {
      const md = renderMarkdown(report(evil));
      assert.ok(md.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped table name');
      assert.ok(!md.includes('<img src=x'), 'raw <img');
      assert.ok(!md.includes('<script>alert(1)'), 'raw <script');
      assert.ok(!md.includes('<svg onload'), 'raw <svg');
      // A | in a name must not split a table row.
      assert.ok(md.includes('ssn\\|&lt;b&gt;x&lt;/b&gt;'), 'a | in a name is escaped');
    });

    it('the webview page: strict CSP, a nonce on every script, links as data attributes, nothing external', () => {
      const html = renderHtml(report(FILES), { webview: { nonce: 'n0nce+/=', cspSource: 'https://webview.test' } });
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
      assert.ok(csp, 'a CSP meta');
      assert.match(csp[1], /^default-src 'none';/);
      assert.match(csp[1], /script-src 'nonce-n0nce\+\/='/);
      assert.doesNotMatch(csp[1], /unsafe-inline|unsafe-eval|\*/);
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      assert.equal(scripts.length, 1);
      for (const s of scripts) assert.equal(s, '<script nonce="n0nce+/=">');
      for (const s of html.match(/<style\b[^>]*>/g) ?? []) assert.equal(s, '<style nonce="n0nce+/=">');
      assert.doesNotMatch(html, /\sstyle="/, 'inline style attributes are blocked by the CSP');
      assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b|\bsrc=|@import|url\(\s*['"]?https?:/i);
      assert.match(html, /<a class="loc" href="#" title="db\/20240103_rls.sql:2:1" data-file="db\/20240103_rls.sql" data-line="2" data-column="1">/);
      assert.doesNotMatch(html, /href="db\//);
      // A hostile nonce cannot break out of the policy.
      const bad = renderHtml(report(FILES), { webview: { nonce: "x'; script-src *", cspSource: 'https://w' } });
      const badCsp = /content="([^"]*)"/.exec(bad)![1];
      assert.match(badCsp, /script-src 'nonce-xscriptsrc'; /);
      assert.doesNotMatch(badCsp, /script-src \*/);
    });

    it('the standalone page: self-contained, links to file#Lline, no script', () => {
      const html = renderHtml(report(FILES), { href: (f) => `../${f}` });
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
      assert.doesNotMatch(html, /<script\b/);
      assert.doesNotMatch(html, /<(link|img|iframe)\b|\bsrc=|@import/i);
      assert.match(html, /href="\.\.\/db\/20240103_rls\.sql#L2"/);
      assert.match(html, /<svg class="er"/);
      assert.match(html, /var\(--vscode-editor-background, #ffffff\)/);
      for (const section of ['summary', 'tenancy', 'sensitive', 'risk', 'findings', 'schema']) assert.match(html, new RegExp(`<section id="${section}">`));
    });

    it('Markdown: sections, matrix rows with links, a Mermaid block', () => {
      const md = renderMarkdown(report(FILES));
      for (const h of ['## Summary', '## Tenant isolation', '## Sensitive data', '## Migration risk', '## Findings by rule', '## Schema overview']) assert.ok(md.includes(`\n${h}\n`), h);
      assert.match(md, /^\| \[orders\]\(db\/20240102_orders\.sql#L1\) \| tenant_id uuid \(\[L3\]\(db\/20240102_orders\.sql#L3\)\) \| ✅ orders_tenant_id_number_key \(tenant_id, number\) \(\[L6\]\(db\/20240102_orders\.sql#L6\)\) \| ✅ enabled \(\[20240103_rls\.sql:2\]\(db\/20240103_rls\.sql#L2\)\) \| ✅ forced/m);
      assert.match(md, /^### db\/20240103_rls\.sql$/m);
      assert.ok(md.indexOf('### db/20240103_rls.sql') < md.indexOf('### db/20240102_orders.sql'), 'newest migration first');
      assert.match(md, /```mermaid\nerDiagram\n/);
    });

    it('JSON: the versioned model', () => {
      const r = report(FILES);
      const json = JSON.parse(renderJson(r)) as ReportModel;
      assert.equal(json.version, 1);
      assert.deepEqual(json.tenantMatrix, JSON.parse(JSON.stringify(r.tenantMatrix)));
      assert.deepEqual(Object.keys(json).sort(), ['erDiagram', 'files', 'findingsByRule', 'inferred', 'internalErrors', 'migrationRisk', 'relationships', 'sensitive', 'sets', 'summary', 'tables', 'tenantColumns', 'tenantMatrix', 'title', 'version']);
    });

    it('an empty set renders every section without failing', () => {
      const r = report({ 'db/001.sql': 'SELECT 1;\n' });
      assert.match(renderMarkdown(r), /No tenant tables/);
      assert.match(renderHtml(r), /No statement takes a blocking lock/);
      assert.equal(r.erDiagram, 'erDiagram');
    });
  });

  it('escaping helpers', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(escapeMd('tenant_id | *x* _y_ [l](u) <b>'), 'tenant_id \\| \\*x\\* \\_y\\_ \\[l\\](u) &lt;b&gt;');
    assert.equal(mdCode('a ` b | <i>'), '<code>a \\` b \\| &lt;i&gt;</code>');
  });
});
