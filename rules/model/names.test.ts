// PostgreSQL cuts generated names to 63 bytes on whole characters (pg_mbcliplen): the cut must never split one.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { clipBytes, pgObjectName } from './names';

describe('object names', () => {
  it('clipBytes keeps whole UTF-8 characters within the byte budget', () => {
    assert.equal(clipBytes('abc', 2), 'ab');
    assert.equal(clipBytes('äbc', 1), '', 'ä takes two bytes');
    assert.equal(clipBytes('äbc', 2), 'ä');
    assert.equal(clipBytes('äbc', 3), 'äb');
    assert.equal(clipBytes('a😀b', 4), 'a', 'the emoji takes four bytes and a surrogate pair is never split');
    assert.equal(clipBytes('a😀b', 5), 'a😀');
    assert.equal(clipBytes('abc', 10), 'abc');
  });

  it('pgObjectName cuts the longer part first, to 63 bytes', () => {
    const name = pgObjectName('t'.repeat(50), ['c'.repeat(50)], 'fkey');
    assert.equal(Buffer.byteLength(name), 63);
    assert.equal(name, `${'t'.repeat(29)}_${'c'.repeat(28)}_fkey`);
    const wide = pgObjectName('ä'.repeat(40), ['id'], 'fkey');
    assert.ok(Buffer.byteLength(wide) <= 63);
    assert.equal(wide, `${'ä'.repeat(27)}_id_fkey`);
  });

  it('pgObjectName counts UTF-8 bytes as PostgreSQL does, at the 63-byte edge, for every kind of character', () => {
    const chars = ['a', 'ä', '€', '😀', '\ud800'];
    for (const c of chars) {
      for (let n = 1; n <= 64; n++) {
        const name = pgObjectName(c.repeat(n), [], 'pkey');
        const bytes = Buffer.byteLength(name);
        assert.ok(bytes <= 63, `${JSON.stringify(c)} × ${n}: ${bytes} bytes`);
        // Nothing is cut while the whole name fits.
        if (Buffer.byteLength(c.repeat(n)) + 5 <= 63) assert.equal(name, `${c.repeat(n)}_pkey`);
        else assert.ok(bytes > 63 - Buffer.byteLength(c), `${JSON.stringify(c)} × ${n}: cut only as far as needed (${bytes} bytes)`);
      }
    }
  });
});
