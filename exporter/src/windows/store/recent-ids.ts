/**
 * The event ids seen recently, to count a redelivered event once: Kafka after a producer retry (the sidecar's
 * producer is not idempotent) or a spool replay, the spool when a sink's copy is re-sent. Bounded: ids are kept as
 * 53-bit hashes in two generations — the current one and the one before — and the older generation is dropped when
 * the current one is `horizonMs` old or holds `maxIds / 2` ids. So an id is remembered for at least
 * min(horizonMs, the time maxIds / 2 events take to arrive), and at most twice that.
 *
 * Ids are kept as their 52-bit `keyHash` (quality/key-hash.ts, the label join's): among a million remembered ids,
 * the chance that a new id is taken for a duplicate is about 1e6 / 2⁵² ≈ 2.2e-10 per event.
 * Cost: two 32-bit string hashes and a Set lookup per id; about 40 bytes per remembered id.
 */
import { keyHash } from '../../quality/key-hash';

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
      const h = keyHash(id);
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
