// The files of a migration set as the engine holds them, and the replays that build a schema model from them.
import type { ParsedFile } from '../parser/adapter';
import { SchemaModel } from '../model/schema';
import type { Origin, Statement } from '../model/types';
import type { FileContext } from './types';
import { embeddedStatements, lazyLines, modelActions } from './embedded';
import type { FileInput, ParseCache, SchemaBaseline } from './run';

export interface ParsedSetFile {
  input: FileInput;
  parsed: ParsedFile;
  ctx: FileContext;
}

/** The statements of a file that are replayed into the model (not down sections, not syntax errors). */
export function replayedStatements(f: ParsedSetFile): Statement[] {
  if (!f.ctx.replayed) return [];
  const down = f.parsed.downFrom;
  return f.parsed.statements.filter((s) => !s.syntaxError && !s.tooLarge && (down === undefined || s.span.start < down));
}

/** Replays the statements of files into a model (the DO blocks' too), without rules. */
export function replayFiles(model: SchemaModel, files: ParsedSetFile[]): SchemaModel {
  for (const f of files) {
    const lines = lazyLines(f.ctx.text);
    for (const stmt of replayedStatements(f)) {
      for (const s of [stmt, ...embeddedStatements(stmt, f.ctx.text, lines)]) {
        const origin: Origin = { file: f.ctx.path, span: s.span };
        for (const a of modelActions(s)) model.apply(a, origin);
      }
    }
  }
  return model;
}

/** What makes a file replay the same: its parse (kept while its text is), whether it is replayed, and its place. */
interface ReplayedFile { parsed: ParsedFile; replayed: boolean; path: string }
const sameFile = (a: ReplayedFile, b: ReplayedFile) => a.parsed === b.parsed && a.replayed === b.replayed && a.path === b.path;

/**
 * The editor's pass 1 of a set (its final schema), replayed from a copy of the model as it stood before the file
 * being edited rather than from the start: a keystroke in the newest of 800 migrations replays that file, not 800.
 * The copy is taken before the first file that changed since the last analysis, and used while the start and the
 * files before it are unchanged. It is never changed itself: each analysis replays onto a clone of it.
 */
export class ReplaySnapshots {
  private last?: { start: readonly unknown[]; files: ReplayedFile[] };
  private snapshot?: { start: readonly unknown[]; files: ReplayedFile[]; model: SchemaModel; startTables: number };
  /** Files replayed by the last call (tests). */
  replayedFiles = 0;
  /** Tables of the starting model (the baseline's) in the last call. */
  startTables = 0;

  replay(start: readonly unknown[], files: ParsedSetFile[], startModel: () => SchemaModel): SchemaModel {
    const now = files.map((f) => ({ parsed: f.parsed, replayed: f.ctx.replayed, path: f.ctx.path }));
    const sameStart = (x: readonly unknown[]) => x.length === start.length && x.every((v, i) => v === start[i]);
    // The first file that changed since the last analysis: where the next keystroke most likely lands too.
    let edited = 0;
    if (this.last && sameStart(this.last.start)) while (edited < now.length && edited < this.last.files.length && sameFile(now[edited], this.last.files[edited])) edited++;
    this.last = { start, files: now };
    // Resume from the snapshot when the files before it are unchanged and it lies before the edit.
    const snap = this.snapshot;
    let at = 0;
    let model: SchemaModel;
    if (snap && sameStart(snap.start) && snap.files.length <= edited && snap.files.every((f, i) => sameFile(f, now[i]))) {
      at = snap.files.length;
      model = snap.model.clone();
      this.startTables = snap.startTables;
    } else {
      model = startModel();
      this.startTables = model.tables.size;
    }
    replayFiles(model, files.slice(at, edited));
    if (at < edited && edited < now.length) this.snapshot = { start, files: now.slice(0, edited), model: model.clone(), startTables: this.startTables };
    this.valid = this.snapshot && (at > 0 || (at < edited && edited < now.length)) ? this.snapshot : undefined;
    replayFiles(model, files.slice(edited));
    this.replayedFiles = files.length - at;
    return model;
  }

  private valid?: { files: ReplayedFile[]; model: SchemaModel };

  /** After replay: the snapshot that holds for the files just replayed (pass 2 may start there too), if any. */
  resume(): { files: number; model: () => SchemaModel } | undefined {
    const v = this.valid;
    return v && { files: v.files.length, model: () => v.model.clone() };
  }
}

/** A model holding the baseline schema, if any: the state before the first migration. */
export function startingModel(baseline: ParsedSetFile | undefined, input: SchemaBaseline | undefined): SchemaModel {
  const model = new SchemaModel();
  if (!baseline) return model;
  replayFiles(model, [baseline]);
  // A dump sets search_path for itself; each migration starts with the default one.
  model.defaultSchema = 'public';
  for (const [key, size] of Object.entries(input?.database?.sizes ?? {})) {
    const t = model.tables.get(key);
    if (t) { t.size = size; model.sized = true; }
  }
  return model;
}

export function parsedSetFile(f: FileInput, cache: ParseCache): ParsedSetFile {
  const parsed = cache.get(f.path, f.text);
  return { input: f, parsed, ctx: { path: f.path, text: f.text, statements: parsed.statements, replayed: f.replayed !== false } };
}
