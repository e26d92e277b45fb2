import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReferenceProfile } from './in-memory-profile-builder';
import { ReferenceProfileBuilder } from './streaming-profile-builder';
import type { NumericalFeatureProfile, NumericSummary } from './profile-types';
import { createDriftDetector } from './detector';
import { mulberry32 } from './reservoir';

const numerical = (
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/numerical.json'), 'utf8')) as {
    cases: {
      name: string;
      bins: number;
      reference: (number | null)[];
      current: (number | null)[];
      psi: number;
      jensenshannon: number;
      wasserstein: number;
      ks: { statistic: number; pValue: number };
      missing: [number, number];
      mean: [number, number];
      std: [number, number];
    }[];
  }
).cases;

function normals(n: number, seed: number, shift = 0): number[] {
  const rnd = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rnd() || 1e-12;
    out.push(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd()) + shift);
  }
  return out;
}

describe('createDriftDetector(profile).evaluate(window)', () => {
  test.each(numerical.map((c) => [c.name, c] as const))('report numbers equal scipy for "%s"', (_n, c) => {
    const report = createDriftDetector(buildReferenceProfile({ x: c.reference }, { bins: c.bins })).evaluate({
      x: c.current,
    });
    const f = report.features[0];
    expect(f.missing).toEqual(c.missing);
    const byName = Object.fromEntries(f.tests.map((t) => [t.name, t]));
    const rel = (a: number, e: number): number => Math.abs(a - e) / Math.max(Math.abs(e), 1e-12);
    expect(rel(byName.psi.statistic, c.psi)).toBeLessThan(1e-9);
    expect(rel(byName.jensenshannon.statistic, c.jensenshannon)).toBeLessThan(1e-9);
    expect(rel(byName.wasserstein.statistic, c.wasserstein)).toBeLessThan(1e-9);
    expect(rel(byName.ks.statistic, c.ks.statistic)).toBeLessThan(1e-9);
    expect(rel(byName.ks.pValue!, c.ks.pValue)).toBeLessThan(1e-6);
    // numpy.mean / numpy.std of each side to the last bit (pairwise summation in input order).
    const { reference, current } = f.summary as { reference: NumericSummary; current: NumericSummary };
    expect([reference.mean, current.mean]).toEqual(c.mean);
    expect([reference.std, current.std]).toEqual(c.std);
  });

  test('contract shape: features[{name,type,n,missing,tests[{name,statistic,pValue?,threshold,drift}],drift}], dataset', () => {
    const ref = {
      age: normals(300, 1),
      plan: Array.from({ length: 300 }, (_, i) => (i % 3 ? 'basic' : 'pro')),
    };
    const cur = {
      age: normals(200, 2, 1),
      plan: Array.from({ length: 200 }, (_, i) => (i % 2 ? 'basic' : 'pro')),
    };
    const report = createDriftDetector(buildReferenceProfile(ref)).evaluate(cur);
    expect(report.features.map((f) => [f.name, f.type])).toEqual([
      ['age', 'numerical'],
      ['plan', 'categorical'],
    ]);
    const age = report.features[0];
    expect(age.n).toEqual([300, 200]);
    expect(age.tests.map((t) => t.name)).toEqual(['ks', 'psi', 'wasserstein', 'jensenshannon']);
    expect(age.stattest).toBe('ks');
    expect(age.drift).toBe(true);
    expect(age.histogram!.edges!.length).toBe(age.histogram!.reference.length + 1);
    const plan = report.features[1];
    expect(plan.tests.map((t) => t.name)).toEqual(['chisquare', 'psi', 'jensenshannon']);
    expect(plan.histogram!.categories).toEqual(['pro', 'basic']);
    expect(report.dataset.driftShare).toBe(plan.drift ? 1 : 0.5);
  });

  test('identical samples never drift, under every test', () => {
    const x = normals(500, 3);
    const cats = x.map((v) => (v > 0 ? 'a' : v > -1 ? 'b' : 'c'));
    const report = createDriftDetector(buildReferenceProfile({ x, cats })).evaluate({ x, cats });
    for (const f of report.features) {
      expect(f.drift).toBe(false);
      for (const t of f.tests) expect(t.drift).toBe(false);
    }
    expect(report.dataset.drift).toBe(false);
  });

  test('the verdict is monotone in the threshold', () => {
    const profile = buildReferenceProfile({ x: normals(400, 4) });
    const window = { x: normals(300, 5, 0.15) };
    let seenDrift = false;
    for (const psi of [0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.001, 0]) {
      const d = createDriftDetector(profile, { stattest: 'psi', thresholds: { psi } }).evaluate(window)
        .features[0].drift;
      if (seenDrift) expect(d).toBe(true);
      seenDrift ||= d;
    }
    let drifted = true;
    for (const alpha of [0.5, 0.2, 0.1, 0.05, 0.01, 0.001, 1e-6]) {
      const d = createDriftDetector(profile, { stattest: 'ks', thresholds: { ks: alpha } }).evaluate(window)
        .features[0].drift;
      if (!drifted) expect(d).toBe(false);
      drifted = d;
    }
    expect(seenDrift).toBe(true);
  });

  test('unknown stat test ids fail with the list of known ids (exit code 2)', () => {
    const profile = buildReferenceProfile({ x: [1, 2, 3] });
    expect(() => createDriftDetector(profile, { stattest: 'anderson' as never })).toThrow(
      'unknown stat test "anderson"; known stat tests: ks, chisquare, psi, wasserstein, jensenshannon',
    );
    expect(() => createDriftDetector(profile, { features: { x: { stattest: 'chisquare' } } })).toThrow(
      /does not apply to numerical/,
    );
    expect(() => createDriftDetector(profile, { features: { y: {} } })).toThrow(/"y"/);
  });

  test('missing values are excluded and counted; a feature with no current values is skipped, not drifted', () => {
    const profile = buildReferenceProfile({ x: [1, 2, null, 3, 4, ''], c: ['a', 'b', null, 'a', 'b', 'a'] });
    expect(profile.features.map((f) => [f.type, f.count, f.missing])).toEqual([
      ['numerical', 4, 2],
      ['categorical', 5, 1],
    ]);
    const report = createDriftDetector(profile).evaluate({ x: [null, Number.NaN], c: ['a', 'b', 'zzz'] });
    expect(report.features[0]).toMatchObject({
      n: [4, 0],
      missing: [2, 2],
      drift: false,
      skipped: 'no current values',
      tests: [],
    });
    expect(report.features[1].histogram!.categories).toEqual(['a', 'b', 'zzz']);
    expect(report.dataset.testedFeatures).toBe(1);
  });

  test('effect-size floor: a million rows with a negligible shift are not drift', () => {
    const ref = normals(200000, 6);
    const cur = normals(200000, 7, 0.02);
    const profile = buildReferenceProfile({ x: ref }, { reservoirSize: 200000 });
    const plain = createDriftDetector(profile, { stattest: 'ks' }).evaluate({ x: cur }).features[0];
    expect(plain.drift).toBe(true);
    const floored = createDriftDetector(profile, { stattest: 'ks', effectSizeFloor: 0.05 }).evaluate({
      x: cur,
    }).features[0];
    expect(floored.drift).toBe(false);
  });

  test('Bonferroni and BH adjust the deciding p-values across features before the verdicts', () => {
    const cols: Record<string, number[]> = {};
    const cur: Record<string, number[]> = {};
    for (let i = 0; i < 10; i++) {
      cols[`f${i}`] = normals(200, 100 + i);
      cur[`f${i}`] = normals(200, 200 + i, i === 0 ? 0.6 : 0);
    }
    const profile = buildReferenceProfile(cols);
    const none = createDriftDetector(profile, { stattest: 'ks' }).evaluate(cur);
    const bonf = createDriftDetector(profile, { stattest: 'ks', correction: 'bonferroni' }).evaluate(cur);
    const bh = createDriftDetector(profile, { stattest: 'ks', correction: 'bh' }).evaluate(cur);
    const p0 = none.features[0].tests.find((t) => t.decisive)!.pValue!;
    expect(bonf.features[0].tests.find((t) => t.decisive)!.pValueAdjusted).toBeCloseTo(
      Math.min(1, p0 * 10),
      12,
    );
    expect(bonf.features[0].drift).toBe(true);
    expect(bonf.dataset.driftedFeatures).toBeLessThanOrEqual(none.dataset.driftedFeatures);
    expect(bh.dataset.driftedFeatures).toBeGreaterThanOrEqual(bonf.dataset.driftedFeatures);
    expect(bh.dataset.driftedFeatures).toBeLessThanOrEqual(none.dataset.driftedFeatures);
  });

  test('prediction and label drift use the same machinery and stay out of the dataset share', () => {
    const ref = {
      x: normals(300, 8),
      pred: normals(300, 9).map((v) => (v > 0 ? 'yes' : 'no')),
      y: normals(300, 10).map((v) => (v > 0 ? 'yes' : 'no')),
    };
    const cur = {
      x: normals(300, 11),
      pred: normals(300, 12, 1.5).map((v) => (v > 0 ? 'yes' : 'no')),
      y: normals(300, 13).map((v) => (v > 0 ? 'yes' : 'no')),
    };
    const report = createDriftDetector(
      buildReferenceProfile(ref, { predictionColumn: 'pred', labelColumn: 'y' }),
    ).evaluate(cur);
    expect(report.features.map((f) => f.name)).toEqual(['x']);
    expect(report.prediction!.drift).toBe(true);
    expect(report.prediction!.stattest).toBe('chisquare');
    expect(report.label!.name).toBe('y');
  });
});

