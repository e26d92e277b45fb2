import { mulberry32 } from '../drift/reservoir';
import { sortedQualityCounts, type QualityBounds } from './sorted-counts';

// The out-of-range counts by binary search on a sorted column equal the fold's value-by-value comparisons
// (numerical-column-state.ts), for bounds in order, NaN bounds (a reference without values) and bounds out of order.
function byFold(values: readonly number[], b: QualityBounds): Record<string, number> {
  const c = { belowMin: 0, aboveMax: 0, belowP01: 0, belowP05: 0, aboveP95: 0, aboveP99: 0 };
  for (const x of values) {
    if (x < b.min) c.belowMin++;
    else if (x > b.max) c.aboveMax++;
    if (x < b.p05) {
      c.belowP05++;
      if (x < b.p01) c.belowP01++;
    } else if (x > b.p95) {
      c.aboveP95++;
      if (x > b.p99) c.aboveP99++;
    }
  }
  return c;
}

describe('sortedQualityCounts', () => {
  const rnd = mulberry32(5);
  const values = [
    Infinity,
    -Infinity,
    Infinity,
    0,
    0,
    1,
    1,
    1,
    ...Array.from({ length: 200 }, () => rnd() * 10 - 5),
  ];
  const sorted = Float64Array.from(values).sort();
  const cases: [string, QualityBounds][] = [
    ['in order', { min: -4, max: 4, p01: -3, p05: -2, p95: 2, p99: 3 }],
    ['bounds on repeated values', { min: 0, max: 1, p01: 0, p05: 0, p95: 1, p99: 1 }],
    ['infinite bounds', { min: -Infinity, max: Infinity, p01: -Infinity, p05: -1, p95: 1, p99: Infinity }],
    ['NaN bounds', { min: NaN, max: NaN, p01: NaN, p05: NaN, p95: NaN, p99: NaN }],
    ['NaN p01 and p99 only', { min: -4, max: 4, p01: NaN, p05: -2, p95: 2, p99: NaN }],
    ['p01 above p05, p99 below p95', { min: -4, max: 4, p01: -1, p05: -2, p95: 2, p99: 1 }],
    ['out of order: min > max, p05 > p95', { min: 3, max: -3, p01: -3, p05: 2, p95: -2, p99: 3 }],
  ];
  test.each(cases)("%s: the fold's counts", (_, bounds) => {
    const got = sortedQualityCounts(sorted, bounds);
    const { belowMin, aboveMax, belowP01, belowP05, aboveP95, aboveP99 } = got;
    expect({ belowMin, aboveMax, belowP01, belowP05, aboveP95, aboveP99 }).toEqual(byFold(values, bounds));
    expect(got.positiveInfinite).toBe(2);
    expect(got.negativeInfinite).toBe(1);
    expect([got.min, got.max]).toEqual([-Infinity, Infinity]);
  });

  test('an empty column: nothing counted, min +Infinity and max −Infinity (as the fold starts)', () => {
    const got = sortedQualityCounts(new Float64Array(0), cases[0][1]);
    expect(got).toEqual({
      positiveInfinite: 0,
      negativeInfinite: 0,
      min: Infinity,
      max: -Infinity,
      belowMin: 0,
      aboveMax: 0,
      belowP01: 0,
      belowP05: 0,
      aboveP95: 0,
      aboveP99: 0,
    });
  });
});
