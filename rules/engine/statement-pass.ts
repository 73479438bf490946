// Pass 2 of the engine: every statement of the set, in apply order, with the schema as it stood just before it.
// Statement rules run on it (through the memo in editors), its locks and transaction facts are recorded, then it
// is replayed into the model; the statements of a DO block each take their turn inside it.
import { tableKey, type SchemaModel } from '../model/schema';
import type { Action, Origin, QName, Statement } from '../model/types';
import type { ProjectModel } from '../project/types';
import type { ResolvedConfig } from './config';
import { followUpMigrationPath } from './migrations';
import { concerns, type Report, type Rule, type StatementContext, type TxFacts } from './types';
import { reportMessage } from './messages';
import { cannotRunInTransaction, lockPlan, lockTableName, mergeLocks, type LockPlan } from '../locks';
import type { PassRecord, RuleMemo, SetFacts, Stability } from './memo';
import { embeddedStatements, lazyLines, modelActions } from './embedded';
import { withSizes } from './sizes';
import { TransactionTracker } from './transactions';
import { replayedStatements, type ParsedSetFile } from './set-files';
import type { StatementFacts } from './run';
import { StatementMap } from './statement-map';
import { createdTableName } from '../parser/lexer';

/** A report of a rule before suppressions and severities, with its message rendered. */
export interface RawReport {
  rule: Rule;
  report: Report;
  message: string;
  statement?: Statement;
  file: string;
}

export interface StatementPassInput {
  /** The model to replay into: the baseline's schema, or empty (built only when the pass starts at the first file). */
  startModel: () => SchemaModel;
  /** The schema after the whole set (pass 1). */
  finalModel: SchemaModel;
  project: ProjectModel;
  config: ResolvedConfig;
  /** The rules with a `check`. */
  rules: readonly Rule[];
  /** Every file of the set, for the names of follow-up migrations. */
  allPaths: string[];
  memo?: RuleMemo;
  /** What the starting model was built from (the baseline's parse, the live database's sizes): compared by identity. */
  start?: readonly unknown[];
  /**
   * Editors: the model after the first `files` files, as pass 1 replayed it (a fresh copy each call). When those files
   * are unchanged and every result of their statements can be reused, the pass takes their facts and reports from
   * the last analysis and starts replaying there.
   */
  resume?: { files: number; model: () => SchemaModel };
  /**
   * The files whose findings are wanted: the statement rules run on their statements only (a statement rule reports
   * on its own statement). Every statement is still replayed and its locks and facts recorded, for the set rules.
   */
  scope?: ReadonlySet<string>;
}

/** The state of one file while its statements run: its transactions and whether lock_timeout is set. */
interface FileRun {
  f: ParsedSetFile;
  tx: TransactionTracker;
  lockTimeoutSet: boolean;
  localTimeout: boolean;
}

/**
 * A report's message, rendered once: the editor's memo hands the same report objects to the next analysis while their
 * statement is unchanged, and a set of 800 migrations has a thousand of them (set rules that keep a file's reports,
 * such as require-lock-timeout, do the same).
 */
const rendered = new WeakMap<Report, string>();
export function renderedMessage(rule: Rule, report: Report): string {
  let m = rendered.get(report);
  if (m === undefined) {
    m = reportMessage(rule, report);
    rendered.set(report, m);
  }
  return m;
}

export class StatementPass {
  readonly raw: RawReport[] = [];
  readonly internalErrors: string[] = [];
  readonly facts = new StatementMap<StatementFacts>();
  /** Tables created earlier in the same migration: they are new, and locks on them harm nobody yet. */
  private created = new Set<string>();
  private migration: string | undefined;
  /** Each statement's own lock plan (before a DO block's statements are merged in), kept for the next analysis (editors). */
  private readonly plans = new StatementMap<LockPlan>();
  /** The statement rules' reports of each file (editors: the next analysis takes an unchanged file's as they are). */
  private readonly rawByFile = new Map<string, RawReport[]>();
  /** Editors: what the last analysis ran on, when it can tell what is unchanged before a statement. */
  private previous?: PassRecord;
  /** Files before the first changed one, then statements before the first change in that file (see memo.ts). */
  private unchangedFiles = 0;
  private unchangedStatements = 0;

  private readonly conventions: ReadonlySet<string>;
  /** What reused results may depend on beyond a statement's past (memo.ts). */
  private readonly setFacts: SetFacts;
  /** The schema as it stands before the current statement (set by run). */
  private model?: SchemaModel;
  private get schema(): SchemaModel {
    if (!this.model) throw new Error('StatementPass: the schema is read outside run()');
    return this.model;
  }

