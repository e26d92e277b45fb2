import { UsageError } from '@plumbline/service-kit';
import { DDSketch } from '@datadog/sketches-js';
import { binCounts } from '../stats/bin-counts';
import {
  categoricalColumn,
  isMissing,
  numericColumn,
  parseNumber,
  trim,
  type CellValue,
  type NumericColumn,
} from '../stats/missing';
import { psiBinEdges } from '../stats/psi-bin-edges';
import { quantileSorted } from '../stats/quantile-sorted';
import type { FeatureType } from '../stattests/types';
import { SUMMARY_QUANTILES } from './numeric-summary';
import { startNumericJob } from './numeric-pool';
import type { ProfileColumnTask } from './numeric-tasks';
import { Reservoir } from './reservoir';
import { withSample } from './sorted-sample';
import {
  OTHER_CATEGORY,
  type ColumnRole,
  type FeatureProfile,
  type NumericalFeatureProfile,
  type NumericSummary,
  type ReferenceProfile,
} from './profile-types';

export { SUMMARY_QUANTILES };

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
  /** Seed for the reservoir sampler. @default 24301 */
  readonly seed?: number;
}

export const DEFAULT_PROFILE_OPTIONS = {
  bins: 10,
  reservoirSize: 50000,
  maxCategories: 1000,
  seed: 24301,
} as const;

class ColumnAccumulator {
  missing = 0;
  present = 0;
  nonNumeric = 0;
  // numeric side (Welford)
  n = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  readonly sketch = new DDSketch({ relativeAccuracy: 0.005 });
  readonly reservoir: Reservoir;
  // categorical side
  readonly categories = new Map<string, number>();
  readonly numberCategories = new Map<number, number>();
  otherCategory = 0;
  /**
   * Set when a column whose values all parsed as numbers so far met more distinct values than maxCategories: from
   * then on no value is counted as a category (a hash lookup per value, for a column that is almost surely
   * numerical). Should the column end up categorical after all, pass 2 counts its categories again.
   */
  uncounted = false;

  /** Category counts with number keys merged in as strings, and the overflow under OTHER_CATEGORY. */
  categoryCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.numberCategories) out[String(k)] = (out[String(k)] ?? 0) + n;
    for (const [k, n] of this.categories) out[k] = (out[k] ?? 0) + n;
    if (this.otherCategory > 0) out[OTHER_CATEGORY] = (out[OTHER_CATEGORY] ?? 0) + this.otherCategory;
    return out;
  }
  // second pass
  edges: number[] = [];
  counts: number[] = [];

  constructor(
    readonly name: string,
    reservoirSize: number,
    seed: number,
    private readonly maxCategories: number,
    /** Known to be categorical (forced, or in pass 2): every value is counted as a category. */
    public categorical: boolean,
  ) {
    this.reservoir = new Reservoir(reservoirSize, seed);
  }

  /** Counts one present value as a category (first maxCategories distinct values, the rest as other). */
  countCategory(v: number | string | boolean): void {
    if (this.uncounted) return;
    if (typeof v === 'number') {
      // Numbers are counted under number keys (no string conversion per value); merged as strings in build().
      const seenNum = this.numberCategories.get(v);
      if (seenNum !== undefined) this.numberCategories.set(v, seenNum + 1);
      else if (this.numberCategories.size + this.categories.size < this.maxCategories)
        this.numberCategories.set(v, 1);
      else this.overflow();
    } else {
      const key = typeof v === 'string' ? trim(v) : String(v);
      const seen = this.categories.get(key);
      if (seen !== undefined) this.categories.set(key, seen + 1);
      else if (this.numberCategories.size + this.categories.size < this.maxCategories)
        this.categories.set(key, 1);
      else this.overflow();
    }
  }

  /** A new distinct value with every category slot taken. */
  private overflow(): void {
    if (this.nonNumeric === 0 && !this.categorical) this.uncounted = true;
    else this.otherCategory++;
  }

  /** Pass 2 of a column that turned out categorical after its counting stopped: count every value again. */
  recountCategories(): void {
    this.categories.clear();
    this.numberCategories.clear();
    this.otherCategory = 0;
    this.uncounted = false;
    this.categorical = true;
  }

  add(v: CellValue): void {
    if (isMissing(v)) {
      this.missing++;
      return;
    }
    this.present++;
    this.countCategory(v as number | string | boolean);
    const x = typeof v === 'boolean' ? Number.NaN : parseNumber(v);
    if (Number.isNaN(x)) {
      this.nonNumeric++;
      return;
    }
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (Number.isFinite(x)) this.sketch.accept(x);
    this.reservoir.add(x);
  }
}

