import { defineRule, type FileContext, type Report, type SetContext, type TextEdit } from '../engine/types';
import type { StatementFacts } from '../engine/run';
import { blocks, modeName, type LockEntry, type LockPlan } from '../locks';
import type { LockMode, QName, Statement } from '../model/types';
import { tableKey } from '../model/schema';
import { skipTrivia } from '../parser/lexer';
import { embeddedStatements, lazyLines } from '../engine/embedded';
import { insertBeforeStatement } from './util';
import { consistent } from '../project/conventions';

const ORDER: LockMode[] = ['AccessShare', 'RowShare', 'RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'];

const messages = {
  blocksReads: '{{what}} needs {{lock}} lock on {{tables}} and no lock_timeout is set: if any open transaction holds a conflicting lock (even a long SELECT), every query on it queues behind the waiting statement, SELECT included, for as long as that transaction runs.{{more}} SET lock_timeout first, so the migration fails fast and can be retried.',
  blocksWrites: '{{what}} needs {{lock}} lock on {{tables}} and no lock_timeout is set: if any open transaction holds a conflicting lock (one that has written to it and not committed yet, even if left idle), every INSERT, UPDATE and DELETE on it queues behind the waiting statement, for as long as that transaction runs.{{more}} SET lock_timeout first, so the migration fails fast and can be retried.',
  convention: '{{what}} needs {{lock}} lock on {{tables}} without lock_timeout, as in every migration of this project that takes such a lock ({{count}}, listed): a project-wide habit, so it is reported once, at the first. While a statement waits for its lock, the queries behind it wait too, for as long as the oldest open transaction runs. If the migration tool\'s connection sets lock_timeout (for example options=-c lock_timeout=2s in its connection string), turn this rule off in .sqlarchitect.json; otherwise SET lock_timeout at the top of each new migration.',
};

export const requireLockTimeout = defineRule({
  id: 'require-lock-timeout',
  category: 'locking',
  defaultSeverity: 'warning',
  fixable: true,
  title: 'Set lock_timeout before taking locks that block traffic',
  messages,
  rationale:
    'A statement that needs a lock blocking writes (SHARE and stronger) or reads (ACCESS EXCLUSIVE) on an existing table first waits for every transaction that holds a conflicting lock: for ACCESS EXCLUSIVE even a long-running SELECT, for the others one that has written to the table and not committed yet. While it waits in the lock queue, every new query on the table that conflicts with it queues behind it: an ALTER TABLE that itself takes milliseconds can stop all reads and writes of the table for as long as the oldest transaction runs. With `SET lock_timeout` the migration gives up after a moment instead, and can be retried.',
  docs: {
    bad: 'ALTER TABLE orders ADD COLUMN note text;',
    good: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
    details: 'Reported once per file, at the first statement that waits (its related information lists the later ones), as Squawk does; again after a RESET or after the transaction of a `SET LOCAL` ends. A project where at least ten migrations take such a lock and (nearly) none sets lock_timeout made a project-wide choice, or leaves it to the migration tool\'s connection: that is one finding, on the first of them, with the others as related locations, and no fix. The fix inserts `SET lock_timeout` at the top of the file (after leading comments), using the `lockTimeout` setting. Statements on tables created earlier in the same file are exempt, and so are CREATE INDEX and DROP INDEX without CONCURRENTLY while require-concurrent-index and require-concurrent-index-drop are on: those rules report them, and their remedy takes a lock that does not hold up writes. `SET LOCAL lock_timeout` counts until the end of its transaction. A session-level SET stays in effect for the rest of the connection; use `SET LOCAL` inside BEGIN … COMMIT if the tool reuses connections.',
  },
  checkSet(ctx) {
    const reports: Report<keyof typeof messages>[] = [];
    const covered = coveredBy(ctx);
    // All that the reports depend on besides the file's statements and their facts.
    const settings = `${ctx.config.lockTimeout}|${[...covered].join()}`;
    let setting = 0;
    for (const file of ctx.files) {
      const r = keptReports(ctx, file, covered, settings);
      if (r.length) reports.push(...r);
      if (file.statements.some((s) => s.actions.some((a) => a.type === 'set' && a.name === 'lock_timeout'))) setting++;
    }
    return projectWide(reports, setting) ?? reports;
  },
});

/**
 * A project none of whose migrations sets lock_timeout (trigger.dev: 631 of 820 take a lock that waits, none sets
 * it) made one choice, or left it to the tool's connection: one finding, on the first such migration, the others as
 * related locations, as for the other project-wide choices (conventionReport), instead of the same advice in every
 * file. No fix: adding the SET to one file leaves the choice as it was.
 */
