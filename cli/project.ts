// The CLI's project: loaded from disk by io/project.ts through the core's pipeline (rules/project/pipeline.ts),
// the same pipeline the language server runs.
export { loadProjectFromDisk as loadProject, type LoadOptions } from '../io/project';
export type { Project as ProjectResult } from '../rules/index';
import type { SchemaBaseline } from '../rules/index';
import { readLiveSchema } from '../pg/index';

/** A command-line mistake: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

/** `--database-url` of check, report and explain: the schema (and table sizes) of a live database, read-only. */
export async function databaseOption(values: Record<string, string | boolean | undefined>): Promise<SchemaBaseline | undefined> {
  const url = values['database-url'];
  if (url === undefined) return undefined;
  if (typeof url !== 'string' || !url.trim()) throw new UsageError('--database-url needs a PostgreSQL connection URL such as postgres://user@host/db');
  return readLiveSchema(url);
}
