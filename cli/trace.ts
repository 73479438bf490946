// `sql-architect trace` and `sql-architect verify-isolation`: replay on embedded PostgreSQL (or --database-url).
import fs from 'node:fs';
import path from 'node:path';
import { traceStatements, verifyIsolation, type ExecStatement, type IsolationResult, type TraceEntry } from '../pg/index';
import { blocksWrites, fileStatements, isolationTables, migrationFailures, replayStatements } from '../pg/from-analysis';
import { isolationLine, isolationSummary, LineIndex, type Finding, type ResolvedConfig, type VerdictLine } from '../rules/index';
import { readSqlFile } from '../io/files';
import { findConfig } from '../io/config';
import { displayPath } from './format';
import { loadPaths } from './paths';
import { UsageError, type ProjectResult } from './project';

export interface TraceReport {
  version: 1;
  statements: { file: string; line: number; sql: string; locks: { relation: string; mode: string }[]; rewrites: string[]; ms: number; error?: string }[];
}

export async function runTrace(project: ProjectResult, databaseUrl?: string): Promise<{ report: TraceReport; failures: Finding[]; entries: TraceEntry[] }> {
  const report: TraceReport = { version: 1, statements: [] };
  const failures: Finding[] = [];
  const entries: TraceEntry[] = [];
  for (const set of project.sets) {
    const trace = await traceStatements(replayStatements(set), { databaseUrl });
    entries.push(...trace);
    failures.push(...migrationFailures(set, trace));
    for (const e of trace) {
      report.statements.push({
        file: displayPath(e.file), line: e.line, sql: e.sql,
        // Table-level locks on relations that existed before the statement: what other sessions wait on.
        locks: e.locks.filter((l) => !l.created).map((l) => ({ relation: l.relation, mode: l.mode })),
        rewrites: e.rewrites, ms: Math.round(e.ms * 100) / 100,
        ...(e.error ? { error: `${e.error.message}${e.error.code ? ` (SQLSTATE ${e.error.code})` : ''}` } : {}),
      });
    }
  }
  return { report, failures, entries };
}

function oneLine(sql: string, max = 90): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function formatTraceText(report: TraceReport, failures: Finding[], texts: Map<string, string>): string {
  const lines: string[] = [];
  for (const s of report.statements) {
    const locks = s.locks.map((l) => `${l.relation}: ${l.mode}${blocksWrites(l.mode) ? ' (blocks writes' + (l.mode === 'AccessExclusiveLock' ? ' and reads)' : ')') : ''}`);
    const tail = [...locks, ...(s.rewrites.length ? [`rewrites ${s.rewrites.join(', ')}`] : []), `${s.ms} ms`].join(' · ');
    lines.push(`${s.file}:${s.line}  ${oneLine(s.sql)}`);
    lines.push(`    ${s.error ? `ERROR ${s.error}` : tail}`);
  }
  if (failures.length) {
    lines.push('');
    for (const f of failures) {
      const p = new LineIndex(texts.get(f.file) ?? '').position(f.start);
      lines.push(`${displayPath(f.file)}:${p.line + 1}:${p.column + 1} error migration-fails ${f.message}`);
    }
  }
  const blocking = report.statements.filter((s) => s.locks.some((l) => blocksWrites(l.mode))).length;
  lines.push('', `${report.statements.length} statements replayed on PostgreSQL; ${blocking} took a lock that blocks writes; ${report.statements.filter((s) => s.rewrites.length).length} rewrote a relation; ${failures.length} failed.`);
  return lines.join('\n') + '\n';
}

export function formatTraceMarkdown(report: TraceReport): string {
  const out = ['# Migration lock trace', '', '| statement | locks (strongest per relation) | rewrites | ms | error |', '|---|---|---|---:|---|'];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  for (const s of report.statements) {
    out.push(`| \`${esc(s.file)}:${s.line}\` ${esc(oneLine(s.sql, 70))} | ${esc(s.locks.map((l) => `${l.relation}: ${l.mode}`).join(', ') || '—')} | ${esc(s.rewrites.join(', ') || '—')} | ${s.ms} | ${esc(s.error ?? '')} |`);
  }
  return out.join('\n') + '\n';
}

export interface IsolationReport {
  version: 1;
  tables: VerdictLine[];
}

/**
 * Proves isolation set by set. `configFile`: the --config file, else each set's nearest .sqlarchitect.json
 * (the seed file is relative to it). Problems with the seed file are warnings; the proof goes on without it.
 */
