/**
 * Confidence limits (issue #13): a prediction whose confidence is below its limit is handed to people (the review
 * queue); at or above it, it is handled automatically. The limit of a row is its predicted class's
 * `models.<m>.classThresholds[class]`, else the model's `models.<m>.confidenceThreshold`, else the exporter-wide
 * `confidenceThreshold`. A row without a confidence (a regressor, a model without probabilities) is never queued.
 */

/** One model's limits, resolved from the config once. */
export interface ConfidenceLimits {
  /** The model's limit for classes without their own. */
  readonly fallback: number;
  /** Class → its own limit. */
  readonly perClass: Readonly<Record<string, number>>;
}

/** The limits of a model config under the exporter-wide default. */
export function confidenceLimits(
  model: { confidenceThreshold: number | null; classThresholds: Readonly<Record<string, number>> },
  exporterDefault: number,
): ConfidenceLimits {
  return { fallback: model.confidenceThreshold ?? exporterDefault, perClass: model.classThresholds };
}

/** The limit a row predicted as `predicted` is held to. */
export function limitFor(limits: ConfidenceLimits, predicted: string | number | null): number {
  if (predicted === null) return limits.fallback;
  const own = limits.perClass[String(predicted)];
  return own ?? limits.fallback;
}

/** True when the row goes to people: it has a confidence, and it is strictly below its limit. */
export function handedToPeople(
  limits: ConfidenceLimits,
  predicted: string | number | null,
  confidence: number | null,
): boolean {
  return confidence !== null && confidence < limitFor(limits, predicted);
}
