// "Fix all": which safe fixes apply together to one file. The editor's source.fixAll.sqlArchitect and
// `sql-architect check --fix` both take this set.
import type { Finding, Fix } from './types';

/** The newest migration of a set: its last file that is replayed (not a down file). */
export function newestMigration(files: readonly { path: string; replayed: boolean }[]): string | undefined {
  for (let i = files.length - 1; i >= 0; i--) if (files[i].replayed) return files[i].path;
  return undefined;
}

/**
 * A migration of a history that is not its newest: it may well have run already. Its tool may keep a checksum of it
 * (Prisma, Flyway, sqlx, Atlas, …), and an edit would never reach a database where it ran. `check --fix` leaves such
 * files alone unless they are named; the editor marks their quick fixes and keeps them out of fix-all on save.
 */
export function isOlderMigration(files: readonly { path: string; replayed: boolean }[], file: string): boolean {
  return files.some((f) => f.replayed && f.path === file) && newestMigration(files) !== file;
}

/**
 * For each finding of `file` (in order), its first safe fix, unless that fix's edits in this file overlap an edit
 * already taken (two inserts at the same point count as overlapping). Edits to other files (follow-up migrations)
 * come along with their fix.
 */
export function safeFixesForFile(file: string, findings: readonly Finding[]): Fix[] {
  const taken: { start: number; end: number }[] = [];
  const out: Fix[] = [];
  for (const f of findings) {
    if (f.file !== file) continue;
    const fix = f.fixes.find((x) => x.safe);
    if (!fix) continue;
    const local = fix.edits.filter((e) => !e.file || e.file === file);
    const overlaps = local.some((e) => taken.some((t) => (e.start < t.end && t.start < e.end) || (e.start === e.end && e.start === t.start)));
    if (overlaps) continue;
    for (const e of local) taken.push({ start: e.start, end: e.end });
    out.push(fix);
  }
  return out;
}
