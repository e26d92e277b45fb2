/**
 * Shadow events for the exporter's tests (issue #14): a challenger's answer to a primary row, as the sidecar
 * captures it (inference-sidecar/src/shadow/): `role: "shadow"`, the primary's request id with `:shadow`, the
 * primary's `@timestamp`, and `shadow_of` naming the primary row.
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';

/** The shadow's event for `primary`, answering `outputs` as version `version`. */
export function shadowOf(
  primary: InferenceEvent,
  version: string,
  outputs: Partial<InferenceEvent['outputs']>,
): InferenceEvent {
  const requestId = `${primary.request_id}:shadow`;
  return {
    ...primary,
    event_id: `${requestId}:${primary.row}`,
    request_id: requestId,
    role: 'shadow',
    shadow_of: { request_id: primary.request_id, row: primary.row },
    model: { name: primary.model.name, version },
    outputs: { ...primary.outputs, ...outputs },
  };
}

/** Ground truth for a primary row, `delayMs` after its prediction. */
export function labelFor(primary: InferenceEvent, truth: string | number, delayMs = 1000): FeedbackEvent {
  return {
    schema_version: 1,
    event_id: `${primary.request_id}:${primary.row}:feedback`,
    request_id: primary.request_id,
    row: primary.row,
    '@timestamp': new Date(Date.parse(primary['@timestamp']) + delayMs).toISOString(),
    model: { name: primary.model.name, version: null },
    ground_truth: truth,
    source: 'api',
  };
}
