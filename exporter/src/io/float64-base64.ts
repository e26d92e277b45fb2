/**
 * Float64 columns as base64 of little-endian doubles: how serialised state (window buckets, the label join) keeps
 * numbers bit for bit in JSON, NaN and ±Infinity included. Cost: O(n), one copy.
 *
 * @example float64FromBase64(float64ToBase64(Float64Array.of(1, NaN)), 2) // Float64Array [1, NaN]
 */
export function float64ToBase64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return Buffer.from(bytes).toString('base64');
}

/** The `n` doubles `text` holds, in an array of `capacity` (≥ n) elements; null when it does not hold exactly n. */
export function float64FromBase64(text: string, n: number, capacity = n): Float64Array | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== n * 8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(Math.max(n, capacity));
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
