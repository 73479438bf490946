// The import fence of eslint.config.mjs, checked with ESLint itself: imports planted in files of each layer must
// fail or pass lint as docs/architecture.md says.
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from './helpers';

const RULE = '@typescript-eslint/no-restricted-imports';

describe('the import fence (eslint.config.mjs)', function () {
  this.timeout(60000);
  const eslint = new ESLint({ cwd: ROOT });

  /** The restricted-import messages of a planted file at `file` (repository-relative) with this import. */
  async function lint(file: string, specifier: string): Promise<string[]> {
    const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath: path.join(ROOT, file) });
    return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
  }

  const denied: [string, string][] = [
    ['rules/catalogue/planted-rule.ts', '../../pg/engine'],
    ['rules/catalogue/planted-rule.ts', '../../io/files'],
    ['rules/catalogue/planted-rule.ts', '../../server/workspace'],
    ['rules/catalogue/planted-rule.ts', '../../cli/format'],
    ['rules/catalogue/planted-rule.ts', '../../client/extension'],
    ['rules/catalogue/planted-rule.ts', '../../protocol/index'],
    ['rules/catalogue/planted-rule.ts', '../engine/../../pg/engine'],
    ['rules/index.ts', '../pg/index'],
    ['rules/catalogue/planted-rule.ts', 'pg'],
    ['rules/catalogue/planted-rule.ts', 'vscode'],
    ['rules/catalogue/planted-rule.ts', 'vscode-uri'],
    ['rules/catalogue/planted-rule.ts', 'vscode-languageserver-textdocument'],
    ['rules/catalogue/planted-rule.ts', 'vscode-languageserver/node'],
    ['rules/catalogue/planted-rule.ts', 'node:fs'],
    ['rules/catalogue/planted-rule.ts', 'fs'],
    ['rules/catalogue/planted-rule.ts', 'child_process'],
    ['rules/report/planted.ts', 'node:path'],
    ['rules/catalogue/planted-rule.ts', 'libpg-query'],
    ['rules/engine/planted.ts', 'libpg-query'],
    ['rules/parser/planted.ts', '../../pg/engine'],
    ['rules/parser/planted.ts', 'node:fs'],
    ['pg/planted.ts', 'libpg-query'],
    ['server/planted.ts', 'libpg-query'],
    ['server/planted.ts', '../cli/format'],
    ['server/planted.ts', '../cli/project'],
    ['server/planted.ts', '../rules/engine/run'],
    ['cli/planted.ts', '../server/workspace'],
    ['client/planted.ts', '../rules/index'],
    ['client/planted.ts', '../server/workspace'],
    ['io/planted.ts', '../cli/project'],
    ['pg/planted.ts', '../server/database'],
    ['protocol/planted.ts', '../server/workspace'],
  ];
  for (const [file, specifier] of denied) {
    it(`${file}: import '${specifier}' fails lint`, async () => {
      assert.equal((await lint(file, specifier)).length, 1, `import '${specifier}' in ${file} passed lint`);
    });
  }

  const allowed: [string, string][] = [
    ['rules/catalogue/planted-rule.ts', '../engine/types'],
    ['rules/catalogue/planted-rule.ts', './util'],
    ['rules/catalogue/planted-rule.ts', 'picomatch/posix'],
    ['rules/parser/planted.ts', 'libpg-query'],
    ['rules/catalogue/planted-rule.test.ts', 'node:assert/strict'],
    ['server/planted.ts', '../rules/index'],
    ['server/planted.ts', '../io/git'],
    ['server/planted.ts', '../protocol/index'],
    ['pg/planted.ts', './protocol'],
    ['client/planted.ts', '../protocol/index'],
    ['cli/planted.ts', '../io/project'],
  ];
  for (const [file, specifier] of allowed) {
    it(`${file}: import '${specifier}' passes`, async () => {
      assert.deepEqual(await lint(file, specifier), []);
    });
  }

  it('protocol/ may take types, not code, from the core', async () => {
    const lintCode = async (code: string) => (await eslint.lintText(code, { filePath: path.join(ROOT, 'protocol/planted.ts') }))[0].messages.filter((m) => m.ruleId === RULE);
    assert.deepEqual(await lintCode("import type { Finding } from '../rules/index';\nexport type F = Finding;\n"), []);
    assert.equal((await lintCode("import { allRules } from '../rules/index';\nexport const n = allRules.length;\n")).length, 1);
  });
});
