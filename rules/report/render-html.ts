// The report as one self-contained HTML page: inline CSS on --vscode-* theme variables with fallbacks (the same
// page works in the editor's webview and in a browser), the ER diagram as inline SVG, no external resources.
// Every piece of text from the migrations goes through escapeHtml.
import { defaultHref, escapeHtml as h } from './escape';
import { edgePoint, ER, layoutEr, type ErBox } from './er';
import { shortLabel, type RenderOptions } from './render-md';
import { baselineText } from './inferred';
import type { Cell, InferredFact, Loc, ProvedIsolation, ReportModel, RiskFile, RuleFindings, TableFact, Verdict } from './types';

const MODE_HTML: Record<'tool' | 'implicit' | 'none', string> = { tool: 'in its transaction', implicit: 'as one query', none: 'statement by statement' };

export interface HtmlOptions extends RenderOptions {
  /**
   * Render for a VS Code webview: the CSP admits the webview's own sources and one nonce; links carry
   * data-file / data-line / data-column, and a small nonce'd script posts `{ type: 'open', file, line, column }`.
   * `file` is href(display path), e.g. a file:// URI.
   */
  webview?: { nonce: string; cspSource: string };
}

const MARK: Record<Cell['status'], string> = { yes: '✓', no: '✗', partial: '!', 'n/a': '–' };
const VERDICT: Record<Verdict['status'], string> = { ok: 'OK', warn: 'Warning', fail: 'Fail' };

const CSS = `
:root {
  --fg: var(--vscode-editor-foreground, #1f2328);
  --bg: var(--vscode-editor-background, #ffffff);
  --muted: var(--vscode-descriptionForeground, #59636e);
  --border: var(--vscode-panel-border, #d1d9e0);
  --link: var(--vscode-textLink-foreground, #0969da);
  --ok: var(--vscode-testing-iconPassed, #1a7f37);
  --warn: var(--vscode-editorWarning-foreground, #9a6700);
  --err: var(--vscode-editorError-foreground, #cf222e);
  --info: var(--vscode-editorInfo-foreground, #0969da);
  --code-bg: var(--vscode-textCodeBlock-background, #f6f8fa);
  --head-bg: var(--vscode-editorWidget-background, #f6f8fa);
  --font: var(--vscode-font-family, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif);
  --mono: var(--vscode-editor-font-family, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
  --size: var(--vscode-font-size, 14px);
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: var(--vscode-editor-foreground, #e6edf3);
    --bg: var(--vscode-editor-background, #0d1117);
    --muted: var(--vscode-descriptionForeground, #9198a1);
    --border: var(--vscode-panel-border, #3d444d);
    --link: var(--vscode-textLink-foreground, #4493f8);
    --ok: var(--vscode-testing-iconPassed, #3fb950);
    --warn: var(--vscode-editorWarning-foreground, #d29922);
    --err: var(--vscode-editorError-foreground, #f85149);
    --info: var(--vscode-editorInfo-foreground, #4493f8);
    --code-bg: var(--vscode-textCodeBlock-background, #151b23);
    --head-bg: var(--vscode-editorWidget-background, #151b23);
  }
}
body { color: var(--fg); background: var(--bg); font-family: var(--font); font-size: var(--size); line-height: 1.45; margin: 0; padding: 0 24px 48px; }
h1 { font-size: 1.6em; margin: 20px 0 4px; }
h2 { font-size: 1.3em; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: var(--muted); }
nav { position: sticky; top: 0; background: var(--bg); padding: 8px 0; border-bottom: 1px solid var(--border); z-index: 1; }
nav a { margin-right: 16px; }
.note { border-left: 3px solid var(--info); padding: 4px 12px; margin: 12px 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.92em; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid var(--border); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--head-bg); font-weight: 600; }
td.num, th.num { text-align: right; }
code, .sql { font-family: var(--mono); font-size: 0.92em; background: var(--code-bg); padding: 1px 4px; border-radius: 3px; }
.sql { word-break: break-word; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 16px; }
.stat { border: 1px solid var(--border); border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.stat b { display: block; font-size: 1.5em; }
.st { font-weight: 700; margin-right: 4px; }
.st-yes, .v-ok { color: var(--ok); }
.st-no, .v-fail, .sev-error { color: var(--err); }
.st-partial, .v-warn, .sev-warning { color: var(--warn); }
.st-n-a, .sev-info { color: var(--muted); }
.badge { display: inline-block; font-size: 0.8em; font-weight: 600; border: 1px solid currentColor; border-radius: 10px; padding: 0 8px; margin-right: 6px; }
.loc { font-family: var(--mono); font-size: 0.9em; white-space: nowrap; }
details { margin: 6px 0; }
summary { cursor: pointer; }
ul.locations { margin: 4px 0 12px; padding-left: 20px; }
ul.locations li { margin: 3px 0; }
.er-wrap { overflow: auto; border: 1px solid var(--border); border-radius: 6px; max-height: 80vh; }
.er .box-body { fill: var(--bg); stroke: var(--border); }
.er .box-head { fill: var(--head-bg); stroke: var(--border); }
.er .external .box-body, .er .external .box-head { stroke-dasharray: 4 3; }
.er text { font-family: var(--mono); font-size: 12px; fill: var(--fg); }
.er text.title { font-weight: 700; }
.er text.key { fill: var(--link); }
.er text.more { fill: var(--muted); }
.er .edge { stroke: var(--muted); stroke-width: 1.2; fill: none; }
.er .arrow { fill: var(--muted); }
`;

