// Hover: the locks a statement takes, or what the schema model knows about a table.
import path from 'node:path';
import { blocks, displayName, LineIndex, modeName, sensitiveColumnsOf, sizeText, tableSize, userKeyOf, type ResolvedConfig, type SetResult, type TableModel } from '../rules/index';
import { fileToUri, range } from './convert';
import type { Workspace } from './workspace';

const IDENT = /[A-Za-z0-9_$."\u0080-\uffff]/;

/** The (possibly schema-qualified, possibly quoted) identifier around `offset`. */
export function identifierAt(text: string, offset: number): { start: number; end: number; name: string; schema?: string } | undefined {
  let s = offset;
  let e = offset;
  while (s > 0 && IDENT.test(text[s - 1])) s--;
  while (e < text.length && IDENT.test(text[e])) e++;
  if (s === e) return undefined;
  const raw = text.slice(s, e);
  const parts = raw.split('.').map((p) => (p.startsWith('"') && p.endsWith('"') && p.length > 1 ? p.slice(1, -1) : p.toLowerCase()));
  const name = parts[parts.length - 1];
  if (!name) return undefined;
  return { start: s, end: e, name, schema: parts.length > 1 ? parts[parts.length - 2] : undefined };
}

function link(ws: Workspace, file: string, start: number, label: string, result?: SetResult): string {
  const b = result?.baseline;
  // A live database is no file to link to; a baseline dump outside the workspace still is.
  if (b?.path === file && b.database) return `the database ${b.database}`;
  const pos = (b?.path === file && ws.text(file) === undefined ? new LineIndex(b.text) : ws.lineIndex(file)).position(start);
  return `[${label}](${fileToUri(file)}#L${pos.line + 1})`;
}

export function tableHover(ws: Workspace, result: SetResult, t: TableModel, config: ResolvedConfig): string {
  const project = result.project;
  const key = [...project.tenancy.keys.values()].find((k) => k.table.schema === t.schema && k.table.name === t.name);
  const registry = project.tenancy.registries.find((r) => r.table.schema === t.schema && r.table.name === t.name);
  const rejected = project.tenancy.rejected.filter((r) => r.table.schema === t.schema && r.table.name === t.name);
  const lines: string[] = [`**Table ${displayName(t)}**${t.partitioned ? ' (partitioned)' : ''}${t.comment ? ` — ${t.comment}` : ''}`, ''];
  if (key) lines.push(`- Tenant key: \`${key.column}\` (${key.kind}: ${key.evidence.text}); tenants isolated by ${project.tenancy.isolation.strategy === 'rls' ? 'row-level security' : 'application code'}`);
  if (registry) lines.push(`- Tenant table: ${registry.evidence.text}`);
  for (const r of rejected) lines.push(`- Not a tenant key: \`${r.column}\` — ${r.reason}`);
  if (!key && !registry && !rejected.length && !config.tenantColumns.length) lines.push('- Not tenant-scoped');
  const user = key || registry ? undefined : userKeyOf(t, config);
  if (user) {
    const at = link(ws, user.policy.origin.file, user.policy.origin.span.start, `\`${user.policy.name}\``, result);
    lines.push(`- Rows keyed on the signed-in user: \`${user.column}\` (policy ${at} compares it with the user); \`verify-isolation\` proves it as two users`);
  }
  const owner = project.roles.connectsAsOwner ? 'the owner bypasses it' : `the application connects as ${project.roles.appRoles.join(', ')}`;
  const size = tableSize(config, t);
  if (size) lines.push(`- Size: ${sizeText(size)}${size.source === 'database' ? ' (from the database)' : ''}`);
  lines.push(`- Row-level security: ${t.rlsEnabled ? `enabled (${link(ws, t.rlsEnabled.file, t.rlsEnabled.span.start, path.basename(t.rlsEnabled.file), result)})` : '**not enabled**'}, ${t.rlsForced ? 'forced' : `**not forced** (${owner})`}`);
  if (t.policies.length) {
    lines.push(`- Policies: ${t.policies.map((p) => `\`${p.name}\` ${p.command.toUpperCase()}${p.permissive ? '' : ' restrictive'}${p.usingColumns?.length ? ` USING (${p.usingColumns.join(', ')})` : ''}`).join('; ')}`);
  } else lines.push('- Policies: none');
  const pk = t.constraints.find((c) => c.kind === 'primary');
  lines.push(`- Primary key: ${pk ? `(${pk.columns.join(', ')})` : '**none**'}`);
  if (t.indexes.length) lines.push(`- Indexes: ${t.indexes.map((i) => `\`${i.name}\` (${i.columns.join(', ')})${i.unique ? ' unique' : ''}${i.partial ? ' partial' : ''}`).join('; ')}`);
  const sensitive = sensitiveColumnsOf(result, config).filter((c) => c.inClear && c.table === displayName(t)).length;
  if (sensitive) lines.push(`- Sensitive columns stored in clear: ${sensitive}`);
  lines.push(`- Columns: ${[...t.columns.values()].map((c) => `\`${c.name}\` ${c.type.name}${c.type.array ? '[]' : ''}${c.notNull ? ' not null' : ''}`).join(', ')}`);
  const shaped = [...new Set(t.history.map((h) => h.file))];
  lines.push(`- Shaped by: ${shaped.map((f) => link(ws, f, t.history.find((h) => h.file === f)!.span.start, path.basename(f), result)).join(', ')}`);
  return lines.join('\n');
}

export function statementHover(ws: Workspace, result: SetResult, file: string, offset: number): { markdown: string; start: number; end: number } | undefined {
  const stmt = ws.statementAt(file, offset);
  if (!stmt) return undefined;
  const facts = result.facts.get(stmt);
  if (!facts || facts.locks.entries.length === 0) return undefined;
  const lines = ['**Locks taken by this statement**', ''];
  for (const e of facts.locks.entries) {
    const b = blocks(e.mode);
    const effects = [e.rewrite ? 'rewrites the table and its indexes' : '', !e.rewrite && e.scan ? 'scans the whole table' : ''].filter(Boolean);
    lines.push(`- \`${e.table}\`${e.size ? ` (${sizeText(e.size)})` : ''}: **${modeName(e.mode)}** (${e.what}) — ${b.summary}${effects.length ? `; ${effects.join(', ')}` : ''}${e.existing ? '' : ' — table created in this file, nobody waits'}`);
  }
  lines.push('', `Reads wait: ${facts.locks.entries.some((e) => e.existing && blocks(e.mode).reads) ? '**yes**' : 'no'} · Writes wait: ${facts.locks.entries.some((e) => e.existing && blocks(e.mode).writes) ? '**yes**' : 'no'} · lock_timeout set: ${facts.lockTimeoutSet ? 'yes' : '**no**'} · in a transaction: ${facts.inTransaction ? 'yes' : 'no'}`);
  const recipes = result.findings.filter((f) => f.file === file && f.start >= stmt.span.start && f.start <= stmt.span.end && f.recipe);
  if (recipes.length) {
    lines.push('', '**Safer alternative**', '', '```sql', ...recipes.map((f) => f.recipe!), '```');
  }
  return { markdown: lines.join('\n'), start: stmt.span.start, end: stmt.span.end };
}

export function hover(ws: Workspace, file: string, offset: number, config: ResolvedConfig): { contents: { kind: 'markdown'; value: string }; range: ReturnType<typeof range> } | null {
  const result = ws.resultFor(file);
  const text = ws.text(file);
  if (!result || text === undefined) return null;
  const id = identifierAt(text, offset);
  if (id) {
    const t = result.model.table({ schema: id.schema, name: id.name });
    if (t) return { contents: { kind: 'markdown', value: tableHover(ws, result, t, config) }, range: range(ws, file, id.start, id.end) };
  }
  const s = statementHover(ws, result, file, offset);
  if (!s) return null;
  return { contents: { kind: 'markdown', value: s.markdown }, range: range(ws, file, s.start, s.end) };
}
