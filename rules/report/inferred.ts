// The project model of each set as report data: "What SQL Architect inferred", shown at the top of the report, by
// `sql-architect explain` and (per table) by hover. Every fact keeps its evidence so a user can see why a rule fired.
import type { ResolvedConfig } from '../engine/config';
import type { SetResult } from '../engine/run';
import { tenantTablesOf, userTables } from '../catalogue/util';
import { fileTransactionMode } from '../engine/transactions';
import { displayName } from '../model/schema';
import type { Origin } from '../model/types';
import type { Evidence } from '../project/types';
import type { InferredFact, InferredSet, Loc } from './types';

export function inferredSet(result: SetResult, setName: string, at: (o: Origin) => Loc, config: ResolvedConfig): InferredSet {
  const p = result.project;
  const fact = (e: Evidence | undefined): InferredFact => ({ text: e?.text ?? '', loc: e?.origin ? at(e.origin) : undefined });
  const modes = { tool: 0, implicit: 0, none: 0 };
  const perFile = result.files.filter((f) => f.replayed).map((f) => ({ file: f.path, ...fileTransactionMode(p.runner, f.path, f.statements.filter((s) => !s.syntaxError)) }));
  for (const f of perFile) modes[f.mode]++;
  const usual = (Object.keys(modes) as (keyof typeof modes)[]).sort((a, b) => modes[b] - modes[a])[0];
  const b = result.baseline;
  return {
    set: setName,
    ...(b ? { baseline: b.database ? { database: b.database, tables: b.tables } : { file: at({ file: b.path, span: { start: 0, end: 0 } }).file, tables: b.tables } } : {}),
    runner: {
      id: p.runner.id, label: p.runner.label, configured: p.runner.configured, evidence: fact(p.runner.evidence), modes,
      exceptions: perFile.filter((f) => f.mode !== usual).slice(0, 20).map((f) => ({ file: at({ file: f.file, span: { start: 0, end: 0 } }).file, mode: f.mode, why: f.why })),
    },
    isolation: { strategy: p.tenancy.isolation.strategy, configured: p.tenancy.isolation.configured, evidence: fact(p.tenancy.isolation.evidence) },
    platform: { id: p.roles.platform.id, evidence: p.roles.platform.evidence ? fact(p.roles.platform.evidence) : undefined },
    roles: { appRoles: p.roles.appRoles, connectsAsOwner: p.roles.connectsAsOwner, bypassRoles: p.roles.bypassRoles, evidence: fact(p.roles.appRolesEvidence) },
    tenantTables: p.tenancy.registries.map((r) => ({ table: displayName(r.table), evidence: fact(r.evidence) })),
    tenantKeys: [...p.tenancy.keys.values()].map((k) => ({ table: displayName(k.table), column: k.column, kind: k.optional ? `${k.kind}, optional` : k.kind, evidence: { ...fact(k.evidence), text: k.optional ? `${k.evidence.text}; ${k.optional}` : k.evidence.text }, loc: at(k.origin) })),
    rejected: p.tenancy.rejected.map((r) => ({ table: displayName(r.table), column: r.column, reason: r.reason })),
    userTables: userTables(result.model, config, new Set(tenantTablesOf(p).map((t) => t.table))).map((u) => ({
      table: displayName(u.table), column: u.column,
      evidence: { text: `policy "${u.policy.name}" compares ${u.column} with the signed-in user`, loc: at(u.policy.origin) },
    })),
    conventions: [...p.conventions.values()].map((c) => ({ id: c.id, text: c.text, count: c.count, loc: c.places[0] ? at(c.places[0]) : undefined })),
  };
}

const MODE: Record<'tool' | 'implicit' | 'none', string> = {
  tool: 'in the tool\'s transaction',
  implicit: 'as one query (one implicit transaction)',
  none: 'statement by statement',
};

/** The inferences as plain text lines (CLI `explain`; the Markdown and HTML renderers format the same facts). */
export function explainLines(s: InferredSet): string[] {
  const where = (f: InferredFact) => (f.loc ? ` (${f.loc.file}:${f.loc.line})` : '');
  const out: string[] = [`${s.set}`];
  if (s.baseline) out.push(`  starts from: ${baselineText(s.baseline)}`);
  out.push(`  migration tool: ${s.runner.label}${s.runner.configured ? '' : ` — ${s.runner.evidence.text}`}`);
  const counts = (Object.keys(s.runner.modes) as (keyof typeof s.runner.modes)[]).filter((m) => s.runner.modes[m] > 0).map((m) => `${s.runner.modes[m]} ${MODE[m]}`);
  out.push(`    files run: ${counts.join(', ') || 'none'}`);
  for (const e of s.runner.exceptions) out.push(`    ${e.file}: ${MODE[e.mode]} (${e.why})`);
  out.push(`    correct it with "runner": "<tool>" or "assumeInTransaction" in .sqlarchitect.json`);
  out.push(`  tenant isolation: ${s.isolation.strategy === 'rls' ? 'row-level security' : 'application code'}${s.isolation.configured ? ' (configured)' : ` — ${s.isolation.evidence.text}${where(s.isolation.evidence)}`}`);
  out.push(`    correct it with "isolation": "${s.isolation.strategy === 'rls' ? 'application' : 'rls'}"`);
  if (s.platform.id !== 'plain') out.push(`  platform: ${s.platform.id} — ${s.platform.evidence?.text ?? ''}${s.platform.evidence ? where(s.platform.evidence) : ''}`);
  out.push(`  application connects as: ${s.roles.connectsAsOwner ? 'the tables\' owner' : s.roles.appRoles.join(', ')} — ${s.roles.evidence.text}${where(s.roles.evidence)}`);
  if (s.roles.bypassRoles.length) out.push(`    roles that bypass row-level security: ${s.roles.bypassRoles.join(', ')}`);
  out.push(`    correct it with "appRoles": [...] ([] for the owner) and "bypassRoles": [...]`);
  out.push(`  tenant tables (registries): ${s.tenantTables.length ? '' : 'none found'}`);
  for (const t of s.tenantTables) out.push(`    ${t.table} — ${t.evidence.text}${where(t.evidence)}`);
  out.push(`  tenant-scoped tables: ${s.tenantKeys.length}${s.tenantKeys.length ? '' : ' (correct with "tenantColumns" or "tenantTables")'}`);
  for (const k of s.tenantKeys) out.push(`    ${k.table}.${k.column} [${k.kind}] — ${k.evidence.text} (${k.loc.file}:${k.loc.line})`);
  if (s.rejected.length) {
    out.push('  not tenant keys:');
    for (const r of s.rejected) out.push(`    ${r.table}.${r.column} — ${r.reason}`);
  }
  if (s.userTables.length) {
    out.push(`  tables keyed on the signed-in user: ${s.userTables.length} (verify-isolation proves each as two users)`);
    for (const u of s.userTables) out.push(`    ${u.table}.${u.column} — ${u.evidence.text}${where(u.evidence)}`);
  }
  if (s.conventions.length) {
    out.push('  project-wide conventions (reported once):');
    for (const c of s.conventions) out.push(`    ${c.text}${c.loc ? ` (first ${c.loc.file}:${c.loc.line})` : ''}`);
  }
  return out;
}

/** `db/schema.sql (12 tables, not reviewed)`, `the database app on db:5432 (12 tables, read-only)` */
export function baselineText(b: NonNullable<InferredSet['baseline']>): string {
  const tables = `${b.tables} table${b.tables === 1 ? '' : 's'}`;
  return b.database ? `the database ${b.database} (${tables}, read-only, with table sizes)` : `${b.file} (${tables}; the baseline is not reviewed)`;
}
