// `npm run bench`: prints numbers, asserts nothing. Every row of issue 9's table in one run, on the same inputs as
// Squawk (its native binary), so that the ratios compare like with like on this machine at this moment:
// whole-process CLI time and peak memory, start-up, the language server over a real stdio connection, and inputs
// past the size limits. `npm run bench -- --before DIR` also runs another build's dist/ (e.g. main's) in the same
// run, for before/after columns.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectSqlFiles } from '../io/files';
import { LspClient, uri } from '../test/lsp-client';
import { generateTenantTables, hugeStatement } from './generate';

const ROOT = path.resolve(__dirname, '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const EDITS = Number(process.env.BENCH_EDITS ?? 40);
const beforeArg = process.argv.indexOf('--before');
const BEFORE = beforeArg > 0 ? path.resolve(process.argv[beforeArg + 1]) : process.env.BENCH_BEFORE;

interface Build { name: string; cli: string; server: string }
const builds: Build[] = [
  ...(BEFORE ? [{ name: 'before', cli: path.join(BEFORE, 'cli.js'), server: path.join(BEFORE, 'server.js') }] : []),
  { name: 'after', cli: path.join(ROOT, 'dist/cli.js'), server: path.join(ROOT, 'dist/server.js') },
];

function squawkBinary(): string | undefined {
  // The native binary, as Squawk's users run it; its npm wrapper would add a Node start-up.
  const dir = path.join(ROOT, 'node_modules/@squawk-cli');
  for (const platform of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const bin = path.join(dir, platform, 'bin/squawk');
    if (fs.existsSync(bin)) return bin;
  }
  const wrapper = path.join(ROOT, 'node_modules/.bin/squawk');
  return fs.existsSync(wrapper) ? wrapper : undefined;
}
const SQUAWK = squawkBinary();
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const secs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const mb = (x: number) => (Number.isNaN(x) ? '?' : `${x.toFixed(0)} MB`);

interface Run { ms: number; rssMb: number; status: number | null }

/** One process, wall time and peak resident memory (GNU time when installed, else Node's own figure). */
function processRun(cmd: string, args: string[]): Run {
  const rssFile = path.join(os.tmpdir(), `sqla-rss-${process.pid}-${Math.random()}`);
  const env = TIME ? process.env : { ...process.env, SQLA_MAXRSS_FILE: rssFile, NODE_OPTIONS: `--require ${path.join(__dirname, 'maxrss.cjs')}` };
  const [c, a] = TIME ? [TIME, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t = process.hrtime.bigint();
  const r = spawnSync(c, a, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, env });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  let rssMb = NaN;
  try {
    rssMb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
    fs.rmSync(rssFile);
  } catch { /* neither GNU time nor a node process */ }
  return { ms, rssMb, status: r.status };
}

function medianRun(runs: Run[]): Run {
  return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)), status: runs[0].status };
}

interface Row { workload: string; cells: Map<string, string>; squawk: string; ratio: string; goal: string; floor: string }
const rows: Row[] = [];
function row(workload: string, cells: Map<string, string>, squawk = '', ratio = '', goal = '', floor = ''): void {
  rows.push({ workload, cells, squawk, ratio, goal, floor });
  const parts = [...cells].map(([k, v]) => `${k} ${v}`);
  console.log(`- ${workload}: ${parts.join(' · ')}${squawk ? ` · squawk ${squawk}` : ''}${ratio ? ` · ratio ${ratio}` : ''}${floor ? ` · Node + parser alone ${floor}` : ''}${goal ? `  (goal ${goal})` : ''}`);
}

/** Node + libpg-query parsing the same files and nothing else (bench/floor.cjs): what no Node tool on this parser beats. */
const FLOOR = path.join(__dirname, 'floor.cjs');

