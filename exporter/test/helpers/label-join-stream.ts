/**
 * Random streams of predictions and feedback for the label join state tests (exporter/src/quality): labels before
 * and after their predictions, relabels (later and earlier reports), labels for keys never predicted, duplicate
 * predictions of one key, several one-minute buckets; the arrivals interleaved at random. Deterministic for a seed.
 * `toEvents` gives the same stream as schema events for evaluateQuality.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { mulberry32 } from '../../src/drift/reservoir';
import { labelJoinKey } from '../../src/quality/key-hash';
import type { LabelInput, PredictionInput } from '../../src/quality/label-join-state';
import { bucketStartFor } from '../../src/windows/buckets';

export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
export const MINUTE = 60_000;

export interface StreamPrediction extends PredictionInput {
  readonly requestId: string;
  readonly row: number;
  /** The inference event's outputs.label / outputs.value. */
  readonly label: string | null;
  readonly value: number | null;
}

export interface StreamLabel extends LabelInput {
  readonly requestId: string;
  readonly row: number;
}

export type Arrival = { kind: 'prediction'; p: StreamPrediction } | { kind: 'label'; l: StreamLabel };

export interface LabelStreamOptions {
  readonly seed: number;
  readonly task: 'classification' | 'regression';
  readonly predictions: number;
  /** Buckets (minutes from T0) the predictions and labels fall in. @default 6 */
  readonly minutes?: number;
  /** Share of predictions that get a label. @default 0.7 */
  readonly labelled?: number;
  /** Share of labelled rows whose label is reported again (later or earlier). @default 0.1 */
  readonly relabelled?: number;
  /** Labels for keys never predicted, as a share of predictions. @default 0.05 */
  readonly strays?: number;
  /** Share of predictions delivered twice (same key). @default 0.02 */
  readonly duplicates?: number;
  /** Chance that the model's prediction is right (classification: the label is the truth). @default 0.8 */
  readonly accuracy?: number;
}

const CLASSES = ['cat', 'dog', 'fox', 'owl', 'yak'];

