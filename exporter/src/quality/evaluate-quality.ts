/**
 * Quality of one window: joins predictions with ground truth and computes what the task calls for.
 * Pure: events in, a typed report out.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { joinFeedback } from './join';
import { lowConfidenceShare } from './low-confidence-share';
import { qualityFromTally, tallyJoin, type QualityOptions, type QualityReport } from './quality-report';

export type { QualityOptions, QualityReport } from './quality-report';

/**
 * Quality of a window from its raw events: joins each prediction with its latest ground truth
 * ({@link joinFeedback}), then {@link tallyJoin} and {@link qualityFromTally}.
 */
export function evaluateQuality(
  inference: readonly InferenceEvent[],
  feedback: readonly FeedbackEvent[],
  options: QualityOptions,
): QualityReport {
  const classCounts = new Map<string, number>();
  for (const e of inference) {
    const label = e.outputs.label;
    if (label !== null) classCounts.set(label, (classCounts.get(label) ?? 0) + 1);
  }
  return qualityFromTally(
    tallyJoin(joinFeedback(inference, feedback), options.task),
    {
      predictions: inference.length,
      classCounts,
      lowConfidenceShare: lowConfidenceShare(
        inference.map((e) => e.outputs.confidence),
        options.confidenceThreshold,
      ),
    },
    options,
  );
}
