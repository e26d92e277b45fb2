import type { FeatureValue } from '@plumbline/schema';
import { OTHER_CATEGORY, type ReferenceProfile } from '../../drift/profile-types';
import { isMissing } from '../../stats/missing';

/** The segment every value outside a feature's top K goes to (and missing values). */
export const OTHER_SEGMENT = 'other';

/**
 * Which values of one segment feature get a slice of their own: at most `topK`, the rest pooled as `other`.
 *
 * Chosen from the reference profile when it profiles the feature as categorical: its `topK` most frequent
 * categories in the training data (ties by name), fixed for as long as the baseline is — so the set does not move
 * with the traffic, and a segment whose share collapses stays visible. Without such a profile (no baseline yet, or
 * a numerical column) the first `topK` distinct values seen take the slots, in arrival order; they keep them until
 * the baseline changes (a restart from a checkpoint passes them back as `seen`).
 */
export interface SegmentValues {
  readonly feature: string;
  /** `profile`: from the reference's categories; `first-seen`: the first values the traffic carried. */
  readonly chosenBy: 'profile' | 'first-seen';
  /** The segment of a row's value (a value of the top K, else `other`). */
  segmentOf(value: FeatureValue | undefined): string;
  /** The values with a slice of their own, so far. */
  values(): string[];
}

export function createSegmentValues(
  feature: string,
  topK: number,
  profile: ReferenceProfile | null,
  /** First-seen values already taken (a checkpoint's), in arrival order; ignored when the profile chooses. */
  seen: readonly string[] = [],
): SegmentValues {
  if (!(Number.isInteger(topK) && topK >= 1))
    throw new RangeError(`topK must be an integer ≥ 1, got ${topK}`);
  const profiled = profile?.features.find((f) => f.name === feature);
  if (profiled && profiled.type === 'categorical') {
    const top = Object.entries(profiled.categories)
      .filter(([v]) => v !== OTHER_SEGMENT && v !== OTHER_CATEGORY)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, topK)
      .map(([v]) => v);
    const chosen = new Set(top);
    return {
      feature,
      chosenBy: 'profile',
      segmentOf: (value) => {
        if (value === undefined || isMissing(value)) return OTHER_SEGMENT;
        const s = String(value);
        return chosen.has(s) ? s : OTHER_SEGMENT;
      },
      values: () => [...chosen],
    };
  }
  const taken = new Set<string>(seen.filter((v) => v !== OTHER_SEGMENT).slice(0, topK));
  return {
    feature,
    chosenBy: 'first-seen',
    segmentOf: (value) => {
      if (value === undefined || isMissing(value)) return OTHER_SEGMENT;
      const s = String(value);
      if (s === OTHER_SEGMENT) return OTHER_SEGMENT;
      if (taken.has(s)) return s;
      if (taken.size < topK) {
        taken.add(s);
        return s;
      }
      return OTHER_SEGMENT;
    },
    values: () => [...taken],
  };
}