/**
 * Builds a {@link ReferenceProfile} from rows streamed in, in memory independent of the number of rows:
 * pass 1 (`addRow`) counts, sums, sketches, samples and counts categories; if a numerical column has more values
 * than the reservoir holds, its PSI edges come from the sample's quantiles and a pass 2 (`binRow` over the same
 * rows, after `needsBinningPass()`) counts every value into those bins. `build()` returns the profile.
 */
export class ReferenceProfileBuilder {
  private readonly acc: ColumnAccumulator[];
  private rows = 0;
  private phase: 'collect' | 'bin' | 'done' = 'collect';
  private types: FeatureType[] = [];
  /** Categorical columns whose categories pass 2 counts again (see ColumnAccumulator.uncounted). */
  private readonly recount: number[] = [];
  private binned = 0;
  private readonly opts: Required<Omit<ProfileOptions, 'columnTypes' | 'predictionColumn' | 'labelColumn'>>;

  constructor(
    readonly columns: readonly string[],
    private readonly options: ProfileOptions = {},
  ) {
    this.opts = {
      bins: options.bins ?? DEFAULT_PROFILE_OPTIONS.bins,
      reservoirSize: options.reservoirSize ?? DEFAULT_PROFILE_OPTIONS.reservoirSize,
      maxCategories: options.maxCategories ?? DEFAULT_PROFILE_OPTIONS.maxCategories,
      seed: options.seed ?? DEFAULT_PROFILE_OPTIONS.seed,
    };
    psiBinEdges([0], this.opts.bins); // validates bins early
    for (const [name, t] of Object.entries(options.columnTypes ?? {})) {
      if (!columns.includes(name)) throw new UsageError(`column type given for unknown column "${name}"`);
      if (t !== 'numerical' && t !== 'categorical') {
        throw new UsageError(
          `column type for "${name}" must be numerical or categorical, got "${String(t)}"`,
        );
      }
    }
    this.acc = columns.map(
      (c, i) =>
        new ColumnAccumulator(
          c,
          this.opts.reservoirSize,
          this.opts.seed + i,
          this.opts.maxCategories,
          options.columnTypes?.[c] === 'categorical',
        ),
    );
  }

  /** Pass 1: one row, values in `columns` order. */
  addRow(values: readonly CellValue[]): void {
    if (this.phase !== 'collect') throw new Error('addRow after the collection pass ended');
    this.rows++;
    for (let i = 0; i < this.acc.length; i++) this.acc[i].add(values[i]);
  }

  private decideTypes(): void {
    this.types = this.acc.map((a) => {
      const forced = this.options.columnTypes?.[a.name];
      if (forced) return forced;
      return a.present > 0 && a.nonNumeric === 0 ? 'numerical' : 'categorical';
    });
    for (let i = 0; i < this.acc.length; i++) {
      const a = this.acc[i];
      if (this.types[i] === 'categorical' && a.uncounted) {
        a.recountCategories();
        this.recount.push(i);
      }
      if (this.types[i] !== 'numerical' || a.n === 0) continue;
      a.edges = psiBinEdges(a.reservoir.sorted(), this.opts.bins);
      a.counts = new Array<number>(a.edges.length + 1).fill(0);
    }
  }

  /**
   * Ends pass 1. True when `binRow` must see every row again: a numerical column outgrew its reservoir, or a column
   * that looked numerical past maxCategories distinct values turned out categorical (its categories are recounted).
   */
  needsBinningPass(): boolean {
    if (this.phase === 'collect') {
      this.decideTypes();
      this.phase = 'bin';
    }
    return (
      this.recount.length > 0 ||
      this.acc.some((a, i) => this.types[i] === 'numerical' && a.n > 0 && !a.reservoir.complete)
    );
  }

