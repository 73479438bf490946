// `npm run bench`: prints numbers, asserts nothing. Parse vs full check in-process, whole-process CLI time and
// peak memory against Squawk, and the language server's figures over a real stdio connection.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSync } from 'libpg-query';
import { allRules, analyzeSet, defaultConfig, groupMigrationSets, initParser } from '../rules/index';
import { collectSqlFiles } from '../io/files';
import { generateMigration } from './generate';
import { LspClient } from '../test/lsp-client';

const ROOT = path.resolve(__dirname, '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const CLI = path.join(ROOT, 'dist/cli.js');
const SQUAWK = path.join(ROOT, 'node_modules/.bin/squawk');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function processRun(cmd: string, args: string[], cwd = ROOT): { ms: number; maxRssMb: number; status: number | null } {
  const rssFile = path.join(os.tmpdir(), `sqla-rss-${process.pid}-${Math.random()}`);
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, SQLA_MAXRSS_FILE: rssFile, NODE_OPTIONS: `--require ${path.join(__dirname, 'maxrss.cjs')}` } });
  const elapsed = Number(process.hrtime.bigint() - t) / 1e6;
  let maxRssMb = NaN;
  try { maxRssMb = Number(fs.readFileSync(rssFile, 'utf8')) / 1024; fs.rmSync(rssFile); } catch { /* not a node process */ }
  return { ms: elapsed, maxRssMb, status: r.status };
}

interface Workload { name: string; files: string[] }