/** The CLI of each build and Squawk on the same files, interleaved so that the machine's load hits all alike. */
function cliRow(workload: string, args: string[], runs: number, goal: string, squawkFiles?: string[], floor = true): Map<string, Run> {
  const ours = new Map<string, Run[]>(builds.map((b) => [b.name, []]));
  const theirs: Run[] = [];
  const floors: Run[] = [];
  for (let i = 0; i < runs; i++) {
    for (const b of builds) ours.get(b.name)!.push(processRun(process.execPath, [b.cli, ...args]));
    if (SQUAWK && squawkFiles) theirs.push(processRun(SQUAWK, ['--reporter', 'json', ...squawkFiles]));
    if (squawkFiles && floor) floors.push(processRun(process.execPath, [FLOOR, ...squawkFiles]));
  }
  const med = new Map([...ours].map(([k, v]) => [k, medianRun(v)]));
  const sq = theirs.length ? medianRun(theirs) : undefined;
  const fl = floors.length ? medianRun(floors) : undefined;
  const after = med.get('after')!;
  row(workload, new Map([...med].map(([k, r]) => [k, `${secs(r.ms)}, ${mb(r.rssMb)}`])),
    sq ? `${secs(sq.ms)}, ${mb(sq.rssMb)}` : '', sq ? `${(after.ms / sq.ms).toFixed(2)}×` : '', goal,
    fl ? `${secs(fl.ms)}${sq ? ` = ${(fl.ms / sq.ms).toFixed(2)}× Squawk` : ''}` : '');
  return med;
}

