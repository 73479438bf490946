// The report as GitHub-flavoured Markdown: tables, links to file#Lline, and the ER diagram as a Mermaid block.
import { defaultHref, escapeMd as t, mdCode } from './escape';
import { baselineText } from './inferred';
import type { Cell, InferredFact, Loc, ProvedIsolation, ReportModel, RiskFile, RuleFindings, TableFact, Verdict } from './types';

const MODE_MD: Record<'tool' | 'implicit' | 'none', string> = { tool: 'in its transaction', implicit: 'as one query', none: 'statement by statement' };

export interface RenderOptions {
  /** The link target of a file of the report (its display path); `#L<line>` is appended. */
  href?: (file: string) => string;
}

const MARK: Record<Cell['status'], string> = { yes: '✅', no: '❌', partial: '⚠️', 'n/a': '—' };
const VERDICT: Record<Verdict['status'], string> = { ok: '✅', warn: '⚠️', fail: '❌' };
const SEVERITY: Record<string, string> = { error: '❌ error', warning: '⚠️ warning', info: 'ℹ️ info' };

/** What the sections share: links to file#Lline, matrix cells, and the set column when the report spans several sets. */
interface Md {
  link: Link;
  cell: (c: Cell, row: string) => string;
  multiSet: boolean;
  setCol: (set: string) => string;
}

