/**
 * Per-field redaction of personal data before an event leaves the sidecar (`models.<m>.redact`):
 *
 * - `drop`: the field is removed; nothing of it is stored.
 * - `hmac-sha256`: the value is replaced by `hmac-sha256:` + the lowercase hex HMAC-SHA-256 (RFC 2104) of its text
 *   under the secret key from `redaction.keyFile`. Without the key it cannot be reversed, not even by trying every
 *   postcode; the same value always gives the same text, so joins and drift on the field still work (a new key
 *   gives new values).
 * - `sha256`: the value is replaced by the plain lowercase hex SHA-256 of its text (no prefix, as it always was).
 *   It hides a value from a casual reader only: anyone can hash every postcode or birth year and look the digest up.
 *
 * A value's text is `String(value)` (a number's JSON text, `true` / `false`); `null` stays `null`.
 */
import { createHash, createHmac, type KeyObject } from 'node:crypto';
import type { FeatureValue } from '@plumbline/schema';

export type Redaction = 'drop' | 'sha256' | 'hmac-sha256';

export const REDACTIONS = ['drop', 'sha256', 'hmac-sha256'] as const satisfies readonly Redaction[];

/** What every `hmac-sha256` value starts with, so a reader knows it is keyed (and not a plain digest). */
export const HMAC_SHA256_PREFIX = 'hmac-sha256:';

/**
 * Returns a copy of `features` with the configured fields dropped or hashed; the input is not modified.
 * `key` is required when a rule is `hmac-sha256` (the config check makes sure it is loaded).
 */
export function redactFeatures(
  features: Record<string, FeatureValue>,
  rules: Readonly<Record<string, Redaction>>,
  key?: KeyObject,
): Record<string, FeatureValue> {
  let out: Record<string, FeatureValue> | undefined;
  for (const field of Object.keys(rules)) {
    if (!Object.prototype.hasOwnProperty.call(features, field)) continue;
    out ??= { ...features };
    const rule = rules[field];
    const value = features[field];
    if (rule === 'drop') delete out[field];
    else if (value === null) out[field] = null;
    else if (rule === 'sha256') out[field] = sha256Hex(String(value));
    else {
      if (key === undefined)
        throw new Error(`redactFeatures: field "${field}" is hmac-sha256 but no key was given`);
      out[field] = HMAC_SHA256_PREFIX + hmacSha256Hex(key, String(value));
    }
  }
  return out ?? features;
}

/** Lowercase hex SHA-256 of the UTF-8 text. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Lowercase hex HMAC-SHA-256 (RFC 2104, RFC 4231) of the UTF-8 text under `key`. */
export function hmacSha256Hex(key: KeyObject | Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}
