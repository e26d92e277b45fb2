import {
  formatEvaluation,
  summarizeReport,
  type EvaluationSummary,
  type FeatureVerdict,
} from './evaluation-line';

const at = new Date('2026-01-02T12:04:31.500Z');
const f = (
  feature: string,
  score: number,
  drifted: boolean,
  kind: FeatureVerdict['kind'] = 'p_value',
): FeatureVerdict => ({
  feature,
  stattest: kind === 'p_value' ? 'ks' : 'psi',
  score,
  kind,
  drifted,
});

it('names the drifting features with their scores, and the accuracy', () => {
  const line = formatEvaluation({
    at,
    windowSeconds: 60,
    rows: 412,
    features: [f('a', 2.1e-9, true), f('b', 0.41, false), f('c', 0.25, true, 'distance'), f('d', 0.9, false)],
    driftShare: 0.5,
    datasetDrift: true,
    accuracy: { value: 0.7071, rows: 198 },
  });
  expect(line).toBe(
    '12:04:31  window 60s  n=412  drift share 0.50 (2/4)  DRIFT  a ks p=2.1e-9, c psi d=0.250  acc 0.71 (n=198)',
  );
});

it('says ok when nothing drifts', () => {
  const line = formatEvaluation({
    at,
    windowSeconds: null,
    rows: 50,
    features: [f('a', 0.3, false)],
    driftShare: 0,
    datasetDrift: false,
  });
  expect(line).toBe('12:04:31  window  n=50  drift share 0.00 (0/1)  ok   ');
});

describe('summarizeReport', () => {
  const base = {
    evaluatedAt: '2026-01-02T12:04:31.000Z',
    window: { from: '2026-01-02T12:03:31.000Z', to: '2026-01-02T12:04:31.000Z' },
    samples: 300,
    reason: null,
  };

  it('takes the deciding test per feature, the drift share and the accuracy', () => {
    const summary = summarizeReport({
      ...base,
      status: 'ok',
      drift: {
        features: [
          { name: 'a', drift: true, tests: [{ name: 'ks', statistic: 0.4, pValue: 1e-8, drift: true }] },
          {
            name: 'b',
            drift: false,
            tests: [
              { name: 'ks', statistic: 0.2, pValue: 0.01, drift: true, decisive: false },
              { name: 'psi', statistic: 0.02, drift: false, decisive: true },
            ],
          },
        ],
        dataset: { driftShare: 0.5, drift: true },
      },
      quality: { labelled: 120, classification: { accuracy: 0.75 } },
    });
    expect(typeof summary).toBe('object');
    expect(formatEvaluation(summary as EvaluationSummary)).toBe(
      '12:04:31  window 60s  n=300  drift share 0.50 (1/2)  DRIFT  a ks p=1.0e-8  acc 0.75 (n=120)',
    );
    expect(
      formatEvaluation({
        ...(summary as EvaluationSummary),
        features: (summary as EvaluationSummary).features.map((f) => ({ ...f, drifted: true })),
      }),
    ).toContain('b psi d=0.020');
  });

  it('prints the estimated accuracy with its band beside the realized one, and the label coverage', () => {
    const summary = summarizeReport({
      ...base,
      samples: 300,
      status: 'ok',
      drift: { features: [], dataset: { driftShare: 0, drift: false } },
      quality: { labelled: 120, classification: { accuracy: 0.75 } },
      estimatedQuality: { accuracy: 0.781, accuracyBand: [0.734, 0.828] },
    });
    expect(formatEvaluation(summary as EvaluationSummary)).toBe(
      '12:04:31  window 60s  n=300  drift share 0.00 (0/0)  ok     est acc 0.78 [0.73, 0.83]  acc 0.75 (n=120)  labels 40%',
    );
    // No labels yet: the estimate alone, coverage 0%.
    const early = summarizeReport({
      ...base,
      samples: 300,
      status: 'ok',
      drift: { features: [], dataset: { driftShare: 0, drift: false } },
      quality: { labelled: 0, classification: null },
      estimatedQuality: { accuracy: 0.781, accuracyBand: [0.734, 0.828] },
    });
    expect(formatEvaluation(early as EvaluationSummary)).toMatch(
      /est acc 0\.78 \[0\.73, 0\.83\] {2}labels 0%$/,
    );
  });

  it('says why there is no verdict', () => {
    expect(
      summarizeReport({
        ...base,
        samples: 12,
        status: 'insufficient_data',
        reason: 'needs 30 rows',
        drift: null,
        quality: null,
      }),
    ).toBe('12:04:31  window 60s  n=12  insufficient_data: needs 30 rows');
  });
});
