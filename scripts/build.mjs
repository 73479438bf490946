// Bundles each entry point into dist/ with esbuild and copies libpg-query's WebAssembly next to the bundles.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  { in: 'cli/main.ts', out: 'cli.js', banner: '#!/usr/bin/env node' },
  { in: 'server/main.ts', out: 'server.js' },
  { in: 'client/extension.ts', out: 'extension.js' },
  { in: 'pg/worker.ts', out: 'pg-worker.js' },
].filter((e) => fs.existsSync(path.join(root, e.in)));

const watch = process.argv.includes('--watch');
// --no-minify keeps function names readable in `node --cpu-prof` profiles.
const minify = !watch && !process.argv.includes('--no-minify');
await Promise.all(entries.map((e) => build({
  entryPoints: [path.join(root, e.in)],
  outfile: path.join(root, 'dist', e.out),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify,
  keepNames: false,
  // jsonc-parser's UMD build hides its requires from the bundler; its ESM build does not.
  mainFields: ['module', 'main'],
  // PGlite runs only in the worker bundle; the others never load it.
  external: e.out === 'pg-worker.js' ? ['vscode'] : ['vscode', '@electric-sql/pglite'],
  banner: e.banner ? { js: e.banner } : undefined,
  logLevel: 'warning',
})));
const wasm = path.join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm');
fs.copyFileSync(wasm, path.join(root, 'dist/libpg-query.wasm'));
// PGlite loads its WebAssembly and data files from beside the bundle, too.
const pglite = path.join(root, 'node_modules/@electric-sql/pglite/dist');
if (fs.existsSync(path.join(root, 'pg')) && fs.existsSync(pglite)) {
  for (const f of fs.readdirSync(pglite)) if (/\.(wasm|data|tar\.gz)$/.test(f)) fs.copyFileSync(path.join(pglite, f), path.join(root, 'dist', f));
}
if (fs.existsSync(path.join(root, 'dist/cli.js'))) fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
console.log(`built ${entries.map((e) => `dist/${e.out}`).join(', ')}`);
