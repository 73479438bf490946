// `check --fix` and `--fix-dry-run`: the editor's "fix all" (safeFixesForFile, the same selection) over whole
// migration sets, repeated until nothing is left to fix, checked by parsing the result again, then written atomically.
import fs from 'node:fs';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import {
  allRules, analyzeSet, applyEdits, orderMigrations, ParseCache, pushTo, safeFixesForFile,
  type Finding, type SetResult, type TextEdit,
} from '../rules/index';
import { writeFileAtomic } from '../io/write';
import { displayPath } from './format';
import type { ProjectResult } from './project';

// A fix that creates another finding with a fix is applied in the next pass; ESLint stops after 10 passes too.
const MAX_PASSES = 10;

export interface FileChange {
  /** undefined: a new file (a follow-up migration). */
  before?: string;
  after: string;
}

export interface FixPlan {
  /** The project analysed again with the fixed texts. */
  project: ProjectResult;
  changes: Map<string, FileChange>;
  /** Fixes applied. */
  fixed: number;
  /** Why some files were left alone. */
  notes: string[];
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The file's bytes on disk without a BOM, decoded strictly; undefined when they are not valid UTF-8 or unreadable. */
function diskText(file: string): { text: string; bom: boolean } | undefined {
  try {
    const buf = fs.readFileSync(file);
    const bom = buf.subarray(0, 3).equals(BOM);
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bom ? buf.subarray(3) : buf), bom };
  } catch {
    return undefined;
  }
}

/** CRLF files get CRLF in inserted text, as an editor would. */
function matchLineEnds(text: string, newText: string): string {
  return text.includes('\r\n') && !/(^|[^\r])\n/.test(text) ? newText.replace(/\r?\n/g, '\r\n') : newText;
}

/**
 * Applies the safe fixes of the findings `select` picks (called again after each pass), in memory. A file with a
 * syntax error, or whose bytes on disk are not exactly the analysed text, is never edited.
 *
 * `editable`: the existing files fixes may change (default: all). The CLI leaves older migrations alone unless the
 * user names them: a migration that has run is recorded by its tool (often with a checksum that an edit breaks), and
 * an edit to it never reaches a database where it ran.
 */
