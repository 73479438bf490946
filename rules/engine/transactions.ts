// Which statements of a file share a transaction, decided once per file for every rule: the migration tool's way
// of running the file (rules/project/runner.ts), the file's own BEGIN / COMMIT, and what earlier statements of the
// same transaction hold until it ends (locks are released at COMMIT, not when the statement finishes:
// https://www.postgresql.org/docs/current/explicit-locking.html).
import { cannotRunInTransaction, strongerOf, type LockPlan } from '../locks';
import { requiresEmptyTable, type Statement } from '../model/types';
import { orNone } from '../model/lists';
import type { Runner } from '../project/types';
import type { FileContext, HeldLock, TxFacts } from './types';

export class TransactionTracker {
  private state: TxFacts;
  private readonly heldLocks = new Map<string, HeldLock>();
  private readonly emptiedTables = new Map<string, Statement>();
  private readonly toolMode: 'tool' | 'implicit' | 'none';
  private readonly toolWhy: string;
  private readonly splits: boolean;
  private endsHere = false;
  /** The state around a DO block that runs in autocommit (beginBlock … endBlock). */
  private outside: TxFacts | undefined;

  constructor(runner: Runner, file: FileContext, statements: Statement[]) {
    const { mode, why } = fileTransactionMode(runner, file.path, statements);
    this.toolMode = mode;
    this.toolWhy = why;
    this.splits = runner.splitsNonTransactional;
    const first = statements[0]?.index ?? 0;
    this.state = mode === 'none'
      ? { inTransaction: false, kind: 'none', why, firstIndex: first }
      : { inTransaction: true, kind: mode, why, firstIndex: first };
  }

  /** The transaction the statement runs in. */
  before(stmt: Statement): TxFacts {
    this.endsHere = false;
    if (this.splits && this.state.kind === 'tool' && cannotRunInTransaction(stmt)) {
      // Supabase CLI ≥ 2.109 commits the batch so far and runs such a statement alone.
      this.clear();
      return { inTransaction: false, kind: 'none', why: 'the migration tool commits what came before and runs this statement alone, outside a transaction', firstIndex: stmt.index };
    }
    if (!this.state.inTransaction) return { ...this.state, firstIndex: stmt.index };
    return { ...this.state };
  }

  /** Records what the statement leaves held or emptied, and its BEGIN / COMMIT. */
  after(stmt: Statement, locks: LockPlan, key: (q: { schema?: string; name: string }) => string): void {
    if (this.splits && this.state.kind === 'tool' && cannotRunInTransaction(stmt)) {
      this.state = { ...this.state, firstIndex: stmt.index + 1 };
      this.endsHere = true;
      return;
    }
    this.record(stmt, locks, key);
    for (const a of stmt.actions) {
      if (a.type !== 'transaction') continue;
      if (a.op === 'begin') {
        if (!this.state.inTransaction || this.state.kind === 'implicit') {
          this.state = { inTransaction: true, kind: 'explicit', why: `BEGIN on line ${stmt.line + 1}`, begin: stmt, firstIndex: this.state.inTransaction ? this.state.firstIndex : stmt.index + 1 };
        }
      } else if (a.op === 'commit' || a.op === 'rollback') {
        this.clear();
        this.endsHere = true;
        const next = stmt.index + 1;
        const word = a.op === 'commit' ? 'COMMIT' : 'ROLLBACK';
        if (this.toolMode === 'implicit') this.state = { inTransaction: true, kind: 'implicit', why: `${this.toolWhy} (a new implicit block after the ${word} on line ${stmt.line + 1})`, firstIndex: next };
        else if (this.toolMode === 'tool') this.state = { inTransaction: false, kind: 'none', why: `after the ${word} on line ${stmt.line + 1} the file runs outside the tool's transaction`, firstIndex: next };
        else this.state = { inTransaction: false, kind: 'none', why: this.toolWhy, firstIndex: next };
      }
    }
  }

