// `sql-architect explain`: what the analysis inferred about each migration set (tenant tables and keys with their
// evidence, isolation strategy, roles, migration tool and transactions, conventions), and how to correct it.
import fs from 'node:fs';
import { buildReport, explainLines, migrationFolder } from '../rules/index';
import { displayPath } from './format';
import { loadPaths } from './paths';
import { databaseOption, UsageError } from './project';
import { configForSet } from './report';

export async function explainCommand(paths: string[], values: Record<string, string | boolean | undefined>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const format = String(values.format ?? 'text');
  if (!['text', 'json'].includes(format)) throw new UsageError(`--format must be text or json for explain (got "${format}")`);
  const configFile = values.config as string | undefined;
  if (configFile !== undefined && !fs.existsSync(configFile)) throw new UsageError(`--config ${configFile}: no such file`);
  const project = await loadPaths(paths, values, { configFile, database: await databaseOption(values), warn: (m) => err(`warning: ${m}`) });
  const { inferred } = buildReport(project.sets, { configFor: (id) => configForSet(project, id), relPath: displayPath });
  // Files of a set's folder that PostgreSQL never runs (ory/popx dialect files), listed under the set.
  const leftOutOf = (i: number) => (project.leftOut ?? []).filter((f) => migrationFolder(f.path) === project.sets[i].id).map((f) => ({ file: displayPath(f.path), why: f.why }));
  const text = format === 'json'
    ? `${JSON.stringify({ version: 1, sets: inferred.map((s, i) => { const leftOut = leftOutOf(i); return leftOut.length ? { ...s, leftOut } : s; }) }, null, 2)}\n`
    : `${inferred.map((s, i) => [...explainLines(s), ...leftOutLines(leftOutOf(i))].join('\n')).join('\n\n')}\n`;
  if (values.output) fs.writeFileSync(String(values.output), text);
  else out(text);
  return 0;
}

function leftOutLines(files: { file: string; why: string }[]): string[] {
  if (!files.length) return [];
  return [`  left out, never run on PostgreSQL: ${files.length} file${files.length === 1 ? '' : 's'}`, ...files.map((f) => `    ${f.file}: ${f.why}`)];
}
