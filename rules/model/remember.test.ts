// rememberedRecent: a key rebuilt for each analysis but equal to the last is compared once, then found by identity.
import assert from 'node:assert/strict';
import { rememberedRecent } from './remember';

describe('rememberedRecent', () => {
  it('computes once for equal keys, and compares a new equal key only the first time it is asked', () => {
    let computed = 0;
    let compared = 0;
    const f = rememberedRecent((k: string[]) => { computed++; return k.join(','); }, (a, b) => { compared++; return a.length === b.length && a.every((x, i) => x === b[i]); });
    const first = ['a', 'b'];
    assert.equal(f(first), 'a,b');
    assert.equal(f(first), 'a,b');
    assert.equal(compared, 0, 'the same list is found by identity');
    const again = ['a', 'b'];
    for (let i = 0; i < 5; i++) assert.equal(f(again), 'a,b');
    assert.equal(computed, 1);
    assert.equal(compared, 1, 'an equal list is compared once, then found by identity');
    assert.equal(f(['c']), 'c');
    assert.equal(computed, 2);
  });
});
