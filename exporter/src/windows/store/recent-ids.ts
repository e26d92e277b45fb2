/**
 * The event ids seen recently, to count a redelivered event once: Kafka after a producer retry (the sidecar's
 * producer is not idempotent) or a spool replay, the spool when a sink's copy is re-sent. Bounded: ids are kept as
 * 53-bit hashes in two generations — the current one and the one before — and the older generation is dropped when
 * the current one is `horizonMs` old or holds `maxIds / 2` ids. So an id is remembered for at least
 * min(horizonMs, the time maxIds / 2 events take to arrive), and at most twice that.
 *
 * Two different ids share a hash with probability 2⁻⁵³ per pair: among a million remembered ids, the chance that
 * any new id is taken for a duplicate is about 1e6 / 2⁵³ ≈ 1.1e-10 per event.
 * Cost: two 32-bit string hashes and a Set lookup per id; about 40 bytes per remembered id.
 */

/** FNV-1a over UTF-16 code units, 32 bits, with a seed as the offset basis. */
function fnv1a(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3's fmix32): FNV alone mixes the last characters poorly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 53-bit hash of `s` (a safe integer): 32 bits of one FNV-1a and 21 of another with a different seed. */
export function hash53(s: string): number {
  return fnv1a(s, 0x811c9dc5) * 0x200000 + (fnv1a(s, 0x9e3779b9) >>> 11);
}

export interface RecentIdsOptions {
  /** How long an id is remembered at least (unless maxIds is reached first). */
  readonly horizonMs: number;
  /** Most ids remembered. */
  readonly maxIds: number;
  readonly now?: () => number;
}

export interface RecentIds {
  /** True the first time an id is seen (within the horizon), false for a repeat. */
  firstSeen(id: string): boolean;
  /** Ids remembered now. */
  readonly size: number;
}

export function createRecentIds(options: RecentIdsOptions): RecentIds {
  if (!(options.horizonMs > 0)) throw new RangeError(`horizonMs must be positive, got ${options.horizonMs}`);
  if (!(Number.isInteger(options.maxIds) && options.maxIds >= 2))
    throw new RangeError(`maxIds must be an integer ≥ 2, got ${options.maxIds}`);
  const now = options.now ?? Date.now;
  const half = Math.floor(options.maxIds / 2);
  let previous = new Set<number>();
  let current = new Set<number>();
  let currentSince = now();
  return {
    firstSeen(id) {
      const h = hash53(id);
      if (current.has(h) || previous.has(h)) return false;
      const t = now();
      if (current.size >= half || t - currentSince >= options.horizonMs) {
        previous = current;
        current = new Set<number>();
        currentSince = t;
      }
      current.add(h);
      return true;
    },
    get size() {
      return previous.size + current.size;
    },
  };
}
