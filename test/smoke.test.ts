import assert from 'node:assert/strict';
describe('toolchain', () => {
  it('runs TypeScript tests through tsx', () => {
    const add = (a: number, b: number): number => a + b;
    assert.equal(add(2, 3), 5);
  });
});
