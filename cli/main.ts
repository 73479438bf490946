// `sql-architect`: the command-line front end. Thin: argument parsing, IO and exit codes; the review itself
// comes from rules/.
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../rules/index';
import { allFindings, formatJson, formatSarif, formatText } from './format';
import { loadProject, UsageError } from './project';
import { limitToFiles, newFilesSince, report, SinceError } from './report';
import { isolationCommand, traceCommand } from './trace';
import pkg from '../package.json';

const HELP = `sql-architect ${pkg.version}: reviews PostgreSQL migrations like a senior database architect.

Usage:
  sql-architect check [paths…] [--format text|json|sarif] [--config FILE] [--pg-version N] [--since REF] [--output FILE]
  sql-architect trace [paths…] [--format text|json|md] [--database-url URL] [--output FILE]
  sql-architect verify-isolation [paths…] [--format text|json|md] [--database-url URL] [--output FILE]
  sql-architect report [paths…] [--format md|html|json] [--config FILE] [--pg-version N] [--since REF] [--prove-isolation] [--output FILE]

Folders are searched for .sql files; each folder is one migration set, replayed in apply order.
check lists the findings. report writes the design review: summary, tenant isolation matrix, sensitive data,
migration risk (blocking locks), findings by rule and a schema overview with an ER diagram.
Exit status: 0 no error-severity finding (report: written), 1 at least one (check), 2 usage or configuration error.

Options:
  --format      check: text (default), json (a versioned contract), sarif (SARIF 2.1.0)
                report: md (default, GitHub Markdown), html (self-contained page), json (versioned)
  --config      a .sqlarchitect.json to use instead of the nearest one above each folder
  --pg-version  the PostgreSQL major version migrations run on (default 14, or the config's)
  --since       only findings (and, for report, migration risk) in migrations added after this git revision
                (files absent from it: a tag, branch or commit such as v1.4.0 or HEAD~3); the schema is still replayed whole
  --database-url  trace / verify-isolation on this PostgreSQL server (a scratch database is created and
                dropped) instead of the embedded PostgreSQL 18 (PGlite)
  --prove-isolation  report: run the tenant-isolation proof too; the tenant matrix gets an "Isolation (proved)" column
  --output      write the report to FILE instead of standard output
  --no-color    plain text output
  --exit-zero   check: exit 0 even when there are error-severity findings (for demos and reports)
  -h, --help    this help;  -v, --version  the version
`;

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        config: { type: 'string' },
        'pg-version': { type: 'string' },
        output: { type: 'string', short: 'o' },
        since: { type: 'string' },
        'database-url': { type: 'string' },
        'prove-isolation': { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        'exit-zero': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    err(`sql-architect: ${(e as Error).message}\nRun 'sql-architect --help' for usage.`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { out(HELP); return 0; }
  if (values.version) { out(`${pkg.version}\n`); return 0; }
  const [command, ...paths] = positionals;
  try {
    switch (command) {
      case 'check':
        return await check(paths, values, out, err);
      case 'trace':
        return await traceCommand(paths, values, out, err);
      case 'verify-isolation':
        return await isolationCommand(paths, values, out, err);
      case 'report':
        return await report(paths, values, out, err);
      case undefined:
        out(HELP);
        return 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof SinceError) { err(`sql-architect: ${e.message}`); return 2; }
    if (e instanceof UsageError) { err(`sql-architect: ${e.message}\nRun 'sql-architect --help' for usage.`); return 2; }
    if (e instanceof ConfigError) { err(`sql-architect: configuration error: ${e.message}`); return 2; }
    err(`sql-architect: internal error: ${(e as Error).stack ?? e}\nPlease report this.`);
    return 2;
  }
}

async function check(paths: string[], values: Record<string, string | boolean | undefined>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const format = String(values.format ?? 'text');
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif (got "${format}")`);
  let pgVersion: number | undefined;
  if (values['pg-version'] !== undefined) {
    pgVersion = Number(values['pg-version']);
    if (!Number.isInteger(pgVersion) || pgVersion < 9 || pgVersion > 30) throw new UsageError(`--pg-version must be a PostgreSQL major version such as 14 (got "${values['pg-version']}")`);
  }
  if (values.config !== undefined && !fs.existsSync(String(values.config))) throw new UsageError(`--config ${values.config}: no such file`);
  let project = await loadProject(paths, { configFile: values.config as string | undefined, pgVersion, warn: (m) => err(`warning: ${m}`) });
  if (project.fileCount === 0) err('warning: no .sql files found');
  if (values.since !== undefined) project = limitToFiles(project, newFilesSince([...project.texts.keys()], String(values.since)));
  const color = format === 'text' && !values['no-color'] && !values.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const report = format === 'json' ? formatJson(project) : format === 'sarif' ? formatSarif(project, pkg.version) : formatText(project, color);
  if (values.output) {
    fs.mkdirSync(path.dirname(path.resolve(String(values.output))), { recursive: true });
    fs.writeFileSync(String(values.output), report);
  } else out(report);
  return !values['exit-zero'] && allFindings(project).some((f) => f.severity === 'error') ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`sql-architect: internal error: ${(e as Error).stack ?? e}\n`); process.exitCode = 2; },
  );
}
