import type { FoldedState } from './bucket-state';
import {
  checkoutSortedColumnBuffers,
  returnSortedColumnBuffers,
  sortedSampleColumns,
} from './sorted-sample-columns';

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

  it('sorts into reused buffers as into new arrays, whether the sample grew or shrank since', () => {
    const column = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => (i % 11 === seed ? NaN : Math.sin(i * seed + 1) * 100));
    const buffers = checkoutSortedColumnBuffers();
    for (const [n, seed] of [
      [3000, 1],
      [200, 2],
      [6000, 3],
      [6000, 4],
    ]) {
      const window = sampleOnly([column(n, seed), column(n, seed + 5)]);
      const fresh = sortedSampleColumns(window);
      const reused = sortedSampleColumns(window, buffers);
      for (const part of ['present', 'finite'] as const)
        for (let i = 0; i < 2; i++) expect([...reused[part][i]]).toEqual([...fresh[part][i]]);
    }
    returnSortedColumnBuffers(buffers);
    returnSortedColumnBuffers(buffers); // twice: still one set free, never handed out twice at once
    const first = checkoutSortedColumnBuffers();
    const second = checkoutSortedColumnBuffers();
    expect(first).toBe(buffers);
    expect(second).not.toBe(first);
    returnSortedColumnBuffers(second);
    returnSortedColumnBuffers(first);
  });
});