/**
 * Fewer migrations keep their own findings and fixes: in a young project (the bundled example has five) adding the SET
 * to each is the advice, and the habit is not yet a history of choices.
 */
const MIN_MIGRATIONS = 10;

function projectWide(reports: Report<keyof typeof messages>[], setting: number): Report<keyof typeof messages>[] | undefined {
  // The first report of each file (a file is reported again only after a RESET or the end of a SET LOCAL).
  const firsts = reports.filter((r, i) => i === 0 || reports[i - 1].file !== r.file);
  if (firsts.length < MIN_MIGRATIONS || !consistent('no-lock-timeout', '', firsts.map((r) => ({ file: r.file!, span: r.span! })), setting)) return undefined;
  const [first, ...rest] = firsts;
  const related = rest.slice(0, 50).map((r) => ({ file: r.file!, span: r.span!, message: 'the same choice here' }));
  return [{ ...first, messageId: 'convention', data: { ...first.data, count: firsts.length }, related, fixes: [] }];
}

/**
 * A file's reports, kept with its statements: in the editor a file before the one being edited keeps its statements
 * and the statement pass's facts about them (the same objects) from one keystroke to the next, and so its reports.
 */
const kept = new WeakMap<readonly Statement[], { path: string; settings: string; visited: readonly Visited[]; reports: Report<keyof typeof messages>[] }>();
function keptReports(ctx: SetContext, file: FileContext, covered: Covered, settings: string): Report<keyof typeof messages>[] {
  const last = kept.get(file.statements);
  if (last && last.path === file.path && last.settings === settings && sameFacts(ctx, last.visited)) return last.reports;
  const visited = visitedStatements(ctx, file, covered);
  const reports = fileReports(ctx, file, visited);
  // Frozen: the next analysis hands the very same objects to the engine, which then renders their messages once.
  for (const r of reports) Object.freeze(r);
  kept.set(file.statements, { path: file.path, settings, visited, reports });
  return reports;
}

/** The statement pass recorded the very same facts for these statements as when their reports were made. */
function sameFacts(ctx: SetContext, visited: readonly Visited[]): boolean {
  for (let i = 0; i < visited.length; i++) if (ctx.factsAt(visited[i].statement) !== visited[i].facts) return false;
  return true;
}

/**
 * A file's findings, in one pass over what the statement pass visited (a statement with facts: replayed, parsed,
 * and each statement a DO block runs right after it), with the lock plans and lock_timeout state it recorded.
 * As a set rule it runs once per analysis and no statement's result depends on the statements before it: as a
 * statement rule it had to keep state between statements, and the editor ran it again for every statement after a
 * change (a keystroke in the middle of a 1,000-table migration: a fifth of the analysis).
 */
function fileReports(ctx: SetContext, file: FileContext, visited: readonly Visited[]): Report<keyof typeof messages>[] {
  const out: Report<keyof typeof messages>[] = [];
  // The stretch of the file since lock_timeout was last in effect: reported at its first statement that waits.
  let offender = false;
  visited.forEach((v, i) => {
    if (v.facts.lockTimeoutSet) {
      offender = false;
      return;
    }
    if (!v.waits.length || offender) return;
    offender = true;
    out.push(report(ctx, file, v, laterOffenders(visited, i)));
  });
  return out;
}

interface Visited {
  statement: Statement;
  facts: StatementFacts;
  /** The locks of the statement that make traffic on an existing table queue behind it. */
  waits: LockEntry[];
}

function visitedStatements(ctx: SetContext, file: FileContext, covered: Covered): Visited[] {
  const out: Visited[] = [];
  const lines = lazyLines(file.text);
  // Views created by the statements before the current one (a refresh of one waits for nobody).
  const views = new Set<string>();
  for (const top of file.statements) {
    if (!ctx.factsAt(top)) continue;
    for (const s of [top, ...embeddedStatements(top, file.text, lines)]) {
      const facts = ctx.factsAt(s);
      if (facts) out.push({ statement: s, facts, waits: waits(covered, s, facts.locks, views) });
    }
    for (const a of top.actions) if (a.type === 'create-view') views.add(viewKey(a.view));
  }
  return out;
}

const viewKey = (q: QName) => tableKey(q.schema ?? 'public', q.name);

