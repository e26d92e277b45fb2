/** Both one-sample KS survival functions check n and answer outside 0 < d < 1 the same way (ksSfBounds). */
import { kolmogorovSf } from './kolmogorov-sf';
import { smirnovSf } from './smirnov-sf';

describe.each([
  ['kolmogorovSf', kolmogorovSf],
  ['smirnovSf', smirnovSf],
])('%s', (name, sf) => {
  test.each([0, -3, 2.5, Number.NaN])('n = %p is a RangeError naming the function', (n) => {
    expect(() => sf(n, 0.5)).toThrow(new RangeError(`${name}: n must be a positive integer, got ${n}`));
  });
  test('Pr(D ≥ d) is 1 for d ≤ 0, 0 for d ≥ 1, NaN for NaN', () => {
    expect([sf(10, 0), sf(10, -1), sf(10, 1), sf(10, 7), sf(10, Number.NaN)]).toEqual([
      1,
      1,
      0,
      0,
      Number.NaN,
    ]);
  });
  test('inside (0, 1) the function computes: strictly between 0 and 1 for a typical d', () => {
    const p = sf(100, 0.1);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });
});
