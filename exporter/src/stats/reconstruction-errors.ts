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
 * Cost: O(size · p · min(2k, p − k)) time, O(size + p²) memory (and a block of 256 rows' z).
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
  // Rows a block at a time: each column's values of the block standardised in one pass down the column (into a
  // row-major block, z of row r at r · p), then each row projected. The same operations on the same numbers in
  // the same order as row by row, so the same errors bit for bit; the columns are read as streams, and the loops
  // are small functions of their own (optimised whole).
  const zb = new Float64Array(BLOCK_ROWS * p);
  const t = new Float64Array(k);
  const out = new Float64Array(size);
  for (let from = 0; from < size; from += BLOCK_ROWS) {
    const to = Math.min(size, from + BLOCK_ROWS);
    for (let j = 0; j < p; j++) standardise(columns[j], from, to, means[j], scales[j], zb, j, p);
    if (viaResidual) residualErrors(zb, to - from, w, k, p, out, from);
    else reconstructedErrors(zb, to - from, w, k, p, t, out, from);
  }
  return out;
}

const BLOCK_ROWS = 256;

/** zb[(i − from) · p + j] := column[i] standardised, 0 for a missing or non-finite value. */
function standardise(
  column: ArrayLike<number>,
  from: number,
  to: number,
  mean: number,
  scale: number,
  zb: Float64Array,
  j: number,
  p: number,
): void {
  for (let i = from, r = j; i < to; i++, r += p) {
    const x = column[i];
    zb[r] = Number.isFinite(x) ? (x - mean) / scale : 0;
  }
}

/** out[at + r] := √(Σ_c (v_c · z_r)²) over the k residual axes in w (row-major k × p). */
function residualErrors(
  zb: Float64Array,
  rows: number,
  w: Float64Array,
  k: number,
  p: number,
  out: Float64Array,
  at: number,
): void {
  for (let r = 0, base = 0; r < rows; r++, base += p) {
    let sq = 0;
    for (let c = 0, wc = 0; c < k; c++, wc += p) {
      let s = 0;
      for (let j = 0; j < p; j++) s += w[wc + j] * zb[base + j];
      sq += s * s;
    }
    out[at + r] = Math.sqrt(sq);
  }
}

/** out[at + r] := ‖z_r − Wᵀ W z_r‖ over the k principal axes in w (row-major k × p); t: k values of scratch. */
function reconstructedErrors(
  zb: Float64Array,
  rows: number,
  w: Float64Array,
  k: number,
  p: number,
  t: Float64Array,
  out: Float64Array,
  at: number,
): void {
  for (let r = 0, base = 0; r < rows; r++, base += p) {
    for (let c = 0, wc = 0; c < k; c++, wc += p) {
      let s = 0;
      for (let j = 0; j < p; j++) s += w[wc + j] * zb[base + j];
      t[c] = s;
    }
    let sq = 0;
    for (let j = 0; j < p; j++) {
      let back = 0;
      for (let c = 0; c < k; c++) back += w[c * p + j] * t[c];
      const d = zb[base + j] - back;
      sq += d * d;
    }
    out[at + r] = Math.sqrt(sq);
  }
}
