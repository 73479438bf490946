// Starting the parser: the core's initParser, with the V8 setting that suits it.
import v8 from 'node:v8';
import { initParser } from '../rules/index';

let flagged = false;

/**
 * Compiles and loads the parser's WebAssembly. Its code is left to V8's baseline compiler (Liftoff): by default V8
 * also recompiles the hot functions of the 1.7 MB module with its optimizing compiler in the background, which cost
 * a check of 1,000 tables 0.4 s of CPU before it paid off, and only a long parse ever earns it back (a 20,000-table
 * file parses in 0.7 s either way). Set before the first WebAssembly compile; it applies to the whole process,
 * PGlite included (a trace of corpus/supabase-examples: 5.5 s instead of 6.4 s, and unbounded recursion in a
 * migration ends in PostgreSQL's own "stack depth limit exceeded" instead of overflowing the engine). It cannot be
 * undone for PGlite alone: switching tier-up back on applies to the parser too.
 */
export function startParser(): Promise<void> {
  if (!flagged) {
    flagged = true;
    v8.setFlagsFromString('--liftoff-only');
  }
  return initParser();
}
