import { adviseLimits, type LabelledConfidence } from './advisor';

/**
 * Synthetic classes whose precision curve is known in closed form: `rowsPerLevel` rows at each confidence k/100
 * (k = 1..100), of which `correctAt(k)` are right.
 */
function synthetic(
  cls: string,
  rowsPerLevel: number,
  correctAt: (k: number) => number,
): LabelledConfidence[] {
  const rows: LabelledConfidence[] = [];
  for (let k = 1; k <= 100; k++)
    for (let i = 0; i < rowsPerLevel; i++)
      rows.push({ predicted: cls, confidence: k / 100, correct: i < correctAt(k) });
  return rows;
}

describe('adviseLimits on synthetic data with a known precision curve', () => {
  // a: P(correct | confidence c) = c, so precision(≥ t) = (1 + t) / 2 on the grid: 0.9 is reached first at t = 0.8.
  const a = synthetic('a', 100, (k) => k);
  // b: right from 0.5 up, wrong below: precision(≥ j/100) = 51 / (101 − j) below 0.5, reaching 0.9 at j = 45.
  const b = synthetic('b', 10, (k) => (k >= 50 ? 10 : 0));
  // c: always right (limit 0: nothing needs people); d: always wrong (no limit reaches any target).
  const c = synthetic('c', 1, () => 1);
  const d = synthetic('d', 1, () => 0);

  it('finds the lowest limit per class, with its sample size', () => {
    const advice = adviseLimits([...a, ...b, ...c, ...d], { targetPrecision: 0.9 });
    expect(advice).toEqual([
      { class: 'a', limit: 0.8, precision: 0.9, autoRows: 2100, labelledRows: 10_000, autoShare: 0.21 },
      { class: 'b', limit: 0.45, precision: 51 / 56, autoRows: 560, labelledRows: 1000, autoShare: 0.56 },
      { class: 'c', limit: 0, precision: 1, autoRows: 100, labelledRows: 100, autoShare: 1 },
      { class: 'd', limit: null, precision: null, autoRows: 0, labelledRows: 100, autoShare: 0 },
    ]);
  });

  it('follows the curve as the target moves: (1 + t) / 2 ≥ p ⇔ t ≥ 2p − 1', () => {
    for (const p of [0.6, 0.75, 0.8, 0.95, 0.99]) {
      const [advice] = adviseLimits(a, { targetPrecision: p });
      expect(advice.limit).toBeCloseTo(Math.ceil((2 * p - 1) * 100 - 1e-9) / 100, 10);
      expect(advice.precision!).toBeGreaterThanOrEqual(p);
    }
  });

  it('is monotone: a higher target never gives a lower limit', () => {
    let last = -1;
    for (let p = 0.5; p <= 1; p += 0.01) {
      const [advice] = adviseLimits(b, { targetPrecision: Math.min(1, p) });
      expect(advice.limit!).toBeGreaterThanOrEqual(last);
      last = advice.limit!;
    }
  });

  it('does not rest an advice on fewer rows than minSamples', () => {
    expect(adviseLimits(a, { targetPrecision: 1, minSamples: 100 })[0]).toMatchObject({
      limit: 1,
      autoRows: 100,
    });
    expect(adviseLimits(a, { targetPrecision: 1, minSamples: 101 })[0]).toMatchObject({
      limit: null,
      autoRows: 0,
    });
  });

  it('takes the lowest qualifying limit when precision dips on the way down', () => {
    // 0.9: right; 0.8: wrong (precision 0.5 at ≥ 0.8); 0.7, 0.6: right (precision 0.75 at ≥ 0.6).
    const rows = [0.9, 0.8, 0.7, 0.6].map((confidence, i) => ({
      predicted: 'x',
      confidence,
      correct: i !== 1,
    }));
    expect(adviseLimits(rows, { targetPrecision: 0.75, minSamples: 1 })[0]).toMatchObject({
      limit: 0,
      precision: 0.75,
    });
    expect(adviseLimits(rows, { targetPrecision: 0.7, minSamples: 1 })[0].limit).toBe(0);
    // Without the 0.6 row: 2/3 at ≥ 0.7 misses 0.7, so only the top row qualifies; 0.6 reaches 2/3 again.
    expect(adviseLimits(rows.slice(0, 3), { targetPrecision: 0.7, minSamples: 1 })[0].limit).toBe(0.9);
    expect(adviseLimits(rows.slice(0, 3), { targetPrecision: 0.6, minSamples: 1 })[0].limit).toBe(0);
  });

  it('refuses a target outside (0, 1]', () => {
    expect(() => adviseLimits(a, { targetPrecision: 0 })).toThrow(/targetPrecision/);
    expect(() => adviseLimits(a, { targetPrecision: 1.5 })).toThrow(/targetPrecision/);
  });
});