  constructor(private readonly env: StatementPassInput) {
    this.conventions = new Set(env.project.conventions.keys());
    this.setFacts = { conventions: this.conventions, after: env.finalModel };
  }

  run(files: ParsedSetFile[]): this {
    const { memo } = this.env;
    memo?.begin(JSON.stringify(this.env.config), this.env.rules);
    const record = memo && this.record(files);
    if (memo) {
      const last = memo.previous;
      memo.samePaths = last !== undefined && last.paths.length === record!.paths.length && last.paths.every((p, i) => p === record!.paths[i]);
      this.unchanged(record!, last);
    }
    const from = this.resumed(files);
    if (from === 0) this.model = this.env.startModel();
    this.model!.keepChanges();
    for (let i = from; i < files.length; i++) this.file(files[i], i);
    // The schema as it stood is done with: the final one is pass 1's. Kept, it held a second copy of the whole schema
    // through the set rules (46 MB of 177 live on 20,000 tables).
    this.model = undefined;
    if (memo) {
      memo.previous = record;
      memo.commit();
    }
    return this;
  }

  /** What this analysis runs on, as the next one will compare it. */
  private record(files: ParsedSetFile[]): PassRecord {
    const { runner } = this.env.project;
    const key = (path: string) => {
      const m = runner.fileMode(path);
      return `${runner.id}|${runner.splitsNonTransactional}|${runner.autocommitFiles === true}|${m.mode}|${m.why}|${runner.migrationOf(path)}`;
    };
    return {
      start: this.env.start ?? [],
      files: files.map((f) => ({ path: f.ctx.path, parsed: f.parsed, replayed: f.ctx.replayed, runner: key(f.ctx.path) })),
      paths: this.env.allPaths,
      plans: this.plans,
      facts: this.facts,
      raw: this.rawByFile,
    };
  }

  /**
   * Editors: the files before `resume.files` taken as the last analysis left them, when they are unchanged (with all
   * before them), a migration ends with them, and every result of their statements can be reused; then the model is
   * pass 1's copy at that point. Returns the index of the first file to run.
   */
  private resumed(files: ParsedSetFile[]): number {
    const { memo, resume, project } = this.env;
    const last = this.previous;
    if (memo) memo.stats.skippedFiles = 0;
    if (!memo || !resume || !last || resume.files === 0 || resume.files > this.unchangedFiles) return 0;
    const k = resume.files;
    if (k < files.length && project.runner.migrationOf(files[k].ctx.path) === project.runner.migrationOf(files[k - 1].ctx.path)) return 0;
    const now = this.setFacts;
    const statements = (f: ParsedSetFile) => () => {
      const lines = lazyLines(f.ctx.text);
      return replayedStatements(f).flatMap((stmt) => [stmt, ...embeddedStatements(stmt, f.ctx.text, lines)]);
    };
    for (let i = 0; i < k; i++) {
      const path = files[i].ctx.path;
      // The last pass ran or took the file (its facts, plans and reports are recorded together).
      if (!last.raw.has(path) || !memo.canTakeFile(path, statements(files[i]), now)) return 0;
    }
    for (let i = 0; i < k; i++) {
      const path = files[i].ctx.path;
      this.facts.adopt(path, last.facts);
      this.plans.adopt(path, last.plans);
      const raw = last.raw.get(path)!;
      this.rawByFile.set(path, raw);
      for (const r of raw) this.raw.push(r);
      memo.takeFile(path);
    }
    this.model = resume.model();
    this.migration = project.runner.migrationOf(files[k - 1].ctx.path);
    memo.stats.skippedFiles = k;
    return k;
  }

  /** How far the set is as it was in the last analysis: whole files (same parse, same runner rules), then statements. */
  private unchanged(now: PassRecord, last: PassRecord | undefined): void {
    if (!last || now.start.length !== last.start.length || now.start.some((x, i) => x !== last.start[i])) return;
    const same = (i: number) => i < last.files.length && now.files[i].path === last.files[i].path
      && now.files[i].replayed === last.files[i].replayed && now.files[i].runner === last.files[i].runner;
    let i = 0;
    while (i < now.files.length && same(i) && now.files[i].parsed === last.files[i].parsed) i++;
    this.unchangedFiles = i;
    this.previous = last;
    if (i >= now.files.length || !same(i)) return;
    // Unchanged statements keep their objects (the parse cache reuses them while their position stays).
    const a = now.files[i].parsed.statements;
    const b = last.files[i].parsed.statements;
    let j = 0;
    while (j < a.length && j < b.length && a[j] === b[j]) j++;
    this.unchangedStatements = j;
  }

