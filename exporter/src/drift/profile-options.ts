import { UsageError } from '@plumbline/service-kit';
import { psiBinEdges } from '../stats/psi-bin-edges';
import type { FeatureType } from '../stattests/types';
import type { ColumnRole } from './profile-types';

/** How a reference profile is built; the same for the streaming and the in-memory builder. */
export interface ProfileOptions {
  /** PSI / Jensen–Shannon bins for numerical features. @default 10 */
  readonly bins?: number;
  /** Reference values kept per numerical feature for KS and Wasserstein. @default 50000 */
  readonly reservoirSize?: number;
  /** Distinct categories counted per column before the rest go to `__other__`. @default 1000 */
  readonly maxCategories?: number;
  /** Force a column's type (otherwise: numerical when every non-missing value parses as a number). */
  readonly columnTypes?: Readonly<Record<string, FeatureType>>;
  /** Which column holds the model output / the ground truth (profiled, reported apart from features). */
  readonly predictionColumn?: string;
  readonly labelColumn?: string;
  /** Seed for the reservoir sampler (column i uses seed + i; the multivariate fit's rows seed + columns). @default 24301 */
  readonly seed?: number;
  /**
   * Multivariate drift: share of the variance the kept principal components explain at least, in (0, 1). The fit
   * sees every row, or a uniform sample of `reservoirSize` rows beyond that (multivariate.ts). @default 0.65
   */
  readonly multivariateVarianceShare?: number;
}

export const DEFAULT_PROFILE_OPTIONS = {
  bins: 10,
  reservoirSize: 50000,
  maxCategories: 1000,
  seed: 24301,
  multivariateVarianceShare: 0.65,
} as const;

/** {@link ProfileOptions} with every default filled in, checked against the columns they are for. */
export interface ResolvedProfileOptions {
  readonly bins: number;
  readonly reservoirSize: number;
  readonly maxCategories: number;
  readonly seed: number;
  readonly multivariateVarianceShare: number;
  /** The type `columnTypes` forces on a column, if it forces one. */
  forcedType(column: string): FeatureType | undefined;
  /** What the column is to the model: `predictionColumn`, `labelColumn`, or a feature. */
  roleOf(column: string): ColumnRole;
}

/**
 * The one place the profile options get their defaults and are validated, before a builder reads any value:
 * bins as psiBinEdges accepts them (an integer ≥ 1), reservoirSize ≥ 1 (Infinity keeps every value),
 * multivariateVarianceShare in (0, 1), and `columnTypes` naming only known columns, each `numerical` or `categorical` (a UsageError, exit code 2,
 * naming the column otherwise).
 *
 * @example resolveProfileOptions(['age', 'plan'], { bins: 20 }).reservoirSize // 50000
 */
export function resolveProfileOptions(
  columns: readonly string[],
  options: ProfileOptions = {},
): ResolvedProfileOptions {
  const bins = options.bins ?? DEFAULT_PROFILE_OPTIONS.bins;
  const reservoirSize = options.reservoirSize ?? DEFAULT_PROFILE_OPTIONS.reservoirSize;
  psiBinEdges([0], bins); // throws on bad bins
  if (!(reservoirSize >= 1)) throw new RangeError(`reservoirSize must be ≥ 1, got ${reservoirSize}`);
  const multivariateVarianceShare =
    options.multivariateVarianceShare ?? DEFAULT_PROFILE_OPTIONS.multivariateVarianceShare;
  if (!(multivariateVarianceShare > 0 && multivariateVarianceShare < 1))
    throw new RangeError(`multivariateVarianceShare must be in (0, 1), got ${multivariateVarianceShare}`);
  const columnTypes = options.columnTypes ?? {};
  for (const [name, t] of Object.entries(columnTypes)) {
    if (!columns.includes(name)) throw new UsageError(`column type given for unknown column "${name}"`);
    if (t !== 'numerical' && t !== 'categorical')
      throw new UsageError(`column type for "${name}" must be numerical or categorical, got "${String(t)}"`);
  }
  return {
    bins,
    reservoirSize,
    maxCategories: options.maxCategories ?? DEFAULT_PROFILE_OPTIONS.maxCategories,
    seed: options.seed ?? DEFAULT_PROFILE_OPTIONS.seed,
    multivariateVarianceShare,
    // Own keys only: a column named "constructor" is not forced to Object.prototype.constructor.
    forcedType: (column) => (Object.hasOwn(columnTypes, column) ? columnTypes[column] : undefined),
    roleOf: (column) =>
      column === options.predictionColumn
        ? 'prediction'
        : column === options.labelColumn
          ? 'label'
          : 'feature',
  };
}
