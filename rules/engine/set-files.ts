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
