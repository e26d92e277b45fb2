import { binIndex } from '../../stats/bin-counts';
import { isMissing, parseNumber, trim, type CellValue } from '../../stats/missing';
import type { NumericalColumnSchema } from './bucket-schema';
import {
  addValue,
  copyMoments,
  createMoments,
  mergeMomentsInto,
  type CompensatedMoments,
} from './compensated-moments';

/**
 * The folded state of one numerical column. What counts as what (docs/stattests.md, "Windows built from buckets"):
 *  - `missing`: absent key, null, empty / blank string, NaN (also the strings "NaN" / "nan") — `isMissing`, as
 *    every test has it;
 *  - `typeMismatch`: present but not a number (a string that does not parse, a boolean) — the detector's
 *    `invalid`; excluded from the tests, like today;
 *  - `present`: every value that is a number, ±Infinity included (the detector keeps them in KS, bins, min, max);
 *  - `nonFinite`: NaN numbers and NaN strings (which are also `missing`) plus ±Infinity (which are also
 *    `present`); ±Infinity is left out of the moments only, which are over the finite present values.
 *  - `positiveInfinite`: the +Infinity values among them (so −Infinity = present − moments.count − positiveInfinite,
 *    and NaN = nonFinite − (present − moments.count)): the data-quality checks tell infinities from NaN, and
 *    out-of-range finite values from infinities.
 * So rows = present + missing + typeMismatch, and the moments' count = present − (nonFinite − NaNs).
 */
export interface NumericalColumnState {
  present: number;
  missing: number;
  typeMismatch: number;
  nonFinite: number;
  /** +Infinity values (also in `present` and `nonFinite`). */
  positiveInfinite: number;
  /** Over the finite present values. */
  readonly moments: CompensatedMoments;
  /** Over the present values (±Infinity included); +Infinity / −Infinity while there are none. */
  min: number;
  max: number;
  /** Present values per reference PSI bin (binIndex, the detector's rule). */
  readonly binCounts: number[];
  /** Present values below the reference min / above the reference max. */
  belowMin: number;
  aboveMax: number;
  /** Present values below the reference p01 / p05, above its p95 / p99 (out_of_range_share over a quantile range). */
  belowP01: number;
  belowP05: number;
  aboveP95: number;
  aboveP99: number;
}

export function createNumericalColumnState(schema: NumericalColumnSchema): NumericalColumnState {
  return {
    present: 0,
    missing: 0,
    typeMismatch: 0,
    nonFinite: 0,
    positiveInfinite: 0,
    moments: createMoments(schema.shift),
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    binCounts: new Array<number>(schema.binEdges.length + 1).fill(0),
    belowMin: 0,
    aboveMax: 0,
    belowP01: 0,
    belowP05: 0,
    aboveP95: 0,
    aboveP99: 0,
  };
}

/**
 * Folds one raw value; returns the number the row sample keeps (NaN for missing and mismatched values).
 * Cost: O(log bins).
 */
export function foldNumerical(
  s: NumericalColumnState,
  schema: NumericalColumnSchema,
  raw: CellValue,
): number {
  let x: number;
  if (typeof raw === 'number') {
    if (raw !== raw) {
      s.missing++;
      s.nonFinite++;
      return Number.NaN;
    }
    x = raw;
  } else if (isMissing(raw)) {
    s.missing++;
    if (typeof raw === 'string' && trim(raw) !== '') s.nonFinite++; // "NaN" / "nan"
    return Number.NaN;
  } else {
    x = parseNumber(raw);
    if (x !== x) {
      s.typeMismatch++;
      return Number.NaN;
    }
  }
  s.present++;
  if (x === Number.POSITIVE_INFINITY) {
    s.nonFinite++;
    s.positiveInfinite++;
  } else if (x === Number.NEGATIVE_INFINITY) s.nonFinite++;
  else addValue(s.moments, x);
  if (x < s.min) s.min = x;
  if (x > s.max) s.max = x;
  s.binCounts[binIndex(x, schema.binEdges)]++;
  if (x < schema.min) s.belowMin++;
  else if (x > schema.max) s.aboveMax++;
  if (x < schema.p05) {
    s.belowP05++;
    if (x < schema.p01) s.belowP01++;
  } else if (x > schema.p95) {
    s.aboveP95++;
    if (x > schema.p99) s.aboveP99++;
  }
  return x;
}

/** Adds `from` into `into`: exact for every count, min and max; the moments within their stated tolerance. */
export function mergeNumericalInto(into: NumericalColumnState, from: NumericalColumnState): void {
  into.present += from.present;
  into.missing += from.missing;
  into.typeMismatch += from.typeMismatch;
  into.nonFinite += from.nonFinite;
  into.positiveInfinite += from.positiveInfinite;
  mergeMomentsInto(into.moments, from.moments);
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  if (into.binCounts.length !== from.binCounts.length)
    throw new RangeError(`cannot merge ${from.binCounts.length} bins into ${into.binCounts.length}`);
  for (let i = 0; i < into.binCounts.length; i++) into.binCounts[i] += from.binCounts[i];
  into.belowMin += from.belowMin;
  into.aboveMax += from.aboveMax;
  into.belowP01 += from.belowP01;
  into.belowP05 += from.belowP05;
  into.aboveP95 += from.aboveP95;
  into.aboveP99 += from.aboveP99;
}

export function copyNumericalColumnState(s: NumericalColumnState): NumericalColumnState {
  return { ...s, moments: copyMoments(s.moments), binCounts: [...s.binCounts] };
}