// Posts the location of a clicked link to the extension, which opens the file at that line.
const SCRIPT = `(function () {
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', function (e) {
    const a = e.target instanceof Element ? e.target.closest('a[data-file]') : null;
    if (!a) return;
    e.preventDefault();
    vscode.postMessage({ type: 'open', file: a.getAttribute('data-file'), line: Number(a.getAttribute('data-line')), column: Number(a.getAttribute('data-column')) });
  });
})();`;

/** A CSP source (`https://*.vscode-cdn.net`) as it may appear in the policy: no quotes, semicolons or spaces. */
function cspToken(s: string): string {
  return s.replace(/[^A-Za-z0-9+/=:._*\-]/g, '');
}

/** A nonce: base64 characters only. */
function nonceToken(s: string): string {
  return s.replace(/[^A-Za-z0-9+/=]/g, '');
}

export function renderHtml(report: ReportModel, opts: HtmlOptions = {}): string {
  const href = opts.href ?? defaultHref;
  const wv = opts.webview;
  const link: Link = (loc, label) => {
    if (!loc) return '';
    const text = h(label ?? `${loc.file}:${loc.line}`);
    const title = h(`${loc.file}:${loc.line}:${loc.column}`);
    if (wv) return `<a class="loc" href="#" title="${title}" data-file="${h(href(loc.file))}" data-line="${loc.line}" data-column="${loc.column}">${text}</a>`;
    return `<a class="loc" href="${h(`${href(loc.file)}#L${loc.line}`)}" title="${title}">${text}</a>`;
  };
  const cell: Html['cell'] = (c, row) => `<td class="cell-${c.status === 'n/a' ? 'n-a' : c.status}"><span class="st st-${c.status === 'n/a' ? 'n-a' : c.status}">${MARK[c.status]}</span>${h(c.text)}${c.loc ? ` ${link(c.loc, shortLabel(c.loc, row))}` : ''}</td>`;
  const html: Html = { link, cell, multiSet: report.sets.length > 1 };
  const s = report.summary;

  const csp = wv
    ? `default-src 'none'; style-src ${cspToken(wv.cspSource)} 'nonce-${nonceToken(wv.nonce)}'; script-src 'nonce-${nonceToken(wv.nonce)}'; img-src ${cspToken(wv.cspSource)} data:; font-src ${cspToken(wv.cspSource)}`
    : `default-src 'none'; style-src 'unsafe-inline'; img-src data:`;
  const nonceAttr = wv ? ` nonce="${h(nonceToken(wv.nonce))}"` : '';
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  // Built from cspToken-sanitised parts only (no `"` can occur), so written as is.
  out.push(`<meta http-equiv="Content-Security-Policy" content="${csp}">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>SQL Architect: ${h(report.title)}</title>`);
  out.push(`<style${nonceAttr}>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>SQL Architect: ${h(report.title)}</h1>`);
  out.push(`<p class="muted">Reviewed ${s.files} migration file${s.files === 1 ? '' : 's'} in ${s.sets} set${s.sets === 1 ? '' : 's'}: ${report.sets.map((x) => `<code>${h(x)}</code>`).join(', ') || 'none'}.</p>`);
  if (report.since) {
    out.push(`<p class="note">Findings and migration risk are limited to the ${report.since.files.length} migration${report.since.files.length === 1 ? '' : 's'} added${report.since.ref ? ` since <code>${h(report.since.ref)}</code>` : ''}${report.since.files.length ? `: ${report.since.files.map((f) => `<code>${h(f)}</code>`).join(', ')}` : ''}. The schema sections describe the whole schema.</p>`);
  }
  out.push('<nav><a href="#inferred">Inferred</a><a href="#summary">Summary</a><a href="#tenancy">Tenant isolation</a><a href="#sensitive">Sensitive data</a><a href="#risk">Migration risk</a><a href="#findings">Findings</a><a href="#schema">Schema</a></nav>');

  out.push(...inferredHtml(report, html), ...summaryHtml(report), ...tenancyHtml(report, html), ...sensitiveHtml(report, html),
    ...riskSectionHtml(report, html), ...findingsHtml(report, html), ...schemaHtml(report, html));
  if (report.internalErrors.length) {
    out.push('<section id="internal"><h2>Internal errors</h2><p>Some rules failed on these inputs; please report them.</p><ul>');
    for (const e of report.internalErrors) out.push(`<li>${h(e)}</li>`);
    out.push('</ul></section>');
  }
  if (wv) out.push(`<script${nonceAttr}>${SCRIPT}</script>`);
  out.push('</body>', '</html>');
  return out.join('\n') + '\n';
}

