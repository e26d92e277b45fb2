/**
 * Confusion matrix of class labels, with a cap on the number of classes that keep their own name.
 *
 * Definition: counts[i][j] = rows whose actual class is labels[i] and predicted class is labels[j] (sklearn's
 * `confusion_matrix(y_true, y_pred, labels=labels)` orientation). Labels are the union of actual and predicted
 * classes, sorted; when there are more than `maxClasses`, the most frequent `maxClasses - 1` keep their name and
 * the rest are pooled as `other` (so a Prometheus `class` label stays bounded).
 * Cost: O(n + k²) for n rows and k classes.
 *
 * @example confusionMatrix(['a', 'b'], ['a', 'a']) → { labels: ['a', 'b'], counts: [[1, 0], [1, 0]], total: 2 }
 */
export interface ConfusionMatrix {
  labels: string[];
  /** counts[actual][predicted] */
  counts: number[][];
  total: number;
}

export const OTHER_CLASS = 'other';

export interface ConfusionMatrixOptions {
  /** Most distinct labels kept; must be ≥ 2. Default: unbounded. */
  maxClasses?: number;
}

export function confusionMatrix(
  actual: readonly string[],
  predicted: readonly string[],
  options: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  if (actual.length !== predicted.length) {
    throw new RangeError(`actual and predicted differ in length (${actual.length} vs ${predicted.length})`);
  }
  const pairs = new Map<string, Map<string, number>>();
  for (let i = 0; i < actual.length; i += 1) {
    let row = pairs.get(actual[i]);
    if (!row) pairs.set(actual[i], (row = new Map()));
    row.set(predicted[i], (row.get(predicted[i]) ?? 0) + 1);
  }
  return confusionMatrixFromCounts(pairs, options);
}

/**
 * The same matrix from counts of (actual, predicted) pairs: `pairs.get(a).get(p)` rows of actual class a predicted
 * as p (for callers that hold counts, like the label join state). Cost: O(pairs + k²).
 *
 * @example confusionMatrixFromCounts(new Map([['a', new Map([['a', 1]])], ['b', new Map([['a', 1]])]])) → the example above
 */
export function confusionMatrixFromCounts(
  pairs: ReadonlyMap<string, ReadonlyMap<string, number>>,
  options: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  const frequency = new Map<string, number>();
  let total = 0;
  for (const [a, row] of pairs)
    for (const [p, n] of row) {
      frequency.set(a, (frequency.get(a) ?? 0) + n);
      frequency.set(p, (frequency.get(p) ?? 0) + n);
      total += n;
    }
  const { labels, rename } = capClasses(frequency, options.maxClasses);
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = labels.map(() => labels.map(() => 0));
  for (const [a, row] of pairs) {
    const i = index.get(rename.get(a) ?? a)!;
    for (const [p, n] of row) counts[i][index.get(rename.get(p) ?? p)!] += n;
  }
  return { labels, counts, total };
}

/** The labels a capped set of classes keeps, and the classes renamed to {@link OTHER_CLASS}. */
export interface CappedClasses {
  /** Sorted; `other` last when classes were pooled. */
  labels: string[];
  /** Class → `other`, for the pooled classes only. */
  rename: Map<string, string>;
}

/**
 * The class cap of {@link confusionMatrix}, on counts: with more than `maxClasses` classes, the `maxClasses − 1`
 * most frequent (ties: the smaller name) keep their name and the rest are pooled as `other`; otherwise every class
 * keeps its name. Also used where only counts are held (the label join state, predicted-class counts of buckets).
 * Cost: O(k log k) for k classes.
 *
 * @example capClasses(new Map([['a', 5], ['b', 3], ['c', 1]]), 2) → { labels: ['a', 'other'], rename: b → other, c → other }
 */
export function capClasses(
  frequency: ReadonlyMap<string, number>,
  maxClasses: number = Infinity,
): CappedClasses {
  if (maxClasses < 2) throw new RangeError('maxClasses must be at least 2');
  let labels = [...frequency.keys()];
  const rename = new Map<string, string>();
  if (labels.length > maxClasses) {
    const kept = [...frequency.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxClasses - 1)
      .map(([label]) => label);
    const keep = new Set(kept);
    for (const label of labels) if (!keep.has(label)) rename.set(label, OTHER_CLASS);
    labels = [...kept.filter((l) => l !== OTHER_CLASS).sort(), OTHER_CLASS];
  } else {
    labels.sort();
  }
  return { labels, rename };
}