/** The arrivals of a random stream, in arrival order. */
export function labelStream(o: LabelStreamOptions): Arrival[] {
  const r = mulberry32(o.seed);
  const minutes = o.minutes ?? 6;
  const end = T0 + minutes * MINUTE;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const timed: { at: number; arrival: Arrival }[] = [];
  const at = (): number => T0 + Math.floor(r() * minutes * MINUTE);
  const clamp = (t: number): number => Math.min(end - 1, Math.max(T0, t));
  const truthFor = (predicted: string | number | null): string | number | boolean => {
    const u = r();
    if (o.task === 'classification') {
      if (u < 0.03) return u < 0.015; // a boolean truth: its label is "true" / "false"
      if (u < 0.05) return 7; // a number truth: label "7"
      if (typeof predicted === 'string' && r() < (o.accuracy ?? 0.8)) return predicted;
      return pick(CLASSES);
    }
    if (u < 0.04) return 'n/a'; // not a number: unusable for a regressor
    const base = typeof predicted === 'number' ? predicted : 0;
    return base + (r() - 0.5) * 4;
  };
  for (let i = 0; i < o.predictions; i++) {
    const requestId = `req-${o.seed}-${i >> 1}`;
    const row = i & 1;
    const t = at();
    let label: string | null = null;
    let value: number | null = null;
    const u = r();
    if (o.task === 'classification') {
      if (u < 0.04) label = null;
      else if (u < 0.07)
        value = Math.floor(r() * 3); // a classifier with a value and no label
      else label = pick(CLASSES);
    } else if (u < 0.03)
      label = 'oops'; // a regressor's label: unusable
    else if (u > 0.98) value = null;
    else value = Math.round(r() * 1000) / 10;
    const confidence = r() < 0.1 ? null : Math.round(r() * 100) / 100;
    const p: StreamPrediction = {
      key: labelJoinKey(requestId, row),
      requestId,
      row,
      bucketStartMs: bucketStartFor(t),
      atMs: t,
      label,
      value,
      predicted: label ?? value,
      confidence,
    };
    timed.push({ at: t, arrival: { kind: 'prediction', p } });
    if (r() < (o.duplicates ?? 0.02)) {
      const t2 = at();
      const dup = { ...p, bucketStartMs: bucketStartFor(t2), atMs: t2, label: pick(CLASSES), value: null };
      timed.push({ at: t2, arrival: { kind: 'prediction', p: { ...dup, predicted: dup.label } } });
    }
    if (r() < (o.labelled ?? 0.7)) {
      // Mostly after the prediction (up to 4 minutes), sometimes before it (up to 30 s).
      const delay = r() < 0.15 ? -Math.floor(r() * 30_000) : Math.floor(r() * 240_000);
      const l: StreamLabel = {
        key: p.key,
        requestId,
        row,
        atMs: clamp(t + delay),
        truth: truthFor(p.predicted),
      };
      timed.push({ at: l.atMs, arrival: { kind: 'label', l } });
      if (r() < (o.relabelled ?? 0.1)) {
        const again: StreamLabel = {
          ...l,
          atMs: clamp(l.atMs + Math.floor((r() - 0.3) * 60_000)),
          truth: truthFor(p.predicted),
        };
        timed.push({ at: again.atMs, arrival: { kind: 'label', l: again } });
      }
    }
  }
  const strays = Math.round(o.predictions * (o.strays ?? 0.05));
  for (let i = 0; i < strays; i++) {
    const requestId = `stray-${o.seed}-${i}`;
    const l: StreamLabel = {
      key: labelJoinKey(requestId, 0),
      requestId,
      row: 0,
      atMs: at(),
      truth: truthFor(null),
    };
    timed.push({ at: l.atMs, arrival: { kind: 'label', l } });
  }
  // Arrival order: roughly by time, with the two kinds shuffled against each other (two topics, two indices).
  const jitter = timed.map((x) => x.at + (r() - 0.5) * 90_000);
  return timed
    .map((x, i) => ({ x, key: jitter[i] }))
    .sort((a, b) => a.key - b.key)
    .map(({ x }) => x.arrival);
}

export function predictionsOf(arrivals: readonly Arrival[]): StreamPrediction[] {
  return arrivals.flatMap((a) => (a.kind === 'prediction' ? [a.p] : []));
}

export function labelsOf(arrivals: readonly Arrival[]): StreamLabel[] {
  return arrivals.flatMap((a) => (a.kind === 'label' ? [a.l] : []));
}

/**
 * The inference events of `predictions` in the order a window is read: by bucket, then in arrival order (a
 * stable sort), as plain schema-shaped objects (only what evaluateQuality reads is meaningful).
 */
export function inferenceEventsOf(predictions: readonly StreamPrediction[]): InferenceEvent[] {
  return [...predictions]
    .sort((a, b) => a.bucketStartMs - b.bucketStartMs)
    .map(
      (p) =>
        ({
          schema_version: 1,
          event_id: `${p.key}@${p.atMs}`,
          request_id: p.requestId,
          row: p.row,
          '@timestamp': new Date(p.atMs).toISOString(),
          model: { name: 'm', version: '1' },
          protocol: 'v2',
          parsed: true,
          features: {},
          outputs: {
            label: p.label,
            value: p.value,
            probabilities: null,
            confidence: p.confidence,
            invalid: null,
          },
          latency_ms: { total: 1, upstream: 1 },
          http_status: 200,
          error: null,
        }) as InferenceEvent,
    );
}

/** The feedback events of `labels`, in arrival order. */
export function feedbackEventsOf(labels: readonly StreamLabel[]): FeedbackEvent[] {
  return labels.map(
    (l) =>
      ({
        schema_version: 1,
        event_id: `${l.key}@${l.atMs}`,
        request_id: l.requestId,
        row: l.row,
        '@timestamp': new Date(l.atMs).toISOString(),
        model: { name: 'm', version: null },
        ground_truth: l.truth,
        source: 'test',
      }) as FeedbackEvent,
  );
}
