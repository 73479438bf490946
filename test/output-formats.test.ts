// The CI output formats of `check`: GitHub workflow commands (compared with @actions/core, GitHub's own toolkit, and
// parsed back as the runner does), the GitLab Code Quality report (validated against a JSON Schema of GitLab's
// documented format) and JUnit XML (parsed by junit2json, a JUnit XML parser on xml2js's strict SAX parser).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseJunit } from 'junit2json';
import { CLI, runCli, tempWorkspace } from './helpers';

interface JsonFinding { file: string; rule: string; severity: string; message: string; line: number; column: number; endLine: number; endColumn: number }

// Awkward on purpose: a comma, a colon and a percent sign in the path; `%`, CRLF and `::` reach the messages through
// identifiers the rules quote; non-ASCII before the finding (UTF-16 columns).
const FILES = {
  'db/a,b:c%d/20240101000000_init.sql': '-- Größe 📦\nCREATE TABLE "t%0A::x" (id bigint PRIMARY KEY, tenant_id uuid, note text);\n',
  'db/a,b:c%d/20240102000000_more.sql': 'CREATE INDEX "i,1"\r\n  ON "t%0A::x" (note);\r\n',
  'db/a,b:c%d/20240103000000_none.sql': 'SELECT 1;\n',
};

function json(dir: string): { files: number; findings: JsonFinding[] } {
  return JSON.parse(runCli(['check', 'db', '--format', 'json'], dir).stdout);
}

/** Splits a workflow command the way the Actions runner does (ActionCommand.TryParseV2) and unescapes it. */
function parseCommand(line: string): { command: string; properties: Record<string, string>; data: string } | undefined {
  const m = /^::([A-Za-z-]+)( ([^:]*))?::(.*)$/.exec(line);
  if (!m) return undefined;
  const unescape = (s: string, property: boolean) => {
    let out = s.replace(/%0D/g, '\r').replace(/%0A/g, '\n');
    if (property) out = out.replace(/%3A/g, ':').replace(/%2C/g, ',');
    return out.replace(/%25/g, '%');
  };
  const properties: Record<string, string> = {};
  for (const kv of (m[3] ?? '').split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    properties[kv.slice(0, i)] = unescape(kv.slice(i + 1), true);
  }
  return { command: m[1], properties, data: unescape(m[4], false) };
}

