import fc from 'fast-check';
import { mulberry32 } from '../drift/reservoir';
import { sortFloat64 } from './sort-float64';

/** Bit-for-bit comparison (tells −0 from +0). */
function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length * 2);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length * 2);
  for (let i = 0; i < a.length; i++)
    if (a[i] !== e[i]) expect([i >> 1, actual[i >> 1]]).toEqual([i >> 1, expected[i >> 1]]);
}

function generated(n: number, seed: number, draw: (u: number) => number): Float64Array {
  const rnd = mulberry32(seed);
  return Float64Array.from({ length: n }, () => draw(rnd()));
}

describe('sortFloat64 sorts exactly as TypedArray.prototype.sort', () => {
  const cases: [string, Float64Array][] = [
    ['uniform positive', generated(5000, 1, (u) => u * 3 + 1)],
    ['both signs', generated(20000, 2, (u) => (u - 0.5) * 1e3)],
    ['integers with many ties', generated(20000, 3, (u) => Math.floor(u * 50) - 25)],
    ['wide magnitudes', generated(20000, 4, (u) => (u < 0.5 ? -1 : 1) * Math.exp(u * 1400 - 700))],
    [
      'zeros of both signs, infinities, subnormals',
      generated(4000, 5, (u) => [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 1e-310, 1][Math.floor(u * 8)]),
    ],
    ['constant', new Float64Array(3000).fill(-2.5)],
    ['already sorted', Float64Array.from({ length: 3000 }, (_, i) => i - 1500)],
    ['reversed', Float64Array.from({ length: 3000 }, (_, i) => 1500 - i)],
    ['short (native path)', Float64Array.of(3, -1, 0, -0, 2)],
    // 65,536 values or more: two 16-bit digits instead of three 11-bit ones.
    ['both signs, 16-bit digits', generated(100_000, 8, (u) => (u - 0.5) * 1e3)],
    ['ties and signed zeros, 16-bit digits', generated(70_000, 9, (u) => [0, -0, 1, -1][Math.floor(u * 4)])],
  ];
  it.each(cases)('%s', (_name, values) => {
    const expected = values.slice().sort();
    const copy = values.slice();
    expect(sortFloat64(copy)).toBe(copy); // in place
    expectSameBits(copy, expected);
  });

  it('sorts a subarray view in place without touching the rest of the buffer', () => {
    const all = generated(4000, 6, (u) => u - 0.5);
    const before = all.slice();
    sortFloat64(all.subarray(1000, 3000));
    expectSameBits(all.subarray(1000, 3000), before.slice(1000, 3000).sort());
    expectSameBits(all.subarray(0, 1000), before.subarray(0, 1000));
    expectSameBits(all.subarray(3000), before.subarray(3000));
  });

  it.each([2000, 70_000])('puts NaN last, as the native sort does (%i values)', (n) => {
    const values = generated(n, 7, (u) => (u < 0.01 ? Number.NaN : u));
    expectSameBits(sortFloat64(values.slice()), values.slice().sort());
  });

  it('agrees with the native sort on arbitrary doubles', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 500, maxLength: 3000 }), (xs) => {
        const values = Float64Array.from(xs);
        expectSameBits(sortFloat64(values.slice()), values.slice().sort());
      }),
      { numRuns: 50 },
    );
  });
});
