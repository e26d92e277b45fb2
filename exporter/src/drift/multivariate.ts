import { isMissing, parseNumber, type CellValue } from '../stats/missing';
import { moments, pairwiseSum } from '../stats/pairwise-sum';
import { principalComponents } from '../stats/principal-components';
import { reconstructionErrors } from '../stats/reconstruction-errors';
import type { NumericalColumnSchema } from '../windows/buckets/bucket-schema';
import type { RowSample } from '../windows/buckets/row-sample';
import type {
  MultivariateNotFitted,
  MultivariateProfile,
  MultivariateReference,
  ReferenceProfile,
} from './profile-types';

/**
 * Multivariate drift by data reconstruction (NannyML's DataReconstructionDriftCalculator; docs/stattests.md
 * "Multivariate drift: data reconstruction"): fitted once on the reference ({@link fitMultivariateReference}, called
 * by both profile builders), evaluated on any set of rows ({@link multivariateDrift}): a window's uniform row
 * sample (the service) or a file's rows (`plumbline drift`).
 */
export const MULTIVARIATE_METHOD = 'pca-reconstruction';

export const DEFAULT_MULTIVARIATE_OPTIONS = {
  /** Share of the variance the kept principal components explain at least (NannyML's n_components). */
  varianceShare: 0.65,
  /** lower / upper = reference error ∓ / ± this many standard deviations of a mean over K rows (NannyML: 3). */
  stdMultiplier: 3,
} as const;

/** Rows to fit on or evaluate: numbers by column name, column-major; NaN (or ±Infinity) is a missing value. */
export interface MultivariateRows {
  readonly size: number;
  /** Each column's values for rows 0 … size − 1. A column that is absent is missing in every row. */
  readonly columns: ReadonlyMap<string, ArrayLike<number>>;
  /** The rows these were drawn from, when they are a uniform sample of more (a window's sample: N). */
  readonly population?: number;
}

/** A window's multivariate drift: the `multivariate` object of `plumbline drift --json`. */
export interface MultivariateDrift {
  readonly method: typeof MULTIVARIATE_METHOD;
  /** Principal components kept. */
  readonly components: number;
  /** The reference's mean reconstruction error. */
  readonly referenceError: number;
  /** The window's mean reconstruction error over its `rows`. */
  readonly currentError: number;
  /** referenceError − m·σ/√rows; null when that is ≤ 0 (errors are ≥ 0: no lower threshold, as NannyML). */
  readonly lower: number | null;
  /** referenceError + m·σ/√rows. */
  readonly upper: number;
  /** currentError ≥ upper, or ≤ lower. */
  readonly drift: boolean;
  /** Rows the window's error is averaged over (the thresholds are for this many). */
  readonly rows: number;
  /** Present when the rows are a uniform sample of the window: rows used (= `rows`). */
  readonly sampled?: number;
}

/** No multivariate figure for this window, and why. */
export interface MultivariateSkipped {
  readonly method: typeof MULTIVARIATE_METHOD;
  readonly skipped: string;
}

export type MultivariateOutcome = MultivariateDrift | MultivariateSkipped;

const notFitted = (skipped: string): MultivariateNotFitted => ({ method: MULTIVARIATE_METHOD, skipped });

/**
 * Fits multivariate drift on reference rows (every row, or a uniform sample of them): for each column, the mean
 * and the standard deviation (ddof = 0) of the column with its missing values imputed by that mean (scikit-learn's
 * SimpleImputer(strategy='mean') then StandardScaler: a std of 0 becomes 1); the covariance of the standardised
 * rows, its principal components up to `varianceShare` of the variance ({@link principalComponents}); and the
 * fitted rows' own reconstruction errors: count, mean, std (ddof = 1). Columns without a single finite value
 * are left out. Not fitted (with the reason) for fewer than two such columns, fewer than two rows, or no
 * variance at all. Cost: O(size · p²) for the covariance + O(p³) + O(size · p · k) for the errors.
 *
 * @example fitMultivariateReference({ size: 3, columns: new Map([['a', [1, 2, 3]], ['b', [2, 4, 7]]]) })
 */
