/**
 * Expected calibration error of a classifier's top-label confidence (Guo et al., "On Calibration of Modern Neural
 * Networks", ICML 2017, eq. 3), and the largest value a calibrated model would plausibly show on the same rows.
 *
 * ECE = Σ_b (n_b / n) · |acc_b − conf_b| over `bins` equal-width bins of the confidence c = max_j p_j (bin b holds
 * b/bins ≤ c < (b+1)/bins, the last also c = 1), where acc_b is the share of rows of bin b whose predicted class is
 * the actual one and conf_b their mean confidence.
 *
 * ECE is biased upwards on finite data (each bin's |acc − conf| is positive even for a perfectly calibrated model),
 * so "miscalibrated" is judged against {@link calibratedEceQuantile}: the `quantile` (default 0.95) of the ECE of
 * `resamples` (default 200) data sets whose labels are drawn from the model's own probabilities — the same rows, a
 * model calibrated by construction ("consistency resampling", Bröcker & Smith, Weather and Forecasting 22, 2007).
 * Each resample draws, per row, whether its predicted class is right (Bernoulli of its confidence) while
 * n · resamples ≤ {@link EXACT_RESAMPLING_DRAWS}; above that, per bin, the sum of those Bernoulli draws minus the
 * bin's confidence sum is drawn as N(0, Σ c(1 − c)) (its central-limit approximation: by then bins hold hundreds
 * of rows), which makes the quantile O(n + resamples·bins).
 * Cost: O(n·k) per ECE, O(min(resamples·n, n + resamples·bins)) for the quantile.
 *
 * @example expectedCalibrationError({ probabilities: [0.9, 0.1, 0.9, 0.1], classes: 2, predicted: [0, 0], actual: [0, 1] }) → 0.4
 */
import { createRandom, nextUint32 } from '../../windows/buckets/random';

export interface CalibrationRows {
  /** Row-major n × classes probabilities. */
  readonly probabilities: ArrayLike<number>;
  readonly classes: number;
  /** Predicted class index per row. */
  readonly predicted: ArrayLike<number>;
  /** Actual class index per row. */
  readonly actual: ArrayLike<number>;
}

/** Row draws above which the resampling switches to its per-bin normal approximation. @default 2_000_000 */
export const EXACT_RESAMPLING_DRAWS = 2_000_000;

/** Equal-width confidence bins. @default 10 */
export const DEFAULT_ECE_BINS = 10;

function confidences(rows: CalibrationRows): Float64Array {
  const { probabilities: p, classes: k, predicted } = rows;
  const n = predicted.length;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = p[i * k + predicted[i]];
  return c;
}

function eceOf(conf: Float64Array, correct: (i: number) => boolean, bins: number): number {
  const n = conf.length;
  const count = new Float64Array(bins);
  const hit = new Float64Array(bins);
  const sum = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor(conf[i] * bins));
    count[b]++;
    sum[b] += conf[i];
    if (correct(i)) hit[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(hit[b] - sum[b]) / n;
  return ece;
}

export function expectedCalibrationError(rows: CalibrationRows, bins = DEFAULT_ECE_BINS): number {
  if (rows.predicted.length === 0) throw new RangeError('expected calibration error needs at least one row');
  return eceOf(confidences(rows), (i) => rows.predicted[i] === rows.actual[i], bins);
}

export interface CalibratedEceOptions {
  /** @default 200 */
  readonly resamples?: number;
  /** @default 0.95 */
  readonly quantile?: number;
  /** @default DEFAULT_ECE_BINS */
  readonly bins?: number;
  /** Seed of the resampling (results are reproducible). @default 1 */
  readonly seed?: number;
}

export function calibratedEceQuantile(rows: CalibrationRows, options: CalibratedEceOptions = {}): number {
  const { resamples = 200, quantile = 0.95, bins = DEFAULT_ECE_BINS, seed = 1 } = options;
  const { probabilities: p, classes: k, predicted } = rows;
  const n = predicted.length;
  if (n === 0) throw new RangeError('expected calibration error needs at least one row');
  const conf = confidences(rows);
  const rng = createRandom(seed);
  const values = new Float64Array(resamples);
  const pick = (): number => values.sort()[Math.min(resamples - 1, Math.ceil(quantile * resamples) - 1)];
  if (n * resamples > EXACT_RESAMPLING_DRAWS) {
    const sd = new Float64Array(bins);
    for (let i = 0; i < n; i++) sd[Math.min(bins - 1, Math.floor(conf[i] * bins))] += conf[i] * (1 - conf[i]);
    for (let b = 0; b < bins; b++) sd[b] = Math.sqrt(sd[b]);
    const uniform = (): number => (nextUint32(rng) + 0.5) / 4294967296;
    for (let r = 0; r < resamples; r++) {
      let sum = 0;
      for (let b = 0; b < bins; b++) {
        // Box–Muller: one standard normal per bin.
        const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
        sum += Math.abs(z * sd[b]);
      }
      values[r] = sum / n;
    }
    return pick();
  }
  const correct = new Uint8Array(n);
  for (let r = 0; r < resamples; r++) {
    // The drawn label equals the predicted class with probability p[predicted]: only that matters to the ECE.
    for (let i = 0; i < n; i++) correct[i] = nextUint32(rng) / 4294967296 < p[i * k + predicted[i]] ? 1 : 0;
    values[r] = eceOf(conf, (i) => correct[i] === 1, bins);
  }
  return pick();
}
