// What the statement pass records per statement (facts, lock plans), kept file by file: an editor's analysis takes the
// maps of the unchanged files before an edit from the last analysis as they are, one map per file, instead of copying
// every statement's entry (820 migrations of trigger.dev are about 5,000 statements a keystroke).
import type { Statement } from '../model/types';

export class StatementMap<V> {
  private readonly files = new Map<string, Map<Statement, V>>();

  get(s: Statement): V | undefined {
    return this.files.get(s.file)?.get(s);
  }

  set(s: Statement, v: V): void {
    let m = this.files.get(s.file);
    if (!m) {
      m = new Map();
      this.files.set(s.file, m);
    }
    m.set(s, v);
  }

  /** Starts a file's map (a file without statements has an empty one: it was analysed). */
  open(file: string): void {
    if (!this.files.has(file)) this.files.set(file, new Map());
  }

  /**
   * Takes another analysis's entries of a file as they are (it analysed the file). The map is then shared: the pass
   * takes only files it does not run, so it never sets an entry in it.
   */
  adopt(file: string, from: StatementMap<V>): void {
    this.files.set(file, from.files.get(file)!);
  }

  *keys(): IterableIterator<Statement> {
    for (const m of this.files.values()) yield* m.keys();
  }

  *values(): IterableIterator<V> {
    for (const m of this.files.values()) yield* m.values();
  }
}
