/**
 * The confidence-limit advisor (issue #13): from labelled rows, per predicted class, the lowest limit whose
 * automatically handled rows (confidence ≥ limit) reach a target precision — how Intility chose theirs.
 *
 * Definition: for class c with labelled rows (confidence cᵢ, correctᵢ), precision(t) = #{cᵢ ≥ t ∧ correctᵢ} /
 * #{cᵢ ≥ t}. The advice is the least t among {0} ∪ {cᵢ} with precision(t) ≥ target and #{cᵢ ≥ t} ≥ minSamples
 * (0 when every row qualifies: any lower limit hands the same rows to people). Precision need not be monotone in t:
 * every candidate is checked, so the advice is the lowest that reaches the target, not the first found from the top.
 * None reaching it: `limit` null (hand everything of the class to people, or label more).
 *
 * Cost: O(n log n) for the sort per class, O(n) for the scan. Pure.
 *
 * @example
 *   adviseLimits([{ predicted: 'a', confidence: 0.9, correct: true }, { predicted: 'a', confidence: 0.5, correct: false }],
 *     { targetPrecision: 0.9, minSamples: 1 })
 *   // → [{ class: 'a', limit: 0.9, precision: 1, autoRows: 1, labelledRows: 2, autoShare: 0.5 }]
 */

export interface LabelledConfidence {
  /** The predicted class. */
  predicted: string;
  confidence: number;
  /** The label equals the predicted class. */
  correct: boolean;
}

export interface AdvisorOptions {
  /** The precision the automatically handled rows must reach, in (0, 1]. */
  targetPrecision: number;
  /** Fewest automatically handled labelled rows an advice may rest on. @default 30 */
  minSamples?: number;
}

export interface ClassAdvice {
  class: string;
  /** The lowest limit reaching the target; null when none does (with at least minSamples rows above it). */
  limit: number | null;
  /** Precision of the rows at or above `limit` (null without a limit). */
  precision: number | null;
  /** Labelled rows at or above `limit`: the sample size the advice rests on (0 without a limit). */
  autoRows: number;
  /** Labelled rows of the class. */
  labelledRows: number;
  /** autoRows / labelledRows: the share of the class's labelled rows that would be handled automatically. */
  autoShare: number;
}

export const DEFAULT_ADVISOR_MIN_SAMPLES = 30;

/** One advice per predicted class, classes in name order. Throws a RangeError on a target outside (0, 1]. */
export function adviseLimits(rows: Iterable<LabelledConfidence>, options: AdvisorOptions): ClassAdvice[] {
  const { targetPrecision } = options;
  const minSamples = options.minSamples ?? DEFAULT_ADVISOR_MIN_SAMPLES;
  if (!(targetPrecision > 0 && targetPrecision <= 1))
    throw new RangeError(`targetPrecision must be in (0, 1], got ${targetPrecision}`);
  if (!(Number.isInteger(minSamples) && minSamples >= 1))
    throw new RangeError(`minSamples must be a positive integer, got ${minSamples}`);
  const byClass = new Map<string, { confidence: number; correct: boolean }[]>();
  for (const r of rows) {
    if (!Number.isFinite(r.confidence)) continue;
    let list = byClass.get(r.predicted);
    if (!list) byClass.set(r.predicted, (list = []));
    list.push({ confidence: r.confidence, correct: r.correct });
  }
  const advice: ClassAdvice[] = [];
  for (const cls of [...byClass.keys()].sort()) {
    const list = byClass.get(cls)!;
    list.sort((a, b) => b.confidence - a.confidence);
    let auto = 0;
    let correct = 0;
    let best: { limit: number; precision: number; autoRows: number } | null = null;
    // Walk down from the most confident row; a limit is only valid at the end of a run of equal confidences.
    for (let i = 0; i < list.length; i++) {
      auto += 1;
      if (list[i].correct) correct += 1;
      if (i + 1 < list.length && list[i + 1].confidence === list[i].confidence) continue;
      const precision = correct / auto;
      if (precision >= targetPrecision && auto >= minSamples)
        best = { limit: i + 1 === list.length ? 0 : list[i].confidence, precision, autoRows: auto };
    }
    advice.push({
      class: cls,
      limit: best?.limit ?? null,
      precision: best?.precision ?? null,
      autoRows: best?.autoRows ?? 0,
      labelledRows: list.length,
      autoShare: best ? best.autoRows / list.length : 0,
    });
  }
  return advice;
}
