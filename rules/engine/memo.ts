// Incremental analysis for editors: what a statement rule reported is kept between runs and reused for an
// unchanged statement, when the rule read nothing but the statement itself and facts that are part of the key.
// Each run of a rule goes through a proxy of its context that records what it read:
//   - the statement (its text decides its actions; its span only moves the result, see `rebase`),
//   - the set's configuration (the memo is dropped when it changes),
//   - `inTransaction`, `lockTimeoutSet`, `tx`, `conventions`, and the statement's line, column or index: their values
//     join the key.
// Whether a table was created earlier in the migration (`createdInFile(q)`) is a keyed read: the name asked and the
// answer join the key (see CREATED). A rule that also read what earlier statements decide (the model before it, its
// locks, locks held) is reused for the very same statement while everything before it is unchanged: the statements
// of the files before the first changed one, and those before the first change in it (`Stability`, decided by the
// statement pass). One that read its file is reused only in an unchanged file before the first changed one. A rule
// that reads anything else (the schema after the set, the project model, the names of other files) depends on the
// rest of the set, which an edit anywhere can change: it runs again every time. A result that points outside the
// statement (outside its file, for a rule that read the file) is never kept. Rules must be pure functions of their
// context, as they already must be for the CLI and the editor to agree (test/incremental.test.ts checks both).
import type { QName, Statement, TableModel } from '../model/types';
import type { SchemaModel } from '../model/schema';
import type { ParsedFile } from '../parser/adapter';
import type { LockPlan } from '../locks';
import type { StatementFacts } from './run';
import type { RawReport } from './statement-pass';
import type { StatementMap } from './statement-map';
import { rememberedFor } from '../model/remember';
import { concerns, type Report, type Rule, type StatementContext, type TxFacts } from './types';

/** What the statement pass last ran on, to find what is unchanged before each statement the next time. */
export interface PassRecord {
  /** The schema the set started from: the same objects mean the same start. */
  start: readonly unknown[];
  files: { path: string; parsed: ParsedFile; replayed: boolean; runner: string }[];
  /** Every path of the set (follow-up migration names avoid them). */
  paths: readonly string[];
  /** The lock plan of each statement (before a DO block's statements are merged in). */
  plans: StatementMap<LockPlan>;
  /** What the pass recorded of each statement: a file skipped by the next analysis takes them as they are. */
  facts: StatementMap<StatementFacts>;
  /** The statement rules' reports of each file, in the pass's order: taken as they are with the file. */
  raw: Map<string, RawReport[]>;
}

const BY_VALUE = new Set(['inTransaction', 'lockTimeoutSet', 'tx', 'conventions']);
/** By-value facts that the rest of the statement's file decides too (its transaction), not only what comes before it. */
const WHOLE_FILE_FACTS = new Set(['inTransaction', 'lockTimeoutSet', 'tx']);
const FREE = new Set(['statement', 'config']);
/** What the statements before this one decide: the same while they are unchanged. */
const PREFIX = new Set(['before', 'locks', 'existedBefore', 'heldLock', 'heldLocks', 'emptiedInTransaction', 'earlierLocks', 'runner']);
/** Decided by the paths of the set's files: the same while no file is added, removed or renamed. */
const PATHS = 'followUpFileName';

/**
 * How much of what comes before a statement is unchanged since the last analysis: everything before it in its file
 * and in the set ('prefix'), or also its whole file ('file', a file before the first changed one).
 */
export type Stability = 'prefix' | 'file' | undefined;
type Scope = 'statement' | 'prefix' | 'file';
const STATEMENT_KEYED = new Set(['line', 'column', 'index']);
/** Fields of a statement that its text does not decide and that are not positions: reading them is not cacheable. */
const STATEMENT_UNKEYED = new Set(['ignores', 'syntaxError', 'tooLarge']);

interface Entry {
  /** What the run read besides the statement's text: by-value facts and keyed statement fields, sorted. */
  reads: string[];
  signature: string;
  /** span.start of the statement the reports were made for. */
  start: number;
  reports: Report[];
  /** What else the run read: reusable only for this very statement, while what it read is unchanged. */
  scope?: Exclude<Scope, 'statement'>;
  stmt?: Statement;
  /** The last analysis that made or used it: stability means "unchanged since the previous analysis" only. */
  gen?: number;
  /** The run named a follow-up migration: valid while the set's paths are the same. */
  paths?: boolean;
}

