// `sql-architect report`: the design review report as Markdown, HTML or JSON.
import fs from 'node:fs';
import path from 'node:path';
import { buildReport, defaultConfig, defaultHref, renderHtml, renderJson, renderMarkdown, type ResolvedConfig } from '../rules/index';
import { newFilesSince } from '../io/git';
import { displayPath } from './format';
import { loadPaths } from './paths';
import { databaseOption, UsageError, type ProjectResult } from './project';
import { runIsolation } from './trace';

/** The configuration the pipeline analysed a set with. */
export function configForSet(project: ProjectResult, setId: string): ResolvedConfig {
  return project.configOf.get(setId) ?? defaultConfig();
}

export async function report(paths: string[], values: Record<string, string | boolean | undefined>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const format = String(values.format ?? 'md');
  if (!['md', 'markdown', 'html', 'json'].includes(format)) throw new UsageError(`--format must be md, html or json for report (got "${format}")`);
  let pgVersion: number | undefined;
  if (values['pg-version'] !== undefined) {
    pgVersion = Number(values['pg-version']);
    if (!Number.isInteger(pgVersion) || pgVersion < 9 || pgVersion > 30) throw new UsageError(`--pg-version must be a PostgreSQL major version such as 14 (got "${values['pg-version']}")`);
  }
  const configFile = values.config as string | undefined;
  if (configFile !== undefined && !fs.existsSync(configFile)) throw new UsageError(`--config ${configFile}: no such file`);
  const project = await loadPaths(paths, values, { configFile, pgVersion, database: await databaseOption(values), warn: (m) => err(`warning: ${m}`) });
  const ref = values.since as string | undefined;
  const since = ref !== undefined ? { ref, newFiles: newFilesSince([...project.texts.keys()], ref, { display: displayPath }) } : undefined;
  // --prove-isolation: the tenant matrix gets the verdicts of the isolation proof on PostgreSQL.
  const isolation = values['prove-isolation']
    ? [...(await runIsolation(project, values['database-url'] as string | undefined, configFile, (m) => err(`warning: ${m}`))).results]
      .flatMap(([setId, tables]) => tables.map((t) => ({ setId, table: t.table, tenantColumn: t.tenantColumn, perUser: t.perUser, status: t.status, details: t.details })))
    : undefined;
  const model = buildReport(project.sets, { configFor: (id) => configForSet(project, id), relPath: displayPath, since, isolation });

  // Links point at the migrations from where the report is written.
  const output = values.output as string | undefined;
  const outDir = output ? path.dirname(path.resolve(output)) : process.cwd();
  const href = (file: string) => defaultHref(path.relative(outDir, path.resolve(file)).split(path.sep).join('/') || file);
  const text = format === 'json' ? renderJson(model) : format === 'html' ? renderHtml(model, { href }) : renderMarkdown(model, { href });
  if (output) {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(output, text);
  } else out(text);
  return 0;
}
