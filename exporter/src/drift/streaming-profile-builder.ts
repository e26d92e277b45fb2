import { DDSketch } from '@datadog/sketches-js';
import { binCounts } from '../stats/bin-counts';
import { isMissing, parseNumber, trim, type CellValue } from '../stats/missing';
import { psiBinEdges } from '../stats/psi-bin-edges';
import { quantileSorted } from '../stats/quantile-sorted';
import type { FeatureType } from '../stattests/types';
import { fitMultivariateReference } from './multivariate';
import { SUMMARY_QUANTILES } from './numeric-summary';
import { resolveProfileOptions, type ProfileOptions, type ResolvedProfileOptions } from './profile-options';
import {
  OTHER_CATEGORY,
  type FeatureProfile,
  type NumericalFeatureProfile,
  type NumericSummary,
  type ReferenceProfile,
} from './profile-types';
import { Reservoir } from './reservoir';
import { RowReservoir } from './row-reservoir';
import { withSample } from './sorted-sample';

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

  /** Counts one value; returns its number (NaN when it is missing or not a number). */
  add(v: CellValue): number {
    if (isMissing(v)) {
      this.missing++;
      return Number.NaN;
    }
    this.present++;
    this.countCategory(v as number | string | boolean);
    const x = typeof v === 'boolean' ? Number.NaN : parseNumber(v);
    if (Number.isNaN(x)) {
      this.nonNumeric++;
      return x;
    }
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (Number.isFinite(x)) this.sketch.accept(x);
    this.reservoir.add(x);
    return x;
  }
}

/**
 * The streaming builder (`plumbline baseline import`, profile-file.ts): a {@link ReferenceProfile} from rows
 * streamed in, in memory independent of the number of rows: pass 1 (`addRow`) counts, sums, sketches, samples and
 * counts categories; if a numerical column has more values than the reservoir holds, its PSI edges come from the
 * sample's quantiles and a pass 2 (`binRow` over the same rows, after `needsBinningPass()`) counts every value into
 * those bins. Pass 1 also keeps a uniform sample of rows (the numbers of the columns that may be numerical) for
 * the multivariate drift fit (row-reservoir.ts, multivariate.ts). `build()` returns the profile. Options as for
 * the in-memory builder (profile-options.ts).
 */
export class ReferenceProfileBuilder {
  private readonly acc: ColumnAccumulator[];
  private rows = 0;
  private phase: 'collect' | 'bin' | 'done' = 'collect';
  private types: FeatureType[] = [];
  /** Categorical columns whose categories pass 2 counts again (see ColumnAccumulator.uncounted). */
  private readonly recount: number[] = [];
  private binned = 0;
  private readonly opts: ResolvedProfileOptions;
  /** The rows the multivariate fit sees; a column is dropped as soon as it cannot be numerical. */
  private readonly fitRows: RowReservoir;

  constructor(
    readonly columns: readonly string[],
    options: ProfileOptions = {},
  ) {
    this.opts = resolveProfileOptions(columns, options);
    this.acc = columns.map(
      (c, i) =>
        new ColumnAccumulator(
          c,
          this.opts.reservoirSize,
          this.opts.seed + i,
          this.opts.maxCategories,
          this.opts.forcedType(c) === 'categorical',
        ),
    );
    this.fitRows = new RowReservoir(this.opts.reservoirSize, columns.length, this.opts.seed + columns.length);
    // Only features that may be numerical are fitted on: the prediction and label columns are not kept.
    columns.forEach((c, i) => {
      if (this.opts.forcedType(c) === 'categorical' || this.opts.roleOf(c) !== 'feature')
        this.fitRows.drop(i);
    });
  }

  /** Pass 1: one row, values in `columns` order. */
  addRow(values: readonly CellValue[]): void {
    if (this.phase !== 'collect') throw new Error('addRow after the collection pass ended');
    this.rows++;
    const slot = this.fitRows.offer();
    const fit = this.fitRows.columns;
    for (let i = 0; i < this.acc.length; i++) {
      const a = this.acc[i];
      const x = a.add(values[i]);
      const kept = fit[i];
      if (kept === null) continue;
      if (a.nonNumeric > 0 && this.opts.forcedType(a.name) !== 'numerical') this.fitRows.drop(i);
      else if (slot >= 0) kept[slot] = x;
    }
  }

  private decideTypes(): void {
    this.types = this.acc.map(
      (a) =>
        this.opts.forcedType(a.name) ?? (a.present > 0 && a.nonNumeric === 0 ? 'numerical' : 'categorical'),
    );
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
      const role = this.opts.roleOf(a.name);
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
    const fitColumns = new Map<string, Float64Array>();
    features.forEach((f, i) => {
      const kept = this.fitRows.column(i);
      if (f.type === 'numerical' && f.role === 'feature' && f.count > 0 && kept) fitColumns.set(f.name, kept);
    });
    const multivariate = fitMultivariateReference(
      { size: this.fitRows.size, columns: fitColumns },
      { varianceShare: this.opts.multivariateVarianceShare, sampled: !this.fitRows.complete },
    );
    return {
      schemaVersion: 1,
      createdAt: new Date().toISOString(),
      rows: this.rows,
      bins: this.opts.bins,
      reservoirSize: this.opts.reservoirSize,
      features,
      multivariate,
    };
  }
}
