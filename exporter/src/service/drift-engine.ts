/**
 * What the exporter needs from the drift side (exporter/src/drift and baseline, built by STATS): for one model,
 * a detector built once from its stored baseline, that evaluates a window's columns. The exporter never looks
 * inside the statistics; it publishes what the report says.
 */
import type { CellValue } from '../stats/missing';
import type { ModelConfig } from '../config';
import type { FeatureHistogram } from '../drift/report-types';
import type { ReferenceProfile } from '../drift/profile-types';
import type { WindowColumnInput } from '../windows/buckets';

export interface DriftTestResult {
  /** Stat test id: ks, chisquare, psi, wasserstein, jensenshannon… */
  name: string;
  statistic: number;
  /** Tests that have one; absent or null for distances. */
  pValue?: number | null;
  threshold: number;
  drift: boolean;
  /** How many current values the test read when they were a sample of the window's rows (KS, Wasserstein). */
  sampled?: number;
}

export interface DriftFeatureResult {
  name: string;
  type: 'numerical' | 'categorical';
  /** [reference rows, current rows] */
  n: [number, number];
  /** [reference missing, current missing] */
  missing: [number, number];
  tests: DriftTestResult[];
  drift: boolean;
  /** Reference vs current shares per bin, served as is on /api/models/:model/histograms (for the panels). */
  histogram?: FeatureHistogram;
}

/** The `plumbline drift --json` shape (+ histograms). */
export interface DriftReport {
  features: DriftFeatureResult[];
  dataset: { driftShare: number; drift: boolean };
  /** The model output against the baseline's prediction column, when it has one. */
  prediction?: DriftFeatureResult;
  /** The ground truth against the baseline's label column, when it has one. */
  label?: DriftFeatureResult;
}

export interface DriftDetector {
  evaluate(columns: Readonly<Record<string, readonly CellValue[]>>): DriftReport;
  /** The same report from a window's folded state (windowDriftInputs): exact counts, sampled raw values. */
  /** `raw`: columns the buckets do not fold (the label column from the label join), as raw values. */
  evaluateInputs(
    inputs: readonly WindowColumnInput[],
    raw?: Readonly<Record<string, readonly CellValue[]>>,
  ): DriftReport;
}

export interface LoadedBaseline {
  detector: DriftDetector;
  /** The reference profile the detector compares with (narrowed to the configured features): what the model's
   * buckets fold under. */
  profile: ReferenceProfile;
  /** Every feature of the stored baseline, watched or not (a feature `models[].features` leaves out is not a new
   * column). */
  knownColumns?: readonly string[];
  /** Features the baseline profiles (already narrowed to the model's `features` when given). */
  features: { name: string; type: 'numerical' | 'categorical' }[];
  /** Which stored baseline version is in use (for /api). */
  baselineVersion: string | null;
  /** Name of the column that holds the model output in the baseline, when it profiles one (prediction drift). */
  predictionColumn?: string | null;
  /** Name of the ground-truth column in the baseline, when it profiles one (label drift). */
  labelColumn?: string | null;
}

export interface DriftEngine {
  /** The model's detector, or null when no baseline is stored yet (the window is then `no_baseline`). */
  load(model: ModelConfig): Promise<LoadedBaseline | null>;
  /** Releases what it holds (an Elasticsearch client). */
  close?(): Promise<void>;
}
