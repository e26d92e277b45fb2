import type { FoldedState } from './bucket-state';
import { sortedSampleColumns } from './sorted-sample-columns';

/** A window whose only part read here is its sample's columns. */
function sampleOnly(columns: number[][]): FoldedState {
  const size = columns[0].length;
  return { sample: { size, columns: columns.map((c) => Float64Array.from(c)) } } as unknown as FoldedState;
}

describe('sortedSampleColumns', () => {
  it('sorts the present values (NaN dropped, ±Infinity kept) and views the finite ones', () => {
    const inf = Number.POSITIVE_INFINITY;
    const { present, finite } = sortedSampleColumns(
      sampleOnly([
        [3, NaN, -inf, 0, inf, -0, -2, inf, NaN],
        [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN],
        [-inf, inf, -inf, inf, -inf, inf, -inf, inf, -inf],
      ]),
    );
    expect([...present[0]]).toEqual([-inf, -2, -0, 0, 3, inf, inf]);
    expect(Object.is(present[0][2], -0)).toBe(true);
    expect([...finite[0]]).toEqual([-2, -0, 0, 3]);
    expect([present[1].length, finite[1].length]).toEqual([0, 0]);
    expect([present[2].length, finite[2].length]).toEqual([9, 0]);
  });

  it('sorts each column as TypedArray.prototype.sort does, past the radix sort threshold', () => {
    const column = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? NaN : Math.sin(i) * 1000));
    const { present } = sortedSampleColumns(sampleOnly([column]));
    expect([...present[0]]).toEqual([...Float64Array.from(column.filter((x) => !Number.isNaN(x))).sort()]);
  });
});
