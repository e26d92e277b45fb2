import { isMissing, trim, type CellValue } from '../../stats/missing';
import type { CategoricalColumnSchema } from './bucket-schema';
import {
  addCount,
  copyBoundedCounts,
  createBoundedCounts,
  mergeCountsInto,
  type BoundedCounts,
} from './bounded-counts';

/**
 * The folded state of one categorical column: an exact count per reference category, the exact number of values
 * the reference never saw (`unseen`), and those values' own counts, at most `maxUnseenValues` distinct of them
 * (a bottom-k choice, exact and mergeable; the rest in `unseenValues.other`).
 * Labels are as the detector makes them (`categoricalColumn`): strings trimmed, numbers and booleans as
 * `String(v)`. A number is still counted under its label, and also in `typeMismatch` (a categorical column that
 * receives numbers: issue #12's `type_change`); booleans are categorical and no mismatch.
 */
export interface CategoricalColumnState {
  present: number;
  missing: number;
  typeMismatch: number;
  /** One count per reference category, in the schema's order. */
  readonly counts: number[];
  unseen: number;
  readonly unseenValues: BoundedCounts;
}

export function createCategoricalColumnState(
  schema: CategoricalColumnSchema,
  maxUnseenValues: number,
): CategoricalColumnState {
  return {
    present: 0,
    missing: 0,
    typeMismatch: 0,
    counts: new Array<number>(schema.categories.length).fill(0),
    unseen: 0,
    unseenValues: createBoundedCounts(maxUnseenValues),
  };
}

/** Folds one raw value. Cost: one hash look-up (plus the bounded counter for an unseen value). */
export function foldCategorical(
  s: CategoricalColumnState,
  schema: CategoricalColumnSchema,
  raw: CellValue,
): void {
  let key: string;
  if (typeof raw === 'string') {
    key = trim(raw);
    if (key === '' || key === 'NaN' || key === 'nan') {
      s.missing++;
      return;
    }
  } else if (isMissing(raw)) {
    s.missing++;
    return;
  } else {
    if (typeof raw === 'number') s.typeMismatch++;
    key = String(raw);
  }
  s.present++;
  const i = schema.categoryIndex.get(key);
  if (i !== undefined) s.counts[i]++;
  else {
    s.unseen++;
    addCount(s.unseenValues, key);
  }
}

/** Adds `from` into `into`; with `trim: false` the unseen values are trimmed later (mergeCountsInto). */
export function mergeCategoricalInto(
  into: CategoricalColumnState,
  from: CategoricalColumnState,
  options: { readonly trim?: boolean } = {},
): void {
  into.present += from.present;
  into.missing += from.missing;
  into.typeMismatch += from.typeMismatch;
  if (into.counts.length !== from.counts.length)
    throw new RangeError(`cannot merge ${from.counts.length} categories into ${into.counts.length}`);
  for (let i = 0; i < into.counts.length; i++) into.counts[i] += from.counts[i];
  into.unseen += from.unseen;
  mergeCountsInto(into.unseenValues, from.unseenValues, options);
}

export function copyCategoricalColumnState(s: CategoricalColumnState): CategoricalColumnState {
  return { ...s, counts: [...s.counts], unseenValues: copyBoundedCounts(s.unseenValues) };
}
