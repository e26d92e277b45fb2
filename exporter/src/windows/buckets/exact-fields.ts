import { countsEntries } from './bounded-counts';
import type { FoldedState } from './bucket-state';

/**
 * Every field of a folded state that merging keeps exact, as one plain object (for equality checks: tests, and a
 * wiring step that wants to compare two instances' counts): rows, per column every count, bin, category, min and
 * max, the unseen values' counts, the new columns' counts, the prediction's class, confidence and version counts, and the moments' counts.
 * The moments' sums and the sample are left out (within tolerance, and random).
 */
export function exactFields(s: FoldedState): Record<string, unknown> {
  return {
    schemaId: s.schemaId,
    model: s.model,
    rows: s.rows,
    numerical: s.numerical.map((c) => ({
      present: c.present,
      missing: c.missing,
      typeMismatch: c.typeMismatch,
      nonFinite: c.nonFinite,
      positiveInfinite: c.positiveInfinite,
      finite: c.moments.count,
      min: c.min,
      max: c.max,
      binCounts: c.binCounts,
      belowMin: c.belowMin,
      aboveMax: c.aboveMax,
      beyondQuantiles: [c.belowP01, c.belowP05, c.aboveP95, c.aboveP99],
    })),
    categorical: s.categorical.map((c) => ({
      present: c.present,
      missing: c.missing,
      typeMismatch: c.typeMismatch,
      counts: c.counts,
      unseen: c.unseen,
      unseenValues: countsEntries(c.unseenValues),
      unseenOther: c.unseenValues.other,
    })),
    prediction: {
      classes: countsEntries(s.prediction.classes),
      classesOther: s.prediction.classes.other,
      withoutClass: s.prediction.withoutClass,
      confidence: s.prediction.confidence,
      withoutConfidence: s.prediction.withoutConfidence,
      values: s.prediction.value.count,
      valueMin: s.prediction.valueMin,
      valueMax: s.prediction.valueMax,
      withoutValue: s.prediction.withoutValue,
      invalid: s.prediction.invalid,
      versions: countsEntries(s.prediction.versions),
      versionsOther: s.prediction.versions.other,
      withoutVersion: s.prediction.withoutVersion,
    },
    newColumns: countsEntries(s.newColumns),
    newColumnsOther: s.newColumns.other,
    sampleSeen: s.sample.seen,
  };
}