  /** What a statement leaves held or emptied until the end of the transaction it runs in. */
  record(stmt: Statement, locks: LockPlan, key: (q: { schema?: string; name: string }) => string): void {
    if (!this.state.inTransaction) return;
    // Locks on tables created earlier in the file harm nobody yet.
    for (const e of locks.entries.filter((x) => x.existing)) {
      const h = this.heldLocks.get(e.table);
      if (!h || strongerOf(h.mode, e.mode) !== h.mode) this.heldLocks.set(e.table, { table: e.table, mode: e.mode, statement: stmt, what: e.what });
    }
    for (const a of stmt.actions) {
      if (a.type === 'truncate') for (const t of a.tables) this.emptiedTables.set(key(t), stmt);
      if (a.type === 'dml' && a.kind === 'delete' && !a.hasWhere && a.table) this.emptiedTables.set(key(a.table), stmt);
      // It succeeded only on an empty table, and its ACCESS EXCLUSIVE lock keeps other sessions out until COMMIT.
      if (a.type === 'add-column' && requiresEmptyTable(a.column)) this.emptiedTables.set(key(a.table), stmt);
      // Rows the migration writes itself.
      if (a.type === 'dml' && (a.kind === 'insert' || a.kind === 'merge') && a.table) this.emptiedTables.delete(key(a.table));
    }
  }

  /**
   * The transaction the statements of a DO block run in (`facts`: the DO statement's). A DO block is one statement:
   * in autocommit its statements still share one transaction, which ends with the block.
   */
  beginBlock(stmt: Statement, facts: TxFacts): TxFacts {
    this.outside = facts.inTransaction ? undefined : this.state;
    if (facts.inTransaction) return facts;
    this.state = { inTransaction: true, kind: 'implicit', why: `the DO block on line ${stmt.line + 1} runs as one statement, in one transaction`, firstIndex: stmt.index };
    return this.state;
  }

  /** Ends the DO block; true when its own transaction ended with it. */
  endBlock(): boolean {
    if (!this.outside) return false;
    this.clear();
    this.state = this.outside;
    this.outside = undefined;
    return true;
  }

  /** The transaction ends right after the statement last given to `after` (COMMIT, or a statement run alone). */
  endedAfterLast(): boolean {
    return this.endsHere;
  }

  all(): HeldLock[] {
    return [...this.heldLocks.values()];
  }

  held(table: string): HeldLock | undefined {
    return this.heldLocks.get(table);
  }

  /** Locks already held on the tables a statement is about to lock. */
  heldOn(locks: LockPlan): readonly HeldLock[] {
    return orNone(locks.entries.map((e) => this.heldLocks.get(e.table)).filter((h): h is HeldLock => h !== undefined));
  }

  emptied(tableKey: string): Statement | undefined {
    return this.emptiedTables.get(tableKey);
  }

  private clear(): void {
    this.heldLocks.clear();
    this.emptiedTables.clear();
  }
}

/** How the migration tool runs a file, given its statements (Flyway's auto-detection, a lone statement). */
export function fileTransactionMode(runner: Runner, path: string, statements: readonly Statement[]): { mode: 'tool' | 'implicit' | 'none'; why: string } {
  let { mode, why } = runner.fileMode(path);
  // Flyway runs a script that holds a statement refusing a transaction without one (statement by statement).
  if (runner.id === 'flyway' && mode === 'tool' && statements.some(cannotRunInTransaction)) {
    mode = 'none';
    why = 'Flyway runs a script that holds a statement which cannot run in a transaction without one';
  }
  // A file of one statement sent as one query is that statement alone: no transaction block around it.
  if (mode === 'implicit' && statements.filter((s) => !isTransactionControl(s)).length <= 1) {
    mode = 'none';
    why = `${why}; it holds one statement, which runs alone`;
  }
  return { mode, why };
}

function isTransactionControl(s: Statement): boolean {
  return s.actions.length > 0 && s.actions.every((a) => a.type === 'transaction' || (a.type === 'set' && a.local));
}