/** The most common result: the rule read only the statement and reported nothing. Shared, to keep memory small. */
const NOTHING: Entry = { reads: [], signature: '', start: 0, reports: [] };

/** Per statement (memoKey): the entries of each statement rule, by the rule's position in the rule list. */
type StatementEntries = (Entry[] | undefined)[];

/** Counters for tests and the benchmark: rule runs, and results reused. */
export interface MemoStats {
  ran: number;
  reused: number;
  /** Files of the last analysis taken whole from the one before, their statements neither run nor replayed. */
  skippedFiles: number;
  /** Files whose statements' results were summarised to be taken at once (once per file after it ran). */
  summarized: number;
}

function txKey(tx: TxFacts, stmt: Statement): string {
  const begin = tx.begin ? `${tx.begin.index}@${tx.begin.span.start - stmt.span.start}:${tx.begin.text}` : '';
  return `${tx.inTransaction}|${tx.kind}|${tx.firstIndex}|${tx.why}|${begin}`;
}

function signatureOf(reads: readonly string[], ctx: StatementContext, stmt: Statement): string {
  return signature(reads, ctx, stmt, ctx.after);
}

function signature(reads: readonly string[], ctx: StatementContext | undefined, stmt: Statement, after: SchemaModel): string {
  let s = '';
  for (const r of reads) {
    if (r.startsWith(AFTER)) s += `${r}=${tablePrint(after.table(afterName(r)))};`;
    else if (!ctx) throw new Error(`${r} needs the statement's context`);
    else if (r.startsWith(CREATED)) s += `${r}=${ctx.createdInFile(keyedName(r, CREATED))};`;
    else if (r === 'tx') s += `tx=${txKey(ctx.tx, stmt)};`;
    else if (r === 'inTransaction') s += `in=${ctx.inTransaction};`;
    else if (r === 'lockTimeoutSet') s += `lt=${ctx.lockTimeoutSet};`;
    else if (r === 'conventions') s += `conv=${conventionsKey(ctx.conventions)};`;
    else s += `${r}=${stmt[r as 'line' | 'column' | 'index']};`;
  }
  return s;
}

/**
 * A rule may read a table of the final schema (`ctx.after.table(q)`: is this column still a timestamp at the end?).
 * The read is keyed by the name asked and the whole table as it ends, so the result is reused while that table ends
 * the same; any other use of `ctx.after` is not reusable.
 */
const AFTER = 'after:';
const afterKey = (q: QName) => keyedRead(AFTER, q);
const afterName = (read: string) => keyedName(read, AFTER);
/** A read keyed by a table name (AFTER, CREATED), and the name back from it. */
const keyedRead = (prefix: string, q: QName) => `${prefix}${q.schema ?? ''}\u0000${q.name}`;
function keyedName(read: string, prefix: string): QName {
  const [schema, name] = read.slice(prefix.length).split('\u0000');
  return schema ? { schema, name } : { name };
}

/**
 * A rule may ask whether a table was created earlier in the statement's migration (`ctx.createdInFile(q)`): the
 * read is keyed by the name asked, and the answer joins the key. The result is reused for a statement of the same
 * text that gets the same answers, after an edit before it too (a keystroke in the middle of a large migration
 * used to run such rules again on every statement after it).
 */
