/**
 * Data minimisation (`models.<m>.capture: { mode: allowlist, fields }`): only the named features stay in an
 * event; every other field is dropped before anything is stored or observed in a feature histogram. Outputs are not
 * features and are always kept. Redaction (`redact`) then applies to what is kept.
 */
import type { FeatureValue } from '@plumbline/schema';

/** Returns `features` restricted to the `allowed` names (a new object; the input is not modified). */
export function keepAllowlisted(
  features: Record<string, FeatureValue>,
  allowed: ReadonlySet<string>,
): Record<string, FeatureValue> {
  // fromEntries defines own properties, so even a field named "__proto__" stays a plain field.
  return Object.fromEntries(Object.entries(features).filter(([field]) => allowed.has(field)));
}