export function renderMarkdown(report: ReportModel, opts: RenderOptions = {}): string {
  const href = opts.href ?? defaultHref;
  const link: Link = (loc, label) => {
    if (!loc) return '';
    const text = label ?? `${loc.file}:${loc.line}`;
    return `[${t(text)}](${href(loc.file)}#L${loc.line})`;
  };
  const multiSet = report.sets.length > 1;
  const md: Md = {
    link,
    cell: (c, row) => `${MARK[c.status]} ${t(c.text)}${c.loc ? ` (${link(c.loc, shortLabel(c.loc, row))})` : ''}`,
    multiSet,
    setCol: (set) => (multiSet ? `${t(set)} | ` : ''),
  };
  const out = [
    ...headerMd(report),
    ...inferredMd(report, md),
    ...summaryMd(report),
    ...tenantIsolationMd(report, md),
    ...sensitiveMd(report, md),
    ...migrationRiskMd(report, md),
    ...findingsMd(report, md),
    ...schemaMd(report, md),
  ];
  if (report.internalErrors.length) {
    out.push('## Internal errors', '', 'Some rules failed on these inputs; please report them.', '');
    for (const e of report.internalErrors) out.push(`- ${t(e)}`);
    out.push('');
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function headerMd(report: ReportModel): string[] {
  const s = report.summary;
  const out = [`# SQL Architect: ${t(report.title)}`, ''];
  out.push(`Reviewed ${s.files} migration file${s.files === 1 ? '' : 's'} in ${s.sets} set${s.sets === 1 ? '' : 's'}: ${report.sets.map(t).join(', ') || 'none'}.`, '');
  if (report.since) {
    out.push(`> Findings and migration risk are limited to the ${report.since.files.length} migration${report.since.files.length === 1 ? '' : 's'} added${report.since.ref ? ` since ${mdCode(report.since.ref)}` : ''}${report.since.files.length ? `: ${report.since.files.map(t).join(', ')}` : ''}. The schema sections describe the whole schema.`, '');
  }
  return out;
}

function inferredMd(report: ReportModel, { link, multiSet }: Md): string[] {
  const out = ['## What SQL Architect inferred', '', 'The project model the rules judged by; each line says why, and how to correct it in `.sqlarchitect.json`.', ''];
  for (const inf of report.inferred) {
    const why = (f: InferredFact) => `${t(f.text)}${f.loc ? ` (${link(f.loc)})` : ''}`;
    if (multiSet) out.push(`### ${t(inf.set)}`, '');
    if (inf.baseline) out.push(`- **Starts from**: ${t(baselineText(inf.baseline))}.`);
    out.push(`- **Migration tool**: ${t(inf.runner.label)}${inf.runner.configured ? ' (configured)' : ` — ${why(inf.runner.evidence)}`}. Files run ${(['tool', 'implicit', 'none'] as const).filter((m) => inf.runner.modes[m]).map((m) => `${MODE_MD[m]}: ${inf.runner.modes[m]}`).join('; ')}${inf.runner.exceptions.length ? `; ${inf.runner.exceptions.map((e) => `${t(e.file)} ${MODE_MD[e.mode]} (${t(e.why)})`).join('; ')}` : ''}. Set \`runner\` to correct it.`);
    out.push(`- **Tenant isolation**: ${inf.isolation.strategy === 'rls' ? 'row-level security' : 'application code'}${inf.isolation.configured ? ' (configured)' : ` — ${why(inf.isolation.evidence)}`}. Set \`isolation\` to correct it.`);
    if (inf.platform.evidence) out.push(`- **Platform**: ${t(inf.platform.id)} — ${why(inf.platform.evidence)}.`);
    out.push(`- **The application connects as**: ${inf.roles.connectsAsOwner ? 'the tables\' owner' : inf.roles.appRoles.map(mdCode).join(', ')} — ${why(inf.roles.evidence)}${inf.roles.bypassRoles.length ? `; bypass RLS: ${inf.roles.bypassRoles.map(mdCode).join(', ')}` : ''}. Set \`appRoles\` / \`bypassRoles\` to correct it.`);
    out.push(`- **Tenant tables**: ${inf.tenantTables.length ? inf.tenantTables.map((r) => `${mdCode(r.table)} (${why(r.evidence)})`).join(', ') : 'none found'}; ${inf.tenantKeys.length} tenant-scoped table${inf.tenantKeys.length === 1 ? '' : 's'}${inf.tenantKeys.length ? ': ' + inf.tenantKeys.slice(0, 40).map((k) => `${mdCode(`${k.table}.${k.column}`)} ${link(k.loc, k.kind)}`).join(', ') + (inf.tenantKeys.length > 40 ? ', …' : '') : ''}. Set \`tenantTables\` / \`tenantColumns\` to correct it.`);
    if (inf.userTables.length) out.push(`- **Tables keyed on the signed-in user** (the isolation proof runs as two users): ${inf.userTables.slice(0, 40).map((u) => `${mdCode(`${u.table}.${u.column}`)} ${link(u.evidence.loc, 'policy')}`).join(', ')}${inf.userTables.length > 40 ? ', …' : ''}.`);
    if (inf.rejected.length) out.push(`- **Named like a tenant key, but not one**: ${inf.rejected.slice(0, 20).map((r) => `${mdCode(`${r.table}.${r.column}`)}: ${t(r.reason)}`).join('; ')}.`);
    if (inf.conventions.length) out.push(`- **Project-wide conventions** (each reported once): ${inf.conventions.map((c) => `${t(c.text)}${c.loc ? ` (${link(c.loc)})` : ''}`).join('; ')}.`);
    out.push('');
  }
  return out;
}

function summaryMd(report: ReportModel): string[] {
  const s = report.summary;
  const out = ['## Summary', ''];
  out.push('| Tables | Tenant tables | Findings | Errors | Warnings | Info |', '|---:|---:|---:|---:|---:|---:|');
  out.push(`| ${s.tables} | ${s.tenantTables} | ${s.findings} | ${s.bySeverity.error} | ${s.bySeverity.warning} | ${s.bySeverity.info} |`, '');
  out.push(`Findings by category: ${Object.entries(s.byCategory).map(([c, n]) => `${c} ${n}`).join(', ')}.`, '');
  out.push('| Area | Verdict |', '|---|---|');
  for (const v of s.verdicts) out.push(`| ${VERDICT[v.status]} ${t(v.title)} | ${t(v.text)} |`);
  out.push('');
  return out;
}

function tenantIsolationMd(report: ReportModel, { link, cell, multiSet, setCol }: Md): string[] {
  const out = ['## Tenant isolation', ''];
  if (report.tenantMatrix.length === 0) {
    out.push(`No tenant tables: no table has a tenant column (${report.tenantColumns.map(t).join(', ')}).`, '');
  } else {
    const proved = report.isolationProved;
    out.push(`${multiSet ? '| Set ' : ''}| Table | Tenant column | Tenant-leading index | RLS enabled | RLS forced | Policies on tenant | Tenant in UNIQUE | Tenant in FK | Isolated |${proved ? ' Isolation (proved) |' : ''}`);
    out.push(`${multiSet ? '|---' : ''}|---|---|---|---|---|---|---|---|---|${proved ? '---|' : ''}`);
    for (const r of report.tenantMatrix) {
      const col = `${t(r.tenantColumn.name)} ${t(r.tenantColumn.type)}${r.tenantColumn.notNull ? '' : ' (nullable)'} (${link(r.tenantColumn.loc, shortLabel(r.tenantColumn.loc, r.loc.file))})`;
      out.push(`| ${setCol(r.set)}${link(r.loc, r.table)} | ${col} | ${cell(r.index, r.loc.file)} | ${cell(r.rlsEnabled, r.loc.file)} | ${cell(r.rlsForced, r.loc.file)} | ${cell(r.policies, r.loc.file)} | ${cell(r.unique, r.loc.file)} | ${cell(r.foreignKeys, r.loc.file)} | ${r.isolated ? '✅ yes' : `❌ ${t(r.gaps.join('; '))}`} |${proved ? ` ${provedCell(r.proved)} |` : ''}`);
    }
    out.push('');
    const withPolicies = report.tenantMatrix.filter((r) => r.policyList.length);
    if (withPolicies.length) {
      out.push('### Policies of tenant tables', '');
      out.push('| Table | Policy | Command | Roles | USING | on tenant | WITH CHECK | on tenant | Limited to tenant |', '|---|---|---|---|---|---|---|---|---|');
      const yn = (b: boolean | undefined) => (b === undefined ? '—' : b ? '✅' : '❌');
      for (const r of withPolicies) {
        for (const p of r.policyList) {
          out.push(`| ${t(r.table)} | ${link(p.loc, p.name)}${p.permissive ? '' : ' (restrictive)'} | ${p.command} | ${t(p.roles.join(', '))} | ${p.using ? mdCode(clip(p.using)) : '—'} | ${yn(p.usingTenant)} | ${p.withCheck ? mdCode(clip(p.withCheck)) : '—'} | ${yn(p.checkTenant)} | ${p.scoped ? '✅' : '❌'} |`);
        }
      }
      out.push('');
    }
  }
  if (report.userIsolation?.length) {
    out.push('### Tables keyed on the signed-in user (proved)', '',
      'Their policies compare a column with the signed-in user: the proof ran as two users, A and B, each the owner of its rows.', '');
    out.push(`${multiSet ? '| Set ' : ''}| Table | Owner column | Isolation (proved) |`, `${multiSet ? '|---' : ''}|---|---|---|`);
    for (const r of report.userIsolation) out.push(`| ${setCol(r.set)}${t(r.table)} | ${t(r.column)} | ${provedCell(r)} |`);
    out.push('');
  }
  return out;
}

function sensitiveMd(report: ReportModel, { link, multiSet, setCol }: Md): string[] {
  const out = ['## Sensitive data', ''];
  if (report.sensitive.length === 0) out.push('No column looks like a secret or personal data.', '');
  else {
    out.push(`| ${multiSet ? 'Set | ' : ''}Table | Column | Type | Why flagged | Stored in clear | Storage |`, `|${multiSet ? '---|' : ''}---|---|---|---|---|---|`);
    for (const c of report.sensitive) {
      out.push(`| ${setCol(c.set)}${t(c.table)} | ${link(c.loc, c.column)} | ${t(c.type)} | ${t(c.why)} | ${c.inClear ? '❌ yes' : '✅ no'} | ${t(c.storage)} |`);
    }
    out.push('');
  }
  return out;
}

function migrationRiskMd(report: ReportModel, { link, multiSet }: Md): string[] {
  const out = ['## Migration risk', ''];
  out.push('Statements that take a lock blocking reads or writes on a table that existed before their migration, newest migration first.', '');
  if (report.migrationRisk.length === 0) out.push('No statement takes a blocking lock on an existing table.', '');
  for (const f of report.migrationRisk) out.push(...riskMd(f, link, multiSet), '');

  if (report.measuredLocks) {
    out.push('## Measured locks (PostgreSQL)', '', 'Each statement replayed on PostgreSQL; locks read from pg_locks before COMMIT.', '');
    out.push('| statement | locks | rewrites | ms |', '|---|---|---|---:|');
    for (const m of report.measuredLocks) {
      const locks = m.error ? `error: ${t(m.error)}` : m.locks.map((l) => `${t(l.relation)}: ${t(l.mode)}`).join(', ') || '—';
      out.push(`| ${link(m.at, `${m.at.file}:${m.at.line}`)} ${mdCode(m.sql.replace(/\s+/g, ' ').slice(0, 60))} | ${locks} | ${t(m.rewrites.join(', ')) || '—'} | ${m.ms.toFixed(1)} |`);
    }
    out.push('');
  }
  return out;
}

function findingsMd(report: ReportModel, { link }: Md): string[] {
  const out = ['## Findings by rule', ''];
  if (report.findingsByRule.length === 0) out.push('No findings.', '');
  for (const g of report.findingsByRule) out.push(...ruleMd(g, link), '');
  return out;
}

function schemaMd(report: ReportModel, { link, multiSet }: Md): string[] {
  const out = ['## Schema overview', ''];
  if (report.tables.length === 0) out.push('No tables.', '');
  else {
    out.push('```mermaid', report.erDiagram, '```', '');
    if (report.relationships.length) {
      out.push('| From | Columns | To | Columns | Foreign key |', '|---|---|---|---|---|');
      for (const r of report.relationships) out.push(`| ${t(r.from)} | ${t(r.fromColumns.join(', '))} | ${t(r.to)}${r.toKnown ? '' : ' (outside the migrations)'} | ${t(r.toColumns.join(', '))} | ${link(r.loc, r.name)} |`);
      out.push('');
    }
    for (const tb of report.tables) out.push(...tableMd(tb, link, multiSet), '');
  }
  return out;
}

type Link = (loc: Loc | undefined, label?: string) => string;

const PROVED: Record<ProvedIsolation['status'], string> = { isolated: '✅ isolated', shared: '◐ reads shared by policy', leaks: '❌ leaks', untestable: '⚠️ untestable' };

/** The verdict of the isolation proof with what the probe saw; — when the proof did not reach the table. */
function provedCell(p: ProvedIsolation | undefined): string {
  return p ? `${PROVED[p.status]}: ${t(p.details)}` : '—';
}

function riskMd(f: RiskFile, link: Link, multiSet: boolean): string[] {
  const out = [`### ${t(multiSet ? `${f.set}: ${f.file}` : f.file)}`, ''];
  out.push('| Line | Statement | Table | Lock | What waits | Rewrite / scan | lock_timeout |', '|---|---|---|---|---|---|---|');
  for (const s of f.statements) {
    for (const [i, l] of s.locks.entries()) {
      const effect = l.rewrite ? 'rewrites the table' : l.scan ? 'scans the table' : '—';
      out.push(`| ${i === 0 ? link(s.loc, `L${s.loc.line}`) : ''} | ${i === 0 ? mdCode(clip(s.sql, 90)) : ''} | ${t(l.table)}${l.size ? ` (${t(l.size)})` : ''} | ${l.mode} (${t(l.what)}) | ${t(l.waits)} | ${effect} | ${s.lockTimeoutSet ? 'set' : '**not set**'} |`);
    }
  }
  return out;
}

function ruleMd(g: RuleFindings, link: Link): string[] {
  const out = [`### ${SEVERITY[g.severity]}: ${t(g.rule)} (${g.locations.length})`, ''];
  // Titles and rationales are the registry's own Markdown (`code` spans); only HTML characters are escaped.
  out.push(`**${trusted(g.title)}.** ${trusted(g.rationale)} [Rule documentation](${g.docs})`, '');
  for (const l of g.locations) out.push(`- ${link(l.loc)}: ${t(l.message)}`);
  return out;
}

function tableMd(tb: TableFact, link: Link, multiSet: boolean): string[] {
  const flags = [tb.tenantColumn ? `tenant column ${tb.tenantColumn}` : '', `RLS ${tb.rls}`, tb.partitioned ? 'partitioned' : ''].filter(Boolean).join(', ');
  const out = [`### ${t(multiSet ? `${tb.set}: ${tb.name}` : tb.name)}`, ''];
  out.push(`Created in ${link(tb.loc)}; ${t(flags)}.${tb.comment ? ` ${t(tb.comment)}` : ''}`, '');
  out.push('| Column | Type | Null | Key | Notes |', '|---|---|---|---|---|');
  for (const c of tb.columns) {
    const key = [c.primaryKey ? 'PK' : '', c.foreignKey ? 'FK' : ''].filter(Boolean).join(', ');
    const notes = [c.tenant ? 'tenant' : '', c.sensitive ? 'sensitive' : '', c.hasDefault ? 'default' : '', c.comment ?? ''].filter(Boolean).join('; ');
    out.push(`| ${link(c.loc, c.name)} | ${t(c.type)} | ${c.notNull ? 'NOT NULL' : 'null'} | ${key} | ${t(notes)} |`);
  }
  const keys = tb.constraints.filter((c) => c.kind !== 'check');
  if (keys.length || tb.indexes.length) out.push('');
  for (const c of keys) out.push(`- ${c.kind.toUpperCase()} ${link(c.loc, c.name)} (${t(c.columns.join(', '))})${c.references ? ` → ${t(c.references)} (${t((c.refColumns ?? []).join(', '))})` : ''}${c.validated ? '' : ' NOT VALID'}`);
  for (const i of tb.indexes.filter((x) => !x.constraint)) out.push(`- ${i.unique ? 'UNIQUE ' : ''}INDEX ${link(i.loc, i.name)} ${t(i.method)} (${t(i.columns.join(', '))})${i.include.length ? ` INCLUDE (${t(i.include.join(', '))})` : ''}${i.partial ? ' partial' : ''}`);
  return out;
}

/** `L12` in the row's own file; `0005_rls.sql:12` when the fact comes from another migration. */
export function shortLabel(loc: Loc, rowFile: string): string {
  return loc.file === rowFile ? `L${loc.line}` : `${loc.file.slice(loc.file.lastIndexOf('/') + 1)}:${loc.line}`;
}

function trusted(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!).replace(/\r?\n/g, ' ');
}

export function clip(s: string, n = 70): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