const CREATED = 'created:';
const createdKey = (q: QName) => keyedRead(CREATED, q);
const prints = new WeakMap<TableModel, string>();
/** A table of the final schema as text (every field; the model is not changed once pass 1 built it). */
function tablePrint(t: TableModel | undefined): string {
  if (!t) return '-';
  let p = prints.get(t);
  if (p === undefined) {
    p = JSON.stringify(t, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
    prints.set(t, p);
  }
  return p;
}

/** The conventions as one string, once per analysis (each has its own set). */
const conventionsKey = rememberedFor((c: ReadonlySet<string>) => [...c].sort().join(','));

/** What a whole list of results may depend on beyond the statement's past: the set's conventions and final schema. */
export interface SetFacts {
  conventions: ReadonlySet<string>;
  after: SchemaModel;
}

/** The reports moved by `delta` characters, anchored on `stmt`. */
function rebase(reports: Report[], delta: number, stmt: Statement): Report[] {
  const shift = <T extends { start: number; end: number }>(s: T): T => ({ ...s, start: s.start + delta, end: s.end + delta });
  return reports.map((r) => ({
    ...r,
    span: r.span && shift(r.span),
    related: r.related?.map((x) => ({ ...x, span: shift(x.span) })),
    fixes: r.fixes?.map((f) => ({ ...f, edits: f.edits.map(shift) })),
    statement: r.statement ? stmt : undefined,
  }));
}

/** Statement-rule results of one migration set, kept from one analysis to the next. */
export class RuleMemo {
  /** File → statement key (memoKey) → entries. */
  private current = new Map<string, Map<string, StatementEntries>>();
  private next = new Map<string, Map<string, StatementEntries>>();
  private configKey = '';
  private rules: readonly Rule[] = [];
  readonly stats: MemoStats = { ran: 0, reused: 0, skippedFiles: 0, summarized: 0 };
  /** The last analysis's statement pass (set by it); dropped with everything else. */
  previous?: PassRecord;
  /** Counts analyses. */
  private gen = 0;
  /** The set's file paths are those of the previous analysis (set by the statement pass). */
  samePaths = false;
  /**
   * Per statement object, the whole list of results when every rule's could be reused: a statement whose past is
   * unchanged takes it at once instead of looking up each rule (a set of 2,000 statements and 30 rules is 60,000
   * look-ups a keystroke).
   */
  private wholes = new Map<string, Map<Statement, Whole>>();
  private nextWholes = new Map<string, Map<Statement, Whole>>();
  /** Per map of a file's wholes: whether the file can be taken at once, and what that needs (see `canTakeFile`). */
  private readonly summaries = new WeakMap<Map<Statement, Whole>, FileSummary>();

  /** Starts an analysis; a changed configuration or rule list drops everything. */
  begin(configKey: string, rules: readonly Rule[]): void {
    if (configKey !== this.configKey || rules.length !== this.rules.length || rules.some((r, i) => r !== this.rules[i])) {
      this.current.clear();
      this.previous = undefined;
      this.configKey = configKey;
      this.rules = rules;
    }
    this.next = new Map();
    this.gen++;
  }

  /** Ends an analysis: results the analysis did not use are forgotten. */
  commit(): void {
    this.current = this.next;
    this.next = new Map();
    this.wholes = this.nextWholes;
    this.nextWholes = new Map();
  }

  /**
   * Every rule's results for a statement whose past is unchanged, when all of them could be reused last time: taken
   * at once (the statement pass then need not even build the statement's context). Undefined otherwise.
   */
  reuseWhole(stmt: Statement, stability: Stability, now: SetFacts): { rule: Rule; reports: Report[] }[] | undefined {
    return this.canReuseWhole(stmt, stability, now) ? this.takeWhole(stmt) : undefined;
  }

  /** reuseWhole for a statement canReuseWhole already allowed. */
  private takeWhole(stmt: Statement): { rule: Rule; reports: Report[] }[] {
    const whole = this.wholes.get(stmt.file)!.get(stmt)!;
    whole.gen = this.gen;
    fileMap(this.nextWholes, stmt.file).set(stmt, whole);
    this.stats.reused += whole.rules;
    // Its per-rule entries go on to the next analysis as they are (this one changes none of them).
    const inFile = fileMap(this.next, stmt.file);
    const key = memoKey(stmt);
    if (!inFile.has(key)) {
      const entries = this.current.get(stmt.file)?.get(key);
      if (entries) inFile.set(key, entries);
    }
    // This analysis used them: the next may take them one by one (when it cannot take the whole list).
    for (const e of whole.bound) e.gen = this.gen;
    return whole.out;
  }

  /** Whether reuseWhole would give the statement's results (and nothing else is asked). */
  private canReuseWhole(stmt: Statement, stability: Stability, now: SetFacts): boolean {
    const whole = stability && this.wholes.get(stmt.file)?.get(stmt);
    return Boolean(whole) && whole!.gen === this.gen - 1 && (whole!.scope !== 'file' || stability === 'file') && this.stillHolds(stmt, whole!, now);
  }

  /** What a whole list depends on besides the statement's past holds now: the set's paths, conventions, final tables. */
  private stillHolds(stmt: Statement, whole: Whole, now: SetFacts): boolean {
    return (!whole.paths || this.samePaths)
      && (whole.conventions === undefined || whole.conventions === conventionsKey(now.conventions))
      && (!whole.after || whole.after.signature === signature(whole.after.reads, undefined, stmt, now.after));
  }

  /**
   * Whether every statement of a file before the first changed one (`statements`, those of its DO blocks included)
   * can take its whole list of results, as `canReuseWhole` would say of each: decided once per file from a summary of
   * its results, so that taking 800 unchanged migrations costs 800 look-ups, not one per statement.
   */
  canTakeFile(file: string, statements: () => Statement[], now: SetFacts): boolean {
    const wholes = this.wholes.get(file);
    // A file without statements (comments only) has no results to take.
    if (!wholes) return statements().length === 0;
    let s = this.summaries.get(wholes);
    if (!s) {
      s = summarize(wholes, statements());
      this.summaries.set(wholes, s);
      this.stats.summarized++;
    }
    return s.complete && s.gen === this.gen - 1 && s.conditional.every(([stmt, whole]) => this.stillHolds(stmt, whole, now));
  }

  /**
   * Takes the results of a file `canTakeFile` allowed, as they are. Its statements' own marks are not renewed (that
   * would be one write per statement): the summary's is. A later analysis that cannot take the file at once looks
   * its statements up one by one, finds their marks old and runs the rules that read more than the statement again.
   */
  takeFile(file: string): void {
    const wholes = this.wholes.get(file);
    if (wholes) {
      const s = this.summaries.get(wholes)!;
      s.gen = this.gen;
      this.nextWholes.set(file, wholes);
      this.stats.reused += s.rules;
    }
    const entries = this.current.get(file);
    if (entries) this.next.set(file, entries);
  }

  /** The entries of a statement, carried over to the next analysis. */
  private entriesOf(stmt: Statement): StatementEntries {
    const inFile = fileMap(this.next, stmt.file);
    const key = memoKey(stmt);
    let entries = inFile.get(key);
    if (!entries) {
      entries = this.current.get(stmt.file)?.get(key)?.slice() ?? new Array(this.rules.length);
      inFile.set(key, entries);
    }
    return entries;
  }

  /**
   * The reports of every rule of the list given to `begin` (in order; rules without `check` give none) for the
   * statement: reused when possible, else from running the rule. `onError` gets what a rule throws.
   */
  run(ctx: StatementContext, onError: (rule: Rule, e: unknown) => void, stability: Stability = undefined): { rule: Rule; reports: Report[] }[] {
    const stmt = ctx.statement;
    const reused = this.reuseWhole(stmt, stability, ctx);
    if (reused) return reused;
    const entries = this.entriesOf(stmt);
    const out: { rule: Rule; reports: Report[] }[] = [];
    // What the whole list needs to be reused: every result reusable, and the widest scope and paths among them.
    let complete = true;
    let scope = 'statement' as Scope;
    let paths = false;
    let rules = 0;
    const afterReads = new Set<string>();
    let conventions = false;
    const note = (e: Entry) => {
      if (e.scope === 'file' || (e.scope === 'prefix' && scope === 'statement')) scope = e.scope;
      if (e.paths) paths = true;
      for (const r of e.reads) {
        if (r.startsWith(AFTER)) afterReads.add(r);
        else if (r === 'conventions') conventions = true;
        // The statement's transaction is the whole file's (one multi-statement query runs as one implicit
        // transaction): a statement added after this one can change it. Taken whole, the list is not checked against
        // it, so it needs the whole file unchanged.
        else if (WHOLE_FILE_FACTS.has(r)) scope = 'file';
      }
    };
    // The statement-bound entries behind the list: taking the list whole keeps them usable (takeWhole).
    const bound: Entry[] = [];
    let tracked: Tracked | undefined;
    // A statement-bound entry made or used by the previous analysis, when nothing before the statement changed since.
    const usable = (e: Entry) => (e.scope === undefined || (e.stmt === stmt && e.gen === this.gen - 1 && (e.scope === 'prefix' ? stability !== undefined : stability === 'file') && (!e.paths || this.samePaths)))
      && (e.reads.length === 0 || e.signature === signatureOf(e.reads, ctx, stmt));
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (!rule.check || !concerns(rule, stmt)) continue;
      rules++;
      const hit = entries[i]?.find(usable);
      if (hit) {
        this.stats.reused++;
        if (hit.scope) {
          hit.gen = this.gen;
          bound.push(hit);
        }
        note(hit);
        if (hit.reports.length) out.push({ rule, reports: hit.scope || (hit.start === stmt.span.start && !hit.reports.some((r) => r.statement)) ? hit.reports : rebase(hit.reports, stmt.span.start - hit.start, stmt) });
        continue;
      }
      try {
        tracked ??= tracking(ctx);
        const { reports, entry } = this.fresh(rule, ctx, tracked);
        if (entry) {
          entries[i] = keep(entries[i] ?? [], entry, this.gen);
          if (entry.scope) bound.push(entry);
          note(entry);
        } else complete = false;
        if (reports.length) out.push({ rule, reports });
      } catch (e) {
        complete = false;
        onError(rule, e);
      }
    }
    if (complete) {
      const reads = [...afterReads].sort();
      const after = reads.length ? { reads, signature: signature(reads, undefined, stmt, ctx.after) } : undefined;
      fileMap(this.nextWholes, stmt.file).set(stmt, {
        gen: this.gen, scope: scope === 'file' ? 'file' : 'prefix', paths, out, rules, bound,
        ...(after ? { after } : {}), ...(conventions ? { conventions: conventionsKey(ctx.conventions) } : {}),
      });
    }
    return out;
  }

  /** Runs the rule through the statement's tracking proxy; the entry to keep, when the result can be reused. */
  private fresh(rule: Rule, ctx: StatementContext, tracked: Tracked): { reports: Report[]; entry?: Entry } {
    this.stats.ran++;
    const stmt = ctx.statement;
    const { reads: read } = tracked;
    read.clear();
    tracked.cacheable = true;
    tracked.scope = 'statement';
    tracked.paths = false;
    const reports = rule.check!(tracked.ctx).map((r) => (r.statement === tracked.statement ? { ...r, statement: stmt } : r));
    const scope = tracked.scope as Scope; // set by the proxy while the rule ran
    const paths = tracked.paths as boolean;
    if (!tracked.cacheable || !reports.every((r) => (scope === 'file' ? inFile(r, stmt, paths) : ownResult(r, stmt, paths)))) return { reports };
    if (read.size === 0 && reports.length === 0 && scope === 'statement') return { reports, entry: NOTHING };
    const reads = read.size ? [...read].sort() : NO_READS;
    const entry: Entry = { reads, signature: signatureOf(reads, ctx, stmt), start: stmt.span.start, reports };
    if (scope !== 'statement') {
      entry.scope = scope;
      entry.stmt = stmt;
      entry.gen = this.gen;
      if (paths) entry.paths = true;
    }
    return { reports, entry };
  }
}

