/**
 * The join key of a prediction row and its ground truth, and the 52-bit hash the label join state keeps instead of
 * the key itself.
 *
 * Definition: key = `${request_id}\u0000${row}` (the feedback event's documented key, as joinFeedback builds it).
 * keyHash(key) = a · 2^20 + ⌊b / 2^12⌋ with a, b = MurmurHash3 (x86, 32-bit) of the key's UTF-16 code units (two per
 * 32-bit block) with two seeds: an integer in [0, 2^52), exact in a double. Reference: Appleby, MurmurHash3
 * (github.com/aappleby/smhasher). Cost: O(length of the key), no allocation.
 *
 * Collisions: for n distinct keys the chance that any two share a hash is ≈ n² / 2^53 (2 million keys: 4.4 · 10⁻⁴);
 * the chance that one label's key matches some other key among 1 million held predictions is ≈ 10⁶ / 2^52
 * = 2.2 · 10⁻¹⁰. A collision joins a label to the wrong row (or counts two rows as one key); nothing else breaks.
 * Sampling by hash (hash < threshold) keeps a pseudorandom subset of keys, independent of what the rows hold.
 *
 * @example keyHash(labelJoinKey('req-1', 0)) // the same number on every instance and every run
 */

/** Hashes are integers in [0, KEY_HASH_SPACE). */
export const KEY_HASH_SPACE = 2 ** 52;

/** The join key of row `row` of request `requestId` (request_id + row, as the feedback event names them). */
export function labelJoinKey(requestId: string, row: number): string {
  return `${requestId}\u0000${row}`;
}

export function keyHash(key: string): number {
  const a = murmur3(key, 0x9747b28c);
  const b = murmur3(key, 0x3c6ef372);
  return a * 1048576 + (b >>> 12);
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3_x86_32 of the string's UTF-16 code units (little-endian pairs), as an unsigned 32-bit integer. */
function murmur3(key: string, seed: number): number {
  let h = seed | 0;
  const n = key.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixBlock(h, key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16));
  if (i < n) {
    let k = Math.imul(key.charCodeAt(i), C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