  private stability(fileIndex: number, stmt: Statement): Stability {
    if (!this.previous) return undefined;
    if (fileIndex < this.unchangedFiles) return 'file';
    if (fileIndex === this.unchangedFiles && stmt.index < this.unchangedStatements) return 'prefix';
    return undefined;
  }

  private file(f: ParsedSetFile, fileIndex: number): void {
    const statements = replayedStatements(f);
    const run: FileRun = { f, tx: new TransactionTracker(this.env.project.runner, f.ctx, statements), lockTimeoutSet: false, localTimeout: false };
    const migration = this.env.project.runner.migrationOf(f.ctx.path);
    if (migration !== this.migration) this.created = new Set<string>();
    this.migration = migration;
    const lines = lazyLines(f.ctx.text);
    this.facts.open(f.ctx.path);
    this.plans.open(f.ctx.path);
    const rawFrom = this.raw.length;
    // Statements the parser rejected are not replayed; a CREATE TABLE among them still makes its table new to the
    // statements after it.
    const unparsed = statements.length < f.parsed.statements.length ? f.parsed.statements.filter((s) => s.syntaxError) : [];
    let u = 0;
    for (const stmt of statements) {
      while (u < unparsed.length && unparsed[u].span.start < stmt.span.start) this.trackUnparsed(unparsed[u++]);
      const txFacts = run.tx.before(stmt);
      const stability = this.stability(fileIndex, stmt);
      let locks = this.step(run, stmt, txFacts, stability);
      const inner = embeddedStatements(stmt, f.ctx.text, lines);
      if (inner.length) locks = this.block(run, stmt, txFacts, locks, inner, stability);
      run.tx.after(stmt, locks, this.resolveKey);
      // A transaction the tool or the file closes here ends SET LOCAL too.
      if (run.localTimeout && run.tx.endedAfterLast()) run.lockTimeoutSet = false;
    }
    this.rawByFile.set(f.ctx.path, this.raw.slice(rawFrom));
  }

  /** The statements of a DO block, each with the schema as it stands before it; the DO statement takes all their locks. */
  private block(run: FileRun, stmt: Statement, txFacts: TxFacts, locks: LockPlan, inner: Statement[], stability: Stability): LockPlan {
    const innerTx = run.tx.beginBlock(stmt, txFacts);
    const all = [...locks.entries];
    for (const s of inner) {
      // As unchanged as the DO statement: its statements are the same objects while it is (embedded.ts).
      const l = this.step(run, s, innerTx, stability);
      if (!cannotRunInTransaction(s)) run.tx.record(s, l, this.resolveKey);
      all.push(...l.entries);
    }
    // SET LOCAL in a block that ran as its own transaction ends with it.
    if (run.tx.endBlock() && run.localTimeout) run.lockTimeoutSet = false;
    const merged = mergeLocks(all);
    this.facts.set(stmt, { ...this.facts.get(stmt)!, locks: merged });
    return merged;
  }

  /** Runs the statement rules on one statement, then replays it; returns the locks it takes. */
  private step(run: FileRun, stmt: Statement, txFacts: TxFacts, stability: Stability = undefined): LockPlan {
    const { config } = this.env;
    const model = this.schema;
    // Unchanged, with everything before it: the same schema before it, so the same locks.
    const locks = (stability && this.previous?.plans.get(stmt)) || withSizes(lockPlan(stmt, { before: model, createdInFile: this.createdInFile, config }), model, config);
    this.plans.set(stmt, locks);
    const held = run.tx.heldOn(locks);
    this.facts.set(stmt, { inTransaction: txFacts.inTransaction, txKind: txFacts.kind, txWhy: txFacts.why, lockTimeoutSet: run.lockTimeoutSet, locks, held });
    this.check(stmt, () => this.context(run, stmt, txFacts, locks), run.f.ctx.path, stability);
    this.replay(run, stmt, txFacts);
    return locks;
  }

