// TextMate grammar tests: runs the vscode-tmgrammar-test CLI over test/grammar/* and checks that
// the harness really fails on a wrong assertion. Grammar sources: syntaxes/*.tmLanguage.json.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const grammarDir = path.join(root, 'test', 'grammar');

/** Same arguments as the documented command in docs/grammar.md. */
const GRAMMAR_ARGS = [
  '-g', 'syntaxes/pgsql.tmLanguage.json',
  // Stand-in for VS Code's built-in source.sql, which is not in node_modules.
  '-g', 'test/grammar/fixtures/sql-base.fixture.tmLanguage.json',
  // `-g` cannot express injectTo, so the injection grammar is declared in this config.
  '--config', 'test/grammar/fixtures/tmgrammar-test.config.json',
];
const TESTCASES = ['test/grammar/*.test.pgsql', 'test/grammar/*.test.sql'];

/** The script that node_modules/.bin/vscode-tmgrammar-test links to, run with this node (no shell, works on Windows). */
function cliScript(): string {
  const pkgJson = require.resolve('vscode-tmgrammar-test/package.json', { paths: [root] });
  const pkg = JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { bin: Record<string, string> };
  return path.join(path.dirname(pkgJson), pkg.bin['vscode-tmgrammar-test']);
}

function runCli(testcases: string[]): SpawnSyncReturns<string> {
  const result = spawnSync(process.execPath, [cliScript(), '--compact', ...GRAMMAR_ARGS, ...testcases], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  if (result.error) throw result.error;
  return result;
}

function output(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Glob-safe path for the CLI (it globs its arguments; globs want forward slashes). */
function globPath(p: string): string {
  return p.split(path.sep).join('/');
}

function assertionFiles(): string[] {
  return fs
    .readdirSync(grammarDir)
    .filter((f) => f.endsWith('.test.pgsql') || f.endsWith('.test.sql'))
    .sort();
}

/** Counts assertions the way vscode-tmgrammar-test reads them: each `^` run and each `<-` line is one. */
function countAssertions(text: string): { total: number; negative: number } {
  let total = 0;
  let negative = 0;
  for (const line of text.split(/\r?\n/).slice(1)) {
    const m = /^--(\s*)(\^[\s^]*|<~*-+)(.*)$/.exec(line);
    if (!m) continue;
    const n = m[2].startsWith('<') ? 1 : (m[2].match(/\^+/g) ?? []).length;
    total += n;
    if (/(^|\s)-(\s|$)/.test(m[3])) negative += n;
  }
  return { total, negative };
}

type Rule = { [key: string]: unknown };

/** Every `include` must resolve: vscode-textmate silently ignores a missing repository key. */
function collectIncludes(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collectIncludes(child, out);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Rule)) {
      if (key === 'include' && typeof value === 'string') out.push(value);
      else collectIncludes(value, out);
    }
  }
}

