/**
 * The review store over the embedded spool store (the spool directory's `store/` stream, read with
 * openSpoolReader: read-only, beside the sidecar that appends to it).
 *
 * Queue and lookups: an index caught up with the stream before each call (only what was appended since the last
 * one is read): the predictions handed to people in full (features, probabilities), every other prediction as a
 * small record (for a review of a row that was not queued), and every row's folded feedback. The index holds at most
 * `maxRows` predictions, oldest dropped first, as the store itself drops its oldest segments.
 *
 * `labelled()` (the dataset export, the advisor) does not use the index. It joins in bounded memory: a first pass
 * counts the model's feedback events; with more than `maxLabelsPerPass` of them the rows are split into P hash
 * partitions of the row key, and each partition is one pass folding its rows' feedback (two small records per row)
 * and one pass streaming its predictions. Rows come oldest first within a partition.
 */
import { foldFeedback, type InferenceEvent, type RowFeedbackState } from '@plumbline/schema';
import { openSpoolReader, type SpoolPosition, type SpoolReader } from '@plumbline/spool';
import { handedToPeople, type ConfidenceLimits } from './limits';
import {
  queueBefore,
  rowKey,
  type LowConfidenceQuery,
  type ReviewPrediction,
  type ReviewStore,
} from './review-store';

export interface SpoolReviewStoreOptions {
  /** The spool directory (the one the sidecar writes; `store/` inside it). */
  dir: string;
  /** The watched models and their limits: which predictions the index keeps in full. */
  models: ReadonlyMap<string, ConfidenceLimits>;
  /** Most predictions the index holds (about 150 bytes each, plus the queued rows' features). @default 1000000 */
  maxRows?: number;
  /** Most rows' folded feedback `labelled()` holds at once (about 400 bytes each). @default 20000 */
  maxLabelsPerPass?: number;
}

/** FNV-1a of the row key: which partition of a partitioned `labelled()` pass a row falls in. */
function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** The prediction of an inference event, as the review API shows it. */
export function reviewPrediction(e: InferenceEvent): ReviewPrediction {
  const predicted = e.outputs.label ?? (e.outputs.value === null ? null : String(e.outputs.value));
  return {
    eventId: e.event_id,
    requestId: e.request_id,
    row: e.row,
    timestamp: e['@timestamp'],
    atMs: Date.parse(e['@timestamp']),
    modelVersion: e.model.version,
    features: e.features,
    predicted,
    confidence: e.outputs.confidence,
    probabilities: e.outputs.probabilities,
  };
}

interface IndexedRow {
  model: string;
  prediction: ReviewPrediction;
}

export function createSpoolReviewStore(options: SpoolReviewStoreOptions): ReviewStore {
  const reader: SpoolReader = openSpoolReader(options.dir);
  const maxRows = options.maxRows ?? 1_000_000;
  const rows = new Map<string, IndexedRow>();
  /** Per model: the queued predictions' keys, in arrival order. */
  const queued = new Map<string, string[]>();
  const feedback = new Map<string, RowFeedbackState>();
  let position: SpoolPosition | undefined;
  let catching: Promise<void> = Promise.resolve();

  function index(e: InferenceEvent): void {
    const limits = options.models.get(e.model.name);
    if (!limits) return;
    const key = rowKey(e.request_id, e.row);
    const p = reviewPrediction(e);
    const low = handedToPeople(limits, p.predicted, p.confidence);
    // Only the queued rows keep their features: a review of any other row needs its predicted class only.
    rows.set(key, { model: e.model.name, prediction: low ? p : { ...p, features: {}, probabilities: null } });
    if (low) {
      let list = queued.get(e.model.name);
      if (!list) queued.set(e.model.name, (list = []));
      list.push(key);
    }
    if (rows.size > maxRows) {
      const oldest = rows.keys().next().value as string;
      rows.delete(oldest);
      feedback.delete(oldest);
    }
  }

  /** Reads what was appended since the last call (one catch-up at a time). */
  function catchUp(): Promise<void> {
    const run = catching.then(async () => {
      for await (const entry of reader.entries(position ? { from: position } : {})) {
        position = entry.position;
        if (entry.kind === 'inference') index(entry.event);
        else {
          const key = rowKey(entry.event.request_id, entry.event.row);
          feedback.set(key, foldFeedback(feedback.get(key) ?? null, entry.event));
        }
      }
    });
    catching = run.catch(() => undefined);
    return run;
  }

  return {
    kind: 'spool',
    async *lowConfidence(q: LowConfidenceQuery) {
      await catchUp();
      const keys = queued.get(q.model) ?? [];
      // Arrival order is nearly time order; the queue's order is exact, so sort what is still held.
      const items: ReviewPrediction[] = [];
      const live: string[] = [];
      for (const key of keys) {
        const held = rows.get(key);
        if (!held) continue;
        live.push(key);
        items.push(held.prediction);
      }
      queued.set(q.model, live);
      items.sort((a, b) => (queueBefore(a, b) ? -1 : queueBefore(b, a) ? 1 : 0));
      for (const p of items) {
        if (q.after && !queueBefore(q.after, p)) continue;
        if (!handedToPeople(q.limits, p.predicted, p.confidence)) continue;
        if (q.predictedClass !== null && p.predicted !== q.predictedClass) continue;
        if (q.maxConfidence !== null && !(p.confidence !== null && p.confidence <= q.maxConfidence)) continue;
        yield p;
      }
    },
    async prediction(model, requestId, row) {
      await catchUp();
      const held = rows.get(rowKey(requestId, row));
      return held && held.model === model ? held.prediction : null;
    },
    async feedback(list) {
      await catchUp();
      const out = new Map<string, RowFeedbackState>();
      for (const { requestId, row } of list) {
        const key = rowKey(requestId, row);
        const state = feedback.get(key);
        if (state) out.set(key, state);
      }
      return out;
    },
    async *labelled(model, range) {
      const stream = openSpoolReader(options.dir);
      const ofModel = (e: { model: { name: string } | null }) => e.model === null || e.model.name === model;
      let events = 0;
      for await (const entry of stream.entries())
        if (entry.kind === 'feedback' && ofModel(entry.event)) events += 1;
      const partitions = Math.max(1, Math.ceil(events / (options.maxLabelsPerPass ?? 20_000)));
      for (let part = 0; part < partitions; part++) {
        let folded: Map<string, RowFeedbackState> | null = new Map();
        for await (const entry of stream.entries()) {
          if (entry.kind !== 'feedback' || !ofModel(entry.event)) continue;
          const key = rowKey(entry.event.request_id, entry.event.row);
          if (partitions > 1 && partitionOf(key, partitions) !== part) continue;
          folded.set(key, foldFeedback(folded.get(key) ?? null, entry.event));
        }
        for await (const entry of stream.entries()) {
          if (entry.kind !== 'inference' || entry.event.model.name !== model) continue;
          const at = Date.parse(entry.event['@timestamp']);
          if (!(at >= range.from && at < range.to)) continue;
          const key = rowKey(entry.event.request_id, entry.event.row);
          if (partitions > 1 && partitionOf(key, partitions) !== part) continue;
          yield { prediction: reviewPrediction(entry.event), feedback: folded.get(key) ?? null };
        }
        folded = null;
      }
    },
    async close() {
      await catching;
    },
  };
}