export async function runIsolation(project: ProjectResult, databaseUrl?: string, configFile?: string, warn: (m: string) => void = () => undefined):
  Promise<{ report: IsolationReport; replayErrors: Finding[]; results: Map<string, IsolationResult[]> }> {
  const report: IsolationReport = { version: 1, tables: [] };
  const replayErrors: Finding[] = [];
  const results = new Map<string, IsolationResult[]>();
  for (const set of project.sets) {
    const setConfig = project.configOf.get(set.id);
    if (!setConfig) continue;
    const tables = isolationTables(set, setConfig);
    if (!tables.length) continue;
    const seed = seedStatements(setConfig, configFile ?? findConfig(set.id), warn);
    const r = await verifyIsolation(replayStatements(set), {
      tenantSetting: setConfig.tenantSetting, tenantContext: setConfig.tenantContext, tenantColumns: setConfig.tenantColumns,
      seed, tables, databaseUrl,
    });
    replayErrors.push(...migrationFailures(set, r.replay));
    for (const e of r.replay) if (e.error && seed.some((s) => s.file === e.file)) warn(`${displayPath(e.file)}:${e.line}: the seed statement failed: ${e.error.message}`);
    results.set(set.id, r.tables);
    const where = project.sets.length > 1 ? { set: displayPath(set.id) } : {};
    for (const t of r.tables) report.tables.push({ table: t.table, tenantColumn: t.tenantColumn, ...(t.perUser ? { perUser: true } : {}), status: t.status, details: t.details, ...where });
  }
  return { report, replayErrors, results };
}

/** The statements of the set's isolationSeed file; a missing or unreadable file is a warning. */
function seedStatements(config: ResolvedConfig, configFile: string | undefined, warn: (m: string) => void): ExecStatement[] {
  if (!config.isolationSeed) return [];
  const file = path.resolve(configFile ? path.dirname(configFile) : process.cwd(), config.isolationSeed);
  const r = readSqlFile(file);
  if (r.problem) warn(`${displayPath(file)} (isolationSeed): ${r.problem}`);
  return r.text === undefined ? [] : fileStatements(file, r.text);
}

export function formatIsolationText(report: IsolationReport): string {
  return [...report.tables.map(isolationLine), '', isolationSummary(report.tables)].join('\n') + '\n';
}

export function formatIsolationMarkdown(report: IsolationReport): string {
  const sets = report.tables.some((t) => t.set);
  const out = ['# Tenant isolation proof', '', `| ${sets ? 'set | ' : ''}table | tenant column | status | details |`, `|${sets ? '---|' : ''}---|---|---|---|`];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  for (const t of report.tables) out.push(`| ${sets ? `${esc(t.set ?? '')} | ` : ''}${t.table} | ${t.tenantColumn}${t.perUser ? ' (per user)' : ''} | **${t.status}** | ${esc(t.details)} |`);
  out.push('', isolationSummary(report.tables));
  return out.join('\n') + '\n';
}


type Values = Record<string, string | boolean | undefined>;

function writeOut(values: Values, text: string, out: (s: string) => void): void {
  if (values.output) {
    fs.mkdirSync(path.dirname(path.resolve(String(values.output))), { recursive: true });
    fs.writeFileSync(String(values.output), text);
  } else out(text);
}

/** `sql-architect trace [paths…] [--format text|json|md] [--database-url URL]`: exit 1 when a statement fails. */
export async function traceCommand(paths: string[], values: Values, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const format = String(values.format ?? 'text');
  if (!['text', 'json', 'md'].includes(format)) throw new UsageError(`--format must be text, json or md for trace (got "${format}")`);
  const project = await loadPaths(paths, values, { configFile: values.config as string | undefined, warn: (m) => err(`warning: ${m}`) });
  const { report, failures } = await runTrace(project, values['database-url'] as string | undefined);
  writeOut(values, format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'md' ? formatTraceMarkdown(report) : formatTraceText(report, failures, project.texts), out);
  return failures.length ? 1 : 0;
}

/** `sql-architect verify-isolation [paths…] [--format text|json|md] [--database-url URL]`: exit 1 when a table leaks. */
export async function isolationCommand(paths: string[], values: Values, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const format = String(values.format ?? 'text');
  if (!['text', 'json', 'md'].includes(format)) throw new UsageError(`--format must be text, json or md for verify-isolation (got "${format}")`);
  const project = await loadPaths(paths, values, { configFile: values.config as string | undefined, warn: (m) => err(`warning: ${m}`) });
  const { report, replayErrors } = await runIsolation(project, values['database-url'] as string | undefined,
    values.config as string | undefined, (m) => err(`warning: ${m}`));
  for (const f of replayErrors) err(`warning: ${displayPath(f.file)}: ${f.message}`);
  writeOut(values, format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'md' ? formatIsolationMarkdown(report) : formatIsolationText(report), out);
  return report.tables.some((t) => t.status === 'leaks') ? 1 : 0;
}
