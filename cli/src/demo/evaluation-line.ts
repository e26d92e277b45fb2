/**
 * The compact terminal line `plumbline start` prints for each drift evaluation. Pure.
 *
 *   12:04:31  window 60s  n=412  drift share 0.50 (2/4)  DRIFT  petal_length_cm ks p=2.1e-09, sepal_width_cm ks p=3.4e-05  est acc 0.74 [0.70, 0.78]  acc 0.71 (n=198)  labels 48%
 */

export interface FeatureVerdict {
  feature: string;
  stattest: string;
  /** The p-value for p-value tests, the distance for distance tests. */
  score: number;
  kind: 'p_value' | 'distance';
  drifted: boolean;
}

export interface EvaluationSummary {
  at: Date;
  windowSeconds: number | null;
  /** Rows in the evaluated window. */
  rows: number;
  features: FeatureVerdict[];
  /** Share of features that drift, 0..1. */
  driftShare: number;
  datasetDrift: boolean;
  /** Accuracy over the window's rows with ground truth, when there are any. */
  accuracy?: { value: number; rows: number } | null;
  /** Accuracy estimated without labels (issue #11), with its 95% band, when the exporter has a quality baseline. */
  estimated?: { value: number; band: [number, number] } | null;
}

function score(v: FeatureVerdict): string {
  const s = v.score;
  const text = s !== 0 && Math.abs(s) < 1e-3 ? s.toExponential(1) : s.toFixed(3);
  return `${v.stattest} ${v.kind === 'p_value' ? 'p' : 'd'}=${text}`;
}

export function formatEvaluation(e: EvaluationSummary): string {
  const time = e.at.toISOString().slice(11, 19);
  const drifted = e.features.filter((f) => f.drifted);
  const parts = [
    time,
    e.windowSeconds === null ? 'window' : `window ${e.windowSeconds}s`,
    `n=${e.rows}`,
    `drift share ${e.driftShare.toFixed(2)} (${drifted.length}/${e.features.length})`,
    e.datasetDrift ? 'DRIFT' : drifted.length > 0 ? 'drift ' : 'ok   ',
  ];
  if (drifted.length > 0) parts.push(drifted.map((f) => `${f.feature} ${score(f)}`).join(', '));
  if (e.estimated)
    parts.push(
      `est acc ${e.estimated.value.toFixed(2)} [${e.estimated.band[0].toFixed(2)}, ${e.estimated.band[1].toFixed(2)}]`,
    );
  if (e.accuracy) parts.push(`acc ${e.accuracy.value.toFixed(2)} (n=${e.accuracy.rows})`);
  // Label coverage beside the estimate: the share of the window's rows whose ground truth has arrived.
  if (e.estimated)
    parts.push(`labels ${e.rows > 0 ? Math.round((100 * (e.accuracy?.rows ?? 0)) / e.rows) : 0}%`);
  return parts.join('  ');
}

/**
 * The parts of the exporter's per-window report (exporter/src/service/report.ts, ModelWindowReport) the line
 * needs; structural, so the exporter's own type fits it.
 */
export interface WindowReportLike {
  evaluatedAt: string;
  window: { from: string; to: string };
  status: string;
  reason: string | null;
  samples: number;
  drift: {
    features: ReadonlyArray<{
      name: string;
      drift: boolean;
      /** The deciding test's id. */
      stattest?: string;
      tests: ReadonlyArray<{
        name: string;
        statistic: number;
        pValue?: number | null;
        drift: boolean;
        decisive?: boolean;
      }>;
    }>;
    dataset: { driftShare: number; drift: boolean };
  } | null;
  quality: { labelled: number; classification: { accuracy: number } | null } | null;
  estimatedQuality?: { accuracy: number; accuracyBand: [number, number] } | null;
}

/** A report → the summary for the line; null while there is no verdict (the line then says why). */
export function summarizeReport(report: WindowReportLike): EvaluationSummary | string {
  const at = new Date(report.evaluatedAt);
  const windowSeconds = Math.round((Date.parse(report.window.to) - Date.parse(report.window.from)) / 1000);
  if (report.status !== 'ok' || report.drift === null) {
    const time = at.toISOString().slice(11, 19);
    return `${time}  window ${windowSeconds}s  n=${report.samples}  ${report.status}${report.reason ? `: ${report.reason}` : ''}`;
  }
  const features: FeatureVerdict[] = report.drift.features.map((f) => {
    // The test that decided the feature's verdict; else the first drifting one, else the first.
    const test =
      f.tests.find((t) => t.decisive) ??
      f.tests.find((t) => t.name === f.stattest) ??
      f.tests.find((t) => t.drift) ??
      f.tests[0];
    const hasP = test !== undefined && test.pValue !== undefined && test.pValue !== null;
    return {
      feature: f.name,
      stattest: test?.name ?? '?',
      score: test === undefined ? NaN : hasP ? (test.pValue as number) : test.statistic,
      kind: hasP ? 'p_value' : 'distance',
      drifted: f.drift,
    };
  });
  const cls = report.quality?.classification;
  return {
    at,
    windowSeconds,
    rows: report.samples,
    features,
    driftShare: report.drift.dataset.driftShare,
    datasetDrift: report.drift.dataset.drift,
    accuracy: cls && report.quality ? { value: cls.accuracy, rows: report.quality.labelled } : null,
    estimated: report.estimatedQuality
      ? { value: report.estimatedQuality.accuracy, band: report.estimatedQuality.accuracyBand }
      : null,
  };
}
