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
  const frequency = new Map<string, number>();
  for (const label of actual) frequency.set(label, (frequency.get(label) ?? 0) + 1);
  for (const label of predicted) frequency.set(label, (frequency.get(label) ?? 0) + 1);
  const { labels, rename } = capClasses(frequency, options.maxClasses);
  const index = new Map(labels.map((label, i) => [label, i]));
  const counts = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < actual.length; i += 1) {
    const a = index.get(rename.get(actual[i]) ?? actual[i])!;
    const p = index.get(rename.get(predicted[i]) ?? predicted[i])!;
    counts[a][p] += 1;
  }
  return { labels, counts, total: actual.length };
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