export function fitMultivariateReference(
  rows: MultivariateRows,
  options: { readonly varianceShare?: number; readonly sampled?: boolean } = {},
): MultivariateProfile {
  const varianceShare = options.varianceShare ?? DEFAULT_MULTIVARIATE_OPTIONS.varianceShare;
  if (!(varianceShare > 0 && varianceShare < 1))
    throw new RangeError(`multivariate varianceShare must be in (0, 1), got ${varianceShare}`);
  const n = rows.size;
  const names: string[] = [];
  const values: ArrayLike<number>[] = [];
  const means: number[] = [];
  const scratch = new Float64Array(n); // each column's finite values in turn
  for (const [name, column] of rows.columns) {
    const finite = finiteValues(column, n, scratch);
    if (finite.length === 0) continue;
    names.push(name);
    values.push(column);
    means.push(pairwiseSum(finite) / finite.length);
  }
  if (names.length < 2)
    return notFitted(
      `fewer than two numerical features with values in the reference (${names.length === 1 ? `only "${names[0]}"` : 'none'})`,
    );
  if (n < 2) return notFitted(`fewer than two reference rows (${n})`);
  const p = names.length;
  // Standardised columns (imputed values are 0), their scales, and the covariance of the standardised rows.
  const z: Float64Array[] = [];
  const scales: number[] = [];
  for (let j = 0; j < p; j++) {
    const col = new Float64Array(n);
    const c = values[j];
    const mean = means[j];
    // Centred values and their sum of squares in one pass (the same sum, in the same order, as a second pass).
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = c[i];
      const d = Number.isFinite(x) ? x - mean : 0;
      col[i] = d;
      squares += d * d;
    }
    const std = Math.sqrt(squares / n);
    const scale = std > 0 ? std : 1;
    for (let i = 0; i < n; i++) col[i] /= scale;
    scales.push(scale);
    z.push(col);
  }
  const cross = crossProducts(z, n);
  const covariance: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let total = 0;
  for (let j = 0; j < p; j++) {
    for (let l = j; l < p; l++) {
      const v = cross[j * p + l] / n;
      covariance[j][l] = v;
      covariance[l][j] = v;
    }
    total += covariance[j][j];
  }
  if (!(total > 0)) return notFitted('every numerical feature is constant in the reference');
  const pca = principalComponents(covariance, { varianceShare });
  const components = pca.components.map((axis) => Array.from(axis));
  const residualAxes = pca.residualAxes.map((axis) => Array.from(axis));
  const errors = reconstructionErrors({ means, scales, components, residualAxes }, values, n);
  const m = moments(errors, 1);
  return {
    method: MULTIVARIATE_METHOD,
    columns: names,
    means,
    scales,
    varianceShare,
    explainedVarianceRatio: pca.explainedVarianceRatio,
    components,
    residualAxes,
    rowErrors: { rows: n, mean: m.mean, std: m.std },
    sampled: options.sampled ?? false,
  };
}

/**
 * The profile's multivariate model, or why there is none: a profile built before multivariate drift existed has
 * no `multivariate` key, and is told apart from one with fewer than two numerical features.
 */
export function multivariatePartOf(profile: ReferenceProfile): MultivariateProfile {
  if (profile.multivariate) return profile.multivariate;
  const numerical = profile.features.filter(
    (f) => f.type === 'numerical' && f.role === 'feature' && f.count > 0,
  ).length;
  return notFitted(
    numerical < 2
      ? `fewer than two numerical features with values in the reference (${numerical})`
      : 'the reference profile was built before multivariate drift: import the baseline again to fit it',
  );
}

/**
 * The thresholds for a mean over `rows` rows: referenceError ± m · σ / √rows, σ the fitted rows' error std
 * (docs/stattests.md: the spread of NannyML's reference chunks of `rows` rows, from the per-row moments). The
 * lower one is null when it is ≤ 0.
 */
export function multivariateThresholds(
  part: MultivariateReference,
  rows: number,
  stdMultiplier: number = DEFAULT_MULTIVARIATE_OPTIONS.stdMultiplier,
): { lower: number | null; upper: number } {
  if (!(Number.isInteger(rows) && rows >= 1))
    throw new RangeError(`multivariate thresholds: rows must be an integer ≥ 1, got ${rows}`);
  if (!(stdMultiplier >= 0)) throw new RangeError(`stdMultiplier must be ≥ 0, got ${stdMultiplier}`);
  const half = (stdMultiplier * part.rowErrors.std) / Math.sqrt(rows);
  const lower = part.rowErrors.mean - half;
  return { lower: lower > 0 ? lower : null, upper: part.rowErrors.mean + half };
}

/** Each row's reconstruction error under the reference's model (columns taken by name; absent = missing). */
export function multivariateRowErrors(part: MultivariateReference, rows: MultivariateRows): Float64Array {
  const missing = new Float64Array(rows.size).fill(Number.NaN);
  const columns = part.columns.map((name) => rows.columns.get(name) ?? missing);
  return reconstructionErrors(part, columns, rows.size);
}

/**
 * Multivariate drift of `rows` against the reference's model: the mean reconstruction error of the rows
 * (currentError) against referenceError ± m · σ / √K, K = rows.size; drift when currentError ≥ upper or ≤ lower
 * (NannyML's alert: not lower < value < upper). Skipped, with the reason, when the reference has no model
 * (fewer than two numerical features, an older profile) or there are no rows.
 *
 * @example multivariateDrift(multivariatePartOf(profile), rowsOfTable(current, profile)).drift
 */
