// Output in pieces: a report of 70,000 findings is written a piece at a time, never held as one string (52 MB of
// JSON, 120 MB of SARIF) nor as one array of per-finding objects.

/** Stands in a document for the array that `jsonPieces` fills in item by item. */
export const ITEMS = '\u0000sql-architect items\u0000';
const ITEMS_JSON = JSON.stringify(ITEMS);

/**
 * How many items are stringified together: one call for many items is about twice as fast as one per item. A batch
 * of findings stays well under V8's large-object size (128 kB), so its string dies young like the rest (256 findings
 * made strings past it, allocated in the old generation: 15 MB more peak memory on 20,000 tables).
 */
export const BATCH = 64;

/**
 * The pieces of `JSON.stringify(doc, null, 2) + '\n'` (with `compact`: of `JSON.stringify(doc)`, as the language
 * server's messages are written) where the one place `doc` holds ITEMS is the array of `items`: the same bytes, the
 * items made and stringified a batch at a time, when their turn comes.
 */
export function* jsonPieces(doc: unknown, items: Iterable<unknown>, { compact = false } = {}): Generator<string> {
  const text = compact ? JSON.stringify(doc) : JSON.stringify(doc, null, 2) + '\n';
  const at = text.indexOf(ITEMS_JSON);
  if (at < 0) throw new Error('jsonPieces: the document has no ITEMS');
  const indent = compact ? '' : text.slice(text.lastIndexOf('\n', at) + 1, at).match(/^ */)![0];
  const [inner, close] = compact ? ['', ''] : [`\n${indent}  `, `\n${indent}`];
  yield text.slice(0, at) + '[';
  const depth = indent.length / 2;
  let first = true;
  const piece = (batch: unknown[]) => {
    const p = (first ? inner : `,${inner}`) + (compact ? JSON.stringify(batch).slice(1, -1) : itemsText(batch, depth));
    first = false;
    return p;
  };
  let batch: unknown[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === BATCH) {
      yield piece(batch);
      batch = [];
    }
  }
  if (batch.length) yield piece(batch);
  yield (first ? ']' : `${close}]`) + text.slice(at + ITEMS_JSON.length);
}

/**
 * The items of `batch` as they appear in an array whose brackets are indented by `depth` levels: the array is
 * stringified nested in `depth` others, which puts its items at that indentation, and the brackets are cut off.
 */
function itemsText(batch: unknown[], depth: number): string {
  let wrapped: unknown = batch;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const s = JSON.stringify(wrapped, null, 2);
  // Level l opens with "[\n" and the indentation of its contents, 2(l + 1) spaces, and closes with "\n", its own
  // indentation (2l spaces) and "]".
  let head = 0;
  let tail = 0;
  for (let l = 0; l <= depth; l++) {
    head += 2 + 2 * (l + 1);
    tail += 2 + 2 * l;
  }
  return s.slice(head, s.length - tail);
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
