/**
 * Synthetic classification data with a known P(y|x), for the label-free estimate's tests and its benchmark.
 *
 * x ∈ R^d, x_f ~ N(shift_f, 1) (Box–Muller on xoshiro128**). True P(y = j | x) = softmax(W x + b)_j with the
 * `truth` weights; the model reports softmax(temperature · (W x + b)) with the `model` weights (temperature > 1:
 * over-confident, so calibration is needed) and predicts its argmax. y is drawn from the true P(y|x). Covariate
 * shift moves x (shift); a change of P(y|x) uses other `truth` weights than the model's.
 */
import { createRandom, nextUint32, type RandomState } from '../../src/windows/buckets/random';

export interface LogisticModel {
  /** k × d weights. */
  readonly weights: number[][];
  /** k biases. */
  readonly bias: number[];
}

export interface LogisticData {
  /** Row-major n × k probabilities the model reports. */
  readonly probabilities: Float64Array;
  readonly predicted: Int32Array;
  readonly actual: Int32Array;
  /** Row-major n × d features. */
  readonly x: Float64Array;
  readonly rows: number;
}

export interface LogisticOptions {
  readonly rows: number;
  readonly seed: number;
  readonly model: LogisticModel;
  /** The real P(y|x); default the model's. */
  readonly truth?: LogisticModel;
  /** @default 1 */
  readonly temperature?: number;
  /** Mean of each feature. @default all 0 */
  readonly shift?: readonly number[];
}

const uniform = (r: RandomState): number => (nextUint32(r) + 0.5) / 4294967296;

function softmax(logits: Float64Array, t: number, out: Float64Array, offset: number): void {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, t * v);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) sum += out[offset + j] = Math.exp(t * logits[j] - max);
  for (let j = 0; j < logits.length; j++) out[offset + j] /= sum;
}

function logits(m: LogisticModel, x: Float64Array, xo: number, d: number, out: Float64Array): void {
  for (let j = 0; j < m.bias.length; j++) {
    let v = m.bias[j];
    for (let f = 0; f < d; f++) v += m.weights[j][f] * x[xo + f];
    out[j] = v;
  }
}

export function logisticData(o: LogisticOptions): LogisticData {
  const { rows: n, model } = o;
  const truth = o.truth ?? model;
  const k = model.bias.length;
  const d = model.weights[0].length;
  const r = createRandom(o.seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n * d; i += 2) {
    const u1 = uniform(r);
    const u2 = uniform(r);
    const rad = Math.sqrt(-2 * Math.log(u1));
    x[i] = rad * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n * d) x[i + 1] = rad * Math.sin(2 * Math.PI * u2);
  }
  if (o.shift) for (let i = 0; i < n * d; i++) x[i] += o.shift[i % d];
  const probabilities = new Float64Array(n * k);
  const predicted = new Int32Array(n);
  const actual = new Int32Array(n);
  const z = new Float64Array(k);
  const pt = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    logits(model, x, i * d, d, z);
    softmax(z, o.temperature ?? 1, probabilities, i * k);
    let best = 0;
    for (let j = 1; j < k; j++) if (probabilities[i * k + j] > probabilities[i * k + best]) best = j;
    predicted[i] = best;
    logits(truth, x, i * d, d, z);
    softmax(z, 1, pt, 0);
    let u = uniform(r);
    let y = k - 1;
    for (let j = 0; j < k; j++) {
      u -= pt[j];
      if (u < 0) {
        y = j;
        break;
      }
    }
    actual[i] = y;
  }
  return { probabilities, predicted, actual, x, rows: n };
}

/** A 5-class model on 3 features, and a binary one on 2. */
export const FIVE_CLASS: LogisticModel = {
  weights: [
    [1.2, 0, 0],
    [0, 1.2, 0],
    [0, 0, 1.2],
    [-0.8, -0.8, 0],
    [0, -0.8, -0.8],
  ],
  bias: [0, 0.2, -0.2, 0.1, 0],
};
export const BINARY: LogisticModel = {
  weights: [
    [0, 0],
    [1.5, -1],
  ],
  bias: [0, 0.3],
};
