import fc from 'fast-check';
import { binCounts } from './bin-counts';
import { sortFloat64 } from './sort-float64';

describe('binCounts', () => {
  test('a value on an edge goes to the bin below it (numpy.searchsorted side="left")', () => {
    expect(binCounts([1, 2, 3], [2])).toEqual([2, 1]);
    expect(binCounts(Float64Array.of(1, 2, 3), [2], true)).toEqual([2, 1]);
    expect(binCounts(Float64Array.of(-0, 0, 0, 5), [0, 5], true)).toEqual([3, 1, 0]);
  });

  test('the sorted path (binary searches per edge) counts as the per-value path (property)', () => {
    // Few distinct values, so values land on edges and edges repeat values often.
    const value = fc.integer({ min: -6, max: 6 }).map((k) => k / 2);
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 300 }),
        fc.uniqueArray(value, { minLength: 1, maxLength: 9 }),
        (xs, edgeValues) => {
          const edges = [...edgeValues].sort((a, b) => a - b);
          expect(binCounts(sortFloat64(Float64Array.from(xs)), edges, true)).toEqual(binCounts(xs, edges));
        },
      ),
    );
  });
});