describe('check --format github|gitlab|junit', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is built by `npm test`'));

  it('github: workflow commands byte-identical to @actions/core, and the runner reads back file, lines, columns and the message', async () => {
    const dir = tempWorkspace(FILES);
    const expected = json(dir).findings;
    assert.ok(expected.length >= 3, JSON.stringify(expected));
    const r = runCli(['check', 'db', '--format', 'github'], dir);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    const commands = lines.filter((l) => l.startsWith('::'));
    assert.equal(commands.length, expected.length);
    assert.match(lines[lines.length - 1], /^\d+ problems \(/, 'a plain summary line for the log');

    // GitHub's toolkit writes the same finding with the same escaping.
    const core = await import('@actions/core');
    const sarif = JSON.parse(runCli(['check', 'db', '--format', 'sarif'], dir).stdout) as { runs: { results: { message: { text: string } }[] }[] };
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stdout.write;
    try {
      // SARIF carries the same message text (message and safe recipe), finding for finding.
      for (const [i, f] of expected.entries()) {
        const props = { title: f.rule, file: f.file, startLine: f.line, endLine: f.endLine, startColumn: f.column, endColumn: f.endColumn };
        const fn = f.severity === 'error' ? core.error : f.severity === 'warning' ? core.warning : core.notice;
        fn(sarif.runs[0].results[i].message.text, props);
      }
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(commands, written.join('').trimEnd().split(/\r?\n/));

    for (const [i, line] of commands.entries()) {
      const f = expected[i];
      const c = parseCommand(line);
      assert.ok(c, line);
      assert.equal(c.command, { error: 'error', warning: 'warning', info: 'notice' }[f.severity]);
      assert.deepEqual(c.properties, { title: f.rule, file: f.file, line: String(f.line), endLine: String(f.endLine), col: String(f.column), endColumn: String(f.endColumn) });
      assert.ok(c.data.startsWith(f.message), `${c.data} / ${f.message}`);
      assert.ok(!line.slice(2).includes('\n') && !line.includes('\r'), 'one line per command');
    }
    assert.ok(commands.every((l) => /,file=db\/a%2Cb%3Ac%25d\//.test(l)), 'the , : and % of the path are escaped');
    assert.ok(commands.some((l) => /::.*%250A%3A%3Ax|::.*%250A::x/.test(l)), 'a % in the message is escaped, : is not (data)');
    assert.ok(commands.some((l) => l.includes('%0D%0A')), 'the CRLF of the statement in the recipe is escaped');
    assert.ok(commands.some((l) => /::.*%0A/.test(l)), 'line breaks of the recipe are escaped');
  });

  it('gitlab: a Code Quality report valid against the documented schema; fingerprints unique and stable when lines move', () => {
    const dir = tempWorkspace(FILES);
    const r = runCli(['check', 'db', '--format', 'gitlab'], dir);
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { check_name: string; fingerprint: string; location: { path: string; lines: { begin: number } } }[];
    // No npm package ships GitLab's Code Quality schema: this one is written from GitLab's documentation
    // (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): an array of issues, each with
    // description, check_name, fingerprint, severity (info|minor|major|critical|blocker), location.path (relative,
    // no leading ./) and location.lines.begin or location.positions.begin.line.
    const schema = {
      type: 'array',
      items: {
        type: 'object',
        required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
        properties: {
          description: { type: 'string', minLength: 1 },
          check_name: { type: 'string', minLength: 1 },
          fingerprint: { type: 'string', minLength: 1 },
          severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
          location: {
            type: 'object',
            required: ['path'],
            properties: {
              path: { type: 'string', minLength: 1, not: { pattern: '^(\\./|/)' } },
              lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 }, end: { type: 'integer', minimum: 1 } } },
              positions: { type: 'object', required: ['begin'], properties: { begin: { type: 'object', required: ['line'], properties: { line: { type: 'integer', minimum: 1 } } } } },
            },
            oneOf: [{ required: ['lines'] }, { required: ['positions'] }],
          },
        },
      },
    };
    const validate = new Ajv({ allErrors: true }).compile(schema);
    assert.ok(validate(report), JSON.stringify(validate.errors));
    const expected = json(dir).findings;
    assert.deepEqual(report.map((x) => [x.check_name, x.location.path, x.location.lines.begin]), expected.map((f) => [f.rule, f.file, f.line]));
    assert.equal(new Set(report.map((x) => x.fingerprint)).size, report.length, 'GitLab shows only the first issue of a fingerprint');

    // Ten lines above the findings: the same fingerprints (GitLab does not report them as fixed and new).
    const file = path.join(dir, 'db/a,b:c%d/20240102000000_more.sql');
    fs.writeFileSync(file, '-- moved\n'.repeat(10) + fs.readFileSync(file, 'utf8'));
    const moved = JSON.parse(runCli(['check', 'db', '--format', 'gitlab'], dir).stdout) as typeof report;
    assert.deepEqual(moved.map((x) => x.location.lines.begin), report.map((x) => x.location.lines.begin + (x.location.path.endsWith('_more.sql') ? 10 : 0)));
    assert.ok(report.some((x) => x.location.path.endsWith('_more.sql')), 'a finding in the file that moved');
    assert.deepEqual(moved.map((x) => x.fingerprint), report.map((x) => x.fingerprint));
  });

  it('junit: parsed by a JUnit XML parser; one suite per file, one failing case per finding, escaping intact', async () => {
    const dir = tempWorkspace({ ...FILES, 'db/a,b:c%d/20240104000000_ctl.sql': 'CREATE TABLE "a<b>&\'c""\u0001" (id int);\n' });
    const r = runCli(['check', 'db', '--format', 'junit', '--output', 'out/junit.xml'], dir);
    assert.equal(r.status, 1, r.stderr);
    const xml = fs.readFileSync(path.join(dir, 'out/junit.xml'), 'utf8');
    const parsed = await parseJunit(xml);
    assert.ok(parsed && 'testsuite' in parsed, xml.slice(0, 300));
    const suites = parsed.testsuite ?? [];
    const expected = json(dir);
    assert.equal(suites.length, expected.files);
    assert.equal(parsed.failures, expected.findings.length);
    for (const s of suites) {
      const mine = expected.findings.filter((f) => f.file === s.name);
      assert.equal(s.failures, mine.length, s.name);
      const failing = (s.testcase ?? []).filter((t) => t.failure?.length);
      assert.deepEqual(failing.map((t) => t.name), mine.map((f) => `${f.rule} at ${f.line}:${f.column}`));
      for (const [i, t] of failing.entries()) {
        assert.equal(t.classname, s.name);
        assert.equal(t.failure![0].type, mine[i].severity);
        // XML 1.0 cannot carry control characters: they arrive as U+FFFD.
        const xmlSafe = (x: string) => x.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '\uFFFD');
        assert.equal(t.failure![0].message, xmlSafe(mine[i].message.split('\n')[0]));
        assert.ok(t.failure![0].inner!.includes(xmlSafe(mine[i].message)), 'the element text carries the whole message');
      }
      if (!mine.length) assert.deepEqual((s.testcase ?? []).map((t) => t.name), ['no problems']);
    }
    assert.ok(suites.some((s) => s.name === 'db/a,b:c%d/20240103000000_none.sql' && s.failures === 0));
    const all = expected.findings.map((f) => f.message).join('\n');
    assert.ok(all.includes('a<b>&\'c"'), 'the table name with XML characters reaches a message');
    assert.ok(suites.flatMap((s) => s.testcase ?? []).some((t) => t.failure?.[0].message?.includes('a<b>&\'c"')), 'and comes back unescaped from the parser');
  });
});

