/**
 * What one bucket's held rows add to a window's quality report (label-join-state.ts), and the window's join tally
 * from its buckets' tallies. The label join keeps each bucket's tally until a row of the bucket, or the label one of
 * them joins, changes: a sliding window changes at its two ends and where ground truth arrived, so an evaluation
 * walks those buckets' rows only, not every held prediction (issue #18, evaluation ≤ 100 ms).
 *
 * The window's tally is the one a single pass over its rows in window order (buckets by start, rows in the order
 * added) gives, to the bit: counts are integers; the delays and the regression pairs are concatenated in row order;
 * the label strings and the (actual, predicted) pairs are met in the order that pass meets them, so the report's
 * maps hold their keys in the same order.
 * Pure: no I/O, no clock.
 */
import { addPair } from './quality-report';

/** Pair codes: actual code · base + predicted code (codes of distinct labels met in one report, < 2^26). */
const PAIR_CODE_BASE = 2 ** 26;
/** Pairs of the first 128 codes are counted in a dense 128 × 128 array, the rest in a Map. */
const DENSE_CODES = 128;

export interface BucketTally {
  /** Rows joined with a label (the rows a window counts as labelled). */
  labelled: number;
  /** Seconds from each joined row's prediction to its label, in row order. */
  delays: Float64Array;
  /** Classification: label strings (String(value)) in the order the usable rows meet them, predicted then actual. */
  names: string[];
  /**
   * Classification: usable rows per (actual, predicted) as [actual, predicted, rows] triples of indices into
   * `names`, in the order of each pair's first row.
   */
  pairs: number[];
  /** Regression: the usable rows' ground truth and prediction, in row order. */
  actual: number[];
  predicted: number[];
  /** Rows per predicted class, as [string id, rows] pairs (ids of the join's StringInterner). */
  classes: number[];
  /** The rows' confidences against the last threshold asked for: those with a finite one, those below it. */
  confidence: { threshold: number; known: number; below: number } | null;
}

/** Gives each label string a code in the order they are met (a Map lookup per row would be the slow part). */
export class BucketTallyBuilder {
  private readonly codes = new Map<string, number>();
  private readonly pairIndex = new Map<number, number>();
  readonly tally: BucketTally = {
    labelled: 0,
    delays: new Float64Array(0),
    names: [],
    pairs: [],
    actual: [],
    predicted: [],
    classes: [],
    confidence: null,
  };

  /** The code of a label string, given as met. */
  code(name: string): number {
    let c = this.codes.get(name);
    if (c === undefined) {
      this.codes.set(name, (c = this.tally.names.length));
      this.tally.names.push(name);
    }
    return c;
  }

  /** One usable classification row (codes from `code`, predicted first). */
  pair(actual: number, predicted: number): void {
    const key = actual * PAIR_CODE_BASE + predicted;
    const at = this.pairIndex.get(key);
    if (at === undefined) {
      this.pairIndex.set(key, this.tally.pairs.length);
      this.tally.pairs.push(actual, predicted, 1);
    } else this.tally.pairs[at + 2]++;
  }
}

/** The join tally of a window from its buckets' tallies, in window order (see the file's comment). */
export function windowTally(tallies: readonly BucketTally[]): {
  labelled: number;
  delaysSeconds: Float64Array;
  pairs: Map<string, Map<string, number>>;
  actual: number[];
  predicted: number[];
} {
  let labelled = 0;
  for (const t of tallies) labelled += t.labelled;
  const delaysSeconds = new Float64Array(labelled);
  let at = 0;
  for (const t of tallies) {
    delaysSeconds.set(t.delays, at);
    at += t.delays.length;
  }
  // Codes as one pass over the window's rows gives them: a bucket's strings in its order, new ones appended.
  const codes = new Map<string, number>();
  const names: string[] = [];
  const densePairs = new Float64Array(DENSE_CODES * DENSE_CODES);
  const pairCounts = new Map<number, number>();
  const actual: number[] = [];
  const predicted: number[] = [];
  for (const t of tallies) {
    const local = new Int32Array(t.names.length);
    t.names.forEach((name, i) => {
      let c = codes.get(name);
      if (c === undefined) {
        codes.set(name, (c = names.length));
        names.push(name);
      }
      local[i] = c;
    });
    for (let i = 0; i < t.pairs.length; i += 3) {
      const a = local[t.pairs[i]];
      const p = local[t.pairs[i + 1]];
      const n = t.pairs[i + 2];
      if (a < DENSE_CODES && p < DENSE_CODES) densePairs[a * DENSE_CODES + p] += n;
      else {
        const pair = a * PAIR_CODE_BASE + p;
        pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + n);
      }
    }
    for (let i = 0; i < t.actual.length; i++) {
      actual.push(t.actual[i]);
      predicted.push(t.predicted[i]);
    }
  }
  const pairs = new Map<string, Map<string, number>>();
  for (let i = 0; i < densePairs.length; i++)
    if (densePairs[i] > 0)
      addPair(pairs, names[Math.floor(i / DENSE_CODES)], names[i % DENSE_CODES], densePairs[i]);
  for (const [pair, n] of pairCounts)
    addPair(pairs, names[Math.floor(pair / PAIR_CODE_BASE)], names[pair % PAIR_CODE_BASE], n);
  return { labelled, delaysSeconds, pairs, actual, predicted };
}