export function multivariateDrift(
  part: MultivariateProfile,
  rows: MultivariateRows,
  options: { readonly stdMultiplier?: number } = {},
): MultivariateOutcome {
  if ('skipped' in part) return { method: MULTIVARIATE_METHOD, skipped: part.skipped };
  if (rows.size === 0) return { method: MULTIVARIATE_METHOD, skipped: 'no rows' };
  const errors = multivariateRowErrors(part, rows);
  const currentError = pairwiseSum(errors) / errors.length;
  const { lower, upper } = multivariateThresholds(part, rows.size, options.stdMultiplier);
  return {
    method: MULTIVARIATE_METHOD,
    components: part.components.length,
    referenceError: part.rowErrors.mean,
    currentError,
    lower,
    upper,
    drift: currentError >= upper || (lower !== null && currentError <= lower),
    rows: rows.size,
    ...(rows.population !== undefined && rows.population > rows.size ? { sampled: rows.size } : {}),
  };
}

/**
 * The numbers of one raw column, one per row (NaN for a missing value or one that is not a number); with `into`
 * (at least as long), written there and returned as a view of it.
 */
export function alignedNumbers(
  raw: ArrayLike<CellValue>,
  rowIndexes?: ArrayLike<number>,
  into?: Float64Array,
): Float64Array {
  const n = rowIndexes ? rowIndexes.length : raw.length;
  const out = into && into.length >= n ? into.subarray(0, n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = raw[rowIndexes ? rowIndexes[i] : i];
    out[i] = typeof v === 'number' ? v : isMissing(v) ? Number.NaN : parseNumber(v);
  }
  return out;
}

/** The rows of in-memory columns (a file read by `plumbline drift`), for the columns the model covers. */
export function rowsOfTable(
  data: Readonly<Record<string, readonly CellValue[]>>,
  part: MultivariateProfile,
): MultivariateRows {
  const names = 'skipped' in part ? [] : part.columns;
  const first = Object.values(data)[0];
  const columns = new Map<string, Float64Array>();
  for (const name of names) if (Object.hasOwn(data, name)) columns.set(name, alignedNumbers(data[name]));
  return { size: first?.length ?? 0, columns };
}

/**
 * The rows of a window's uniform sample (`mergeBuckets(schema, buckets).sample`): the sampled numerical columns
 * by name (`schema.numerical`), and the window's row count as the population.
 */
export function rowsOfWindowSample(
  numerical: readonly Pick<NumericalColumnSchema, 'name' | 'sampleIndex'>[],
  sample: Pick<RowSample, 'size' | 'seen' | 'columns'>,
): MultivariateRows {
  const columns = new Map<string, ArrayLike<number>>();
  for (const c of numerical) columns.set(c.name, sample.columns[c.sampleIndex]);
  return { size: sample.size, columns, population: sample.seen };
}

/** The finite values of column[0 … n − 1] in order, written into `into` (a view of it is returned). */
function finiteValues(column: ArrayLike<number>, n: number, into: Float64Array): Float64Array {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = column[i];
    if (Number.isFinite(x)) into[k++] = x;
  }
  return into.subarray(0, k);
}

/**
 * Σ_i a_j[i] · a_l[i] for every pair j ≤ l (row-major p × p, upper triangle), over blocks of rows that stay in
 * cache for all pairs (one pass over memory instead of p²/2).
 */
function crossProducts(columns: readonly Float64Array[], n: number): Float64Array {
  const p = columns.length;
  const out = new Float64Array(p * p);
  const BLOCK = 2048;
  for (let from = 0; from < n; from += BLOCK) {
    const to = Math.min(n, from + BLOCK);
    for (let j = 0; j < p; j++) {
      const a = columns[j];
      let l = j;
      // Four pairs per pass over the block (a[i] read once for all four); each pair's sum in the same order.
      for (; l + 3 < p; l += 4) {
        const b0 = columns[l];
        const b1 = columns[l + 1];
        const b2 = columns[l + 2];
        const b3 = columns[l + 3];
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = from; i < to; i++) {
          const x = a[i];
          s0 += x * b0[i];
          s1 += x * b1[i];
          s2 += x * b2[i];
          s3 += x * b3[i];
        }
        out[j * p + l] += s0;
        out[j * p + l + 1] += s1;
        out[j * p + l + 2] += s2;
        out[j * p + l + 3] += s3;
      }
      for (; l < p; l++) {
        const b = columns[l];
        let s = 0;
        for (let i = from; i < to; i++) s += a[i] * b[i];
        out[j * p + l] += s;
      }
    }
  }
  return out;
}