/** What the sections share: links to file#Lline (or to the editor in the webview), matrix cells, the set column. */
interface Html {
  link: Link;
  cell: (c: Cell, row: string) => string;
  multiSet: boolean;
}

function inferredHtml(report: ReportModel, { link, multiSet }: Html): string[] {
  const out: string[] = [];
  out.push('<section id="inferred"><h2>What SQL Architect inferred</h2><p class="muted">The project model the rules judged by; each line says why, and how to correct it in <code>.sqlarchitect.json</code>.</p>');
  for (const inf of report.inferred) {
    const why = (f: InferredFact) => `${h(f.text)}${f.loc ? ` ${link(f.loc)}` : ''}`;
    if (multiSet) out.push(`<h3>${h(inf.set)}</h3>`);
    out.push('<ul>');
    if (inf.baseline) out.push(`<li><b>Starts from</b>: ${h(baselineText(inf.baseline))}.</li>`);
    out.push(`<li><b>Migration tool</b>: ${h(inf.runner.label)}${inf.runner.configured ? ' (configured)' : ` — ${why(inf.runner.evidence)}`}. Files run ${(['tool', 'implicit', 'none'] as const).filter((m) => inf.runner.modes[m]).map((m) => `${MODE_HTML[m]}: ${inf.runner.modes[m]}`).join('; ')}${inf.runner.exceptions.length ? `; ${inf.runner.exceptions.map((e) => `<code>${h(e.file)}</code> ${MODE_HTML[e.mode]} (${h(e.why)})`).join('; ')}` : ''}. Set <code>runner</code> to correct it.</li>`);
    out.push(`<li><b>Tenant isolation</b>: ${inf.isolation.strategy === 'rls' ? 'row-level security' : 'application code'}${inf.isolation.configured ? ' (configured)' : ` — ${why(inf.isolation.evidence)}`}. Set <code>isolation</code> to correct it.</li>`);
    if (inf.platform.evidence) out.push(`<li><b>Platform</b>: ${h(inf.platform.id)} — ${why(inf.platform.evidence)}.</li>`);
    out.push(`<li><b>The application connects as</b>: ${inf.roles.connectsAsOwner ? 'the tables\' owner' : inf.roles.appRoles.map((r) => `<code>${h(r)}</code>`).join(', ')} — ${why(inf.roles.evidence)}${inf.roles.bypassRoles.length ? `; bypass RLS: ${inf.roles.bypassRoles.map((r) => `<code>${h(r)}</code>`).join(', ')}` : ''}. Set <code>appRoles</code> / <code>bypassRoles</code> to correct it.</li>`);
    out.push(`<li><b>Tenant tables</b>: ${inf.tenantTables.length ? inf.tenantTables.map((r) => `<code>${h(r.table)}</code> (${why(r.evidence)})`).join(', ') : 'none found'}; ${inf.tenantKeys.length} tenant-scoped table${inf.tenantKeys.length === 1 ? '' : 's'}${inf.tenantKeys.length ? ': ' + inf.tenantKeys.slice(0, 40).map((k) => `<code>${h(`${k.table}.${k.column}`)}</code> ${link(k.loc, k.kind)}`).join(', ') + (inf.tenantKeys.length > 40 ? ', …' : '') : ''}. Set <code>tenantTables</code> / <code>tenantColumns</code> to correct it.</li>`);
    if (inf.userTables.length) out.push(`<li><b>Tables keyed on the signed-in user</b> (the isolation proof runs as two users): ${inf.userTables.slice(0, 40).map((u) => `<code>${h(`${u.table}.${u.column}`)}</code> ${link(u.evidence.loc, 'policy')}`).join(', ')}${inf.userTables.length > 40 ? ', …' : ''}.</li>`);
    if (inf.rejected.length) out.push(`<li><b>Named like a tenant key, but not one</b>: ${inf.rejected.slice(0, 20).map((r) => `<code>${h(`${r.table}.${r.column}`)}</code>: ${h(r.reason)}`).join('; ')}.</li>`);
    if (inf.conventions.length) out.push(`<li><b>Project-wide conventions</b> (each reported once): ${inf.conventions.map((c) => `${h(c.text)}${c.loc ? ` ${link(c.loc)}` : ''}`).join('; ')}.</li>`);
    out.push('</ul>');
  }
  out.push('</section>');
  return out;
}

