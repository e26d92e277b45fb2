import { categoricalColumn, numericColumn, type CellValue, type NumericColumn } from '../stats/missing';
import { alignedNumbers } from './multivariate';
import { defaultNumericPool, type NumericPool } from './numeric-pool';
import type { MultivariateFitTask, ProfileColumnResult, ProfileColumnTask } from './numeric-tasks';
import { resolveProfileOptions, type ProfileOptions } from './profile-options';
import {
  OTHER_CATEGORY,
  type FeatureProfile,
  type MultivariateProfile,
  type NumericalFeatureProfile,
  type ReferenceProfile,
} from './profile-types';
import { reservoirRowIndexes } from './row-reservoir';
import { withSample } from './sorted-sample';

export interface InMemoryProfileOptions extends ProfileOptions {
  /** The drift worker pool that profiles the numerical columns (numeric-pool.ts). @default defaultNumericPool() */
  readonly pool?: NumericPool;
}

/**
 * The in-memory builder (`plumbline drift`, a production-baseline capture, the library): the reference profile of
 * in-memory columns (equal lengths), e.g. training data or a time range of logged production data, one column at a
 * time. Types are inferred (numerical when every non-missing value parses as a number) unless forced. Everything
 * but the KS / Wasserstein sample is exact here, whatever the row count: PSI edges are the deciles of every value,
 * bin counts and summary quantiles too; the sample holds at most `reservoirSize` values (all of them when the
 * column is no longer). The multivariate-drift model is fitted on every row up to `reservoirSize`, on the streaming
 * builder's uniform row sample beyond (multivariate.ts). Options as for the streaming builder (profile-options.ts).
 *
 * @example buildReferenceProfile({ age: [31, 45, null], plan: ['a', 'b', 'a'] })
 */
export function buildReferenceProfile(
  columns: Readonly<Record<string, readonly CellValue[]>>,
  options: InMemoryProfileOptions = {},
): ReferenceProfile {
  const names = Object.keys(columns);
  const rows = names.length ? columns[names[0]].length : 0;
  for (const n of names) {
    if (columns[n].length !== rows) {
      throw new RangeError(
        `buildReferenceProfile: column "${n}" has ${columns[n].length} values, expected ${rows}`,
      );
    }
  }
  const { bins, reservoirSize, maxCategories, seed, forcedType, roleOf, multivariateVarianceShare } =
    resolveProfileOptions(names, options);
  // Type inference and the numbers of each numerical column, into shared memory, here; then the multivariate fit
  // (on every row, or on the rows a RowReservoir with the streaming builder's seed keeps: the rows baseline import
  // fits on) and the numeric work of each column (reservoir, sort, deciles, bins, summary) are handed to the drift
  // worker pool, the fit first (a worker starts on it at once: it is the biggest task), and this thread then counts
  // the categorical columns and joins in (numeric-pool.ts). The result does not depend on which thread ran what.
  const features = new Array<FeatureProfile>(names.length);
  const pool = options.pool ?? defaultNumericPool();
  const job = pool.startJob<ProfileColumnTask | MultivariateFitTask>(names.length + 1, rows * names.length);
  const numericColumns: { index: number; column: NumericColumn }[] = [];
  const categoricalIndexes: number[] = [];
  const rowIndexes = reservoirRowIndexes(rows, reservoirSize, seed + names.length);
  const fitRows = rowIndexes ? rowIndexes.length : rows;
  const fitNames: string[] = [];
  const fitColumns: Float64Array[] = [];
  let spare: Float64Array | null = null; // the buffer a column that turned out categorical did not keep
  names.forEach((name, index) => {
    const forced = forcedType(name);
    const buffer: Float64Array = spare ?? new Float64Array(new SharedArrayBuffer(rows * 8));
    spare = null;
    // Unless forced numerical, the first value that is not a number makes the column categorical: stop there.
    const numeric =
      forced === 'categorical'
        ? null
        : numericColumn(columns[name], { stopAtInvalid: forced !== 'numerical', into: buffer });
    const isNumerical =
      forced === 'numerical' || (numeric !== null && numeric.invalid === 0 && numeric.values.length > 0);
    if (!isNumerical || numeric === null) {
      spare = buffer;
      categoricalIndexes.push(index);
      return;
    }
    numericColumns.push({ index, column: numeric });
    if (roleOf(name) === 'feature' && numeric.values.length > 0) {
      // The fit's rows in row order (NaN where missing), before the column task sorts the numbers in place: with
      // nothing missing and every row fitted, they are those numbers.
      const aligned = new Float64Array(new SharedArrayBuffer(fitRows * 8));
      if (rowIndexes === null && numeric.values.length === rows) aligned.set(numeric.values);
      else alignedNumbers(columns[name], rowIndexes ?? undefined, aligned);
      fitNames.push(name);
      fitColumns.push(aligned);
    }
  });
  job.add({
    kind: 'multivariate-fit',
    size: fitRows,
    names: fitNames,
    columns: fitColumns,
    varianceShare: multivariateVarianceShare,
    sampled: rowIndexes !== null,
  });
  numericColumns.forEach(({ index, column }) =>
    job.add({
      kind: 'profile',
      values: column.values,
      missing: column.missing,
      bins,
      reservoirSize,
      seed: seed + index,
    }),
  );
  for (const index of categoricalIndexes) {
    const name = names[index];
    const col = categoricalColumn(columns[name]);
    const categories: Record<string, number> = {};
    let kept = 0;
    let other = 0;
    for (const [c, k] of col.counts) {
      if (kept < maxCategories) {
        categories[c] = k;
        kept++;
      } else other += k;
    }
    if (other > 0) categories[OTHER_CATEGORY] = (categories[OTHER_CATEGORY] ?? 0) + other;
    features[index] = {
      name,
      type: 'categorical',
      role: roleOf(name),
      count: col.n,
      missing: col.missing,
      categories,
    };
  }
  const [fitted, ...profiled] = job.finish();
  const multivariate = fitted as MultivariateProfile;
  profiled.forEach((result, k) => {
    const r = result as ProfileColumnResult;
    const { index, column } = numericColumns[k];
    const n = column.values.length;
    const feature: NumericalFeatureProfile = {
      name: names[index],
      type: 'numerical',
      role: roleOf(names[index]),
      count: n,
      missing: column.missing,
      invalid: column.invalid,
      summary: r.summary,
      binEdges: r.binEdges,
      binCounts: r.binCounts,
      sample: [], // made from the Float64Array on first read (withSample)
      sampleComplete: n <= reservoirSize,
    };
    // column.values: sorted in place by the task, in whichever thread ran it (shared memory).
    features[index] = withSample(feature, r.sample ?? column.values);
  });
  return {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    rows,
    bins,
    reservoirSize,
    features,
    multivariate,
  };
}
