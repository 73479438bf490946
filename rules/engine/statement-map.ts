// What the statement pass records per statement (facts, lock plans), kept file by file: an editor's analysis takes the
// maps of the unchanged files before an edit from the last analysis as they are, one map per file, instead of copying
// every statement's entry (820 migrations of trigger.dev are about 5,000 statements a keystroke).
import type { Statement } from '../model/types';

export class StatementMap<V> {
  private readonly files = new Map<string, Map<Statement, V>>();
  /** Files whose map is the last analysis's (shared, never written: `set` copies it first). */
  private readonly adopted = new Set<string>();

  get(s: Statement): V | undefined {
    return this.files.get(s.file)?.get(s);
  }

  has(s: Statement): boolean {
    return this.files.get(s.file)?.has(s) ?? false;
  }

  set(s: Statement, v: V): this {
    let m = this.files.get(s.file);
    if (!m || (this.adopted.size > 0 && this.adopted.has(s.file))) {
      m = new Map(m);
      this.files.set(s.file, m);
      this.adopted.delete(s.file);
    }
    m.set(s, v);
    return this;
  }

  /** Starts a file's map (a file without statements has an empty one: it was analysed). */
  open(file: string): void {
    if (!this.files.has(file)) this.files.set(file, new Map());
  }

  /** The entries of one file, when it was analysed. */
  ofFile(file: string): ReadonlyMap<Statement, V> | undefined {
    return this.files.get(file);
  }

  /** Takes another analysis's entries of a file as they are. */
  adopt(file: string, from: StatementMap<V>): boolean {
    const m = from.files.get(file);
    if (!m) return false;
    this.files.set(file, m);
    this.adopted.add(file);
    return true;
  }

  *keys(): IterableIterator<Statement> {
    for (const m of this.files.values()) yield* m.keys();
  }

  *values(): IterableIterator<V> {
    for (const m of this.files.values()) yield* m.values();
  }

  *entries(): IterableIterator<[Statement, V]> {
    for (const m of this.files.values()) yield* m.entries();
  }

  [Symbol.iterator](): IterableIterator<[Statement, V]> {
    return this.entries();
  }

  get size(): number {
    let n = 0;
    for (const m of this.files.values()) n += m.size;
    return n;
  }
}
