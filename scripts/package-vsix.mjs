// Packs the extension into a .vsix with @vscode/vsce, offline. Run after scripts/build.mjs
// (`npm run package` does both). The bundles in dist/ are self-contained, so no node_modules are packed
// (--no-dependencies); what goes in is decided by .vscodeignore (an allow-list). package.json's `files` is the npm
// package's allow-list, and vsce refuses both at once: vsce packs a staging copy whose manifest has no `files`.
//
//   node scripts/package-vsix.mjs [--out <file.vsix>]
//
// Prints the .vsix path and size; exits non-zero when vsce fails, when a required file is missing from the
// package, when something that must never ship is in it (node_modules, source maps, TypeScript sources), or
// when the package is over the 5 MB budget.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_BYTES = 5 * 1024 * 1024;
const REQUIRED = ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/libpg-query.wasm', 'extension/images/icon.png'];
const FORBIDDEN = [/(^|\/)node_modules\//, /\.map$/, /\.ts$/, /(^|\/)\.test-tools\//, /(^|\/)test\//, /(^|\/)scratch\//];
// PGlite's files: about 5.2 MB compressed, more than the whole budget (see .vscodeignore).
const PGLITE_FILES = ['pglite.wasm', 'pglite.data', 'initdb.wasm'];

function fail(message) {
  console.error(`package-vsix: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { out: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) args.out = path.resolve(argv[++i]);
    else if (argv[i].startsWith('--out=')) args.out = path.resolve(argv[i].slice('--out='.length));
    else if (argv[i] === '--with-pglite') args.withPglite = true;
    else fail(`unknown argument ${argv[i]} (usage: node scripts/package-vsix.mjs [--out file.vsix] [--with-pglite])`);
  }
  return args;
}

/** Entry names and uncompressed sizes from a zip's central directory. */
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) fail(`${file}: corrupt central directory`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;

const args = parseArgs(process.argv.slice(2));
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = args.out ?? path.join(root, `${manifest.name}-${manifest.version}${args.withPglite ? '-full' : ''}.vsix`);
// --with-pglite: the "full" package also ships PGlite, so Trace Migration Locks and Prove Tenant Isolation work
// with no server; it is about 6.5 MB, over the 5 MB budget of the default package.
const budget = args.withPglite ? 8 * 1024 * 1024 : MAX_BYTES;

for (const f of ['dist/extension.js', 'dist/server.js', 'dist/libpg-query.wasm']) {
  if (!fs.existsSync(path.join(root, f))) fail(`${f} is missing: run node scripts/build.mjs first`);
}
if (!fs.existsSync(path.join(root, 'README.md'))) console.warn('package-vsix: warning: README.md is missing; the Marketplace page will be empty');
const vsce = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
if (!fs.existsSync(vsce)) fail('node_modules/.bin/vsce not found: @vscode/vsce is a devDependency, run npm install');

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.rmSync(out, { force: true });
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-vsix-'));
process.on('exit', () => fs.rmSync(stage, { recursive: true, force: true }));
for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'images', 'syntaxes', 'schemas', 'docs', 'dist']) {
  if (fs.existsSync(path.join(root, f))) fs.cpSync(path.join(root, f), path.join(stage, f), { recursive: true, filter: (src) => !src.endsWith('.map') });
}
const { files: _npmFiles, ...vsixManifest } = manifest;
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(vsixManifest, null, 2));
const vsceArgs = ['package', '--no-dependencies', '--out', out];
if (args.withPglite) {
  const ignore = path.join(stage, '.vscodeignore-full');
  const extra = fs.readdirSync(path.join(root, 'dist')).filter((f) => /\.(wasm|data|tar\.gz)$/.test(f)).map((f) => `!dist/${f}`);
  fs.writeFileSync(ignore, `${fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8')}\n${extra.join('\n')}\n`);
  vsceArgs.push('--ignoreFile', ignore);
}
if (!manifest.repository) vsceArgs.push('--allow-missing-repository');
// vsce 3.x declares engines.node >=22 but packs fine on Node 20; it needs no network for `package`.
const res = spawnSync(vsce, vsceArgs, { cwd: stage, stdio: 'inherit', env: { ...process.env, VSCE_TELEMETRY: 'false' } });
if (res.error) fail(`could not run vsce: ${res.error.message}`);
if (res.status !== 0) fail(`vsce package exited with ${res.status}`);
if (!fs.existsSync(out)) fail(`vsce reported success but ${out} does not exist`);

const entries = zipEntries(out);
const names = new Set(entries.map((e) => e.name));
const missing = REQUIRED.filter((r) => !names.has(r));
if (missing.length) fail(`the package lacks ${missing.join(', ')}`);
const bad = entries.filter((e) => FORBIDDEN.some((re) => re.test(e.name)));
if (bad.length) fail(`the package contains files that must not ship: ${bad.map((e) => e.name).slice(0, 10).join(', ')}`);

const size = fs.statSync(out).size;
const leftOut = PGLITE_FILES.filter((f) => fs.existsSync(path.join(root, 'dist', f)) && !names.has(`extension/dist/${f}`));
if (leftOut.length && !args.withPglite) {
  const bytes = leftOut.reduce((n, f) => n + fs.statSync(path.join(root, 'dist', f)).size, 0);
  console.log(`package-vsix: left out PGlite's ${leftOut.join(', ')} (${mb(bytes)} uncompressed): they alone exceed the ${mb(MAX_BYTES)} budget`);
}
console.log(`package-vsix: ${entries.length} entries, ${kb(entries.reduce((n, e) => n + e.size, 0))} uncompressed`);
console.log(`${out} ${size} bytes (${mb(size)})`);
if (size > budget) fail(`${out} is ${mb(size)}, over the ${mb(budget)} budget`);
