// The npm package: `npm pack`, installed offline from the tarball into an empty prefix with an empty cache (so
// nothing can come from the registry), then `sql-architect check`, `npx sql-architect check` and `trace` (PGlite
// ships in the package) on the bundled examples, and the pre-commit hook's entry from the installed bin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT, runCli } from './helpers';

// Requires in the bundles that are not Node built-ins, and why they never load.
const OPTIONAL_REQUIRES: Record<string, string> = {
  'pg-native': "pg's native binding, loaded only through pg.native, which nothing here uses",
  ws: "Emscripten's socket layer inside PGlite, used only for network sockets, which PGlite never opens here",
};

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', timeout: 300000, env: { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...opts.env } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('npm package (npm pack, offline install)', function () {
  this.timeout(300000);
  let tmp: string;
  let tarball: string;
  let prefix: string;
  let packed: { files: { path: string; size: number }[]; size: number; unpackedSize: number };

  before(function () {
    if (spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0) {
      // Packing needs npm itself; CI always has it (npm ci runs first), a bare node install may not.
      console.log('SKIPPED: npm is not on PATH');
      this.skip();
    }
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/cli.js')), 'dist/ is built by `npm test`');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-pack-'));
    // dist/ is fresh (npm test builds first): skip the prepack build.
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT });
    assert.equal(pack.status, 0, pack.stderr);
    packed = (JSON.parse(pack.stdout) as (typeof packed & { filename: string })[])[0];
    tarball = path.join(tmp, path.basename((JSON.parse(pack.stdout) as { filename: string }[])[0].filename));
    prefix = path.join(tmp, 'prefix');
    const install = run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--cache', path.join(tmp, 'empty-cache'), tarball], { cwd: tmp });
    assert.equal(install.status, 0, `offline install of the tarball: ${install.stderr}`);
  });

  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  it('is publishable, declares no runtime dependencies and ships only what runs', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.private, undefined);
    assert.deepEqual([pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies], [undefined, undefined, undefined]);
    assert.equal(pkg.bin['sql-architect'], 'dist/cli.js');
    const names = packed.files.map((f) => f.path).sort();
    for (const f of ['dist/cli.js', 'dist/server.js', 'dist/pg-worker.js', 'dist/libpg-query.wasm', 'dist/pglite.wasm', 'dist/pglite.data', 'dist/initdb.wasm', 'package.json', 'README.md', 'LICENSE']) assert.ok(names.includes(f), f);
    const unexpected = names.filter((f) => !/^(package\.json|README\.md|LICENSE|dist\/(cli|server|pg-worker)\.js|dist\/[\w.-]+\.(wasm|data|tar\.gz))$/.test(f));
    assert.deepEqual(unexpected, [], 'no source maps, sources, tests or the VS Code client');
    assert.ok(!fs.existsSync(path.join(prefix, 'lib/node_modules/sql-architect/node_modules')), 'nothing was installed beside it');
    // The size the README states (npm counts MB as 10^6 bytes).
    console.log(`      package: ${(packed.size / 1e6).toFixed(1)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${names.length} files`);
  });

  it('the bundles require nothing at run time but Node built-ins (and two optional modules that never load)', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const bundle of ['cli.js', 'server.js', 'pg-worker.js']) {
      const code = fs.readFileSync(path.join(prefix, 'lib/node_modules/sql-architect/dist', bundle), 'utf8');
      const required = new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
      const foreign = [...required].filter((m) => !builtins.has(m) && !(m in OPTIONAL_REQUIRES));
      assert.deepEqual(foreign, [], `${bundle} requires packages that are not in the tarball`);
    }
  });

  it('sql-architect check and npx sql-architect check run from the installed tarball on the bundled examples', () => {
    const work = path.join(tmp, 'project');
    fs.cpSync(path.join(ROOT, 'examples'), path.join(work, 'db'), { recursive: true });
    const expected = runCli(['check', 'db/migrations', '--format', 'json'], work);
    const bin = path.join(prefix, 'bin', 'sql-architect');
    const installed = run(bin, ['check', 'db/migrations', '--format', 'json'], { cwd: work });
    assert.equal(installed.status, 1, installed.stderr);
    assert.equal(installed.stdout, expected.stdout, 'the same review as the repository build');
    assert.ok((JSON.parse(installed.stdout) as { findings: unknown[] }).findings.length > 10);
    const npx = run('npx', ['--yes', '--offline', '--cache', path.join(tmp, 'npx-cache'), `--package=${tarball}`, '--', 'sql-architect', 'check', 'db/migrations'], { cwd: work });
    assert.equal(npx.status, 1, npx.stderr);
    assert.match(npx.stdout, /problems \(3 errors, \d+ warnings, 0 info\) in 6 files\./);
  });

  it('trace runs on the embedded PostgreSQL that ships in the package', () => {
    const work = path.join(tmp, 'trace');
    fs.cpSync(path.join(ROOT, 'examples'), path.join(work, 'db'), { recursive: true });
    const r = run(path.join(prefix, 'bin', 'sql-architect'), ['trace', 'db/migrations', '--format', 'json'], { cwd: work });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { statements: { sql: string; locks: { mode: string }[]; error?: string }[] };
    assert.ok(report.statements.length > 10);
    assert.deepEqual(report.statements.filter((s) => s.error), []);
    assert.ok(report.statements.some((s) => /^CREATE INDEX/.test(s.sql) && s.locks.some((l) => l.mode === 'ShareLock')), 'locks measured by PostgreSQL');
  });

  it('the pre-commit hook entry runs from the installed bin, as pre-commit runs it after npm install -g', () => {
    const hook = (parseYaml(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string }[]).find((h) => h.id === 'sql-architect')!;
    const work = path.join(tmp, 'hook');
    fs.cpSync(path.join(ROOT, 'examples'), path.join(work, 'db'), { recursive: true });
    const [bin, ...args] = hook.entry.split(/\s+/);
    const staged = 'db/migrations/20240106090000_grow_users.sql';
    const r = run(bin, [...args, staged], { cwd: work, env: { PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => /^\S+:\d+:\d+ /.test(l));
    assert.ok(lines.length > 0, r.stdout);
    assert.ok(lines.every((l) => l.startsWith(`${staged}:`)), r.stdout);
  });
});
