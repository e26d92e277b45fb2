import fc from 'fast-check';
import { mulberry32 } from '../drift/reservoir';
import { ksStatistic } from './ks-statistic';
import { ksWassersteinSorted } from './ks-wasserstein-sorted';
import { sortFloat64 } from './sort-float64';
import { wasserstein } from './wasserstein';

function sortedDraw(n: number, seed: number, draw: (u: number) => number): Float64Array {
  const rnd = mulberry32(seed);
  return sortFloat64(Float64Array.from({ length: n }, () => draw(rnd())));
}

/** Object.is: tells −0 from +0, so "equal" here means the same bits. */
function expectSameAsSeparate(a: Float64Array, b: Float64Array): void {
  const r = ksWassersteinSorted(a, b);
  expect(Object.is(r.ks, ksStatistic(a, b))).toBe(true);
  expect(Object.is(r.wasserstein, wasserstein(a, b, true))).toBe(true);
}

describe('ksWassersteinSorted equals ksStatistic and wasserstein to the last bit', () => {
  const cases: [string, Float64Array, Float64Array][] = [
    ['shifted normals-ish', sortedDraw(20000, 1, (u) => u * 3), sortedDraw(15000, 2, (u) => u * 3 + 0.2)],
    [
      'integers, ties within and across',
      sortedDraw(5000, 3, (u) => Math.floor(u * 20)),
      sortedDraw(7000, 4, (u) => Math.floor(u * 25) - 3),
    ],
    ['disjoint, a below b', Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8)],
    ['disjoint, b below a', Float64Array.of(5, 6, 8), Float64Array.of(0, 1, 3)],
    ['identical', sortedDraw(3000, 5, (u) => u), sortedDraw(3000, 5, (u) => u)],
    ['one value each', Float64Array.of(2), Float64Array.of(-1)],
    ['constant vs constant', new Float64Array(10).fill(1), new Float64Array(7).fill(1)],
    [
      'infinities and signed zeros',
      Float64Array.of(-Infinity, -0, 0, 1, Infinity),
      Float64Array.of(-Infinity, 0, 0, 2, 3),
    ],
  ];
  it.each(cases)('%s', (_name, a, b) => expectSameAsSeparate(a, b));

  it('on arbitrary sorted samples (property)', () => {
    const sample = fc
      .array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 })
      .map((xs) => sortFloat64(Float64Array.from(xs)));
    fc.assert(fc.property(sample, sample, (a, b) => expectSameAsSeparate(a, b)));
  });

  it('rejects an empty sample', () => {
    expect(() => ksWassersteinSorted(new Float64Array(0), Float64Array.of(1))).toThrow(RangeError);
  });
});