describe('streaming and in-memory profiles agree', () => {
  test('same categories for a mixed column (numbers and strings) and for a column forced categorical', () => {
    const mixed = [1, 2, 'x', 2, null, 1.5, 'x'];
    const nums = [3, 3, 4, 5, 3, null, 4];
    const inMemory = buildReferenceProfile({ mixed, nums }, { columnTypes: { nums: 'categorical' } });
    const builder = new ReferenceProfileBuilder(['mixed', 'nums'], { columnTypes: { nums: 'categorical' } });
    for (let i = 0; i < mixed.length; i++) builder.addRow([mixed[i], nums[i]]);
    const streamed = builder.build();
    expect(streamed.features).toEqual(inMemory.features);
    expect(inMemory.features[0]).toMatchObject({
      type: 'categorical',
      categories: { '1': 1, '2': 2, x: 2, '1.5': 1 },
    });
  });

  test('a column that looks numerical past maxCategories, then is not: pass 2 recounts its categories', () => {
    const late = [...Array.from({ length: 50 }, (_, i) => i % 25), 'x', 3, 'y'];
    const nums = Array.from({ length: late.length }, (_, i) => i * 1.5); // numerical, 53 distinct values
    const options = { maxCategories: 10 };
    const inMemory = buildReferenceProfile({ late, nums }, options);
    const builder = new ReferenceProfileBuilder(['late', 'nums'], options);
    for (let i = 0; i < late.length; i++) builder.addRow([late[i], nums[i]]);
    expect(() => builder.build()).toThrow(/second pass: binRow\(\) saw 0 of 53 rows/);
    expect(builder.needsBinningPass()).toBe(true);
    for (let i = 0; i < late.length; i++) builder.binRow([late[i], nums[i]]);
    const streamed = builder.build();
    expect(streamed.features).toEqual(inMemory.features);
    expect(streamed.features[0]).toMatchObject({ type: 'categorical', count: 53 });
    expect(Object.keys((streamed.features[0] as { categories: object }).categories)).toHaveLength(11); // 10 + other

    // A numerical column beyond maxCategories distinct values needs no second pass of its own.
    const only = new ReferenceProfileBuilder(['nums'], options);
    for (const x of nums) only.addRow([x]);
    expect(only.needsBinningPass()).toBe(false);
    expect(only.build().features[0]).toMatchObject({ type: 'numerical', count: 53 });
  });

  test('numerical columns: identical profile when the reservoir holds every value', () => {
    const x = normals(3000, 21);
    const inMemory = buildReferenceProfile({ x }, { reservoirSize: 5000 });
    const builder = new ReferenceProfileBuilder(['x'], { reservoirSize: 5000 });
    for (const v of x) builder.addRow([v]);
    const streamed = builder.build();
    const a = inMemory.features[0] as NumericalFeatureProfile;
    const b = streamed.features[0] as NumericalFeatureProfile;
    expect(b.binEdges).toEqual(a.binEdges);
    expect(b.binCounts).toEqual(a.binCounts);
    expect(b.sample).toEqual(a.sample);
    expect(b.summary.quantiles).toEqual(a.summary.quantiles);
    expect(b.summary.mean).toBeCloseTo(a.summary.mean, 12);
    expect(b.summary.std).toBeCloseTo(a.summary.std, 12);
  });
});