export function planFixes(project: ProjectResult, select: (sets: SetResult[]) => ReadonlySet<Finding>, editable: (file: string) => boolean = () => true): FixPlan {
  const cache = new ParseCache();
  const texts = new Map(project.texts);
  const notes: string[] = [];
  const blockedReason = new Map<string, string | undefined>();
  const older = new Set<string>();
  const syntaxErrors = new Set(project.sets.flatMap((s) => s.files.filter((f) => f.statements.some((st) => st.syntaxError)).map((f) => f.path)));
  const blocked = (file: string): boolean => {
    if (!project.texts.has(file)) return false;
    if (!editable(file)) {
      older.add(file);
      return true;
    }
    if (!blockedReason.has(file)) {
      let reason: string | undefined;
      if (syntaxErrors.has(file)) reason = 'has a syntax error';
      else if (diskText(file)?.text !== project.texts.get(file)) reason = 'is not valid UTF-8 or changed while it was analysed';
      blockedReason.set(file, reason);
      if (reason) notes.push(`${displayPath(file)}: not fixed: the file ${reason}`);
    }
    return blockedReason.get(file) !== undefined;
  };

  let sets = [...project.sets];
  const fixedBySet = new Map<string, number>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const wanted = select(sets);
    let applied = 0;
    sets = sets.map((set) => {
      const inSet = new Set(set.files.map((f) => f.path));
      const byFile = new Map<string, Finding[]>();
      for (const f of set.findings) if (wanted.has(f)) pushTo(byFile, f.file, f);
      // Offsets are valid for the texts of this pass only: a file takes either its own fixes or one other file's
      // fix (a follow-up migration, a referencing column) per pass; the rest waits for the next pass.
      const claimed = new Map<string, 'own' | 'other'>();
      const edits = new Map<string, TextEdit[]>();
      for (const [file, findings] of byFile) {
        if (claimed.get(file) === 'other' || blocked(file)) continue;
        for (const fix of safeFixesForFile(file, findings)) {
          const others = [...new Set(fix.edits.map((e) => e.file ?? file))].filter((t) => t !== file);
          if (others.some((t) => claimed.has(t) || blocked(t) || (!inSet.has(t) && fs.existsSync(t)))) continue;
          claimed.set(file, 'own');
          for (const t of others) claimed.set(t, 'other');
          for (const e of fix.edits) {
            const target = e.file ?? file;
            pushTo(edits, target, { ...e, newText: matchLineEnds(texts.get(target) ?? '', e.newText) });
          }
          applied++;
          fixedBySet.set(set.id, (fixedBySet.get(set.id) ?? 0) + 1);
        }
      }
      if (!edits.size) return set;
      for (const [file, list] of edits) texts.set(file, applyEdits(texts.get(file) ?? '', list));
      return analyse(set, [...edits.keys()]);
    });
    if (!applied) break;
  }

  function analyse(set: SetResult, added: string[]): SetResult {
    const replayed = new Map(set.files.map((f) => [f.path, f.replayed]));
    const files = orderMigrations([...new Set([...set.files.map((f) => f.path), ...added])]);
    const config = project.configOf.get(set.id);
    if (!config) throw new Error(`no configuration recorded for ${set.id}`);
    const inputs = files.map((f) => ({ path: f.path, text: texts.get(f.path) ?? '', replayed: replayed.get(f.path) ?? f.replayed }));
    return analyzeSet({ id: set.id, files: inputs, ...(set.otherDatabases ? { otherDatabases: true } : {}) }, { config, rules: allRules, cache });
  }

  // Every fix is tested to parse again; should one not, nothing of its migration set is written.
  sets = sets.map((set, i) => {
    const broken = set.files.filter((f) => texts.get(f.path) !== project.texts.get(f.path) && f.statements.some((s) => s.syntaxError));
    if (!broken.length) return set;
    notes.push(`${displayPath(broken[0].path)}: the fixes would not parse; nothing in ${displayPath(set.id)} was fixed (please report this)`);
    for (const f of set.files) {
      const original = project.texts.get(f.path);
      if (original === undefined) texts.delete(f.path); else texts.set(f.path, original);
    }
    fixedBySet.delete(set.id);
    return project.sets[i];
  });

  if (older.size) notes.push(`${older.size} older migration${older.size === 1 ? ' was' : 's were'} not fixed: a migration that may have run is not edited (its tool may keep a checksum of it, and the edit would never reach a database where it ran); name the files, or pass --since <git ref>, to fix them`);

  const changes = new Map<string, FileChange>();
  for (const [file, after] of texts) {
    const before = project.texts.get(file);
    if (before !== after) changes.set(file, { before, after });
  }
  const fileCount = project.fileCount + [...changes.values()].filter((c) => c.before === undefined).length;
  const fixed = [...fixedBySet.values()].reduce((a, b) => a + b, 0);
  return { project: { ...project, sets, texts, fileCount }, changes, fixed, notes };
}

/** Writes the changes: each file via a temporary file and a rename; a file changed on disk meanwhile is left alone. */
export function writeFixes(changes: Map<string, FileChange>, warn: (m: string) => void): string[] {
  const written: string[] = [];
  for (const [file, c] of changes) {
    if (c.before === undefined) {
      if (fs.existsSync(file)) { warn(`${displayPath(file)}: not created: the file appeared meanwhile`); continue; }
      writeFileAtomic(file, c.after);
    } else {
      const disk = diskText(file);
      if (disk?.text !== c.before) { warn(`${displayPath(file)}: not fixed: the file changed while it was analysed`); continue; }
      writeFileAtomic(file, disk.bom ? Buffer.concat([BOM, Buffer.from(c.after, 'utf8')]) : c.after);
    }
    written.push(file);
  }
  return written;
}

/** The changes as a unified diff (`git apply` / `patch -p1` from the working directory). */
export function formatDiff(changes: Map<string, FileChange>): string {
  return [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, c]) => {
    const name = displayPath(file);
    return createTwoFilesPatch(c.before === undefined ? '/dev/null' : `a/${name}`, `b/${name}`, c.before ?? '', c.after, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
  }).join('');
}
