/** What one evaluation of one model's window produced: stored in history, served on /api, published to /metrics. */
import type { DataQualityReport } from '../data-quality';
import type { MultivariateOutcome } from '../drift/multivariate';
import type { QualityReport } from '../quality';
import type { HorizonRangeQuality } from '../label-horizon';
import type { RoutingCounts } from '../quality/label-join-state';
import type { CalibrationMethod, EstimatedPerformance } from '../quality/estimate';
import type { FeatureSummary, WindowStatus } from '../windows';
import type { DriftReport } from './drift-engine';

export interface ModelWindowReport {
  model: string;
  /** The version the window's events carry (the most frequent one when several), else the configured one. */
  modelVersion: string | null;
  /**
   * Rows per version in the window (primary rows; versions past the bucket's cap pooled as `other`, rows naming no
   * version left out): every version the window holds, not only the dominant one.
   */
  modelVersions: Record<string, number>;
  window: { from: string; to: string; kind: 'tumbling' | 'sliding' };
  evaluatedAt: string;
  status: WindowStatus;
  /** Why there is no verdict (status other than ok). */
  reason: string | null;
  /** Inference rows in the window: every one, exactly (counts, bins, categories, missing are over all of them). */
  samples: number;
  /**
   * The window's uniform row sample that the raw-value tests (KS, Wasserstein, quantiles) ran on: its rows and
   * their share of `samples` (1 when it holds every row). docs/stattests.md, "Windows built from buckets".
   */
  sampling: { rows: number; share: number };
  /** Events before this time were not folded (the baseline changed then, on a source that cannot re-read);
   * null: the whole window was. */
  coveredFrom: string | null;
  minimumSamples: number;
  baselineVersion: string | null;
  /** Null unless status is ok. */
  drift: DriftReport | null;
  /** Per feature, for the window's rows (also below the minimum sample size: they are facts, not verdicts). */
  summaries: Record<string, FeatureSummary>;
  quality: QualityReport | null;
  /**
   * Realized quality by prediction time (issue #11): per reporting range, the predictions made in it and the labels
   * joined to them so far, up to `quality.labelHorizon` late. Absent when the exporter keeps no label horizon store
   * (scaled out).
   */
  qualityByPredictionTime?: QualityByPredictionTime | null;
  /**
   * Issue #13: the window's predictions handled automatically (confidence at or above their limit) and handed to
   * people, with the labelled and correct rows of each group; absent without a label join or with too few rows.
   */
  routing?: RoutingCounts | null;
  /** Issue #12's data-quality checks against the baseline (whenever there is one and the window has rows). */
  dataQuality: DataQualityReport | null;
  /** Multivariate drift by data reconstruction (null unless status is ok). */
  multivariate: MultivariateOutcome | null;
  /**
   * Issue #11: the label-free estimate over the window's rows (docs/quality.md), when the baseline has a quality
   * baseline (`profile.quality`) and the window has rows with probabilities; null (or absent) otherwise.
   */
  estimatedQuality?: EstimatedQualityReport | null;
  /** The reference's realized quality (the quality baseline), when the profile has one. */
  qualityBaseline?: { accuracy: number; precisionMacro: number; recallMacro: number; f1Macro: number } | null;
  durationSeconds: number;
}

/** Realized quality of the reporting ranges (label-horizon/, docs/stattests.md "Realized quality by prediction time"). */
export interface QualityByPredictionTime {
  labelHorizonSeconds: number;
  /** Width of the prediction-time buckets the ranges are made of. */
  bucketSeconds: number;
  /** Realized figures and coverage, with `estimated` (the label-free estimate, or null) beside them. */
  ranges: HorizonRangeQuality[];
}
/** The estimate of a window, with the rows it left out (no predicted class among the calibrated ones, or no probabilities). */
export type EstimatedQualityReport = EstimatedPerformance & {
  skippedRows: number;
  calibration: CalibrationMethod;
};