/**
 * The entries kept for a statement text: the last four that any statement of that text may use, and those bound to
 * a statement object that this analysis made or used (several statements of a file may have the same text). A
 * bound entry this analysis did not touch can never be used again.
 */
function keep(entries: Entry[], entry: Entry, gen: number): Entry[] {
  const free = entries.filter((e) => !e.scope);
  const bound = entries.filter((e) => e.scope && e.gen === gen);
  return entry.scope ? [...free, ...bound, entry] : [...free.slice(-3), entry, ...bound];
}

/** Every rule's results for one statement object, reusable together (see RuleMemo.wholes). */
interface Whole {
  gen: number;
  /** The tables of the final schema its results read (see AFTER), and what they were. */
  after?: { reads: string[]; signature: string };
  /**
   * The project's conventions, when a result read them: they come from the whole set, so an edit of a later file can
   * change them while this statement's past is unchanged.
   */
  conventions?: string;
  /** 'file' when some result needs the whole file unchanged, else 'prefix'. */
  scope: 'prefix' | 'file';
  paths: boolean;
  out: { rule: Rule; reports: Report[] }[];
  rules: number;
  /** The entries of `out` bound to this statement object (`Entry.scope`). */
  bound: Entry[];
}

/** What taking a file's results at once needs: the conditions of all its statements' wholes together. */
interface FileSummary {
  /** Every statement has its whole list, all made or used by the same analysis. */
  complete: boolean;
  /** That analysis (renewed when the file is taken at once). */
  gen: number;
  /** The statements whose lists depend on more than their past (`stillHolds`), checked at each analysis. */
  conditional: [Statement, Whole][];
  /** Rule results it holds (for the counters). */
  rules: number;
}