function summaryHtml(report: ReportModel): string[] {
  const out: string[] = [];
  const s = report.summary;
  out.push('<section id="summary"><h2>Summary</h2><div class="stats">');
  const stat = (n: number, label: string, cls = '') => `<div class="stat${cls ? ` ${cls}` : ''}"><b>${n}</b>${label}</div>`;
  out.push(stat(s.tables, 'tables'), stat(s.tenantTables, 'tenant tables'), stat(s.findings, 'findings'),
    stat(s.bySeverity.error, 'errors', s.bySeverity.error ? 'sev-error' : ''), stat(s.bySeverity.warning, 'warnings', s.bySeverity.warning ? 'sev-warning' : ''), stat(s.bySeverity.info, 'info'));
  out.push('</div><table><thead><tr><th>Area</th><th>Verdict</th></tr></thead><tbody>');
  for (const v of s.verdicts) out.push(`<tr><td><span class="badge v-${v.status}">${VERDICT[v.status]}</span>${h(v.title)}</td><td>${h(v.text)}</td></tr>`);
  out.push('</tbody></table>');
  out.push(`<p class="muted">Findings by category: ${Object.entries(s.byCategory).map(([c, n]) => `${h(c)} ${n}`).join(', ')}.</p></section>`);
  return out;
}

