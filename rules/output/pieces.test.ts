import assert from 'node:assert/strict';
import { BATCH, batched, ITEMS, jsonPieces, joined } from './pieces';

/** The document with `items` where it holds ITEMS, as JSON.stringify would write it whole. */
function whole(doc: unknown, items: unknown[]): string {
  return JSON.stringify(doc, (_k, v: unknown) => (v === ITEMS ? items : v), 2) + '\n';
}

describe('output in pieces', () => {
  const items = [
    { a: 1, b: 'line one\nline two\r\n', c: [1, [2, {}], []], d: null },
    { e: 'Größe 📦 "quoted" \\ back\u0000slash', f: { g: { h: [true, false] } } },
    'a bare string',
    42,
    [],
    {},
  ];
  const docs: [string, unknown][] = [
    ['the array at the top', ITEMS],
    ['one level down', { version: 1, files: 3, findings: ITEMS }],
    ['deep, with keys after it', { runs: [{ tool: { driver: { rules: [{ id: 'x' }] } }, results: ITEMS, after: { z: [1] } }], tail: 'end' }],
  ];
  for (const [name, doc] of docs) {
    for (const n of [0, 1, items.length]) {
      it(`${name}, ${n} item${n === 1 ? '' : 's'}: the bytes of JSON.stringify(…, null, 2)`, () => {
        const list = items.slice(0, n);
        const text = joined(jsonPieces(doc, list));
        assert.equal(text, whole(doc, list));
        assert.deepEqual(JSON.parse(text), JSON.parse(whole(doc, list)));
      });
    }
  }

  for (const [name, doc] of docs) {
    const n = 2 * BATCH + 3;
    it(`${name}, ${n} items (three batches): the bytes of JSON.stringify(…, null, 2)`, () => {
      const list = Array.from({ length: n }, (_v, i) => items[i % items.length]);
      assert.equal(joined(jsonPieces(doc, list)), whole(doc, list));
    });
  }

  for (const [name, doc] of docs) {
    for (const n of [0, 1, 2 * BATCH + 3]) {
      it(`${name}, ${n} items, compact: the bytes of JSON.stringify(…)`, () => {
        const list = Array.from({ length: n }, (_v, i) => items[i % items.length]);
        assert.equal(joined(jsonPieces(doc, list, { compact: true })), JSON.stringify(doc, (_k, v: unknown) => (v === ITEMS ? list : v)));
      });
    }
  }

  it('makes the items a batch at a time, when its turn comes, never all at once', () => {
    const made: number[] = [];
    const gen = jsonPieces({ findings: ITEMS }, (function* () { for (let i = 0; i < 3 * BATCH; i++) { made.push(i); yield { i }; } })());
    gen.next();
    assert.equal(made.length, 0);
    gen.next();
    assert.equal(made.length, BATCH);
    gen.next();
    assert.equal(made.length, 2 * BATCH);
  });

  it('refuses a document without ITEMS', () => {
    assert.throws(() => joined(jsonPieces({ findings: [] }, [])), /no ITEMS/);
  });

  it('batches pieces into strings of at least the size, the last one shorter, nothing lost', () => {
    const pieces = Array.from({ length: 1000 }, (_v, i) => `piece ${i}\n`);
    const out = [...batched(pieces, 1000)];
    assert.equal(out.join(''), pieces.join(''));
    assert.ok(out.length > 5);
    for (const b of out.slice(0, -1)) assert.ok(b.length >= 1000);
    assert.deepEqual([...batched([], 10)], []);
  });
});
