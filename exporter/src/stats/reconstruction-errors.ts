/** What a row is standardised with and projected on (a fitted data-reconstruction model). */
export interface ReconstructionModel {
  /** Per column: the centre (the reference mean, also the value a missing one is imputed with). */
  readonly means: ArrayLike<number>;
  /** Per column: the scale (the reference's standard deviation; 1 where it was 0). */
  readonly scales: ArrayLike<number>;
  /** k unit-length, mutually orthogonal principal axes of p values each. */
  readonly components: readonly ArrayLike<number>[];
  /**
   * Optional: the other p − k axes, completing an orthonormal basis. Then ‖z − ẑ‖² = Σ (v · z)² over them, which
   * costs p · (p − k) per row instead of 2 · p · k: used when that is less.
   */
  readonly residualAxes?: readonly ArrayLike<number>[];
}

/**
 * Each row's data-reconstruction error (NannyML's `DataReconstructionDriftCalculator`): the row is standardised,
 * z_j = (x_j − mean_j) / scale_j, with a missing or non-finite x_j imputed by the mean (z_j = 0); projected on the
 * principal axes and back, ẑ = Wᵀ W z (W: the k × p axes); its error is the Euclidean distance ‖z − ẑ‖₂ — computed
 * as √(Σ (v · z)²) over the residual axes v when the model has them and that is cheaper (the same number: z − ẑ
 * is z's projection on the residual axes; both forms are sums without cancellation).
 * `columns[j][i]` is the value of column j in row i (column-major, as a window's row sample holds it); rows
 * 0 … size − 1 are read. Throws a RangeError when columns, means, scales and the axes disagree in length.
 * Reference: NannyML, `nannyml/drift/multivariate/data_reconstruction/calculator.py` (`_calculate_dre_results`);
 * docs/stattests.md "Multivariate drift: data reconstruction".
 * Cost: O(size · p · min(2k, p − k)) time, O(size + p²) memory.
 *
 * @example reconstructionErrors({ means: [0, 0], scales: [1, 1], components: [[Math.SQRT1_2, Math.SQRT1_2]] },
 *   [Float64Array.of(1), Float64Array.of(-1)], 1) // Float64Array [1.414…]: (1, −1) is orthogonal to the axis
 */
export function reconstructionErrors(
  model: ReconstructionModel,
  columns: readonly ArrayLike<number>[],
  size: number,
): Float64Array {
  const p = columns.length;
  if (model.means.length !== p || model.scales.length !== p || model.components.some((w) => w.length !== p))
    throw new RangeError(`reconstructionErrors: ${p} columns, but a model for ${model.means.length}`);
  for (const c of columns)
    if (c.length < size)
      throw new RangeError(`reconstructionErrors: a column has ${c.length} < ${size} rows`);
  const kept = model.components.length;
  const residual = model.residualAxes;
  if (residual && (residual.length !== p - kept || residual.some((v) => v.length !== p)))
    throw new RangeError(
      `reconstructionErrors: ${residual.length} residual axes, expected ${p - kept} of ${p}`,
    );
  const viaResidual = residual !== undefined && p - kept < 2 * kept;
  const axes = viaResidual ? residual : model.components;
  const k = axes.length;
  // The axes as one row-major k × p array, and a row's z and projection as reused scratch.
  const w = new Float64Array(k * p);
  axes.forEach((axis, c) => {
    for (let j = 0; j < p; j++) w[c * p + j] = axis[j];
  });
  const means = Float64Array.from(model.means);
  const scales = Float64Array.from(model.scales);
  const z = new Float64Array(p);
  const t = new Float64Array(k);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < p; j++) {
      const x = columns[j][i];
      z[j] = Number.isFinite(x) ? (x - means[j]) / scales[j] : 0;
    }
    // Four axes per pass over z (z[j] read once for all four); each coordinate's sum in the same order.
    let c = 0;
    for (; c + 3 < k; c += 4) {
      const w0 = c * p;
      const w1 = w0 + p;
      const w2 = w1 + p;
      const w3 = w2 + p;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < p; j++) {
        const zj = z[j];
        s0 += w[w0 + j] * zj;
        s1 += w[w1 + j] * zj;
        s2 += w[w2 + j] * zj;
        s3 += w[w3 + j] * zj;
      }
      t[c] = s0;
      t[c + 1] = s1;
      t[c + 2] = s2;
      t[c + 3] = s3;
    }
    for (; c < k; c++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += w[c * p + j] * z[j];
      t[c] = s;
    }
    if (viaResidual) {
      let sq = 0;
      for (let c = 0; c < k; c++) sq += t[c] * t[c];
      out[i] = Math.sqrt(sq);
      continue;
    }
    let sq = 0;
    for (let j = 0; j < p; j++) {
      let back = 0;
      for (let c = 0; c < k; c++) back += w[c * p + j] * t[c];
      const r = z[j] - back;
      sq += r * r;
    }
    out[i] = Math.sqrt(sq);
  }
  return out;
}
