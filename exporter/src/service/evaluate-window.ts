/**
 * Evaluates one model's window: the merged window state in (windows/store: every event folded once into its
 * bucket), a ModelWindowReport out. No I/O — the caller synced the source and loaded the baseline.
 *
 * Counts are exact over every row of the window (rows, missing, bins, categories, classes); the tests on raw
 * values run on the window's uniform sample and say so (`sampled`); docs/stattests.md, "Windows built from buckets".
 * Below `minimumSamples` rows there is no drift verdict and no quality score (status `insufficient_data`):
 * a small window says nothing reliable, and a false "no drift" is worse than an honest "not enough data".
 */
import type { ModelConfig } from '../config';
import type { CellValue } from '../stats/missing';
import { dataQualityChecks } from '../data-quality';
import {
  MULTIVARIATE_METHOD,
  multivariateDrift,
  multivariatePartOf,
  rowsOfWindowSample,
  type MultivariateOutcome,
} from '../drift/multivariate';
import {
  checkoutSortedColumnBuffers,
  countsEntries,
  returnSortedColumnBuffers,
  sortedSampleColumns,
  windowDriftInputs,
  type SortedSampleColumns,
} from '../windows/buckets';
import type { ModelWindow } from '../windows/store';
import { hasEnoughSamples, windowFeatureSummaries, type TimeRange } from '../windows';
import type { LoadedBaseline } from './drift-engine';
import type { EstimatedQualityReport, ModelWindowReport } from './report';
import { estimatePerformance, totalRows } from '../quality/estimate';

export interface EvaluateWindowInput {
  model: ModelConfig;
  range: TimeRange;
  windowKind: 'tumbling' | 'sliding';
  window: ModelWindow;
  baseline: LoadedBaseline | null;
  minimumSamples: number;
  confidenceThreshold: number;
  maxClasses: number;
  now: number;
  /** Where a prediction goes by its confidence limit (review/limits.ts); absent: no routing figures. */
  toPeople?: (predicted: string | number | null, confidence: number | null) => boolean;
}

/** The most frequent `model.version` of the window's rows (ties: the lexically greatest, i.e. usually newest). */
export function dominantVersion(window: ModelWindow, fallback: string | null): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [version, count] of countsEntries(window.state.prediction.versions)) {
    if (count > bestCount || (count === bestCount && best !== null && version > best)) {
      best = version;
      bestCount = count;
    }
  }
  return best ?? fallback;
}

/** Rows per `model.version` in the window (the capped versions pooled as `other`). */
export function windowVersions(window: ModelWindow): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(countsEntries(window.state.prediction.versions));
  if (window.state.prediction.versions.other > 0)
    out.other = (out.other ?? 0) + window.state.prediction.versions.other;
  return out;
}

/**
 * Multivariate drift of a window from its uniform row sample. The reconstruction needs every column the PCA was
 * fitted on: when `models[].features` leaves some out, they are not folded and there is no figure (said why).
 */
export function windowMultivariateDrift(window: ModelWindow): MultivariateOutcome {
  const part = multivariatePartOf(window.profile);
  if (!('skipped' in part)) {
    const folded = new Set(window.schema.numerical.map((c) => c.name));
    const left = part.columns.filter((c) => !folded.has(c));
    if (left.length > 0)
      return {
        method: MULTIVARIATE_METHOD,
        skipped: `models[].features leaves out ${left.join(', ')}, which the reconstruction needs`,
      };
  }
  return multivariateDrift(part, rowsOfWindowSample(window.schema.numerical, window.state.sample));
}

/**
 * The label column of a window (the profile's ground-truth column, for label drift): the ground truth of the rows
 * the label join holds, a missing value for each prediction without one — what the detector's raw path takes.
 */
function labelColumn(window: ModelWindow): Record<string, CellValue[]> {
  const name = window.schema.labelColumn;
  // Without a label column in the baseline there is no label drift: the join's rows are not walked for nothing.
  const joined = name ? window.truths?.() : null;
  if (!name || !joined) return {};
  const column: CellValue[] = joined.values;
  const labelled = column.length;
  if (joined.rows > labelled) {
    // One allocation for the missing rows (pushing ~a million nulls one by one regrows the array many times).
    column.length = joined.rows;
    column.fill(null, labelled);
  }
  return { [name]: column };
}

