// The floor of any Node.js tool built on libpg-query, for `npm run bench`: start Node, load the parser's
// WebAssembly (baseline compiler only, as dist/ does) and parse every file given, in pieces of about 8 kB as
// dist/ does, and nothing else: no lowering, no model, no rules, no output. A file over 8 kB is cut after the first
// line ending in ';' past each 8 kB; that is a whole statement in the generated inputs, and where it falls inside
// a function body the piece fails to parse sooner, so the floor errs low, never high.
'use strict';
require('node:v8').setFlagsFromString('--liftoff-only');
const fs = require('node:fs');
const { loadModule, parseSync } = require('libpg-query');

const PIECE = 8 * 1024;

loadModule().then(() => {
  let statements = 0;
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, 'utf8');
    for (let at = 0; at < text.length;) {
      const cut = text.indexOf(';\n', at + PIECE);
      const end = cut < 0 ? text.length : cut + 2;
      try {
        statements += parseSync(text.slice(at, end)).stmts.length;
      } catch {
        // A syntax error ends the parse of that piece, as it would for any tool.
      }
      at = end;
    }
  }
  process.stdout.write(`${statements}\n`);
});
