/** Writes inference and feedback events into a spool directory's store stream, as the sidecar does (tests only). */
import path from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { encodeSpoolRecord, SegmentLog } from '@plumbline/spool';

export const T0 = Date.UTC(2026, 0, 1);

export function inference(
  i: number,
  label: string,
  confidence: number,
  features: InferenceEvent['features'],
) {
  const event: InferenceEvent = {
    schema_version: 1,
    event_id: `req-${i}:0`,
    request_id: `req-${i}`,
    row: 0,
    '@timestamp': new Date(T0 + i * 1000).toISOString(),
    model: { name: 'iris', version: '3' },
    protocol: 'v2',
    parsed: true,
    features,
    outputs: { label, value: null, probabilities: null, confidence, invalid: null },
    latency_ms: { total: 1, upstream: 1 },
    http_status: 200,
    error: null,
  };
  return event;
}

let seq = 0;
export function feedback(
  i: number,
  truth: string,
  atS: number,
  extra: Partial<FeedbackEvent> = {},
): FeedbackEvent {
  seq += 1;
  return {
    schema_version: 1,
    event_id: `req-${i}:0:${extra.action ? `review:${seq}` : 'feedback'}`,
    request_id: `req-${i}`,
    row: 0,
    '@timestamp': new Date(T0 + atS * 1000).toISOString(),
    model: { name: 'iris', version: '3' },
    ground_truth: truth,
    source: 'api',
    ...extra,
  };
}

export function review(i: number, action: FeedbackEvent['action'], truth: string, atS: number) {
  return feedback(i, truth, atS, { source: 'human', action, reviewer: 'ana' });
}

/** Opens the store stream of `dir` for appending. */
export function openStore(dir: string): Promise<SegmentLog> {
  return SegmentLog.open({ dir: path.join(dir, 'store'), maxBytes: 1 << 30, cursor: false, fsync: 'never' });
}

export async function appendEvents(
  log: SegmentLog,
  events: (InferenceEvent | FeedbackEvent)[],
): Promise<void> {
  await log.append(
    events.map((event) =>
      'outputs' in event
        ? encodeSpoolRecord({ kind: 'inference', event })
        : encodeSpoolRecord({ kind: 'feedback', event }),
    ),
  );
}