  private context(run: FileRun, stmt: Statement, txFacts: TxFacts, locks: LockPlan): StatementContext {
    const { config, project, finalModel, allPaths } = this.env;
    const model = this.schema;
    const f = run.f;
    return {
      statement: stmt,
      file: f.ctx,
      before: model,
      config,
      project,
      runner: project.runner,
      conventions: this.conventions,
      after: finalModel,
      tx: txFacts,
      locks,
      inTransaction: txFacts.inTransaction,
      lockTimeoutSet: run.lockTimeoutSet,
      createdInFile: this.createdInFile,
      existedBefore: (t) => {
        const m = model.table(t);
        return m && !this.created.has(tableKey(m.schema, m.name)) ? m : undefined;
      },
      heldLock: (t) => run.tx.held(lockTableName(model, t)),
      heldLocks: () => run.tx.all(),
      emptiedInTransaction: (t) => run.tx.emptied(this.resolveKey(t)),
      earlierLocks: (s) => (s === stmt ? undefined : this.plans.get(s)),
      followUpFileName: (slug) => followUpMigrationPath(f.ctx.path, allPaths, slug),
    };
  }

  /** The statement rules on one statement (their results reused by the memo where they can be). */
  private check(stmt: Statement, context: () => StatementContext, file: string, stability: Stability): void {
    if (this.env.scope && !this.env.scope.has(file)) return;
    const ruleFailed = (rule: Rule, e: unknown) => this.internalErrors.push(`${rule.id} on ${file}:${stmt.line + 1}: ${(e as Error).message}`);
    const push = (rule: Rule, report: Report) => this.raw.push({ rule, report, message: renderedMessage(rule, report), statement: stmt, file });
    const { memo } = this.env;
    if (memo) {
      for (const { rule, reports } of memo.reuseWhole(stmt, stability, this.setFacts) ?? memo.run(context(), ruleFailed, stability)) {
        try {
          for (const report of reports) push(rule, report);
        } catch (e) {
          ruleFailed(rule, e);
        }
      }
      return;
    }
    const ctx = context();
    for (const rule of this.env.rules) {
      if (!concerns(rule, stmt)) continue;
      try {
        for (const report of rule.check!(ctx)) push(rule, report);
      } catch (e) {
        ruleFailed(rule, e);
      }
    }
  }

  /** Applies the statement to the model, and follows what the pass tracks: new tables, lock_timeout. */
  private replay(run: FileRun, stmt: Statement, txFacts: TxFacts): void {
    const model = this.schema;
    const origin: Origin = { file: run.f.ctx.path, span: stmt.span };
    const applied = modelActions(stmt);
    // A CREATE TABLE pass 1 never changed after: its finished table, not a second one built to be adopted.
    const taken = applied.length === 1 && model.takeCreated(applied[0], origin, this.env.finalModel);
    for (const a of stmt.actions) {
      this.trackCreated(a);
      this.trackLockTimeout(run, a, txFacts);
      if (!taken && applied.includes(a)) model.apply(a, origin);
    }
    if (!taken) model.adoptFinal(this.env.finalModel, origin);
  }

  private trackCreated(a: Action): void {
    const model = this.schema;
    if (a.type === 'create-table') this.created.add(this.resolveKey(a.table));
    if (a.type === 'rename-table') {
      const t = model.table(a.table);
      if (t && this.created.has(tableKey(t.schema, t.name))) this.created.add(tableKey(t.schema, a.to));
    }
    if (a.type === 'set-schema') {
      const t = model.table(a.table);
      if (t && this.created.has(tableKey(t.schema, t.name))) this.created.add(tableKey(a.schema, t.name));
    }
  }

  private trackUnparsed(stmt: Statement): void {
    const table = createdTableName(stmt.text);
    if (table) this.created.add(this.resolveKey(table));
  }

  private trackLockTimeout(run: FileRun, a: Action, txFacts: TxFacts): void {
    // SET LOCAL lasts until the end of the transaction.
    if (a.type === 'transaction' && (a.op === 'commit' || a.op === 'rollback') && run.localTimeout) run.lockTimeoutSet = false;
    // SET LOCAL outside a transaction block does nothing (PostgreSQL warns and ignores it).
    if (a.type === 'set' && a.name === 'lock_timeout' && (!a.local || txFacts.inTransaction)) {
      run.lockTimeoutSet = a.value !== undefined && !/^0+(ms|s|min)?$/.test(a.value.trim());
      run.localTimeout = a.local;
    }
    if (a.type === 'reset' && (a.name === 'lock_timeout' || a.name === 'all')) run.lockTimeoutSet = false;
  }

  private readonly resolveKey = (q: QName): string => {
    const r = this.schema.resolve(q);
    return tableKey(r.schema, r.name);
  };

  private readonly createdInFile = (t: QName): boolean => this.created.has(this.resolveKey(t)) || (!t.schema && this.created.has(tableKey('public', t.name)));
}
