// The extension manifest agrees with the code: settings from the registry, commands registered, engines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { updatedManifest } from '../scripts/gen-manifest';
import { allRuleIds } from '../rules/index';

const ROOT = path.resolve(__dirname, '..');
const pkgText = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
const pkg = JSON.parse(pkgText);

describe('package.json (extension manifest)', () => {
  it('the sqlArchitect.rules setting lists exactly the registry rule ids (npx tsx scripts/gen-manifest.ts)', () => {
    assert.equal(updatedManifest(pkgText), pkgText);
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties['sqlArchitect.rules'].properties).sort(), [...allRuleIds].sort());
  });

  it('every contributed command is in the "SQL Architect" category and registered by the client', () => {
    const sources = fs.readdirSync(path.join(ROOT, 'client'), { recursive: true })
      .filter((f) => String(f).endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'client', String(f)), 'utf8')).join('\n');
    for (const c of pkg.contributes.commands) {
      assert.equal(c.category, 'SQL Architect', c.command);
      assert.match(c.command, /^sqlArchitect\.[a-z][A-Za-z]+$/);
      assert.ok(sources.includes(`'${c.command}'`), `${c.command} is not registered in client/`);
    }
  });

  it('every setting is resource-scoped under sqlArchitect.* and the documented ones exist', () => {
    const props = pkg.contributes.configuration.properties;
    for (const k of ['enable', 'run', 'scope', 'postgresVersion', 'tenantColumns', 'tenantSetting', 'sensitiveColumns', 'rules', 'migrationsGlob', 'trace.server']) {
      assert.ok(props[`sqlArchitect.${k}`], k);
    }
    for (const [k, v] of Object.entries(props) as [string, { scope: string }][]) {
      assert.match(k, /^sqlArchitect\./);
      // Window-level tracing and a machine-specific server URL; everything else can differ per folder.
      if (k === 'sqlArchitect.trace.server') assert.equal(v.scope, 'window');
      else if (k === 'sqlArchitect.databaseUrl') assert.equal(v.scope, 'machine-overridable');
      else assert.equal(v.scope, 'resource', k);
    }
  });

  it('engines.vscode matches what vscode-languageclient requires, and the entry points exist in the build', () => {
    const lc = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/vscode-languageclient/package.json'), 'utf8'));
    assert.equal(pkg.engines.vscode, lc.engines.vscode);
    assert.equal(pkg.main, './dist/extension.js');
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/extension.js')) && fs.existsSync(path.join(ROOT, 'dist/server.js')));
    assert.ok(pkg.categories.includes('Linters') && pkg.categories.includes('Programming Languages'));
    assert.ok(fs.existsSync(path.join(ROOT, pkg.contributes.jsonValidation[0].url)), 'the JSON schema exists');
  });
});