describe('TextMate grammar (syntaxes/)', () => {
  const grammars = new Map<string, { repository?: Record<string, unknown> }>();
  for (const file of ['pgsql.tmLanguage.json', 'pgsql-injection.tmLanguage.json']) {
    const json = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes', file), 'utf8')) as {
      scopeName: string;
      repository?: Record<string, unknown>;
    };
    grammars.set(json.scopeName, json);
  }

  it('grammar files declare the expected scopes and every include resolves', () => {
    assert.deepEqual([...grammars.keys()].sort(), ['source.pgsql', 'source.pgsql.injection']);
    const injection = JSON.parse(
      fs.readFileSync(path.join(root, 'syntaxes', 'pgsql-injection.tmLanguage.json'), 'utf8'),
    ) as { injectionSelector?: string };
    assert.match(injection.injectionSelector ?? '', /^L:source\.sql\b/);

    for (const [scope, grammar] of grammars) {
      const includes: string[] = [];
      collectIncludes(grammar, includes);
      for (const inc of includes) {
        if (inc === '$self' || inc === '$base') continue;
        const [target, key] = inc.startsWith('#') ? [scope, inc.slice(1)] : inc.split('#');
        const g = grammars.get(target);
        assert.ok(g, `${scope}: include "${inc}" names an unknown grammar`);
        if (key !== undefined) assert.ok(g.repository && key in g.repository, `${scope}: include "${inc}" has no repository entry`);
      }
    }
  });

  it('language configuration is valid JSON with -- and /* */ comments', () => {
    const conf = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes', 'language-configuration.json'), 'utf8')) as {
      comments: { lineComment: string; blockComment: [string, string] };
    };
    assert.equal(conf.comments.lineComment, '--');
    assert.deepEqual(conf.comments.blockComment, ['/*', '*/']);
  });

  it('assertion files are substantial (>= 40 assertions, with negative ones)', () => {
    const files = assertionFiles();
    assert.ok(files.some((f) => f.endsWith('.test.sql')), 'expected an injection test (*.test.sql)');
    let total = 0;
    let negative = 0;
    for (const f of files) {
      const counts = countAssertions(fs.readFileSync(path.join(grammarDir, f), 'utf8'));
      assert.ok(counts.total > 0, `${f} has no assertions`);
      total += counts.total;
      negative += counts.negative;
    }
    assert.ok(total >= 40, `only ${total} assertions`);
    assert.ok(negative >= 10, `only ${negative} negative assertions`);
  });

  it('every assertion file passes vscode-tmgrammar-test', () => {
    const r = runCli(TESTCASES);
    assert.equal(r.status, 0, output(r));
    for (const f of assertionFiles()) {
      assert.ok(r.stdout.includes(`test/grammar/${f}`), `${f} was not run\n${output(r)}`);
    }
  });

  describe('the harness can fail', () => {
    let tmp = '';
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-architect-grammar-'));
    });
    after(() => {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const header = '-- SYNTAX TEST "source.pgsql" "harness self-check"';

    it('passes a correct assertion (control)', () => {
      const file = path.join(tmp, 'right.test.pgsql');
      fs.writeFileSync(file, `${header}\nSELECT 1;\n-- <------ keyword.other.dml.pgsql\n`);
      const r = runCli([globPath(file)]);
      assert.equal(r.status, 0, output(r));
    });

    it('fails on a wrong positive and a wrong negative assertion', () => {
      const file = path.join(tmp, 'wrong.test.pgsql');
      fs.writeFileSync(
        file,
        [
          header,
          'SELECT 1;',
          '-- <------ comment.line.double-dash.pgsql',
          "SELECT '-- not a comment';",
          '--      ^^ - string.quoted.single.pgsql',
          '',
        ].join('\n'),
      );
      const r = runCli([globPath(file)]);
      assert.notEqual(r.status, 0, output(r));
      const errors = r.stdout.split(/\r?\n/).filter((l) => l.startsWith('ERROR'));
      assert.equal(errors.length, 2, output(r));
      // The compact reporter names the asserted source line (2 and 4), not the assertion line.
      assert.match(errors[0], /wrong\.test\.pgsql:2:.*Missing required scopes: \[ comment\.line\.double-dash\.pgsql \]/);
      assert.match(errors[1], /wrong\.test\.pgsql:4:.*Prohibited scopes: \[ string\.quoted\.single\.pgsql \]/);
    });
  });

  it('package.json contributes point at these files', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      contributes?: {
        languages?: { id: string; extensions?: string[]; configuration?: string }[];
        grammars?: { language?: string; scopeName: string; path: string; injectTo?: string[] }[];
      };
    };
    const grammarsContrib = pkg.contributes?.grammars ?? [];

    const lang = pkg.contributes?.languages?.find((l) => l.id === 'pgsql');
    assert.ok(lang, 'languages entry for pgsql');
    assert.ok(!(lang.extensions ?? []).includes('.sql'), 'pgsql must not claim .sql (the built-in sql language keeps it)');
    assert.ok(lang.configuration && fs.existsSync(path.join(root, lang.configuration)), 'language configuration path');
    for (const scope of ['source.pgsql', 'source.pgsql.injection']) {
      const g = grammarsContrib.find((x) => x.scopeName === scope);
      assert.ok(g, `grammars entry for ${scope}`);
      const file = path.join(root, g.path);
      assert.ok(fs.existsSync(file), `${g.path} exists`);
      assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as { scopeName: string }).scopeName, scope);
    }
    assert.deepEqual(grammarsContrib.find((x) => x.scopeName === 'source.pgsql.injection')?.injectTo, ['source.sql']);
  });
});