/** `file` open in a workspace of `folder`; `EDITS` times `edited` then `text` again: the latency of each publish of its diagnostics. */
async function lspEdits(server: string, folder: string, file: string, edited: (text: string) => string): Promise<{ median: number; p95: number; peakMb: number; first: number }> {
  const lsp = new LspClient(server);
  const text = fs.readFileSync(file, 'utf8');
  const t0 = process.hrtime.bigint();
  await lsp.initialize(folder);
  await lsp.open(file, text);
  await lsp.waitFor(() => lsp.notifications.some((n) => n.method === 'sqlArchitect/status' && (n.params as { state: string }).state === 'idle'), 'first diagnostics', 600000);
  const first = Number(process.hrtime.bigint() - t0) / 1e6;
  const added = edited(text);
  const latencies: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const published = new Promise<void>((resolve) => {
      const off = lsp.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string }) => {
        if (p.uri === uri(file)) { off.dispose(); resolve(); }
      });
    });
    const t = process.hrtime.bigint();
    await lsp.change(file, i % 2 === 0 ? added : text, i + 2);
    await published;
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const peakMb = Number(fs.readFileSync(`/proc/${lsp.proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024;
  await lsp.stop();
  return { median: median(latencies), p95: percentile(latencies, 95), peakMb, first };
}

/** Add, then remove, one statement in the middle of the generated file, as typing a migration does. */
function midFileStatement(text: string): string {
  const at = text.indexOf(`CREATE TABLE t${Math.floor(text.split('CREATE TABLE t').length / 2)} (`);
  return `${text.slice(0, at)}CREATE INDEX bench_idx ON tenants (name);\n${text.slice(at)}`;
}

async function lspOpen(server: string, file: string): Promise<{ ms: number; peakMb: number; count: number }> {
  const lsp = new LspClient(server);
  const t0 = process.hrtime.bigint();
  await lsp.initialize(path.dirname(file));
  await lsp.open(file, fs.readFileSync(file, 'utf8'));
  await lsp.waitFor(() => lsp.diags(file).length > 0, 'diagnostics of the opened file', 900000);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const peakMb = Number(fs.readFileSync(`/proc/${lsp.proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024;
  const count = lsp.diags(file).length;
  await lsp.stop();
  return { ms, peakMb, count };
}

async function lspWorkspace(server: string, folder: string, open: string): Promise<{ ms: number; peakMb: number; openMs: number }> {
  const lsp = new LspClient(server);
  const t0 = process.hrtime.bigint();
  await lsp.initialize(folder);
  // One migration open from the start, as an editor restoring its tabs does: when do its diagnostics arrive?
  await lsp.open(open, fs.readFileSync(open, 'utf8'));
  await lsp.waitFor(() => lsp.diags(open).length > 0, 'diagnostics of the open file', 600000);
  const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await lsp.waitFor(() => lsp.notifications.some((n) => n.method === 'sqlArchitect/status' && (n.params as { state: string }).state === 'idle'), 'initial analysis', 600000);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const peakMb = Number(fs.readFileSync(`/proc/${lsp.proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN) / 1024;
  await lsp.stop();
  return { ms, peakMb, openMs };
}

function generated(tmp: string, tables: number): { dir: string; file: string; lines: number; bytes: number } {
  const dir = path.join(tmp, `tables-${tables}`);
  const file = path.join(dir, '20240101000000_tables.sql');
  fs.mkdirSync(dir, { recursive: true });
  const text = generateTenantTables(tables);
  fs.writeFileSync(file, text);
  return { dir, file, lines: text.split('\n').length - 1, bytes: Buffer.byteLength(text) };
}

async function main(): Promise<void> {
  for (const b of builds) if (!fs.existsSync(b.cli)) throw new Error(`${b.cli} is missing: build it first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sqla-bench-'));
  const g1k = generated(tmp, 1000);
  const g5k = generated(tmp, 5000);
  const g20k = generated(tmp, 20000);
  const huge = path.join(tmp, 'huge/20240101000000_huge.sql');
  fs.mkdirSync(path.dirname(huge), { recursive: true });
  fs.writeFileSync(huge, hugeStatement(10 * 1024 * 1024));
  const corpusFiles = fs.existsSync(CORPUS) ? collectSqlFiles([CORPUS], () => undefined).filter((f) => !f.includes('/pg-regress/')) : [];
  const examples = collectSqlFiles([path.join(ROOT, 'examples/migrations')], () => undefined);
  const findings = (r: ReturnType<typeof spawnSync>) => (JSON.parse(String(r.stdout)) as { findings: unknown[] }).findings.length;
  const count = (dir: string) => findings(spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', '--format', 'json', dir], { encoding: 'utf8', maxBuffer: 1 << 30 }));

  console.log(`# SQL Architect benchmark\n\nnode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at start`);
  console.log(`median of ${RUNS} runs (the 20,000-table rows: 3), ${EDITS} edits; squawk: ${SQUAWK ? path.relative(ROOT, SQUAWK) : 'not installed'}${BEFORE ? `; before: ${BEFORE}` : ''}\n`);

  console.log('## CLI (whole process: start-up, reading, analysis, JSON output)');
  if (corpusFiles.length) cliRow(`corpus, ${corpusFiles.length} files passed one by one (pg-regress aside)`, ['check', '--format', 'json', ...corpusFiles], RUNS, '≤ 2.5× Squawk', corpusFiles);
  cliRow(`1,000 tenant tables (${g1k.lines} lines, ${(g1k.bytes / 1e3).toFixed(0)} kB, ${count(g1k.dir)} findings)`, ['check', '--format', 'json', g1k.file], RUNS, '≤ 2.5× Squawk', [g1k.file]);
  const m5 = cliRow(`5,000 tenant tables (${g5k.lines} lines, ${(g5k.bytes / 1e6).toFixed(1)} MB)`, ['check', '--format', 'json', g5k.file], 3, '', [g5k.file]);
  const m20 = cliRow(`20,000 tenant tables (${g20k.lines} lines, ${(g20k.bytes / 1e6).toFixed(1)} MB, ${count(g20k.dir)} findings)`, ['check', '--format', 'json', g20k.file], 3, '≤ 3× Squawk, < 300 MB', [g20k.file]);
  row('4× the statements (20,000 vs 5,000 tables)', new Map([...m20].map(([k, r]) => [k, `${(r.ms / m5.get(k)!.ms).toFixed(2)}× the time`])), '', '', '≤ 4.4×');
  cliRow(`one 10 MB statement (SELECT 1, 2, …)`, ['check', '--format', 'json', huge], 3, 'reported and skipped, no freeze', [huge], false);
  const trigger = path.join(CORPUS, 'trigger-dev');
  if (fs.existsSync(trigger)) {
    // What a pre-commit hook runs: the staged migration, its whole folder replayed (Squawk checks the file alone).
    const newest = collectSqlFiles([trigger], () => undefined).sort().pop()!;
    cliRow('pre-commit hook: `--changed-files` on the newest of trigger.dev\'s 820 migrations', ['check', '--format', 'json', '--changed-files', newest], RUNS, '', [newest], false);
  }

  console.log('\n## Start-up');
  const node0 = medianRun(Array.from({ length: RUNS * 3 }, () => processRun(process.execPath, ['-e', '0'])));
  const version = new Map(builds.map((b) => [b.name, medianRun(Array.from({ length: RUNS * 3 }, () => processRun(process.execPath, [b.cli, '--version'])))]));
  row('`--version`', new Map([...version].map(([k, r]) => [k, `${secs(r.ms)} = ${(r.ms / node0.ms).toFixed(2)}× \`node -e 0\``])), '', '', `≤ 1.5× \`node -e 0\` (${secs(node0.ms)})`);
  cliRow(`a ${examples.length}-file check (examples/migrations)`, ['check', '--format', 'json', ...examples], RUNS * 2, '≤ 2× Squawk', examples);

  console.log('\n## Language server (stdio)');
  const edits = new Map<string, Awaited<ReturnType<typeof lspEdits>>>();
  for (const b of builds) edits.set(b.name, await lspEdits(b.server, g1k.dir, g1k.file, midFileStatement));
  row('one-statement edit in the 1,000-table migration → diagnostics', new Map([...edits].map(([k, r]) => [k, `median ${secs(r.median)}, p95 ${secs(r.p95)}`])), '', '', 'median ≤ 20 ms, p95 ≤ 50 ms');
  row('server peak memory (open + edits)', new Map([...edits].map(([k, r]) => [k, mb(r.peakMb)])), '', '', '< 200 MB');
  if (fs.existsSync(trigger)) {
    // A real history: trigger.dev's Prisma migrations (820 files); the newest one edited, as a developer adding to it.
    const copy = path.join(tmp, 'trigger-dev');
    fs.cpSync(trigger, copy, { recursive: true });
    const newest = collectSqlFiles([copy], () => undefined).sort().pop()!;
    const real = new Map<string, Awaited<ReturnType<typeof lspEdits>>>();
    for (const b of builds) real.set(b.name, await lspEdits(b.server, copy, newest, (t) => `${t}\nCREATE INDEX bench_idx ON "TaskRun" ("friendlyId");\n`));
    row('one-statement edit in the newest of trigger.dev\'s 820 migrations → diagnostics', new Map([...real].map(([k, r]) => [k, `median ${secs(r.median)}, p95 ${secs(r.p95)}`])), '', '', '');
  }
  const danbooru = path.join(CORPUS, 'danbooru/structure.sql');
  if (fs.existsSync(danbooru)) {
    // A real large file: danbooru's Rails structure.sql, a pg_dump of 7,500 lines; a statement added in its middle.
    const copy = path.join(tmp, 'danbooru');
    fs.mkdirSync(copy);
    fs.copyFileSync(danbooru, path.join(copy, 'structure.sql'));
    const dump = new Map<string, Awaited<ReturnType<typeof lspEdits>>>();
    const mid = (t: string) => {
      const at = t.indexOf('CREATE TABLE public.posts (');
      return `${t.slice(0, at)}CREATE INDEX bench_idx ON public.posts (id);\n${t.slice(at)}`;
    };
    for (const b of builds) dump.set(b.name, await lspEdits(b.server, copy, path.join(copy, 'structure.sql'), mid));
    row('one-statement edit in the middle of danbooru\'s structure.sql (7,500 lines) → diagnostics', new Map([...dump].map(([k, r]) => [k, `median ${secs(r.median)}, p95 ${secs(r.p95)}`])), '', '', '');
  }
  const open = new Map<string, Awaited<ReturnType<typeof lspOpen>>>();
  for (const b of builds) open.set(b.name, await lspOpen(b.server, g20k.file));
  row(`open the 20,000-table file (${(g20k.bytes / 1e6).toFixed(1)} MB), start-up included`, new Map([...open].map(([k, r]) => [k, `${secs(r.ms)}, ${mb(r.peakMb)}, ${r.count} diagnostics`])), '', '', '< 3 s');
  if (fs.existsSync(CORPUS)) {
    const ws = new Map<string, Awaited<ReturnType<typeof lspWorkspace>>>();
    const open = path.join(CORPUS, 'basejump/20240414162100_basejump-invitations.sql');
    for (const b of builds) ws.set(b.name, await lspWorkspace(b.server, CORPUS, open));
    row(`whole corpus as a workspace (${collectSqlFiles([CORPUS], () => undefined).length} files), start-up included`, new Map([...ws].map(([k, r]) => [k, `${secs(r.ms)}, ${mb(r.peakMb)}`])), '', '', '< 1 s');
    row('  of which: diagnostics of a migration open from the start (basejump)', new Map([...ws].map(([k, r]) => [k, secs(r.openMs)])), '', '', '');
  }

  console.log('\n## Table (Markdown)\n');
  const names = builds.map((b) => b.name);
  console.log(`| workload | ${names.join(' | ')} | Squawk | ratio | Node + parser alone | goal |`);
  console.log(`|---|${names.map(() => '---').join('|')}|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.workload} | ${names.map((n) => r.cells.get(n) ?? '').join(' | ')} | ${r.squawk} | ${r.ratio} | ${r.floor} | ${r.goal} |`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