function tenancyHtml(report: ReportModel, { link, cell, multiSet }: Html): string[] {
  const out: string[] = [];
  out.push('<section id="tenancy"><h2>Tenant isolation</h2>');
  if (report.tenantMatrix.length === 0) {
    out.push(`<p>No tenant tables: no table has a tenant column (${report.tenantColumns.map((c) => `<code>${h(c)}</code>`).join(', ')}).</p>`);
  } else {
    const proved = report.isolationProved;
    out.push(`<table class="matrix"><thead><tr>${multiSet ? '<th>Set</th>' : ''}<th>Table</th><th>Tenant column</th><th>Tenant-leading index</th><th>RLS enabled</th><th>RLS forced</th><th>Policies on tenant</th><th>Tenant in UNIQUE</th><th>Tenant in FK</th><th>Isolated</th>${proved ? '<th>Isolation (proved)</th>' : ''}</tr></thead><tbody>`);
    for (const r of report.tenantMatrix) {
      const col = `<code>${h(r.tenantColumn.name)}</code> ${h(r.tenantColumn.type)}${r.tenantColumn.notNull ? '' : ' <span class="st-partial">(nullable)</span>'} ${link(r.tenantColumn.loc, shortLabel(r.tenantColumn.loc, r.loc.file))}`;
      const iso = r.isolated ? '<td><span class="st st-yes">✓</span>yes</td>' : `<td><span class="st st-no">✗</span>${h(r.gaps.join('; '))}</td>`;
      out.push(`<tr>${multiSet ? `<td>${h(r.set)}</td>` : ''}<td>${link(r.loc, r.table)}</td><td>${col}</td>${cell(r.index, r.loc.file)}${cell(r.rlsEnabled, r.loc.file)}${cell(r.rlsForced, r.loc.file)}${cell(r.policies, r.loc.file)}${cell(r.unique, r.loc.file)}${cell(r.foreignKeys, r.loc.file)}${iso}${proved ? provedHtml(r.proved) : ''}</tr>`);
    }
    out.push('</tbody></table>');
    const withPolicies = report.tenantMatrix.filter((r) => r.policyList.length);
    if (withPolicies.length) {
      const yn = (b: boolean | undefined) => (b === undefined ? '<span class="st-n-a">–</span>' : b ? '<span class="st st-yes">✓</span>' : '<span class="st st-no">✗</span>');
      out.push('<h3>Policies of tenant tables</h3><table><thead><tr><th>Table</th><th>Policy</th><th>Command</th><th>Roles</th><th>USING</th><th>on tenant</th><th>WITH CHECK</th><th>on tenant</th><th>Limited to tenant</th></tr></thead><tbody>');
      for (const r of withPolicies) {
        for (const p of r.policyList) {
          out.push(`<tr><td>${h(r.table)}</td><td>${link(p.loc, p.name)}${p.permissive ? '' : ' <span class="muted">(restrictive)</span>'}</td><td>${h(p.command)}</td><td>${h(p.roles.join(', '))}</td><td>${p.using ? `<span class="sql">${h(p.using)}</span>` : '–'}</td><td>${yn(p.usingTenant)}</td><td>${p.withCheck ? `<span class="sql">${h(p.withCheck)}</span>` : '–'}</td><td>${yn(p.checkTenant)}</td><td>${yn(p.scoped)}</td></tr>`);
        }
      }
      out.push('</tbody></table>');
    }
  }
  if (report.userIsolation?.length) {
    out.push('<h3>Tables keyed on the signed-in user (proved)</h3><p class="muted">Their policies compare a column with the signed-in user: the proof ran as two users, A and B, each the owner of its rows.</p>');
    out.push(`<table><thead><tr>${multiSet ? '<th>Set</th>' : ''}<th>Table</th><th>Owner column</th><th>Isolation (proved)</th></tr></thead><tbody>`);
    for (const r of report.userIsolation) out.push(`<tr>${multiSet ? `<td>${h(r.set)}</td>` : ''}<td>${h(r.table)}</td><td><code>${h(r.column)}</code></td>${provedHtml(r)}</tr>`);
    out.push('</tbody></table>');
  }
  out.push('</section>');
  return out;
}

