// The live database that backs the review (`sqlArchitect.databaseUrl`): its schema and table sizes, read read-only
// from pg_catalog (pg/catalog.ts), are the state every set of that folder starts from. Read when the setting names a
// database, again on Re-analyze; a failure is a configuration problem that names the database, never the URL.
import { readLiveSchema, LiveSchemaError } from '../pg/index';
import type { ConfigProblem } from '../rules/index';
import type { Workspace } from './workspace';

export class LiveSchemas {
  /** Label of each database read, by URL. */
  private readonly labels = new Map<string, string>();
  private readonly failures = new Map<string, string>();

  constructor(private readonly ws: Workspace, private readonly read = readLiveSchema) {}

  /** Reads the databases the settings name that were not read yet (all of them when `force`); true when something changed. */
  async refresh(force = false): Promise<boolean> {
    const urls = new Set(this.ws.databaseUrls());
    let changed = false;
    for (const url of [...this.labels.keys(), ...this.failures.keys()]) {
      if (urls.has(url)) continue;
      this.labels.delete(url);
      this.failures.delete(url);
      this.ws.setLiveSchema(url, undefined);
      changed = true;
    }
    for (const url of urls) {
      if (!force && (this.labels.has(url) || this.failures.has(url))) continue;
      try {
        const schema = await this.read(url);
        this.ws.setLiveSchema(url, schema);
        this.labels.set(url, schema.database?.label ?? 'the database');
        this.failures.delete(url);
      } catch (e) {
        this.ws.setLiveSchema(url, undefined);
        this.labels.delete(url);
        this.failures.set(url, e instanceof LiveSchemaError ? e.message : `cannot read the schema: ${(e as Error).message}`);
      }
      changed = true;
    }
    this.ws.liveProblems = this.problems();
    return changed;
  }

  problems(): ConfigProblem[] {
    return [...this.failures.values()].map((m) => ({ file: 'sqlArchitect.databaseUrl', message: `sqlArchitect.databaseUrl: ${m}; the review goes on without it` }));
  }

  /** The databases that back the review now, by name (for the status bar). */
  inUse(): string[] {
    return [...new Set(this.labels.values())];
  }
}