function report(ctx: SetContext, file: FileContext, v: Visited, later: Statement[]): Report<keyof typeof messages> {
  const entries = v.waits;
  const strongest = entries.reduce((a, b) => (ORDER.indexOf(b.mode) > ORDER.indexOf(a.mode) ? b : a));
  const tables = [...new Set(entries.filter((e) => e.mode === strongest.mode).map((e) => e.table))].join(', ');
  const mode = modeName(strongest.mode);
  const set = `SET lock_timeout = '${ctx.config.lockTimeout}';`;
  const more = later.length ? ` The same holds for ${later.length} later statement${later.length > 1 ? 's' : ''} of this file.` : '';
  return {
    file: file.path,
    span: v.statement.span,
    statement: v.statement,
    messageId: blocks(strongest.mode).reads ? 'blocksReads' : 'blocksWrites',
    data: { what: strongest.what, lock: `${/^[AEIOU]/.test(mode) ? 'an' : 'a'} ${mode}`, tables, more },
    related: later.slice(0, 50).map((s) => ({ file: file.path, span: s.span, message: 'also waits for its lock without lock_timeout' })),
    recipe: `${set}  -- statements give up instead of queueing; retry the migration if it times out\n${v.statement.text};`,
    fixes: [{ title: `Set lock_timeout = '${ctx.config.lockTimeout}' at the top of the file`, safe: true, edits: [insertion(file, v.statement, set)] }],
  };
}

/**
 * The locks of `stmt` that make traffic on an existing table queue behind it: `plan` is the statement pass's, made
 * with the schema as it stood before the statement (a DO statement's own plan is empty: the statements it runs
 * come after it, each with its own).
 */
function waits(covered: Covered, stmt: Statement, plan: LockPlan, viewsBefore: ReadonlySet<string>): LockEntry[] {
  if (stmt.actions.some((a) => a.type === 'do-block')) return NONE;
  let entries: LockEntry[] | undefined;
  for (const e of plan.entries) {
    if (!e.existing || !blocks(e.mode).writes || covered.has(e.what)) continue;
    (entries ??= []).push(e);
  }
  if (entries && stmt.actions.some((a) => a.type === 'refresh-matview' && viewsBefore.has(viewKey(a.view)))) return [];
  // An index the model did not know still belongs to some existing table.
  for (const what of plan.unplaced ?? []) {
    if (what === 'DROP INDEX' && !covered.has('DROP INDEX')) (entries ??= []).push(unknown('AccessExclusive', 'DROP INDEX'));
    if (what === 'REINDEX') (entries ??= []).push(unknown('Share', 'REINDEX'));
  }
  return entries ?? NONE;
}

const NONE: LockEntry[] = [];

/**
 * What waits but is left to another rule: an index built or dropped without CONCURRENTLY is
 * require-concurrent-index(-drop)'s finding, whose remedy takes a lock that no longer holds up writes, so the same
 * statement is not reported twice for one cause (unless that rule is off; an ignore comment for it accepts the lock,
 * its wait included).
 */
type Covered = ReadonlySet<string>;
function coveredBy(ctx: SetContext): Covered {
  const out = new Set<string>();
  if (ctx.config.rules['require-concurrent-index'] !== 'off') out.add('CREATE INDEX');
  if (ctx.config.rules['require-concurrent-index-drop'] !== 'off') out.add('DROP INDEX');
  return out;
}

/** The statements after the reported one that also wait without lock_timeout, until the file sets it. */
function laterOffenders(visited: readonly Visited[], at: number): Statement[] {
  const out: Statement[] = [];
  const top = visited[at].statement.embedded?.parent ?? visited[at].statement;
  for (const v of visited.slice(at + 1)) {
    // Statements of the file, not those a DO block runs (as before: the block is counted where it is reported).
    if (v.statement.embedded) continue;
    if (v.statement.index <= top.index) continue;
    if (v.statement.actions.some((a) => a.type === 'set' && a.name === 'lock_timeout')) break;
    if (v.waits.length) out.push(v.statement);
  }
  return out;
}

function unknown(mode: LockMode, what: string): LockEntry {
  return { table: 'its table', mode, what, existing: true, rewrite: false, scan: false };
}

/**
 * Where `SET lock_timeout` goes: before the first statement of the file (after its leading comments, but before
 * an ignore directive or goose StatementBegin that belongs to that statement); when the file set and then reset
 * the timeout earlier, right before this statement.
 */
function insertion(file: FileContext, stmt: Statement, sql: string): TextEdit {
  const text = file.text;
  const earlier = file.statements.slice(0, stmt.index).some((s) => s.actions.some((a) => a.type === 'set' && a.name === 'lock_timeout'));
  if (earlier) return insertBeforeStatement(text, stmt, sql);
  const first = file.statements[0] ?? stmt;
  const lead = skipTrivia(text, 0, first.span.start).comments;
  const attached = lead.find((c) => /^--\s*(sql-architect-ignore(?!-file)|\+goose\s+StatementBegin)/i.test(c.text));
  if (attached) {
    const lineStart = text.lastIndexOf('\n', attached.start - 1) + 1;
    return { start: lineStart, end: lineStart, newText: `${sql}\n` };
  }
  return insertBeforeStatement(text, first, sql);
}
