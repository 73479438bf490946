#!/usr/bin/env node
// Reproduces the precision sample of docs/accuracy.md: runs `check` on each set of ../shared/corpus and draws, per
// set, one finding of every rule that fired there (a seeded draw, so the same code gives the same sample), printed
// with the statement around it for a reviewer to judge. Also prints the per-rule volume.
//   node scripts/accuracy-sample.mjs [--seed 11] [--per-rule 1] [--volume]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const SETS = ['basejump', 'danbooru', 'hoppscotch', 'kratos', 'supabase-auth', 'supabase-examples', 'supabase-storage', 'trigger-dev'];
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const perRule = arg('--per-rule', 1);
let state = arg('--seed', 11);
const random = () => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
};

if (!fs.existsSync(CORPUS)) {
  console.error(`no corpus at ${CORPUS}`);
  process.exit(2);
}
const volume = {};
let n = 0;
for (const set of SETS) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', set, '--format', 'json', '--fail-on', 'never'], { cwd: CORPUS, encoding: 'utf8', maxBuffer: 1 << 28 });
  const { findings } = JSON.parse(r.stdout);
  const byRule = new Map();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  for (const [rule, list] of [...byRule].sort(([a], [b]) => (a < b ? -1 : 1))) {
    (volume[rule] ??= {})[set] = list.length;
    if (process.argv.includes('--volume')) continue;
    const picked = list.map((f) => [random(), f]).sort((a, b) => a[0] - b[0]).slice(0, perRule).map(([, f]) => f);
    for (const f of picked) {
      const lines = fs.readFileSync(path.join(CORPUS, f.file), 'utf8').split('\n');
      const around = lines.slice(Math.max(0, f.line - 3), f.line + 4).map((l, i) => `    ${Math.max(1, f.line - 2) + i}| ${l.slice(0, 160)}`).join('\n');
      console.log(`#${++n} ${set} ${rule} (${list.length} in the set) ${f.severity} ${f.file}:${f.line}\n  ${f.message}\n${around}\n`);
    }
  }
}
if (process.argv.includes('--volume')) {
  console.log(`| rule | ${SETS.join(' | ')} |\n|---|${SETS.map(() => '---:').join('|')}|`);
  for (const rule of Object.keys(volume).sort()) console.log(`| ${rule} | ${SETS.map((s) => volume[rule][s] ?? 0).join(' | ')} |`);
}
