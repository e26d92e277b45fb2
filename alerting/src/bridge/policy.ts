/**
 * Pure: the retraining policy the alert → retrain bridge applies to each alert Alertmanager sends.
 *
 * An alert triggers a retrain only when all of these hold, checked in this order:
 *   1. it is firing (resolved notifications never trigger);
 *   2. it is a drift alert (`category="drift"`): latency, pipeline or quality alerts are for humans; output drift
 *      (PlumblinePredictionDriftPersistent) only when `predictionDrift` is on (off by default: the output moves with
 *      the traffic mix too, and input drift already triggers);
 *   3. it names a model;
 *   4. the model is out of its cooldown (one retrain per model per `cooldownSeconds`, however many of its
 *      features drift at once; the retrain endpoint enforces its own cooldown as well);
 *   5. the quality gate passes: the latest window has at least `minWindowSamples` rows (drift measured on a handful
 *      of rows is noise), and, when ground truth is known, accuracy is below `maxAccuracy` (a model that still
 *      performs does not need retraining because its inputs moved). Unknown accuracy (labels not in yet) passes.
 */

import { PREDICTION_DRIFT_ALERT } from '../alerts';

/** One alert of Alertmanager's webhook payload (version 4). */
export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint: string;
}

export interface AlertmanagerPayload {
  version: string;
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: AlertmanagerAlert[];
}

export interface RetrainPolicy {
  /** Alert categories allowed to trigger. @default ['drift'] */
  categories: string[];
  /** One retrain per model per this many seconds. @default 21600 (6 h) */
  cooldownSeconds: number;
  /** Rows the latest window must hold. @default 100 */
  minWindowSamples: number;
  /** Retrain only while accuracy is below this (when known). @default 0.95 */
  maxAccuracy: number;
  /** Output drift (PlumblinePredictionDriftPersistent) may trigger too. @default false */
  predictionDrift: boolean;
}

export const DEFAULT_POLICY: RetrainPolicy = {
  categories: ['drift'],
  cooldownSeconds: 21600,
  minWindowSamples: 100,
  maxAccuracy: 0.95,
  predictionDrift: false,
};

/** What the quality gate knows about a model right now; null where the metric has no value. */
export interface QualitySnapshot {
  accuracy: number | null;
  windowSamples: number | null;
}

export type Decision =
  | { action: 'trigger'; model: string; reason: string; idempotencyKey: string }
  | { action: 'skip'; model: string | null; reason: string };

/** Steps 1-4, before any I/O: returns the model to check, or why the alert is skipped. */
export function preCheck(
  alert: AlertmanagerAlert,
  policy: RetrainPolicy,
  lastTriggerMs: number | undefined,
  nowMs: number,
): { ok: true; model: string } | { ok: false; decision: Decision } {
  const model = alert.labels.model ?? null;
  const skip = (reason: string) => ({
    ok: false as const,
    decision: { action: 'skip' as const, model, reason },
  });
  if (alert.status !== 'firing') return skip('resolved');
  const category = alert.labels.category ?? '';
  if (!policy.categories.includes(category)) {
    return skip(`category "${category}" does not trigger retraining (only ${policy.categories.join(', ')})`);
  }
  if (alert.labels.alertname === PREDICTION_DRIFT_ALERT && !policy.predictionDrift) {
    return skip('output drift triggers retraining only with PLUMBLINE_BRIDGE_PREDICTION_DRIFT=true');
  }
  if (!model) return skip('alert has no model label');
  if (lastTriggerMs !== undefined) {
    const remaining = Math.ceil((lastTriggerMs + policy.cooldownSeconds * 1000 - nowMs) / 1000);
    if (remaining > 0) return skip(`cooldown: ${remaining}s remaining`);
  }
  return { ok: true, model };
}

/** Step 5 and the final decision. */
export function decide(
  alert: AlertmanagerAlert,
  model: string,
  quality: QualitySnapshot,
  policy: RetrainPolicy,
): Decision {
  if (quality.windowSamples === null || quality.windowSamples < policy.minWindowSamples) {
    return {
      action: 'skip',
      model,
      reason: `quality gate: ${quality.windowSamples ?? 0} rows in the latest window, fewer than ${policy.minWindowSamples}`,
    };
  }
  if (quality.accuracy !== null && quality.accuracy >= policy.maxAccuracy) {
    return {
      action: 'skip',
      model,
      reason: `quality gate: accuracy ${quality.accuracy} is still at or above ${policy.maxAccuracy}`,
    };
  }
  const what =
    alert.labels.alertname === PREDICTION_DRIFT_ALERT
      ? 'the model output'
      : alert.labels.feature
        ? `feature ${alert.labels.feature}`
        : 'dataset';
  const accuracy = quality.accuracy === null ? 'accuracy unknown' : `accuracy ${quality.accuracy}`;
  return {
    action: 'trigger',
    model,
    reason: `${alert.labels.alertname ?? 'drift alert'}: ${what} drifts (${accuracy}, ${quality.windowSamples} rows)`,
    // The same alert re-sent by Alertmanager (repeat_interval, a restart) must not trigger twice.
    idempotencyKey: `alertmanager-${alert.fingerprint}-${alert.startsAt}`,
  };
}

/** Checks the webhook body's shape; throws with a message naming what is wrong. */
export function parsePayload(body: unknown): AlertmanagerPayload {
  const b = body as Partial<AlertmanagerPayload> | null;
  if (typeof b !== 'object' || b === null) throw new Error('body: expected a JSON object');
  if (!Array.isArray(b.alerts))
    throw new Error('alerts: expected an array (Alertmanager webhook payload v4)');
  b.alerts.forEach((a, i) => {
    if (typeof a !== 'object' || a === null) throw new Error(`alerts[${i}]: expected an object`);
    if (a.status !== 'firing' && a.status !== 'resolved')
      throw new Error(`alerts[${i}].status: firing or resolved`);
    if (typeof a.labels !== 'object' || a.labels === null)
      throw new Error(`alerts[${i}].labels: expected an object`);
    if (typeof a.fingerprint !== 'string') throw new Error(`alerts[${i}].fingerprint: expected a string`);
    if (typeof a.startsAt !== 'string') throw new Error(`alerts[${i}].startsAt: expected a string`);
  });
  return b as AlertmanagerPayload;
}
