/**
 * Retraining triggers beyond drift (issue #13): checked on a schedule for each watched model, not on an alert.
 * Pure: `evaluateTrigger` decides from metric values read elsewhere (prometheus-quality.ts reads them).
 *
 *   quality       a quality metric (realized `plumbline_model_accuracy`, or an estimate such as
 *                 `plumbline_estimated_accuracy` once it exists) below its reference's: `referenceMetric` (a metric
 *                 holding the reference's figure) or a fixed `reference`, less `margin`. No value, or no reference:
 *                 no trigger (said why).
 *   humanLabels   at least `count` new human labels (reviews confirming or correcting a prediction) since the last
 *                 retrain.
 *   maxModelAge   the last retrain (the retrain endpoint's status; never: since the bridge started) is more than
 *                 `maxAgeSeconds` ago.
 *
 * Each trigger has its own cooldown per model (`cooldownSeconds`): once it fired for a model it does not fire again
 * for that model before the cooldown ends, whatever the values; the retrain endpoint keeps its own cooldown too.
 */
import { z } from 'zod';

const cooldown = z.number().min(0).default(21_600);

export const TriggerSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('quality'),
    /** The quality metric, one series per model (`min` over its other labels). @default plumbline_model_accuracy */
    metric: z.string().min(1).default('plumbline_model_accuracy'),
    /** A metric with the reference's figure per model; null: `reference`. */
    referenceMetric: z.string().min(1).nullable().default(null),
    /** A fixed reference figure when there is no reference metric. */
    reference: z.number().nullable().default(null),
    /** Fires when the value is below reference − margin. @default 0 */
    margin: z.number().min(0).default(0),
    cooldownSeconds: cooldown,
  }),
  z.strictObject({
    kind: z.literal('humanLabels'),
    /** New human labels since the last retrain that call for the next one. */
    count: z.number().int().min(1),
    cooldownSeconds: cooldown,
  }),
  z.strictObject({
    kind: z.literal('maxModelAge'),
    /** Longest time a model may go without a retrain. */
    maxAgeSeconds: z.number().min(1),
    cooldownSeconds: cooldown,
  }),
]);
export type TriggerSpec = z.infer<typeof TriggerSpecSchema>;

/** What a trigger reads for one model; null where there is no value. */
export interface TriggerReadings {
  /** quality: the metric's value and the reference's. */
  value?: number | null;
  reference?: number | null;
  /** humanLabels: human labels since the last retrain. */
  humanLabels?: number | null;
  /** maxModelAge: the last retrain, epoch ms (null: none on record — the bridge's start counts). */
  lastRetrainMs?: number | null;
}

export type TriggerDecision =
  | { action: 'trigger'; model: string; trigger: TriggerSpec['kind']; reason: string; idempotencyKey: string }
  | { action: 'skip'; model: string; trigger: TriggerSpec['kind']; reason: string };

/** One trigger for one model: fire or not, and why. */
export function evaluateTrigger(
  spec: TriggerSpec,
  model: string,
  readings: TriggerReadings,
  context: { nowMs: number; lastFiredMs: number | undefined; startedMs: number },
): TriggerDecision {
  const skip = (reason: string): TriggerDecision => ({ action: 'skip', model, trigger: spec.kind, reason });
  if (context.lastFiredMs !== undefined) {
    const remaining = Math.ceil((context.lastFiredMs + spec.cooldownSeconds * 1000 - context.nowMs) / 1000);
    if (remaining > 0) return skip(`cooldown: ${remaining}s remaining`);
  }
  const fire = (reason: string): TriggerDecision => ({
    action: 'trigger',
    model,
    trigger: spec.kind,
    reason,
    // One retrain per trigger, model and cooldown period, however often the check runs or the bridge restarts.
    idempotencyKey: `trigger-${spec.kind}-${model}-${Math.floor(context.nowMs / Math.max(1, spec.cooldownSeconds * 1000))}`,
  });
  switch (spec.kind) {
    case 'quality': {
      const value = readings.value ?? null;
      const reference = spec.referenceMetric === null ? spec.reference : (readings.reference ?? null);
      if (value === null) return skip(`${spec.metric} has no value`);
      if (reference === null)
        return skip(
          spec.referenceMetric ? `${spec.referenceMetric} has no value` : 'no reference configured',
        );
      const floor = reference - spec.margin;
      return value < floor
        ? fire(
            `${spec.metric} ${value} is below the reference's ${reference}${spec.margin ? ` − ${spec.margin}` : ''}`,
          )
        : skip(`${spec.metric} ${value} is not below ${floor}`);
    }
    case 'humanLabels': {
      const n = readings.humanLabels ?? null;
      if (n === null) return skip('no human label count');
      return n >= spec.count
        ? fire(`${n} new human labels since the last retrain (at least ${spec.count})`)
        : skip(`${n} new human labels since the last retrain, fewer than ${spec.count}`);
    }
    case 'maxModelAge': {
      const since = readings.lastRetrainMs ?? context.startedMs;
      const ageSeconds = Math.floor((context.nowMs - since) / 1000);
      const what =
        readings.lastRetrainMs == null ? 'no retrain on record; the bridge started' : 'last retrain';
      return ageSeconds > spec.maxAgeSeconds
        ? fire(`model age: ${what} ${ageSeconds}s ago, more than ${spec.maxAgeSeconds}s`)
        : skip(`model age ${ageSeconds}s is within ${spec.maxAgeSeconds}s`);
    }
  }
}
