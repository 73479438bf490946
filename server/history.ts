// Which migrations may have run: those of a history that are not its newest and are in the last commit (git HEAD).
// A migration not yet committed is being written: its fixes are offered as usual. Outside a git repository nothing
// can be told, and nothing is said.
import { isOlderMigration } from '../rules/index';
import { newFilesSince, SinceError } from '../io/git';

/** How long a set's git answer is kept (a commit made meanwhile shows after this; file events clear it at once). */
const TTL_MS = 10_000;

export class MigrationHistory {
  private readonly cache = new Map<string, { at: number; uncommitted?: Set<string> }>();

  /**
   * `file` is a migration of `files` (its set, in apply order) that is not the newest and is committed: it may have
   * run, and an edit to it would never reach a database where it did.
   */
  mayHaveRun(setId: string, files: readonly { path: string; replayed: boolean }[], file: string): boolean {
    if (!isOlderMigration(files, file)) return false;
    let entry = this.cache.get(setId);
    if (!entry || Date.now() - entry.at > TTL_MS) {
      entry = { at: Date.now(), uncommitted: uncommitted(files.map((f) => f.path)) };
      this.cache.set(setId, entry);
    }
    return entry.uncommitted !== undefined && !entry.uncommitted.has(file);
  }

  /** Files changed on disk (or a commit may have been made): ask git again. */
  forget(): void {
    this.cache.clear();
  }
}

/** The files not in git's HEAD; undefined when that cannot be told (no repository, no commit yet, no git). */
function uncommitted(files: string[]): Set<string> | undefined {
  try {
    return newFilesSince(files, 'HEAD');
  } catch (e) {
    if (e instanceof SinceError) return undefined;
    throw e;
  }
}
