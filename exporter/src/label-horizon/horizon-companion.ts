/**
 * Feeds the label horizon store from the window store's companion hooks: every prediction the window store folds
 * (after its de-duplication, version and retention checks) and every label it hands a model's label join go to the
 * store too. The window's own label join (label-join-companion.ts) is unchanged; the store adds the joins that come
 * later than the window.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { labelJoinKey } from '../quality/key-hash';
import type { LabelJoinCompanion } from '../windows/store';
import type { EstimateSchema } from '../windows/buckets/estimate-state';
import type { LabelHorizonStore } from './label-horizon-store';

/**
 * The same companion, also feeding `store()` (null: no store open, nothing fed) under the model's name, each
 * prediction with `estimate()`, the calibration of the quality baseline in force (null: none). A store that fails
 * (a full disk) never throws into the source: the error goes to `onError`, and the window goes on.
 */
export function withLabelHorizon(
  companion: LabelJoinCompanion,
  model: string,
  store: () => LabelHorizonStore | null,
  onError: (err: unknown) => void = () => {},
  estimate: () => EstimateSchema | null = () => null,
): LabelJoinCompanion {
  const guarded = (feed: () => void): void => {
    try {
      feed();
    } catch (err) {
      onError(err);
    }
  };
  return {
    ...companion,
    prediction(event: InferenceEvent, bucketStartMs: number) {
      companion.prediction(event, bucketStartMs);
      const s = store();
      if (!s) return;
      guarded(() =>
        s.addPrediction(
          model,
          {
            key: labelJoinKey(event.request_id, event.row),
            atMs: Date.parse(event['@timestamp']),
            version: event.model.version,
            predicted: event.outputs.label ?? event.outputs.value,
            confidence: event.outputs.confidence,
            probabilities: event.outputs.probabilities,
          },
          estimate(),
        ),
      );
    },
    label(event: FeedbackEvent) {
      // The join resolves a reviewed row's label (label-precedence.ts); the store holds exactly that one.
      const resolved = companion.label(event);
      const s = store();
      if (!s) return resolved;
      const key = labelJoinKey(event.request_id, event.row);
      guarded(() =>
        s.addLabel(
          model,
          resolved === null
            ? { key, atMs: Date.parse(event['@timestamp']), truth: event.ground_truth }
            : resolved.kind === 'label'
              ? { key, atMs: resolved.from.atMs, truth: resolved.label, resolved: true }
              : {
                  key,
                  atMs: resolved.kind === 'rejected' ? resolved.from.atMs : Date.parse(event['@timestamp']),
                  truth: null,
                  resolved: true,
                },
        ),
      );
      return resolved;
    },
  };
}
