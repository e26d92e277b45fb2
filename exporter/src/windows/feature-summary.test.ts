import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeFeature } from './feature-summary';

const cases = (
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/numerical.json'), 'utf8')) as {
    cases: {
      name: string;
      current: (number | null)[];
      mean: [number, number];
      stdSample: [number | null, number | null];
      quantilesCurrent: Record<string, number>;
    }[];
  }
).cases;

describe('summarizeFeature (the window summary behind plumbline_feature_*)', () => {
  test.each(cases.map((c) => [c.name, c] as const))('equals numpy for "%s"', (_n, c) => {
    const s = summarizeFeature(c.current, 'numerical');
    const present = c.current.filter((v) => v !== null) as number[];
    expect(s.rows).toBe(c.current.length);
    expect(s.missingRatio).toBe((c.current.length - present.length) / c.current.length);
    // mean and std (ddof = 1) to the last bit, quantiles as numpy.quantile (linear) to 1e-12.
    expect(s.numeric!.mean).toBe(c.mean[1]);
    expect(s.numeric!.std).toBe(c.stdSample[1]);
    expect(s.numeric!.min).toBe(Math.min(...present));
    expect(s.numeric!.max).toBe(Math.max(...present));
    for (const [q, v] of Object.entries(c.quantilesCurrent))
      expect(Math.abs(s.numeric!.quantiles[q] - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
  });

  test('categorical: the missing ratio only; a numerical column with nothing numeric: no numbers', () => {
    expect(summarizeFeature(['a', '', null, 'b'], 'categorical')).toEqual({
      rows: 4,
      missingRatio: 0.5,
      numeric: null,
    });
    expect(summarizeFeature([null, 'x'], 'numerical')).toEqual({ rows: 2, missingRatio: 1, numeric: null });
  });
});