async function main(): Promise<void> {
  await initParser();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-bench-'));
  const gen = path.join(tmp, 'migrations/20240101000000_generated.sql');
  fs.mkdirSync(path.dirname(gen), { recursive: true });
  fs.writeFileSync(gen, generateMigration(6000));
  const corpusFiles = fs.existsSync(CORPUS) ? collectSqlFiles([CORPUS], () => undefined).filter((f) => !f.includes('/pg-regress/')) : [];
  const workloads: Workload[] = [{ name: `generated 6,000-line migration`, files: [gen] }];
  const danbooru = path.join(CORPUS, 'danbooru/structure.sql');
  if (fs.existsSync(danbooru)) workloads.push({ name: 'danbooru/structure.sql', files: [danbooru] });
  if (corpusFiles.length) workloads.push({ name: `corpus (${corpusFiles.length} files, pg-regress excluded)`, files: corpusFiles });

  console.log(`SQL Architect benchmark — node ${process.version}, ${os.cpus().length} cores, median of ${RUNS} runs\n`);
  console.log('## Core, in one process (warm)');
  for (const w of workloads) {
    const texts = w.files.map((f) => ({ path: f, text: fs.readFileSync(f, 'utf8') }));
    const lines = texts.reduce((n, t) => n + t.text.split('\n').length, 0);
    const parse: number[] = [];
    const check: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const p = time(() => { for (const t of texts) { try { parseSync(t.text); } catch { /* templated files do not parse whole */ } } });
      const sets = groupMigrationSets(w.files);
      const byPath = new Map(texts.map((t) => [t.path, t.text]));
      const c = time(() => {
        for (const s of sets) analyzeSet({ id: s.id, files: s.files.map((f) => ({ path: f.path, text: byPath.get(f.path)!, replayed: f.replayed })) }, { config: defaultConfig(), rules: allRules });
      });
      if (i > 0) { parse.push(p); check.push(c); }
    }
    console.log(`- ${w.name} (${lines} lines): bare libpg-query parseSync ${ms(median(parse))}, full check ${ms(median(check))}, ratio ${(median(check) / median(parse)).toFixed(2)}×`);
  }

  console.log('\n## Whole process (CLI vs Squawk)');
  for (const w of workloads) {
    const ours: ReturnType<typeof processRun>[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(processRun(process.execPath, [CLI, 'check', '--format', 'json', ...w.files]));
      if (fs.existsSync(SQUAWK)) theirs.push(processRun(SQUAWK, ['--reporter', 'json', ...w.files]).ms);
    }
    const sq = theirs.length ? median(theirs) : NaN;
    const o = median(ours.map((r) => r.ms));
    console.log(`- ${w.name}: sql-architect ${ms(o)} (peak RSS ${median(ours.map((r) => r.maxRssMb)).toFixed(0)} MB), squawk ${Number.isNaN(sq) ? 'n/a' : ms(sq)}${Number.isNaN(sq) ? '' : `, ratio ${(o / sq).toFixed(2)}×`}`);
  }
  if (corpusFiles.length) console.log('  (both tools get the same file list; sql-architect groups it into migration sets and replays each)');

  console.log('\n## Language server over stdio');
  const lsp = new LspClient(path.join(ROOT, 'dist/server.js'));
  await lsp.initialize(tmp);
  const text = fs.readFileSync(gen, 'utf8');
  await lsp.open(gen, text);
  await lsp.waitFor(() => lsp.diagnostics.size > 0, 'first diagnostics', 120000);
  const latencies: number[] = [];
  let version = 1;
  for (let i = 0; i < Math.max(RUNS * 4, 20); i++) {
    // Edit one statement in the middle of the file, as typing does.
    const edited = text.replace('bench_table_100 IS', `bench_table_100 IS ${'x'.repeat(i + 1)}`).replace(`'benchmark table 100'`, `'benchmark table 100 edit ${i}'`);
    const before = lsp.notifications.length;
    const t = process.hrtime.bigint();
    const got = new Promise<void>((resolve) => {
      const off = lsp.conn.onNotification('textDocument/publishDiagnostics', () => { off.dispose(); resolve(); });
    });
    await lsp.change(gen, edited, ++version);
    await Promise.race([got, lsp.waitFor(() => lsp.notifications.length > before + 1, 'status after change', 60000)]);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`- didChange → publishDiagnostics on the 6,000-line migration: median ${ms(median(latencies))}, max ${ms(Math.max(...latencies))} (${latencies.length} edits)`);
  const rss = Number(fs.readFileSync(`/proc/${lsp.proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024;
  console.log(`- server peak memory after the edits: ${rss.toFixed(0)} MB`);
  await lsp.stop();

  if (fs.existsSync(CORPUS)) {
    const c2 = new LspClient(path.join(ROOT, 'dist/server.js'));
    const t = process.hrtime.bigint();
    await c2.initialize(CORPUS);
    await c2.waitFor(() => c2.notifications.some((n) => n.method === 'sqlArchitect/status' && (n.params as { state: string }).state === 'idle'), 'initial analysis', 120000);
    const initial = Number(process.hrtime.bigint() - t) / 1e6;
    const rss2 = Number(fs.readFileSync(`/proc/${c2.proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024;
    console.log(`- initial analysis of the whole corpus as a workspace (${collectSqlFiles([CORPUS], () => undefined).length} files, start-up included): ${ms(initial)}; server peak memory ${rss2.toFixed(0)} MB`);
    await c2.stop();
  }
  if (fs.existsSync(path.join(CORPUS, 'supabase-examples'))) {
    console.log('\n## Embedded PostgreSQL (PGlite in a worker)');
    const runs: ReturnType<typeof processRun>[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) runs.push(processRun(process.execPath, [CLI, 'trace', path.join(CORPUS, 'supabase-examples'), '--format', 'json']));
    console.log(`- sql-architect trace of corpus/supabase-examples (29 files replayed as one set, start-up included): median ${ms(median(runs.map((r) => r.ms)))}, peak RSS ${median(runs.map((r) => r.maxRssMb)).toFixed(0)} MB`);
    const iso = processRun(process.execPath, [CLI, 'verify-isolation', path.join(ROOT, 'examples/migrations'), '--format', 'json']);
    console.log(`- sql-architect verify-isolation of examples/migrations (3 tenant tables): ${ms(iso.ms)}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
