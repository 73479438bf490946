// The editor splits a file into statements again only around what changed (splitStatementsAgain): after any edit it
// must give exactly the pieces a split of the whole text gives. Hand-made edits that move the boundaries the lexer
// finds (a quote, a dollar quote, a comment, parentheses, BEGIN ATOMIC opened or closed), then random edits of every
// corpus file, each split against the file's previous version.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { splitStatements, splitStatementsAgain, type Piece } from '../rules/parser/lexer';
import { CORPUS } from './helpers';
import { collectSqlFiles } from '../io/files';

function check(before: string, after: string, what: string): void {
  const last = { text: before, pieces: splitStatements(before) };
  assert.deepEqual(splitStatementsAgain(after, last), splitStatements(after), what);
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = ["'", '"', '$$', '$f$', '/*', '*/', '--', '\n', ';', '(', ')', 'BEGIN ATOMIC ', ' END', 'CASE ', 'SELECT 1;\n', 'CREATE TABLE x (id int);\n', 'E\'\\\'', '\\.\n'];

function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const r = next();
  if (r < 0.4) return text.slice(0, at) + INSERTS[Math.floor(next() * INSERTS.length)] + text.slice(at);
  if (r < 0.7) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(next() * 40)));
  // Retype a character, as a keystroke does.
  return text.slice(0, at) + String.fromCharCode(32 + Math.floor(next() * 95)) + text.slice(at + 1);
}

describe('splitStatementsAgain: the split of an edited text equals a whole split', () => {
  const base = "CREATE TABLE a (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END;\nSELECT ';' AS s; -- a comment; with a semicolon\nCREATE TABLE b (x text DEFAULT $$a;b$$);\nSELECT (1;\nSELECT 2);\nSELECT 3";
  const cases: [string, (t: string) => string][] = [
    ['an open quote swallows the statements after it', (t) => t.replace('CREATE TABLE a', "CREATE TABLE 'a")],
    ['a closed quote gives them back', (t) => t.replace("';'", "';"),],
    ['a dollar quote opened', (t) => t.replace('(id int)', '(id int $$)')],
    ['a block comment opened', (t) => t.replace('SELECT 3', '/* SELECT 3')],
    ['BEGIN ATOMIC closed early', (t) => t.replace('SELECT 1; SELECT', 'SELECT 1; END; SELECT')],
    ['a statement typed at the end', (t) => `${t};\nSELECT 4;`],
    ['text typed at the start', (t) => `SELECT 0;\n${t}`],
    ['the text emptied', () => ''],
    ['from empty', (t) => t],
    ['the same text', (t) => t],
    ['a semicolon inside parentheses, then the parenthesis closed', (t) => t.replace('SELECT (1;', 'SELECT (1);')],
  ];
  for (const [what, change] of cases) {
    it(what, () => {
      const before = what === 'from empty' ? '' : base;
      check(before, change(base), what);
    });
  }

  it('every corpus file, after random edits one on another', function () {
    if (!fs.existsSync(CORPUS)) {
      // The corpus is read from ../shared (never copied into the repository): a clone without it cannot run this.
      console.log(`      SKIPPED: no corpus at ${CORPUS}`);
      this.skip();
    }
    const files = collectSqlFiles([CORPUS], () => undefined);
    const next = random(9);
    let compared = 0;
    for (const file of files.sort()) {
      let text = fs.readFileSync(file, 'utf8');
      let last: { text: string; pieces: Piece[] } = { text, pieces: splitStatements(text) };
      for (let round = 0; round < 4; round++) {
        text = edit(text, next);
        const again = splitStatementsAgain(text, last);
        assert.deepEqual(again, splitStatements(text), `${path.relative(CORPUS, file)}, edit ${round + 1}`);
        last = { text, pieces: again };
        compared++;
      }
    }
    assert.ok(compared > 1000, `${compared} edits compared`);
  });
});