  /** Pass 2: one row again, same order as pass 1. */
  binRow(values: readonly CellValue[]): void {
    if (this.phase !== 'bin') throw new Error('binRow before needsBinningPass()');
    this.binned++;
    for (const i of this.recount) {
      const v = values[i];
      if (!isMissing(v)) this.acc[i].countCategory(v as number | string | boolean);
    }
    for (let i = 0; i < this.acc.length; i++) {
      const a = this.acc[i];
      if (this.types[i] !== 'numerical' || a.reservoir.complete || a.n === 0) continue;
      const v = values[i];
      if (isMissing(v)) continue;
      const x = parseNumber(v);
      if (Number.isNaN(x)) continue;
      let lo = 0;
      let hi = a.edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a.edges[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      a.counts[lo]++;
    }
  }

  build(): ReferenceProfile {
    if (this.needsBinningPass() && this.binned !== this.rows) {
      throw new Error(
        `profile needs a second pass: binRow() saw ${this.binned} of ${this.rows} rows after needsBinningPass()`,
      );
    }
    this.phase = 'done';
    const features: FeatureProfile[] = this.acc.map((a, i) => {
      const role: ColumnRole =
        a.name === this.options.predictionColumn
          ? 'prediction'
          : a.name === this.options.labelColumn
            ? 'label'
            : 'feature';
      if (this.types[i] === 'categorical') {
        return {
          name: a.name,
          type: 'categorical',
          role,
          count: a.present,
          missing: a.missing,
          categories: a.categoryCounts(),
        };
      }
      const sample = a.reservoir.sorted();
      const complete = a.reservoir.complete;
      const counts = a.n === 0 ? [] : complete ? binCounts(sample, a.edges, true) : a.counts;
      const quantiles: Record<string, number> = {};
      for (const [k, q] of Object.entries(SUMMARY_QUANTILES)) {
        quantiles[k] =
          a.n === 0 ? Number.NaN : complete ? quantileSorted(sample, q) : a.sketch.getValueAtQuantile(q);
      }
      const summary: NumericSummary = {
        count: a.n,
        missing: a.missing,
        mean: a.n ? a.mean : Number.NaN,
        std: a.n ? Math.sqrt(a.m2 / a.n) : Number.NaN,
        min: a.n ? a.min : Number.NaN,
        max: a.n ? a.max : Number.NaN,
        quantiles,
      };
      return withSample(
        {
          name: a.name,
          type: 'numerical',
          role,
          count: a.n,
          missing: a.missing,
          invalid: a.nonNumeric,
          summary,
          binEdges: a.edges,
          binCounts: counts,
          sample: [],
          sampleComplete: complete,
        } satisfies NumericalFeatureProfile,
        sample,
      );
    });
    return {
      schemaVersion: 1,
      createdAt: new Date().toISOString(),
      rows: this.rows,
      bins: this.opts.bins,
      reservoirSize: this.opts.reservoirSize,
      features,
    };
  }
}

/**
 * Builds the reference profile of in-memory columns (equal lengths), e.g. training data or a time range of logged
 * production data, one column at a time. Types are inferred (numerical when every non-missing value parses as a
 * number) unless forced. Everything but the KS / Wasserstein sample is exact here, whatever the row count: PSI edges
 * are the deciles of every value, bin counts and summary quantiles too; the sample holds at most `reservoirSize`
 * values (all of them when the column is no longer).
 *
 * @example buildReferenceProfile({ age: [31, 45, null], plan: ['a', 'b', 'a'] })
 */
export function buildReferenceProfile(
  columns: Readonly<Record<string, readonly CellValue[]>>,
  options: ProfileOptions = {},
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
  const bins = options.bins ?? DEFAULT_PROFILE_OPTIONS.bins;
  const reservoirSize = options.reservoirSize ?? DEFAULT_PROFILE_OPTIONS.reservoirSize;
  const maxCategories = options.maxCategories ?? DEFAULT_PROFILE_OPTIONS.maxCategories;
  const seed = options.seed ?? DEFAULT_PROFILE_OPTIONS.seed;
  psiBinEdges([0], bins);
  if (!(reservoirSize >= 1)) throw new RangeError(`reservoirSize must be ≥ 1, got ${reservoirSize}`);
  for (const [name, t] of Object.entries(options.columnTypes ?? {})) {
    if (!names.includes(name)) throw new UsageError(`column type given for unknown column "${name}"`);
    if (t !== 'numerical' && t !== 'categorical') {
      throw new UsageError(`column type for "${name}" must be numerical or categorical, got "${String(t)}"`);
    }
  }
  // Type inference and the numbers of each numerical column, into shared memory, here; the numeric work of a
  // column (reservoir, sort, deciles, bins, summary) is handed to the drift worker pool as soon as its numbers are
  // in, and this thread then counts the categorical columns and joins in (numeric-pool.ts). The result does not
  // depend on which thread profiled which column.
  const features = new Array<FeatureProfile>(names.length);
  const roleOf = (name: string): ColumnRole =>
    name === options.predictionColumn ? 'prediction' : name === options.labelColumn ? 'label' : 'feature';
  const job = startNumericJob<ProfileColumnTask>(names.length, rows * names.length);
  const numericColumns: { index: number; column: NumericColumn }[] = [];
  const categoricalIndexes: number[] = [];
  let spare: Float64Array | null = null; // the buffer a column that turned out categorical did not keep
  names.forEach((name, index) => {
    const forced = options.columnTypes?.[name];
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
    job.add({
      kind: 'profile',
      values: numeric.values,
      missing: numeric.missing,
      bins,
      reservoirSize,
      seed: seed + index,
    });
  });
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
  job.finish().forEach((r, k) => {
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
  return { schemaVersion: 1, createdAt: new Date().toISOString(), rows, bins, reservoirSize, features };
}
