/**
 * Evaluates a model's slices (windows/keyed: per version and per segment value) with the same evaluateWindow as the
 * model's own window, and condenses each into the figures /api and /metrics show side by side; then compares every
 * newer version with the oldest one in the window (versions/compare-versions.ts). No I/O.
 */
import type { ModelConfig } from '../config';
import { countsEntries, totalCount } from '../windows/buckets';
import type { SliceKey, SliceView, TrafficFigures } from '../windows/keyed';
import type { TimeRange, WindowStatus } from '../windows';
import { compareVersions, type VersionComparison, type VersionCounts } from '../versions';
import type { LoadedBaseline } from './drift-engine';
import { evaluateWindow } from './evaluate-window';

/** One slice's window, condensed. */
export interface SliceFigures {
  key: SliceKey;
  status: WindowStatus;
  reason: string | null;
  samples: number;
  /** Start of the slice's earliest bucket in the window (a version's "first seen" in it). */
  firstSeen: string | null;
  drift: { share: number; detected: boolean; drifted: string[] } | null;
  dataQuality: { failed: number; failing: { feature: string; check: string }[] } | null;
  /** Realized quality from the labels the slice's window joined (null below the minimum sample or without labels). */
  quality: {
    labelled: number;
    /** Correct predictions among `labelled` (classifiers). */
    correct: number | null;
    accuracy: number | null;
    f1Macro: number | null;
    mae: number | null;
    rmse: number | null;
  } | null;
  /**
   * Quality estimated without labels (issue #11, docs/quality.md) from the slice's own buckets: null when the model's
   * profile has no quality baseline (no calibration), for regressors, or when no row could be estimated.
   */
  estimatedQuality: {
    rows: number;
    accuracy: number;
    accuracyBand: [number, number];
    f1Macro: number;
    f1MacroBand: [number, number];
  } | null;
  /** Confidence of the predictions: histogram over [0, 1] in equal bins, and the share below the threshold. */
  confidence: { histogram: number[]; lowConfidenceShare: number | null };
  /** Share of predictions per class (classifiers; rows without a class left out). */
  classMix: Record<string, number>;
  traffic: TrafficFigures;
}

export interface SlicesReport {
  model: string;
  window: { from: string; to: string };
  evaluatedAt: string;
  versions: SliceFigures[];
  segments: SliceFigures[];
  /** Every newer version against the oldest in the window (its champion), oldest first. */
  comparisons: VersionComparison[];
}

export interface EvaluateSlicesInput {
  model: ModelConfig;
  range: TimeRange;
  windowKind: 'tumbling' | 'sliding';
  slices: readonly SliceView[];
  baseline: LoadedBaseline | null;
  minimumSamples: number;
  confidenceThreshold: number;
  maxClasses: number;
  now: number;
  compare: { minimumSamples: number; alpha: number };
}

function figuresOf(input: EvaluateSlicesInput, slice: SliceView): SliceFigures | null {
  const window = slice.window(input.range);
  if (window.state.rows === 0) return null;
  const r = evaluateWindow({
    model: input.model,
    range: input.range,
    windowKind: input.windowKind,
    window,
    baseline: input.baseline,
    minimumSamples: input.minimumSamples,
    confidenceThreshold: input.confidenceThreshold,
    maxClasses: input.maxClasses,
    now: input.now,
  });
  const q = r.quality;
  const cm = q?.confusionMatrix ?? null;
  const correct = cm && q?.classification ? cm.counts.reduce((s, row, i) => s + row[i], 0) : null;
  const classes = window.state.prediction.classes;
  const withClass = totalCount(classes);
  const classMix: Record<string, number> = {};
  if (withClass > 0) {
    for (const [cls, n] of countsEntries(classes)) classMix[cls] = n / withClass;
    if (classes.other > 0) classMix.other = classes.other / withClass;
  }
  const first = slice.firstBucket(input.range);
  return {
    key: slice.key,
    status: r.status,
    reason: r.reason,
    samples: r.samples,
    firstSeen: first === null ? null : new Date(first).toISOString(),
    drift: r.drift && {
      share: r.drift.dataset.driftShare,
      detected: r.drift.dataset.drift,
      drifted: r.drift.features.filter((f) => f.drift).map((f) => f.name),
    },
    dataQuality: r.dataQuality && {
      failed: r.dataQuality.failed,
      failing: r.dataQuality.checks
        .filter((c) => c.failed)
        .map((c) => ({ feature: c.feature, check: c.check })),
    },
    quality: q && {
      labelled: q.labelled,
      correct,
      accuracy: q.classification?.accuracy ?? null,
      f1Macro: q.classification?.f1Macro ?? null,
      mae: q.regression?.mae ?? null,
      rmse: q.regression?.rmse ?? null,
    },
    estimatedQuality: r.estimatedQuality
      ? {
          rows: r.estimatedQuality.rows,
          accuracy: r.estimatedQuality.accuracy,
          accuracyBand: [...r.estimatedQuality.accuracyBand],
          f1Macro: r.estimatedQuality.f1Macro,
          f1MacroBand: [...r.estimatedQuality.f1MacroBand],
        }
      : null,
    confidence: {
      histogram: [...window.state.prediction.confidence],
      lowConfidenceShare: q?.lowConfidenceShare ?? null,
    },
    classMix,
    traffic: slice.traffic(input.range),
  };
}

/** What a comparison takes of a version's figures. */
export function versionCounts(f: SliceFigures): VersionCounts {
  if (f.key.kind !== 'version') throw new RangeError(`${f.key.kind} slice is not a version`);
  return {
    version: f.key.version,
    rows: f.traffic.rows,
    errors: f.traffic.errors,
    labelled: f.quality?.labelled ?? 0,
    correct: f.quality?.correct ?? null,
  };
}

/** Versions oldest first: by the first bucket they have in the window, then by name, numbers by value (9 before 10). */
export function byAge(a: SliceFigures, b: SliceFigures): number {
  const fa = a.firstSeen ?? '';
  const fb = b.firstSeen ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const va = a.key.kind === 'version' ? a.key.version : '';
  const vb = b.key.kind === 'version' ? b.key.version : '';
  return va.localeCompare(vb, 'en', { numeric: true });
}

export function evaluateSlices(input: EvaluateSlicesInput): SlicesReport {
  const versions: SliceFigures[] = [];
  const segments: SliceFigures[] = [];
  for (const slice of input.slices) {
    const f = figuresOf(input, slice);
    if (!f) continue;
    (f.key.kind === 'version' ? versions : segments).push(f);
  }
  versions.sort(byAge);
  const comparisons: VersionComparison[] = [];
  if (versions.length > 1) {
    const champion = versionCounts(versions[0]);
    for (const challenger of versions.slice(1))
      comparisons.push(
        compareVersions(champion, versionCounts(challenger), {
          ...input.compare,
          family: versions.length - 1,
        }),
      );
  }
  return {
    model: input.model.name,
    window: { from: new Date(input.range.from).toISOString(), to: new Date(input.range.to).toISOString() },
    evaluatedAt: new Date(input.now).toISOString(),
    versions,
    segments,
    comparisons,
  };
}
