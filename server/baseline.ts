// The editor shows findings accepted in `.sqlarchitect-baseline.json` as hints, not warnings: the same baseline and
// the same matching (rules/baseline.ts) as `sql-architect check`, which does not report them at all.
import { matchBaseline, type Baseline, type Finding, type SetResult } from '../rules/index';
import { baselineRelPath, findBaseline, readBaseline } from '../io/baseline';

export class BaselineHints {
  private readonly fileOf = new Map<string, string | undefined>();
  private readonly loaded = new Map<string, Baseline | undefined>();

  constructor(private readonly warn: (message: string) => void) {}

  /** A baseline file was created, changed or deleted: look again. */
  invalidate(): void {
    this.fileOf.clear();
    this.loaded.clear();
  }

  /** The findings of a set that its baseline accepts. */
  baselined(result: SetResult): Set<Finding> {
    if (!this.fileOf.has(result.id)) this.fileOf.set(result.id, findBaseline(result.id));
    const file = this.fileOf.get(result.id);
    if (!file) return new Set();
    if (!this.loaded.has(file)) {
      try {
        this.loaded.set(file, readBaseline(file));
      } catch (e) {
        this.loaded.set(file, undefined);
        this.warn((e as Error).message);
      }
    }
    const baseline = this.loaded.get(file);
    return baseline ? matchBaseline([result], baseline, baselineRelPath(file)).baselined : new Set();
  }
}
