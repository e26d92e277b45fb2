/**
 * Isotonic (monotone non-decreasing) least-squares regression of y on x, by pool-adjacent-violators.
 *
 * Definition: the non-decreasing step function f minimising Σ w_i (y_i − f(x_i))² (Barlow et al., "Statistical
 * Inference under Order Restrictions", 1972; scikit-learn's `IsotonicRegression`). Equal x are pooled first (their
 * weighted mean y), then adjacent blocks that violate the order are merged into their weighted mean until none do.
 * {@link isotonicPredict} interpolates linearly between the fitted points and clips outside [min x, max x]
 * (scikit-learn's `out_of_bounds='clip'`).
 * Cost: O(n log n) to fit (the sort), O(log m) per prediction for m fitted points.
 *
 * @example isotonicPredict(isotonicFit([0.1, 0.2, 0.3], [0, 1, 0]), 0.25) → 0.5 (0.2 and 0.3 pool to 0.5)
 */
export interface IsotonicFit {
  /** Increasing x of the fitted points (the first and last x of each pooled block). */
  readonly x: Float64Array;
  /** Fitted value at each x, non-decreasing. */
  readonly y: Float64Array;
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
    order[i] = i;
  }
  order.sort((a, b) => x[a] - x[b]);
  // Blocks on a stack: weighted mean, weight, first and last x.
  const mean = new Float64Array(n);
  const weight = new Float64Array(n);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  let top = -1;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    const w = weights ? weights[i] : 1;
    if (!(w >= 0)) throw new RangeError(`weight ${i} is negative`);
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
  return { x: Float64Array.from(px), y: Float64Array.from(py) };
}

/** The fitted function at v: linear between fitted points, clipped to the first and last value outside them. */
export function isotonicPredict(fit: IsotonicFit, v: number): number {
  const { x, y } = fit;
  const m = x.length;
  if (v <= x[0]) return y[0];
  if (v >= x[m - 1]) return y[m - 1];
  let a = 0;
  let b = m - 1;
  while (b - a > 1) {
    const mid = (a + b) >>> 1;
    if (x[mid] <= v) a = mid;
    else b = mid;
  }
  return y[a] + ((y[b] - y[a]) * (v - x[a])) / (x[b] - x[a]);
}
