// Output in pieces: a report of 70,000 findings is written a piece at a time, never held as one string (52 MB of
// JSON, 120 MB of SARIF) nor as one array of per-finding objects.

/** Stands in a document for the array that `jsonPieces` fills in item by item. */
export const ITEMS = '\u0000sql-architect items\u0000';
const ITEMS_JSON = JSON.stringify(ITEMS);

/**
 * The pieces of `JSON.stringify(doc, null, 2) + '\n'` where the one place `doc` holds ITEMS is the array of `items`:
 * the same bytes, with each item made and stringified only when its turn comes.
 */
export function* jsonPieces(doc: unknown, items: Iterable<unknown>): Generator<string> {
  const text = JSON.stringify(doc, null, 2) + '\n';
  const at = text.indexOf(ITEMS_JSON);
  if (at < 0) throw new Error('jsonPieces: the document has no ITEMS');
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = text.slice(lineStart, at).match(/^ */)![0];
  const inner = `\n${indent}  `;
  yield text.slice(0, at) + '[';
  let first = true;
  for (const item of items) {
    // JSON.stringify escapes line breaks inside strings, so every '\n' of an item is its own indentation.
    yield (first ? inner : `,${inner}`) + JSON.stringify(item, null, 2).replaceAll('\n', inner);
    first = false;
  }
  yield (first ? ']' : `\n${indent}]`) + text.slice(at + ITEMS_JSON.length);
}

/** `fn` of each item, made when it is read. */
export function* mapped<T, U>(items: Iterable<T>, fn: (item: T) => U): Generator<U> {
  for (const item of items) yield fn(item);
}

/** The pieces joined into strings of about `size` characters (fewer, larger writes). */
export function* batched(pieces: Iterable<string>, size = 1 << 16): Generator<string> {
  let buf = '';
  for (const p of pieces) {
    buf += p;
    if (buf.length >= size) { yield buf; buf = ''; }
  }
  if (buf) yield buf;
}

/** All of the pieces as one string (tests, the language server's SARIF export). */
export function joined(pieces: Iterable<string>): string {
  return [...pieces].join('');
}
