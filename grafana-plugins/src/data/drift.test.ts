import { driftFeature, driftReportBody, PETAL_LENGTH_TESTS, REGION_TESTS } from '../test-utils/exporter-drift';
import { driftFeatureView, formatStat, parseDriftReport } from './drift';

// Bodies as the exporter's /api serves them (exporter/src/api/server.ts): /drift carries the tests, /histograms
// carries reference vs current shares per bin (FeatureHistogram from exporter/src/drift/report-types.ts).
const driftBody = driftReportBody({
  window: { start: '2026-11-23T10:00:00.000Z', end: '2026-11-23T10:05:00.000Z' },
  driftShare: 0.5,
  features: [
    driftFeature(
      'sepal_length',
      'numerical',
      [120, 400],
      [{ name: 'ks', statistic: 0.061, pValue: 0.81, threshold: 0.05, drift: false }],
      [0, 2]
    ),
    driftFeature('petal_length', 'numerical', [120, 400], PETAL_LENGTH_TESTS),
    driftFeature('region', 'categorical', [120, 400], REGION_TESTS),
  ],
});
const histogramsBody = {
  model: 'iris',
  features: [
    {
      name: 'petal_length',
      type: 'numerical',
      drift: true,
      histogram: { edges: [1, 2, 4, 7], reference: [0.3, 0.3, 0.4], current: [0.05, 0.15, 0.8] },
    },
    {
      name: 'region',
      type: 'categorical',
      drift: false,
      histogram: { categories: ['eu', 'us', null], reference: [50, 40, 10], current: [210, 170, 20] },
    },
  ],
};

describe('parseDriftReport', () => {
  it('reads the exporter drift body: features and dataset verdict', () => {
    const r = parseDriftReport(driftBody);
    expect(r).toEqual({
      ok: true,
      value: {
        model: 'iris',
        features: ['sepal_length', 'petal_length', 'region'],
        datasetDriftShare: 0.5,
        datasetDrift: true,
      },
    });
  });

  it('also takes the bare `plumbline drift --json` shape', () => {
    const r = parseDriftReport({ features: driftBody.latest.features, dataset: { driftShare: 1 / 3, drift: false } });
    expect(r.ok && r.value.datasetDriftShare).toBeCloseTo(1 / 3, 12);
  });

  it('explains a body that is not a drift report', () => {
    expect(parseDriftReport({ error: { code: 'EXPORTER_ERR_NOT_FOUND' } })).toEqual({
      ok: false,
      message: expect.stringMatching(/not a drift report/),
    });
  });
});

describe('driftFeatureView', () => {
  it('joins the tests of /drift with the histogram of /histograms for a numerical feature', () => {
    const v = driftFeatureView(driftBody, 'petal_length', histogramsBody);
    if (!v.ok) {
      throw new Error(v.message);
    }
    expect(v.value).toMatchObject({
      name: 'petal_length',
      type: 'numerical',
      referenceN: 120,
      currentN: 400,
      drift: true,
    });
    expect(v.value.bins.map((b) => b.label)).toEqual(['1 – 2', '2 – 4', '4 – 7']);
    expect(v.value.bins[2]).toEqual({ label: '4 – 7', reference: 0.4, current: 0.8 });
    expect(v.value.primary).toEqual({ name: 'ks', statistic: 0.4125, pValue: 3.2e-12, threshold: 0.05, drift: true });
  });

  it('turns categorical counts into shares and names missing values', () => {
    const v = driftFeatureView(driftBody, 'region', histogramsBody);
    if (!v.ok) {
      throw new Error(v.message);
    }
    expect(v.value.bins).toEqual([
      { label: 'eu', reference: 0.5, current: 0.525 },
      { label: 'us', reference: 0.4, current: 0.425 },
      { label: '(missing)', reference: 0.1, current: 0.05 },
    ]);
    expect(v.value.primary?.name).toBe('chisquare');
    expect(v.value.drift).toBe(false);
  });

  it('picks the first drifting feature when none is chosen', () => {
    const v = driftFeatureView(driftBody, '', histogramsBody);
    expect(v.ok && v.value.name).toBe('petal_length');
  });

  it('says which features exist when the chosen one does not, and when a histogram is missing', () => {
    expect(driftFeatureView(driftBody, 'petal_width', histogramsBody)).toEqual({
      ok: false,
      message: 'Feature "petal_width" is not in the report. Known features: sepal_length, petal_length, region.',
    });
    expect(driftFeatureView(driftBody, 'sepal_length', histogramsBody)).toEqual({
      ok: false,
      message: 'Feature "sepal_length" has no histogram in the report.',
    });
  });

  it('rejects histograms whose bins do not line up', () => {
    const bad = {
      features: [
        { name: 'x', type: 'numerical', tests: [], histogram: { edges: [0, 1, 2], reference: [1, 2], current: [1] } },
      ],
    };
    expect(driftFeatureView(bad, 'x')).toEqual({ ok: false, message: 'Feature "x": reference has 2 bins, current 1.' });
  });

  it('reports a window that is still filling', () => {
    const filling = { model: 'iris', latest: { status: 'insufficient_data', reason: '12 of 100 rows', features: [] } };
    expect(driftFeatureView(filling, '')).toEqual({
      ok: false,
      message: 'The drift report has no features yet. Window status: insufficient_data (12 of 100 rows)',
    });
  });
});

describe('formatStat', () => {
  it('keeps the magnitude of tiny p-values', () => {
    expect(formatStat(3.2e-12)).toBe('3.20e-12');
    expect(formatStat(0.4125)).toBe('0.4125');
    expect(formatStat(null)).toBe('–');
  });
});