function sensitiveHtml(report: ReportModel, { link, multiSet }: Html): string[] {
  const out: string[] = [];
  out.push('<section id="sensitive"><h2>Sensitive data</h2>');
  if (report.sensitive.length === 0) out.push('<p>No column looks like a secret or personal data.</p>');
  else {
    out.push(`<table><thead><tr>${multiSet ? '<th>Set</th>' : ''}<th>Table</th><th>Column</th><th>Type</th><th>Why flagged</th><th>Stored in clear</th><th>Storage</th></tr></thead><tbody>`);
    for (const c of report.sensitive) {
      out.push(`<tr>${multiSet ? `<td>${h(c.set)}</td>` : ''}<td>${h(c.table)}</td><td>${link(c.loc, c.column)}</td><td><code>${h(c.type)}</code></td><td>${h(c.why)}</td><td>${c.inClear ? '<span class="st st-no">✗</span>yes' : '<span class="st st-yes">✓</span>no'}</td><td>${h(c.storage)}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  out.push('</section>');
  return out;
}

function riskSectionHtml(report: ReportModel, { link, multiSet }: Html): string[] {
  const out: string[] = [];
  out.push('<section id="risk"><h2>Migration risk</h2><p class="muted">Statements that take a lock blocking reads or writes on a table that existed before their migration, newest migration first.</p>');
  if (report.migrationRisk.length === 0) out.push('<p>No statement takes a blocking lock on an existing table.</p>');
  for (const f of report.migrationRisk) out.push(riskHtml(f, link, multiSet));
  out.push('</section>');

  if (report.measuredLocks) {
    out.push('<section id="measured"><h2>Measured locks (PostgreSQL)</h2><p class="muted">Each statement replayed on PostgreSQL; locks read from pg_locks before COMMIT.</p><table><thead><tr><th>Statement</th><th>Locks</th><th>Rewrites</th><th>ms</th></tr></thead><tbody>');
    for (const m of report.measuredLocks) {
      const locks = m.error ? `<span class="bad">error: ${h(m.error)}</span>` : m.locks.map((l) => `${h(l.relation)}: ${h(l.mode)}`).join('<br>') || '—';
      out.push(`<tr><td>${link(m.at, `${m.at.file}:${m.at.line}`)}<br><code>${h(m.sql.replace(/\s+/g, ' ').slice(0, 80))}</code></td><td>${locks}</td><td>${h(m.rewrites.join(', ')) || '—'}</td><td>${m.ms.toFixed(1)}</td></tr>`);
    }
    out.push('</tbody></table></section>');
  }
  return out;
}

function findingsHtml(report: ReportModel, { link }: Html): string[] {
  const out: string[] = [];
  out.push('<section id="findings"><h2>Findings by rule</h2>');
  if (report.findingsByRule.length === 0) out.push('<p>No findings.</p>');
  for (const g of report.findingsByRule) out.push(ruleHtml(g, link));
  out.push('</section>');
  return out;
}

function schemaHtml(report: ReportModel, { link, multiSet }: Html): string[] {
  const out: string[] = [];
  out.push('<section id="schema"><h2>Schema overview</h2>');
  if (report.tables.length === 0) out.push('<p>No tables.</p>');
  else {
    out.push(`<div class="er-wrap">${erSvg(report)}</div>`);
    out.push(`<details><summary>Mermaid source of the diagram</summary><pre class="sql">${h(report.erDiagram)}</pre></details>`);
    if (report.relationships.length) {
      out.push('<h3>Relationships</h3><table><thead><tr><th>From</th><th>Columns</th><th>To</th><th>Columns</th><th>Foreign key</th></tr></thead><tbody>');
      for (const r of report.relationships) {
        out.push(`<tr><td>${h(r.from)}</td><td>${h(r.fromColumns.join(', '))}</td><td>${h(r.to)}${r.toKnown ? '' : ' <span class="muted">(outside the migrations)</span>'}</td><td>${h(r.toColumns.join(', '))}</td><td>${link(r.loc, r.name)}</td></tr>`);
      }
      out.push('</tbody></table>');
    }
    out.push('<h3>Tables</h3>');
    for (const tb of report.tables) out.push(tableHtml(tb, link, multiSet));
  }
  out.push('</section>');
  return out;
}

type Link = (loc: Loc | undefined, label?: string) => string;

const PROVED: Record<ProvedIsolation['status'], string> = {
  isolated: '<span class="st st-yes">✓</span>isolated', shared: '<span class="st st-partial">◐</span>reads shared by policy', leaks: '<span class="st st-no">✗</span>leaks', untestable: '<span class="st st-partial">!</span>untestable',
};

/** The verdict of the isolation proof with what the probe saw; – when the proof did not reach the table. */
function provedHtml(p: ProvedIsolation | undefined): string {
  return p ? `<td>${PROVED[p.status]}<br><span class="muted">${h(p.details)}</span></td>` : '<td><span class="st-n-a">–</span></td>';
}

function riskHtml(f: RiskFile, link: Link, multiSet: boolean): string {
  const out = [`<h3>${h(multiSet ? `${f.set}: ${f.file}` : f.file)}</h3>`];
  out.push('<table><thead><tr><th>Line</th><th>Statement</th><th>Table</th><th>Lock</th><th>What waits</th><th>Rewrite / scan</th><th>lock_timeout</th></tr></thead><tbody>');
  for (const s of f.statements) {
    for (const [i, l] of s.locks.entries()) {
      const effect = l.rewrite ? '<span class="st-no">rewrites the table</span>' : l.scan ? '<span class="st-partial">scans the table</span>' : '–';
      const first = i === 0 ? `<td rowspan="${s.locks.length}">${link(s.loc, `L${s.loc.line}`)}</td><td rowspan="${s.locks.length}"><span class="sql">${h(s.sql)}</span></td>` : '';
      const timeout = i === 0 ? `<td rowspan="${s.locks.length}">${s.lockTimeoutSet ? 'set' : '<span class="st-partial">not set</span>'}</td>` : '';
      out.push(`<tr>${first}<td>${h(l.table)}${l.size ? ` <span class="muted">(${h(l.size)})</span>` : ''}</td><td><b class="${l.blocksReads ? 'st-no' : 'st-partial'}">${h(l.mode)}</b> <span class="muted">(${h(l.what)})</span></td><td>${h(l.waits)}</td><td>${effect}</td>${timeout}</tr>`);
    }
  }
  out.push('</tbody></table>');
  return out.join('\n');
}

function ruleHtml(g: RuleFindings, link: Link): string {
  const out = [`<details${g.severity === 'error' ? ' open' : ''}><summary><span class="badge sev-${g.severity}">${g.severity}</span><b>${h(g.rule)}</b> — ${codeSpans(h(g.title))} <span class="muted">(${g.locations.length})</span></summary>`];
  out.push(`<p>${codeSpans(h(g.rationale))} <a href="${h(g.docs)}">Rule documentation</a></p><ul class="locations">`);
  for (const l of g.locations) out.push(`<li>${link(l.loc)} ${h(l.message)}</li>`);
  out.push('</ul></details>');
  return out.join('\n');
}

function tableHtml(tb: TableFact, link: Link, multiSet: boolean): string {
  const flags = [tb.tenantColumn ? `tenant column ${tb.tenantColumn}` : '', `RLS ${tb.rls}`, tb.partitioned ? 'partitioned' : ''].filter(Boolean).join(', ');
  const out = [`<details><summary><b>${h(multiSet ? `${tb.set}: ${tb.name}` : tb.name)}</b> <span class="muted">${tb.columns.length} column${tb.columns.length === 1 ? '' : 's'}; ${h(flags)}</span></summary>`];
  out.push(`<p>Created in ${link(tb.loc)}.${tb.comment ? ` ${h(tb.comment)}` : ''}${tb.history.length > 1 ? ` Changed in ${tb.history.slice(1).map((x) => link(x)).join(', ')}.` : ''}</p>`);
  out.push('<table><thead><tr><th>Column</th><th>Type</th><th>Null</th><th>Key</th><th>Notes</th></tr></thead><tbody>');
  for (const c of tb.columns) {
    const key = [c.primaryKey ? 'PK' : '', c.foreignKey ? 'FK' : ''].filter(Boolean).join(', ');
    const notes = [c.tenant ? 'tenant' : '', c.sensitive ? 'sensitive' : '', c.hasDefault ? 'default' : '', c.comment ?? ''].filter(Boolean).join('; ');
    out.push(`<tr><td>${link(c.loc, c.name)}</td><td><code>${h(c.type)}</code></td><td>${c.notNull ? 'NOT NULL' : 'null'}</td><td>${key}</td><td>${h(notes)}</td></tr>`);
  }
  out.push('</tbody></table>');
  const keys = tb.constraints.filter((c) => c.kind !== 'check');
  const indexes = tb.indexes.filter((x) => !x.constraint);
  if (keys.length || indexes.length) {
    out.push('<ul>');
    for (const c of keys) out.push(`<li>${h(c.kind.toUpperCase())} ${link(c.loc, c.name)} (${h(c.columns.join(', '))})${c.references ? ` → ${h(c.references)} (${h((c.refColumns ?? []).join(', '))})` : ''}${c.validated ? '' : ' NOT VALID'}</li>`);
    for (const i of indexes) out.push(`<li>${i.unique ? 'UNIQUE ' : ''}INDEX ${link(i.loc, i.name)} ${h(i.method)} (${h(i.columns.join(', '))})${i.include.length ? ` INCLUDE (${h(i.include.join(', '))})` : ''}${i.partial ? ' partial' : ''}</li>`);
    out.push('</ul>');
  }
  out.push('</details>');
  return out.join('\n');
}

/** `code` spans of the registry's rationales, on already escaped text. */
function codeSpans(escaped: string): string {
  return escaped.replace(/`([^`]+)`/g, '<code>$1</code>');
}

function fit(s: string, chars: number): string {
  return s.length > chars ? `${s.slice(0, chars - 1)}…` : s;
}

/** The ER diagram as inline SVG: boxes on a grid, one line per foreign key with an arrow at the referenced table. */
function erSvg(report: ReportModel): string {
  const layout = layoutEr(report.tables, report.relationships);
  const chars = Math.floor((ER.boxWidth - 12) / 7.3);
  const out = [`<svg class="er" xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="Entity-relationship diagram">`];
  out.push('<defs><marker id="er-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>');
  out.push('<g class="edges">');
  for (const e of layout.edges) {
    const title = `<title>${h(e.label)}: ${h(e.from.name)} → ${h(e.to.name)}</title>`;
    if (e.from === e.to) {
      const b = e.from;
      const x = b.x + b.width;
      const y = b.y + ER.header / 2;
      out.push(`<path class="edge" d="M${x},${y + 8} C${x + 30},${y + 8} ${x + 30},${y - 8} ${x},${y - 8}" marker-end="url(#er-arrow)">${title}</path>`);
      continue;
    }
    const a = edgePoint(e.from, e.to);
    const b = edgePoint(e.to, e.from);
    out.push(`<line class="edge" x1="${r1(a.x)}" y1="${r1(a.y)}" x2="${r1(b.x)}" y2="${r1(b.y)}" marker-end="url(#er-arrow)">${title}</line>`);
  }
  out.push('</g>');
  for (const b of layout.boxes) out.push(boxSvg(b, chars));
  out.push('</svg>');
  return out.join('\n');
}

function boxSvg(b: ErBox, chars: number): string {
  const out = [`<g class="box${b.external ? ' external' : ''}"><title>${h(b.name)}</title>`];
  out.push(`<rect class="box-body" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="4"/>`);
  out.push(`<rect class="box-head" x="${b.x}" y="${b.y}" width="${b.width}" height="${ER.header}" rx="4"/>`);
  out.push(`<text class="title" x="${b.x + 8}" y="${b.y + 16}">${h(fit(b.name, chars))}</text>`);
  b.rows.forEach((r, i) => {
    const mark = [r.pk ? 'PK' : '', r.fk ? 'FK' : ''].filter(Boolean).join(',') + (r.pk || r.fk ? ' ' : '');
    out.push(`<text class="${mark ? 'key' : 'col'}" x="${b.x + 8}" y="${b.y + ER.header + 14 + i * ER.row}">${h(fit(mark + r.text, chars))}</text>`);
  });
  if (b.more) out.push(`<text class="more" x="${b.x + 8}" y="${b.y + ER.header + 14 + b.rows.length * ER.row}">… ${b.more} more</text>`);
  if (b.external) out.push(`<text class="more" x="${b.x + 8}" y="${b.y + ER.header + 14}">not in these migrations</text>`);
  out.push('</g>');
  return out.join('\n');
}

function r1(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
