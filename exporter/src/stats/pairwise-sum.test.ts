import { pairwiseSum, pairwiseSumOfSquaredDeviations } from './pairwise-sum';

/** The definition, written as plainly as numpy's C: recursion on halves cut at multiples of 8, 8 sums per block. */
function reference(a: number[], f: (x: number) => number = (x) => x): number {
  if (a.length < 8) return a.reduce((s, x) => s + f(x), 0);
  if (a.length <= 128) {
    const r = a.slice(0, 8).map(f);
    const whole = a.length - (a.length % 8);
    for (let i = 8; i < whole; i++) r[i % 8] += f(a[i]);
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (let i = whole; i < a.length; i++) res += f(a[i]);
    return res;
  }
  let half = Math.floor(a.length / 2);
  half -= half % 8;
  return reference(a.slice(0, half), f) + reference(a.slice(half), f);
}

describe('pairwiseSum (numpy.sum)', () => {
  // Values whose sum depends on the order of the additions, so a different grouping shows in the last bits.
  const values = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 1e4 + 1 / (i + 3));

  test.each([0, 1, 7, 8, 9, 15, 16, 127, 128, 129, 135, 136, 255, 256, 257, 1000, 4999])(
    'n = %i: the grouping of numpy, bit for bit',
    (n) => {
      const a = values.slice(0, n);
      expect(pairwiseSum(Float64Array.from(a))).toBe(reference(a));
      const c = n ? a.reduce((s, x) => s + x, 0) / n : 0;
      expect(pairwiseSumOfSquaredDeviations(Float64Array.from(a), c)).toBe(
        reference(a, (x) => (x - c) * (x - c)),
      );
    },
  );

  test('differs from a running sum where numpy does (the grouping matters)', () => {
    const a = Float64Array.from(values);
    expect(pairwiseSum(a)).not.toBe(values.reduce((s, x) => s + x, 0));
  });
});
