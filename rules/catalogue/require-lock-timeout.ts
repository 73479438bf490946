import { defineRule, type StatementContext, type TextEdit } from '../engine/types';
import { blocks, lockPlan, modeName, type LockEntry } from '../locks';
import type { LockMode, QName, Statement } from '../model/types';
import { skipTrivia } from '../parser/lexer';
import { viewCreatedInFile } from './locking-util';
import { embeddedStatements, lazyLines } from '../engine/embedded';
import { insertBeforeStatement } from './util';

const ORDER: LockMode[] = ['AccessShare', 'RowShare', 'RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'];

const messages = {
  blocksReads: '{{what}} needs {{lock}} lock on {{tables}} and no lock_timeout is set: if any open transaction holds a conflicting lock (even a long SELECT), every query on it queues behind the waiting statement, SELECT included, for as long as that transaction runs.{{more}} SET lock_timeout first, so the migration fails fast and can be retried.',
  blocksWrites: '{{what}} needs {{lock}} lock on {{tables}} and no lock_timeout is set: if any open transaction holds a conflicting lock (one that has written to it and not committed yet, even if left idle), every INSERT, UPDATE and DELETE on it queues behind the waiting statement, for as long as that transaction runs.{{more}} SET lock_timeout first, so the migration fails fast and can be retried.',
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
    details: 'Reported once per file, at the first statement that waits (its related information lists the later ones), as Squawk does; again after a RESET or after the transaction of a `SET LOCAL` ends. The fix inserts `SET lock_timeout` at the top of the file (after leading comments), using the `lockTimeout` setting. Statements on tables created earlier in the same file are exempt, and so are CREATE INDEX and DROP INDEX without CONCURRENTLY while require-concurrent-index and require-concurrent-index-drop are on: those rules report them, and their remedy takes a lock that does not hold up writes. `SET LOCAL lock_timeout` counts until the end of its transaction. A session-level SET stays in effect for the rest of the connection; use `SET LOCAL` inside BEGIN … COMMIT if the tool reuses connections.',
  },
  check(ctx) {
    const stretch = stretchOf(ctx);
    stretch.next = ctx.statement.index + 1;
    if (ctx.lockTimeoutSet) {
      stretch.offender = false;
      return [];
    }
    const entries = waits(ctx, ctx.statement, (q) => ctx.createdInFile(q));
    if (entries.length === 0) return [];
    const first = !stretch.offender;
    stretch.offender = true;
    if (!first) return [];
    const strongest = entries.reduce((a, b) => (ORDER.indexOf(b.mode) > ORDER.indexOf(a.mode) ? b : a));
    const tables = [...new Set(entries.filter((e) => e.mode === strongest.mode).map((e) => e.table))].join(', ');
    const mode = modeName(strongest.mode);
    const set = `SET lock_timeout = '${ctx.config.lockTimeout}';`;
    const later = laterOffenders(ctx);
    const more = later.length ? ` The same holds for ${later.length} later statement${later.length > 1 ? 's' : ''} of this file.` : '';
    return [{
      messageId: blocks(strongest.mode).reads ? 'blocksReads' : 'blocksWrites',
      data: { what: strongest.what, lock: `${/^[AEIOU]/.test(mode) ? 'an' : 'a'} ${mode}`, tables, more },
      related: later.slice(0, 50).map((s) => ({ file: ctx.file.path, span: s.span, message: 'also waits for its lock without lock_timeout' })),
      recipe: `${set}  -- statements give up instead of queueing; retry the migration if it times out\n${ctx.statement.text};`,
      fixes: [{ title: `Set lock_timeout = '${ctx.config.lockTimeout}' at the top of the file`, safe: true, edits: [insertion(ctx, set)] }],
    }];
  },
});

/** The locks of `stmt` that make traffic on an existing table queue behind it. */
function waits(ctx: StatementContext, stmt: Statement, createdInFile: (q: QName) => boolean): LockEntry[] {
  // The statement being checked: the engine's plan (same model, same createdInFile); others are planned here.
  // Only what a lock plan needs (spreading the context would read all of it, and the editor could not reuse the result).
  // An earlier statement: the plan the engine made with the schema before it (the editor may not have run this rule
  // on it in this analysis).
  const plan = stmt === ctx.statement ? ctx.locks : ctx.earlierLocks(stmt) ?? lockPlan(stmt, { before: ctx.before, config: ctx.config, createdInFile });
  // An index built or dropped without CONCURRENTLY is require-concurrent-index(-drop)'s finding, whose remedy takes a
  // lock that no longer holds up writes: the same statement is not reported twice for one cause.
  // (Unless that rule is off. An ignore comment for it accepts the lock, its wait included; reading a statement's
  // ignores would also keep the editor from reusing this rule's results.)
  const reports = (rule: string) => ctx.config.rules[rule] !== 'off';
  const covered = (what: string) => (what === 'CREATE INDEX' && reports('require-concurrent-index'))
    || (what === 'DROP INDEX' && reports('require-concurrent-index-drop'));
  const entries = plan.entries.filter((e) => e.existing && blocks(e.mode).writes && !covered(e.what));
  if (stmt.actions.some((a) => a.type === 'refresh-matview' && viewCreatedInFile(ctx, a.view))) return [];
  // An index the model does not know still belongs to some existing table.
  for (const a of stmt.actions) {
    if (a.type === 'drop-index' && !a.concurrently && a.indexes.some((q) => !ctx.before.indexTable(q)) && !covered('DROP INDEX')) entries.push(unknown('AccessExclusive', 'DROP INDEX'));
    if (a.type === 'reindex' && !a.concurrently && a.kind === 'index' && !ctx.before.indexTable(a.target)) entries.push(unknown('Share', 'REINDEX'));
  }
  return entries;
}

