// From the core's analysis to what the engine replays: the statements of a migration set in apply order,
// the tenant tables to probe, and real PostgreSQL errors as `migration-fails` findings.
import { blocks, cannotRunInTransaction, LineIndex, migrationFailsRule, parseFile, reportMessage, tenantTables, userTables, type Finding, type LockMode, type ResolvedConfig, type SetResult } from '../rules/index';
import type { ExecStatement, IsolationTable, TraceEntry } from './types';

/** A lock mode as pg_locks names it ('ShareLock') makes INSERT, UPDATE and DELETE wait: the core's lock table says. */
export function blocksWrites(mode: string): boolean {
  return blocks(mode.replace(/Lock$/, '') as LockMode)?.writes === true;
}

/** The statement took a lock that blocks writes on a relation that existed before it. */
export function tookBlockingLock(entry: TraceEntry): boolean {
  return entry.locks.some((l) => !l.created && blocksWrites(l.mode));
}

/** Replayed statements of a set: down migrations, goose Down sections and unparsable statements are left out. */
export function replayStatements(set: SetResult): ExecStatement[] {
  const out: ExecStatement[] = [];
  for (const f of set.files) {
    if (!f.replayed) continue;
    const down = /^--\s*\+goose\s+Down\b/im.exec(f.text);
    for (const s of f.statements) {
      if (s.syntaxError || s.tooLarge || (down && s.span.start > down.index)) continue;
      out.push({ file: f.path, line: s.line + 1, sql: s.text, transactional: !cannotRunInTransaction(s) });
    }
  }
  return out;
}

/** The statements of a SQL file that is not part of the set (the isolationSeed file), in order. */
export function fileStatements(path: string, text: string): ExecStatement[] {
  return parseFile(path, text).statements.filter((s) => !s.syntaxError)
    .map((s) => ({ file: path, line: s.line + 1, sql: s.text, transactional: !cannotRunInTransaction(s) }));
}

/** The tables the isolation proof probes: the tenant tables, then the tables whose policies key rows on the user. */
export function isolationTables(set: SetResult, config: ResolvedConfig): IsolationTable[] {
  const tenants = tenantTables(set.model, config);
  return [
    ...tenants.map((t) => ({ schema: t.table.schema, table: t.table.name, tenantColumn: t.column })),
    ...userTables(set.model, config, new Set(tenants.map((t) => t.table)))
      .map((t) => ({ schema: t.table.schema, table: t.table.name, tenantColumn: t.column, perUser: true })),
  ];
}

/**
 * PostgreSQL errors of a replay as findings at the failing statement. Errors that only follow from an
 * earlier failure (an object the failed statement should have created) are left out: the root is reported.
 */
export function migrationFailures(set: SetResult, trace: TraceEntry[]): Finding[] {
  const out: Finding[] = [];
  for (const e of trace) {
    if (!e.error || e.error.consequenceOf) continue;
    const file = set.files.find((f) => f.path === e.file);
    if (!file) continue;
    const stmt = file.statements.find((s) => s.line + 1 === e.line && s.text === e.sql);
    const idx = new LineIndex(file.text);
    let start = stmt?.span.start ?? idx.offset(e.line - 1, 0);
    const end = stmt?.span.end ?? start;
    // PostgreSQL's error position is a 1-based character offset into the statement.
    if (e.error.position && stmt) start = Math.min(stmt.span.start + e.error.position - 1, end);
    const code = e.error.code ? ` (SQLSTATE ${e.error.code})` : '';
    const report = { messageId: 'rejected', data: { error: `${e.error.message}${code}${e.error.hint ? `. Hint: ${e.error.hint}` : ''}` } };
    out.push({
      rule: 'migration-fails', severity: 'error', category: 'meta', message: reportMessage(migrationFailsRule, report), ...report,
      file: e.file, start, end: Math.max(end, start + 1), related: [], fixes: [],
    });
  }
  return out;
}
