import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** The principal axes kept for a share of the variance, and every axis's share. */
export interface PrincipalComponents {
  /** Unit-length principal axes (p values each), largest variance first; the first `k` of them. */
  readonly components: Float64Array[];
  /** The other p − k axes, largest variance first: with `components`, an orthonormal basis. */
  readonly residualAxes: Float64Array[];
  /** Every eigenvalue's share of the total variance, largest first (p values, negatives from rounding as 0). */
  readonly explainedVarianceRatio: number[];
}

/**
 * Principal components of a symmetric p × p covariance matrix, keeping as many as scikit-learn's
 * `PCA(n_components=varianceShare)` keeps: the eigenvalues λ₁ ≥ … ≥ λ_p of the matrix (eigenvalues below 0 from
 * rounding count as 0) give the ratios r_i = λ_i / Σλ, and k = 1 + #{ i : r₁ + … + r_i ≤ varianceShare } (numpy
 * `searchsorted(cumsum, share, side='right') + 1`), at most p: the smallest k whose cumulative share is strictly above
 * `varianceShare`. The eigenvectors come from ml-matrix's symmetric eigen-decomposition (Householder
 * tridiagonalisation + QL, JAMA's tred2 / tql2); an axis's sign is arbitrary and does not matter for projections.
 * Reference: Jolliffe (2002) "Principal Component Analysis", §2; scikit-learn `sklearn/decomposition/_pca.py`.
 * Throws a RangeError for a matrix that is not p × p (p ≥ 1), a varianceShare outside (0, 1), or zero total variance.
 * Cost: O(p³) time, O(p²) memory.
 *
 * @example principalComponents([[1, 0.9], [0.9, 1]], { varianceShare: 0.65 }).components.length // 1 (share 0.95)
 */
export function principalComponents(
  covariance: readonly (readonly number[])[],
  options: { readonly varianceShare: number },
): PrincipalComponents {
  const p = covariance.length;
  const share = options.varianceShare;
  if (p === 0 || covariance.some((row) => row.length !== p))
    throw new RangeError(`principalComponents: expected a square matrix, got ${p} rows`);
  if (!(share > 0 && share < 1))
    throw new RangeError(`principalComponents: varianceShare must be in (0, 1), got ${share}`);
  const evd = new EigenvalueDecomposition(new Matrix(covariance.map((row) => [...row])), {
    assumeSymmetric: true,
  });
  const vectors = evd.eigenvectorMatrix;
  const order = evd.realEigenvalues
    .map((value, index) => ({ value: Math.max(0, value), index }))
    .sort((a, b) => b.value - a.value || a.index - b.index);
  const total = order.reduce((s, e) => s + e.value, 0);
  if (!(total > 0)) throw new RangeError('principalComponents: the matrix has no variance');
  const explainedVarianceRatio = order.map((e) => e.value / total);
  let k = 1;
  let cumulative = 0;
  for (let i = 0; i < p - 1; i++) {
    cumulative += explainedVarianceRatio[i];
    if (cumulative <= share) k++;
    else break;
  }
  const axes = order.map((e) => Float64Array.from(vectors.getColumn(e.index)));
  return { components: axes.slice(0, k), residualAxes: axes.slice(k), explainedVarianceRatio };
}
