/**
 * The column checks, one descriptor each (the stat-test registry's shape): which column kinds a check applies to
 * and a pure `evaluate` over the column's folded counts and the reference's expectations. The verdict rule and the
 * thresholds are applied in one place (data-quality.ts). Definitions: docs/stattests.md, "Data-quality checks".
 * `new_column` is not a column check (it is about names the reference lacks): data-quality.ts computes it from
 * `FoldedState.newColumns`.
 */
import type { FeatureType } from '../stattests/types';
import type { CategoricalColumnSchema, NumericalColumnSchema } from '../windows/buckets/bucket-schema';
import type { OutOfRangeBounds } from './config';
import { chanceOfOneValue, type ReferenceExpectations } from './reference-expectations';
import type { CategoricalQualityCounts, DataQualityCheckId, NumericalQualityCounts } from './types';

/** Standard deviations of sampling noise a share check allows above the expected share (see data-quality.ts). */
export const NOISE_SIGMAS = 4;
/**
 * A finding (all values missing, one distinct value) counts only when the reference would produce it by chance in
 * a window of this many rows with probability at most Φ(−4), the normal tail the share checks allow.
 */
export const MAX_CHANCE = 3.167124183311992e-5;

/** One column of a window with its reference (exactly one of numerical / categorical is set). */
export interface ColumnContext {
  readonly name: string;
  readonly type: FeatureType;
  /** Rows of the window. */
  readonly rows: number;
  readonly numerical?: { readonly state: NumericalQualityCounts; readonly schema: NumericalColumnSchema };
  readonly categorical?: {
    readonly state: CategoricalQualityCounts;
    readonly schema: CategoricalColumnSchema;
  };
  readonly reference: ReferenceExpectations;
  /** The range `out_of_range_share` compares with. */
  readonly range: OutOfRangeBounds;
}

/** A share: `value` = count / of, compared with `expected` plus the margin (or the noise allowance). */
export interface ShareOutcome {
  readonly kind: 'share';
  readonly value: number;
  readonly expected: number;
  /** The share's denominator (values it is a share of). */
  readonly of: number;
}

/** A 0 / 1 finding. */
export interface FindingOutcome {
  readonly kind: 'finding';
  readonly value: 0 | 1;
}

export interface ColumnCheckDescriptor {
  readonly id: Exclude<DataQualityCheckId, 'new_column'>;
  readonly columnKinds: readonly FeatureType[];
  /** null when the check does not apply to this column in this window (no values to judge, too few rows). */
  evaluate(c: ColumnContext): ShareOutcome | FindingOutcome | null;
}

/** A column with every row missing (absent key, null, blank, NaN): the one thing said about it. */
export function wholeColumnMissing(c: ColumnContext): boolean {
  const missing = c.numerical?.state.missing ?? c.categorical!.state.missing;
  return c.rows > 0 && missing === c.rows;
}

function share(count: number, of: number, expected: number): ShareOutcome | null {
  return of > 0 ? { kind: 'share', value: count / of, expected, of } : null;
}

/** ±Infinity values of a numerical column. */
function infinities(s: NumericalQualityCounts): number {
  return s.present - s.moments.count;
}

const missingColumn: ColumnCheckDescriptor = {
  id: 'missing_column',
  columnKinds: ['numerical', 'categorical'],
  evaluate(c) {
    // A sparse reference column may be all missing in a small window by chance: Pr = q^rows.
    const q = c.reference.missingShare;
    if (c.rows === 0 || (q > 0 && c.rows * Math.log(q) > Math.log(MAX_CHANCE))) return null;
    return { kind: 'finding', value: wholeColumnMissing(c) ? 1 : 0 };
  },
};

const typeChange: ColumnCheckDescriptor = {
  id: 'type_change',
  columnKinds: ['numerical', 'categorical'],
  evaluate(c) {
    if (c.numerical) {
      const s = c.numerical.state;
      return share(s.typeMismatch, s.present + s.typeMismatch, c.reference.typeMismatchShare);
    }
    const s = c.categorical!.state;
    return share(s.typeMismatch, s.present, c.reference.typeMismatchShare);
  },
};

const missingShare: ColumnCheckDescriptor = {
  id: 'missing_share',
  columnKinds: ['numerical', 'categorical'],
  evaluate(c) {
    if (c.numerical) {
      const s = c.numerical.state;
      const nan = s.nonFinite - infinities(s);
      return share(s.missing - nan, c.rows, c.reference.missingShare);
    }
    return share(c.categorical!.state.missing, c.rows, c.reference.missingShare);
  },
};

const outOfRangeShare: ColumnCheckDescriptor = {
  id: 'out_of_range_share',
  columnKinds: ['numerical'],
  evaluate(c) {
    const { state: s, schema } = c.numerical!;
    const [low, high, below, above, expected] =
      c.range === 'p01-p99'
        ? [schema.p01, schema.p99, s.belowP01, s.aboveP99, 0.02]
        : c.range === 'p05-p95'
          ? [schema.p05, schema.p95, s.belowP05, s.aboveP95, 0.1]
          : [schema.min, schema.max, s.belowMin, s.aboveMax, c.reference.outOfRangeShare];
    if (!(low <= high)) return null; // the reference had no values
    const plus = s.positiveInfinite;
    const minus = infinities(s) - plus;
    // The counts beyond the bounds include every present value; the infinities among them are non_finite_share's.
    const outside = below - (low > -Infinity ? minus : 0) + above - (high < Infinity ? plus : 0);
    return share(outside, s.moments.count, expected);
  },
};

const unseenCategoryShare: ColumnCheckDescriptor = {
  id: 'unseen_category_share',
  columnKinds: ['categorical'],
  evaluate(c) {
    const s = c.categorical!.state;
    return share(s.unseen, s.present, c.reference.unseenShare);
  },
};

const nonFiniteShare: ColumnCheckDescriptor = {
  id: 'non_finite_share',
  columnKinds: ['numerical'],
  evaluate(c) {
    return share(c.numerical!.state.nonFinite, c.rows, c.reference.infiniteShare);
  },
};

const constant: ColumnCheckDescriptor = {
  id: 'constant',
  columnKinds: ['numerical', 'categorical'],
  evaluate(c) {
    let present: number;
    let one: boolean;
    if (c.numerical) {
      const s = c.numerical.state;
      present = s.present;
      one = s.min === s.max;
    } else {
      const s = c.categorical!.state;
      present = s.present;
      let distinct = s.unseenValues.counts.size + (s.unseenValues.other > 0 ? 2 : 0);
      for (const n of s.counts) if (n > 0) distinct++;
      one = distinct === 1;
    }
    if (!c.reference.distinct || present < 2) return null;
    if (chanceOfOneValue(c.reference, present) > MAX_CHANCE) return null;
    return { kind: 'finding', value: one ? 1 : 0 };
  },
};

/** Every column check, in report order. */
export const COLUMN_CHECKS: readonly ColumnCheckDescriptor[] = [
  missingColumn,
  typeChange,
  missingShare,
  outOfRangeShare,
  unseenCategoryShare,
  nonFiniteShare,
  constant,
];

/** Threshold of a share check: expected + max(margin, NOISE_SIGMAS · √(expected · (1 − expected) / of)). */
export function shareThreshold(outcome: ShareOutcome, margin: number): number {
  const p = outcome.expected;
  return p + Math.max(margin, NOISE_SIGMAS * Math.sqrt((p * (1 - p)) / outcome.of));
}