describe('check writes large reports in pieces', () => {
  it('a report of many 64 kB pieces: --output and standard output hold the same bytes, every format parses whole', async () => {
    const tables = Array.from({ length: 150 }, (_v, i) => `CREATE TABLE t${i} (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, ref bigint REFERENCES t${Math.max(0, i - 1)}, api_token text);`);
    const dir = tempWorkspace({ 'db/20240101000000_many.sql': tables.join('\n') + '\n' });
    const expected = json(dir);
    assert.ok(expected.findings.length >= 300, `${expected.findings.length} findings`);
    for (const format of ['json', 'sarif', 'gitlab', 'github', 'junit', 'text']) {
      const printed = runCli(['check', 'db', '--format', format], dir);
      assert.equal(printed.status, 0, printed.stderr);
      assert.ok(printed.stdout.length > 2 * 65536, `${format}: ${printed.stdout.length} characters, several pieces`);
      const written = runCli(['check', 'db', '--format', format, '--output', `out/report.${format}`], dir);
      assert.equal(written.status, 0, written.stderr);
      assert.equal(fs.readFileSync(path.join(dir, `out/report.${format}`), 'utf8'), printed.stdout, format);
    }
    assert.equal((JSON.parse(runCli(['check', 'db', '--format', 'sarif'], dir).stdout) as { runs: { results: unknown[] }[] }).runs[0].results.length, expected.findings.length);
    assert.equal((JSON.parse(runCli(['check', 'db', '--format', 'gitlab'], dir).stdout) as unknown[]).length, expected.findings.length);
    const junit = await parseJunit(runCli(['check', 'db', '--format', 'junit'], dir).stdout);
    assert.equal(junit?.failures, expected.findings.length);
  });
});