/** The label-free estimate of a window (docs/quality.md): null without a calibration or rows it could use. */
export function windowEstimate(window: ModelWindow): EstimatedQualityReport | null {
  const e = window.state.estimate;
  const schema = window.schema.estimate;
  if (!e || !schema || totalRows(e.sums) === 0) return null;
  return {
    ...estimatePerformance(schema.calibration.labels, e.sums),
    skippedRows: e.skipped,
    calibration: schema.calibration.method,
  };
}

export function evaluateWindow(input: EvaluateWindowInput): ModelWindowReport {
  const started = performance.now();
  const { model, baseline, window } = input;
  const rows = window.state.rows;
  const report: ModelWindowReport = {
    model: model.name,
    modelVersion: dominantVersion(window, model.version),
    modelVersions: windowVersions(window),
    window: {
      from: new Date(input.range.from).toISOString(),
      to: new Date(input.range.to).toISOString(),
      kind: input.windowKind,
    },
    evaluatedAt: new Date(input.now).toISOString(),
    status: 'ok',
    reason: null,
    samples: rows,
    sampling: { rows: window.state.sample.size, share: rows ? window.state.sample.size / rows : 1 },
    coveredFrom: window.coveredFrom === null ? null : new Date(window.coveredFrom).toISOString(),
    minimumSamples: input.minimumSamples,
    baselineVersion: baseline?.baselineVersion ?? null,
    drift: null,
    summaries: {},
    quality: null,
    dataQuality: null,
    multivariate: null,
    durationSeconds: 0,
  };
  const features = new Set(baseline ? baseline.features.map((f) => f.name) : model.features);
  // Each sample column sorted once, for the summaries and the stat tests alike, into buffers kept from one
  // evaluation to the next (the report keeps numbers computed from them, never the arrays).
  const buffers = checkoutSortedColumnBuffers();
  try {
    evaluateSorted(input, report, features, sortedSampleColumns(window.state, buffers));
  } finally {
    returnSortedColumnBuffers(buffers);
  }
  const reference = window.profile.quality?.realized;
  report.qualityBaseline = reference
    ? {
        accuracy: reference.accuracy,
        precisionMacro: reference.precisionMacro,
        recallMacro: reference.recallMacro,
        f1Macro: reference.f1Macro,
      }
    : null;
  report.durationSeconds = (performance.now() - started) / 1000;
  return report;
}

/** The part of evaluateWindow that reads the sorted sample columns (valid only while it runs). */
function evaluateSorted(
  input: EvaluateWindowInput,
  report: ModelWindowReport,
  features: ReadonlySet<string>,
  sorted: SortedSampleColumns,
): void {
  const { model, baseline, window } = input;
  const rows = window.state.rows;
  const summaries = windowFeatureSummaries(window.state, window.schema, sorted);
  for (const name of Object.keys(summaries)) if (!features.has(name)) delete summaries[name];
  report.summaries = summaries;

  if (baseline && rows > 0)
    report.dataQuality = dataQualityChecks(window.state, window.schema, window.profile, model.dataQuality);
  if (!baseline) {
    report.status = 'no_baseline';
    report.reason = `no baseline stored for model ${model.name}; import one with \`plumbline baseline import\``;
  } else if (!hasEnoughSamples(report.samples, input.minimumSamples)) {
    report.status = 'insufficient_data';
    report.reason = `${report.samples} rows in the window, fewer than the minimum of ${input.minimumSamples}`;
  } else {
    report.drift = baseline.detector.evaluateInputs(
      windowDriftInputs(window.state, window.schema, window.profile, sorted),
      labelColumn(window),
    );
    report.multivariate = windowMultivariateDrift(window);
    report.quality =
      window.quality?.({
        confidenceThreshold: input.confidenceThreshold,
        maxClasses: input.maxClasses,
      }) ?? null;
    if (input.toPeople && window.routing) report.routing = window.routing(input.toPeople);
    report.estimatedQuality = windowEstimate(window);
  }
}
