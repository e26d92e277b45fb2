import { uniformInt, type RandomState } from './random';

/**
 * A uniform random sample of the rows folded so far, at most `capacity` of them (Algorithm R: Waterman, in Knuth,
 * TAOCP vol. 2, §3.4.2; Vitter 1985): the first `capacity` rows are kept, then the i-th row takes a uniformly
 * chosen slot with probability capacity / i. At every moment the held rows are a simple random sample of size
 * min(capacity, seen) of the `seen` rows, so folding can stop and go on (after a checkpoint, after a merge).
 *
 * Each held row keeps every numerical column of the schema (Float64; NaN for missing and mismatched values, in
 * schema.numerical order) and the prediction: class label, value and confidence (null / NaN when absent).
 * Columns grow by doubling up to `capacity`, so a quiet bucket stays small.
 * Cost: O(1) per row (one uniform draw past the first `capacity` rows), O(capacity · (columns + 2) · 8) bytes.
 */
export interface RowSample {
  readonly capacity: number;
  /** Rows offered (the population the sample is drawn from). */
  seen: number;
  /** Rows held: min(capacity, seen). */
  size: number;
  columns: Float64Array[];
  labels: (string | null)[];
  values: Float64Array;
  confidences: Float64Array;
}

export function createRowSample(capacity: number, numericalColumns: number, initial = 64): RowSample {
  if (!(Number.isInteger(capacity) && capacity >= 1))
    throw new RangeError(`sample capacity must be an integer ≥ 1, got ${capacity}`);
  const room = Math.min(capacity, initial);
  return {
    capacity,
    seen: 0,
    size: 0,
    columns: Array.from({ length: numericalColumns }, () => new Float64Array(room)),
    labels: [],
    values: new Float64Array(room),
    confidences: new Float64Array(room),
  };
}

/**
 * Offers one row: returns the slot its values go to (then write them with {@link writeRow}), or −1 when it is not
 * sampled. The caller folds the row's values either way.
 */
export function offerRow(s: RowSample, rng: RandomState): number {
  s.seen++;
  if (s.seen <= s.capacity) {
    ensureRoom(s, s.seen);
    s.size = s.seen;
    return s.seen - 1;
  }
  const j = uniformInt(rng, s.seen);
  return j < s.capacity ? j : -1;
}

/** Writes the prediction of the row in `slot` (the numerical values go straight into `columns[c][slot]`). */
export function writePrediction(
  s: RowSample,
  slot: number,
  label: string | null,
  value: number | null,
  confidence: number | null,
): void {
  s.labels[slot] = label;
  s.values[slot] = value ?? Number.NaN;
  s.confidences[slot] = confidence ?? Number.NaN;
}

/** Makes the columns at least `n` long (doubling, at most capacity). */
export function ensureRoom(s: RowSample, n: number): void {
  if (s.values.length >= n) return;
  const room = Math.min(s.capacity, Math.max(n, s.values.length * 2));
  const grow = (a: Float64Array): Float64Array => {
    const b = new Float64Array(room);
    b.set(a);
    return b;
  };
  s.columns = s.columns.map(grow);
  s.values = grow(s.values);
  s.confidences = grow(s.confidences);
}

export function copyRowSample(s: RowSample): RowSample {
  return {
    ...s,
    columns: s.columns.map((c) => c.slice()),
    labels: [...s.labels],
    values: s.values.slice(),
    confidences: s.confidences.slice(),
  };
}