function summarize(wholes: Map<Statement, Whole>, statements: Statement[]): FileSummary {
  const s: FileSummary = { complete: true, gen: -1, conditional: [], rules: 0 };
  for (const stmt of statements) {
    const w = wholes.get(stmt);
    if (!w || (s.gen !== -1 && w.gen !== s.gen)) return { ...s, complete: false };
    s.gen = w.gen;
    s.rules += w.rules;
    if (w.paths || w.conventions !== undefined || w.after) s.conditional.push([stmt, w]);
  }
  return s;
}

/** The map of one file in a map by file, made when missing. */
function fileMap<K, V>(byFile: Map<string, Map<K, V>>, file: string): Map<K, V> {
  let m = byFile.get(file);
  if (!m) {
    m = new Map();
    byFile.set(file, m);
  }
  return m;
}

/** A statement's context behind proxies that record what a rule reads; one per statement, reset before each rule. */
interface Tracked {
  ctx: StatementContext;
  after?: SchemaModel;
  created?: (q: QName) => boolean;
  statement: Statement;
  reads: Set<string>;
  cacheable: boolean;
  scope: Scope;
  paths: boolean;
}

const NO_READS: string[] = [];

/** `ctx.after` for a tracked run: a table asked by name is a keyed read (see AFTER); anything else is not reusable. */
function afterTracked(t: Tracked, after: SchemaModel): SchemaModel {
  t.after ??= new Proxy(after, {
    get(target, p, receiver) {
      if (p === 'table') return (q: QName) => { t.reads.add(afterKey(q)); return target.table(q); };
      t.cacheable = false;
      return Reflect.get(target, p, receiver);
    },
  });
  return t.after;
}

