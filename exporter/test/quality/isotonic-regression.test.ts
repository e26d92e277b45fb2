import { isotonicFit, isotonicPredict } from '../../src/quality/estimate';

describe('isotonic regression (pool-adjacent-violators)', () => {
  it('pools violators into their mean (scikit-learn IsotonicRegression values)', () => {
    // sklearn: IsotonicRegression().fit([1,2,3,4,5], [1,3,2,4,3.5]).predict([1,2,3,4,5]) → [1, 2.5, 2.5, 3.75, 3.75]
    const fit = isotonicFit([1, 2, 3, 4, 5], [1, 3, 2, 4, 3.5]);
    expect([1, 2, 3, 4, 5].map((v) => isotonicPredict(fit, v))).toEqual([1, 2.5, 2.5, 3.75, 3.75]);
  });

  it('interpolates between fitted points and clips outside them', () => {
    const fit = isotonicFit([0.1, 0.2, 0.3], [0, 1, 0]);
    expect(isotonicPredict(fit, 0.15)).toBeCloseTo(0.25, 12);
    expect(isotonicPredict(fit, 0.25)).toBeCloseTo(0.5, 12);
    expect(isotonicPredict(fit, -1)).toBe(0);
    expect(isotonicPredict(fit, 2)).toBe(0.5);
  });

  it('pools equal x first, and is non-decreasing on random data', () => {
    const fit = isotonicFit([1, 1, 2], [0, 1, 0]);
    expect(isotonicPredict(fit, 1)).toBeCloseTo(1 / 3, 12);
    const x = Array.from({ length: 500 }, (_, i) => (i * 7919) % 101);
    const y = x.map((v, i) => v / 100 + Math.sin(i) * 0.3);
    const f = isotonicFit(x, y);
    for (let i = 1; i < f.y.length; i++) expect(f.y[i]).toBeGreaterThanOrEqual(f.y[i - 1]);
  });

  it('rejects empty and non-finite input', () => {
    expect(() => isotonicFit([], [])).toThrow(RangeError);
    expect(() => isotonicFit([NaN], [1])).toThrow(/not finite/);
  });
});
