// `sql-architect`: the command-line front end. Thin: argument parsing, IO and exit codes; the review itself
// comes from rules/.
import { parseArgs } from 'node:util';
import { ConfigError } from '../rules/index';
import { SinceError } from '../io/git';
import { BaselineError } from '../io/baseline';
import { LiveSchemaError } from '../pg/index';
import { baselineCommand, checkCommand } from './check';
import { UsageError } from './project';
import { report } from './report';
import { explainCommand } from './explain';
import { isolationCommand, traceCommand } from './trace';
// A named import: the bundle keeps the version, not the whole manifest.
import { version } from '../package.json';

const HELP = `sql-architect ${version}: reviews PostgreSQL migrations like a senior database architect.

Usage:
  sql-architect check [paths…] [--format text|json|sarif|github|gitlab|junit] [--config FILE] [--pg-version N]
                      [--since REF] [--changed-files] [--fail-on error|warning|info|never] [--fix | --fix-dry-run]
                      [--baseline FILE | --no-baseline] [--database-url URL] [--output FILE]
  sql-architect baseline [paths…] [--baseline FILE] [--config FILE] [--pg-version N]
  sql-architect trace [paths…] [--format text|json|md] [--database-url URL] [--output FILE]
  sql-architect verify-isolation [paths…] [--format text|json|md] [--database-url URL] [--output FILE]
  sql-architect report [paths…] [--format md|html|json] [--config FILE] [--pg-version N] [--since REF] [--prove-isolation]
                       [--database-url URL] [--output FILE]
  sql-architect explain [paths…] [--format text|json] [--config FILE] [--database-url URL] [--output FILE]

Folders are searched for .sql files; each folder is one migration set, replayed in apply order.
check lists the findings. report writes the design review: summary, tenant isolation matrix, sensitive data,
migration risk (blocking locks), findings by rule and a schema overview with an ER diagram.
explain prints what the analysis inferred about each set (tenant tables and keys with their evidence, isolation,
roles, the migration tool and which statements share a transaction, conventions) and the setting that corrects each.
baseline records today's findings in .sqlarchitect-baseline.json; check then reports only the others.
Exit status: 0 no finding at the --fail-on severity (report: written), 1 at least one (check), 2 usage or
configuration error (also: a path that does not exist, or no .sql file to check).

Options:
  --format      check: text (default), json (a versioned contract), sarif (SARIF 2.1.0), github (workflow commands:
                pull request annotations), gitlab (Code Quality report), junit (JUnit XML)
                report: md (default, GitHub Markdown), html (self-contained page), json (versioned)
  --config      a .sqlarchitect.json to use instead of the nearest one above each folder
  --pg-version  the PostgreSQL major version migrations run on (default 14, or the config's)
  --since       only findings (and, for report, migration risk) in migrations added after this git revision
                (files absent from it: a tag, branch or commit such as v1.4.0 or HEAD~3); the schema is still replayed whole
  --changed-files  the paths are changed .sql files (a pre-commit hook passes the staged ones): their whole migration
                folders are replayed, findings are reported in these files only
  --fail-on     the lowest severity that makes check exit 1: error (default), warning, info or never
  --fix         apply the safe fixes (those "Fix all" applies in the editor) to the files, including new follow-up
                migrations; files with a syntax error are never changed. Then report what is left. Older
                migrations, which may have run, are changed only when named or new since --since REF; by default
                the newest migration of each folder.
  --fix-dry-run print the safe fixes as a unified diff instead of writing them
  --baseline    the baseline file (default: the nearest .sqlarchitect-baseline.json above each migration folder;
                baseline writes ./.sqlarchitect-baseline.json)
  --no-baseline report every finding, ignoring any baseline
  --database-url  check, report, explain: the migrations start from the schema of this database, read from
                pg_catalog read-only (tables, constraints, indexes, row-level security, policies, owners, roles, table
                sizes) instead of the "baseline" file of .sqlarchitect.json; lock findings say each table's size.
                trace / verify-isolation: run on this PostgreSQL server (a scratch database is created and dropped)
                instead of the embedded PostgreSQL 18 (PGlite)
  --prove-isolation  report: run the tenant-isolation proof too; the tenant matrix gets an "Isolation (proved)" column
  --output      write the report to FILE instead of standard output
  --no-color    plain text output
  --exit-zero   check: exit 0 even when there are error-severity findings (same as --fail-on never)
  --no-error-on-unmatched-pattern  a missing path or a folder without .sql files is a warning, not an error
  -h, --help    this help;  -v, --version  the version
`;

export async function main(argv: string[]): Promise<number> {
  // A pipe takes 64 kB at a time: past that, wait for it to drain rather than queue a large report in memory.
  const out = (s: string): Promise<void> | undefined => (process.stdout.write(s) ? undefined : new Promise<void>((resolve) => process.stdout.once('drain', () => resolve())));
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
        'fail-on': { type: 'string' },
        'changed-files': { type: 'boolean', default: false },
        fix: { type: 'boolean', default: false },
        'fix-dry-run': { type: 'boolean', default: false },
        baseline: { type: 'string' },
        'no-baseline': { type: 'boolean', default: false },
        'no-error-on-unmatched-pattern': { type: 'boolean', default: false },
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
  if (values.version) { out(`${version}\n`); return 0; }
  const [command, ...paths] = positionals;
  try {
    switch (command) {
      case 'check':
        return await checkCommand(paths, values, out, err, version);
      case 'baseline':
        return await baselineCommand(paths, values, out, err);
      case 'trace':
        return await traceCommand(paths, values, out, err);
      case 'verify-isolation':
        return await isolationCommand(paths, values, out, err);
      case 'report':
        return await report(paths, values, out, err);
      case 'explain':
        return await explainCommand(paths, values, out, err);
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
    if (e instanceof BaselineError) { err(`sql-architect: baseline error: ${e.message}`); return 2; }
    if (e instanceof LiveSchemaError) { err(`sql-architect: cannot read the schema: ${e.message}`); return 2; }
    err(`sql-architect: internal error: ${(e as Error).stack ?? e}\nPlease report this.`);
    return 2;
  }
}

if (require.main === module) {
  // A reader that stops early (`sql-architect check | head`) is not an error of ours: stop quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`sql-architect: internal error: ${(e as Error).stack ?? e}\n`); process.exitCode = 2; },
  );
}
