/**
 * A RefoldableSink that only records (pure, for the followed-source tests): the event ids of every bucket of every
 * model, in delivery order (a duplicate shows as an id twice), the feedback ids, and every refold.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { RefoldableSink } from '../../src/sources/follow';
import type { TimeRange } from '../../src/windows/window';

export interface RecordingSink extends RefoldableSink {
  /** model → bucket start → event ids folded there. */
  readonly buckets: Map<string, Map<number, string[]>>;
  readonly feedbackIds: string[];
  readonly refolds: { model: string; startMs: number; rows: number }[];
  /** Every inference id the sink holds now (refolded buckets as refolded), in bucket then delivery order. */
  inferenceIds(model?: string): string[];
  /** Rows per bucket start of `model`. */
  counts(model: string): Map<number, number>;
}

export function recordingSink(
  options: { bucketWidthMs?: number; onInference?: (event: InferenceEvent) => void } = {},
): RecordingSink {
  const bucketWidthMs = options.bucketWidthMs ?? 60_000;
  const buckets = new Map<string, Map<number, string[]>>();
  const feedbackIds: string[] = [];
  const refolds: { model: string; startMs: number; rows: number }[] = [];
  const startOf = (e: InferenceEvent) =>
    Math.floor(Date.parse(e['@timestamp']) / bucketWidthMs) * bucketWidthMs;
  const ofModel = (model: string) => {
    let m = buckets.get(model);
    if (!m) buckets.set(model, (m = new Map()));
    return m;
  };
  return {
    bucketWidthMs,
    buckets,
    feedbackIds,
    refolds,
    inference(event: InferenceEvent) {
      const m = ofModel(event.model.name);
      const start = startOf(event);
      const ids = m.get(start);
      if (ids) ids.push(event.event_id);
      else m.set(start, [event.event_id]);
      options.onInference?.(event);
    },
    feedback(event: FeedbackEvent) {
      feedbackIds.push(event.event_id);
    },
    foldedRows(model: string, range: TimeRange) {
      const rows = new Map<number, number>();
      for (const [start, ids] of buckets.get(model) ?? []) {
        if (start >= range.from && start < range.to) rows.set(start, ids.length);
      }
      return rows;
    },
    refold(model: string, startMs: number, events: readonly InferenceEvent[]) {
      for (const e of events) {
        if (e.model.name !== model || startOf(e) !== startMs)
          throw new Error(`${e.event_id} is not in the bucket`);
      }
      ofModel(model).set(
        startMs,
        events.map((e) => e.event_id),
      );
      refolds.push({ model, startMs, rows: events.length });
    },
    inferenceIds(model?: string) {
      const models = model === undefined ? [...buckets.keys()] : [model];
      return models.flatMap((name) =>
        [...(buckets.get(name) ?? new Map<number, string[]>())]
          .sort(([a], [b]) => a - b)
          .flatMap(([, ids]) => ids),
      );
    },
    counts(model: string) {
      return new Map([...(buckets.get(model) ?? [])].map(([start, ids]) => [start, ids.length]));
    },
  };
}