function tracking(ctx: StatementContext): Tracked {
  const t: Tracked = { ctx, statement: ctx.statement, reads: new Set(), cacheable: true, scope: 'statement', paths: false };
  t.statement = new Proxy(ctx.statement, {
    get(target, p, receiver) {
      if (typeof p === 'string') {
        if (STATEMENT_KEYED.has(p)) t.reads.add(p);
        else if (STATEMENT_UNKEYED.has(p)) t.cacheable = false;
      }
      return Reflect.get(target, p, receiver);
    },
  });
  t.ctx = new Proxy(ctx, {
    get(target, p, receiver) {
      if (p === 'statement') return t.statement;
      if (typeof p === 'string') {
        if (BY_VALUE.has(p)) t.reads.add(p);
        else if (p === 'createdInFile') return (t.created ??= (q: QName) => { t.reads.add(createdKey(q)); return target.createdInFile(q); });
        else if (PREFIX.has(p) || p === PATHS) {
          if (t.scope === 'statement') t.scope = 'prefix';
          if (p === PATHS) t.paths = true;
        }
        else if (p === 'file') t.scope = 'file';
        else if (p === 'after') return afterTracked(t, target.after);
        else if (!FREE.has(p)) t.cacheable = false;
      }
      return Reflect.get(target, p, receiver);
    },
  });
  return t;
}

/**
 * What decides a statement's actions and where its offsets fall relative to its start: its text; for a statement a
 * DO block runs, the DO statement's text and where in it the statement sits (its offsets map through the body's
 * quoting, so the same SQL elsewhere is laid out differently).
 */
function memoKey(stmt: Statement): string {
  const parent = stmt.embedded?.parent;
  return parent ? `${parent.text}\u0000${stmt.span.start - parent.span.start}\u0000${stmt.text}` : stmt.text;
}

/** The report refers to nothing outside its statement's file (a rule that read the file may point anywhere in it). */
function inFile(r: Report, stmt: Statement, paths: boolean): boolean {
  if (r.statement && r.statement.file !== stmt.file) return false;
  if (r.file !== undefined && r.file !== stmt.file) return false;
  if (r.related?.some((x) => x.file !== stmt.file)) return false;
  return !r.fixes?.some((f) => f.edits.some((e) => !ownEdit(e, stmt, paths)));
}

/** The report refers to nothing but its statement's file and the statement itself. */
function ownResult(r: Report, stmt: Statement, paths: boolean): boolean {
  if (r.statement && r.statement !== stmt) return false;
  if (r.file !== undefined && r.file !== stmt.file) return false;
  if (r.related?.some((x) => x.file !== stmt.file)) return false;
  return !r.fixes?.some((f) => f.edits.some((e) => !ownEdit(e, stmt, paths)));
}

/** An edit of the statement's file, or (for a run that named a follow-up migration) the text of a new file. */
function ownEdit(e: { file?: string; start: number; end: number }, stmt: Statement, paths: boolean): boolean {
  return e.file === undefined || e.file === stmt.file || (paths && e.start === 0 && e.end === 0);
}
