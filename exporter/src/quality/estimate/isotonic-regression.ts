/**
 * Isotonic (monotone non-decreasing) least-squares regression of y on x, by pool-adjacent-violators.
 *
 * Definition: the non-decreasing step function f minimising Σ w_i (y_i − f(x_i))² (Barlow et al., "Statistical
 * Inference under Order Restrictions", 1972; scikit-learn's `IsotonicRegression`). Equal x are pooled first (their
 * weighted mean y), then adjacent blocks that violate the order are merged into their weighted mean until none do.
 * {@link isotonicPredict} interpolates linearly between the fitted points and clips outside [min x, max x]
 * (scikit-learn's `out_of_bounds='clip'`).
 * Cost: O(n log n) to fit (the sort), O(1) on average per prediction (a grid over the fitted points' range).
 *
 * @example isotonicPredict(isotonicFit([0.1, 0.2, 0.3], [0, 1, 0]), 0.25) → 0.5 (0.2 and 0.3 pool to 0.5)
 */
export interface IsotonicFit {
  /** Increasing x of the fitted points (the first and last x of each pooled block). */
  readonly x: Float64Array;
  /** Fitted value at each x, non-decreasing. */
  readonly y: Float64Array;
  /** Lookup grid (internal): the first point to try for each of the equal cells over [x[0], x[m − 1]]. */
  readonly start: Uint32Array;
  readonly width: number;
}

/** A fit from its fitted points (e.g. read back from JSON): x increasing, y non-decreasing. */
export function isotonicFromPoints(x: Float64Array, y: Float64Array): IsotonicFit {
  if (x.length !== y.length || x.length === 0)
    throw new RangeError('an isotonic fit needs as many y as x, at least one');
  for (let i = 1; i < x.length; i++)
    if (!(x[i] > x[i - 1]) || !(y[i] >= y[i - 1]))
      throw new RangeError(`isotonic fit point ${i}: x must increase and y must not decrease`);
  return withIndex(x, y);
}

export function isotonicFit(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
): IsotonicFit {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`x and y differ in length (${n} vs ${y.length})`);
  if (weights && weights.length !== n) throw new RangeError('weights must have the length of x');
  if (n === 0) throw new RangeError('isotonic regression needs at least one point');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) throw new RangeError(`point ${i} is not finite`);
    if (weights && !(weights[i] >= 0)) throw new RangeError(`weight ${i} is negative`);
    order[i] = i;
  }
  order.sort((a, b) => x[a] - x[b]);
  const sx = new Float64Array(n);
  const sy = new Float64Array(n);
  const sw = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    sx[r] = x[order[r]];
    sy[r] = y[order[r]];
    sw[r] = weights ? weights[order[r]] : 1;
  }
  return isotonicFitSorted(sx, sy, sw);
}

/**
 * {@link isotonicFit} on points already sorted by x (ascending), with their weights: the pool-adjacent-violators
 * pass alone, O(n). Callers that can sort faster than by an index comparator (calibration.ts) use it directly.
 */
export function isotonicFitSorted(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights: ArrayLike<number>,
): IsotonicFit {
  const n = x.length;
  if (n === 0) throw new RangeError('isotonic regression needs at least one point');
  // Blocks on a stack: weighted mean, weight, first and last x.
  const mean = new Float64Array(n);
  const weight = new Float64Array(n);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  let top = -1;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (top >= 0 && x[i] === hi[top]) {
      // The same x as the block's last one: pool it there.
      const tw = weight[top] + w;
      mean[top] = tw > 0 ? (mean[top] * weight[top] + y[i] * w) / tw : mean[top];
      weight[top] = tw;
    } else {
      top++;
      mean[top] = y[i];
      weight[top] = w;
      lo[top] = hi[top] = x[i];
    }
    while (top > 0 && mean[top - 1] >= mean[top]) {
      const tw = weight[top - 1] + weight[top];
      mean[top - 1] = tw > 0 ? (mean[top - 1] * weight[top - 1] + mean[top] * weight[top]) / tw : mean[top];
      weight[top - 1] = tw;
      hi[top - 1] = hi[top];
      top--;
    }
  }
  const px: number[] = [];
  const py: number[] = [];
  for (let b = 0; b <= top; b++) {
    px.push(lo[b]);
    py.push(mean[b]);
    if (hi[b] !== lo[b]) {
      px.push(hi[b]);
      py.push(mean[b]);
    }
  }
  return withIndex(Float64Array.from(px), Float64Array.from(py));
}

/** Cells of the lookup grid over [x[0], x[m − 1]] that point each prediction near its segment. @default 1024 */
const GRID_CELLS = 1024;

/**
 * Adds the lookup grid: `start[c]` is the last fitted point at or before cell c's left edge, so a prediction walks
 * from there (O(1) on average instead of a binary search).
 */
function withIndex(x: Float64Array, y: Float64Array): IsotonicFit {
  const m = x.length;
  const cells = m > 2 ? GRID_CELLS : 1;
  const width = (x[m - 1] - x[0]) / cells;
  const start = new Uint32Array(cells);
  let a = 0;
  for (let c = 0; c < cells; c++) {
    const edge = x[0] + c * width;
    while (a + 1 < m && x[a + 1] <= edge) a++;
    start[c] = a;
  }
  return { x, y, start, width };
}

/** The fitted function at v: linear between fitted points, clipped to the first and last value outside them. */
export function isotonicPredict(fit: IsotonicFit, v: number): number {
  const { x, y, start, width } = fit;
  const m = x.length;
  if (v <= x[0]) return y[0];
  if (v >= x[m - 1]) return y[m - 1];
  let a = start[Math.min(start.length - 1, Math.floor((v - x[0]) / width))];
  while (a > 0 && x[a] > v) a--; // floating-point edge of a cell
  while (x[a + 1] <= v) a++;
  const b = a + 1;
  return y[a] + ((y[b] - y[a]) * (v - x[a])) / (x[b] - x[a]);
}