interface Stretch {
  /** Index of the statement expected next. */
  next: number;
  /** A statement of the current stretch without lock_timeout already waited (and was reported). */
  offender: boolean;
}

// Per analysis run (a FileContext is created per run), so statements are visited once, in order: linear time.
const stretches = new WeakMap<object, Stretch>();

function stretchOf(ctx: StatementContext): Stretch {
  const known = stretches.get(ctx.file);
  const skipped = known && ctx.file.statements.slice(known.next, ctx.statement.index).every((s) => s.syntaxError);
  // The statements a DO block runs share its index and come right after it.
  if (known && ctx.statement.embedded && known.next === ctx.statement.index + 1) return known;
  if (known && known.next <= ctx.statement.index && skipped) return known;
  const fresh = { next: ctx.statement.index, offender: earlierOffender(ctx) };
  stretches.set(ctx.file, fresh);
  return fresh;
}

/**
 * Reported once per stretch of the file without lock_timeout: at its first statement that waits. Replays the
 * file's SET / RESET / COMMIT as the runner does (SET LOCAL ends with its transaction). The slow path, when the
 * rule did not see the earlier statements of this run.
 */
function earlierOffender(ctx: StatementContext): boolean {
  let set = false;
  let local = false;
  let tx = false;
  let offender = false;
  const lines = lazyLines(ctx.file.text);
  // Each earlier statement, and the statements a DO block of them runs right after it, as the pass visits them.
  for (const s of ctx.file.statements.slice(0, ctx.statement.index).flatMap((x) => (x.syntaxError ? [] : [x, ...embeddedStatements(x, ctx.file.text, lines)]))) {
    if (!set && waits(ctx, s, (q) => ctx.createdInFile(q)).length > 0) offender = true;
    for (const a of s.actions) {
      if (a.type === 'transaction' && a.op === 'begin') tx = true;
      if (a.type === 'transaction' && (a.op === 'commit' || a.op === 'rollback')) { if (tx && local) set = false; tx = false; }
      if (a.type === 'set' && a.name === 'lock_timeout') { set = a.value !== undefined && !/^0+(ms|s|min)?$/.test(a.value.trim()); local = a.local; if (set) offender = false; }
      if (a.type === 'reset' && (a.name === 'lock_timeout' || a.name === 'all')) set = false;
    }
  }
  return offender;
}

/** Later statements of the file that also wait without lock_timeout (until one sets it). */
function laterOffenders(ctx: StatementContext): Statement[] {
  const created = new Set<string>();
  const key = (q: QName) => `${q.schema ?? ''}.${q.name}`;
  const out: Statement[] = [];
  for (const s of ctx.file.statements.slice(ctx.statement.index + 1)) {
    if (s.syntaxError) continue;
    if (s.actions.some((a) => a.type === 'set' && a.name === 'lock_timeout')) break;
    if (waits(ctx, s, (q) => ctx.createdInFile(q) || created.has(key(q))).length > 0) out.push(s);
    for (const a of s.actions) if (a.type === 'create-table') created.add(key(a.table));
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
function insertion(ctx: StatementContext, sql: string): TextEdit {
  const text = ctx.file.text;
  const earlier = ctx.file.statements.slice(0, ctx.statement.index).some((s) => s.actions.some((a) => a.type === 'set' && a.name === 'lock_timeout'));
  if (earlier) return insertBeforeStatement(text, ctx.statement, sql);
  const first = ctx.file.statements[0] ?? ctx.statement;
  const lead = skipTrivia(text, 0, first.span.start).comments;
  const attached = lead.find((c) => /^--\s*(sql-architect-ignore(?!-file)|\+goose\s+StatementBegin)/i.test(c.text));
  if (attached) {
    const lineStart = text.lastIndexOf('\n', attached.start - 1) + 1;
    return { start: lineStart, end: lineStart, newText: `${sql}\n` };
  }
  return insertBeforeStatement(text, first, sql);
}
