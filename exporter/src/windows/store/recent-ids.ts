/**
 * The event ids seen recently, to count a redelivered event once: Kafka after a producer retry (the sidecar's
 * producer is not idempotent) or a spool replay, the spool when a sink's copy is re-sent. Bounded: ids are kept as
 * 53-bit hashes in two generations — the current one and the one before — and the older generation is dropped when
 * the current one is `horizonMs` old or holds `maxIds / 2` ids. So an id is remembered for at least
 * min(horizonMs, the time maxIds / 2 events take to arrive), and at most twice that.
 *
 * Ids are kept as their 52-bit `keyHash` (quality/key-hash.ts, the label join's): among a million remembered ids,
 * the chance that a new id is taken for a duplicate is about 1e6 / 2⁵² ≈ 2.2e-10 per event.
 * Each generation is an open-addressing table of those hashes in one Float64Array (linear probing, at most half
 * full), not a Set: a Set of 52-bit numbers holds one heap object per id, and with the two million ids of the
 * default `dedupe.maxIds` every full garbage collection of the exporter had to trace them (~50 ms each, in the
 * middle of an evaluation; issue #18). A typed array is one object the collector does not look into.
 * Cost: two 32-bit string hashes and a probe or two per id; 16–32 bytes per remembered id.
 */
import { keyHash } from '../../quality/key-hash';

const EMPTY = -1;

/** A set of 52-bit key hashes (integers in [0, 2⁵²)): open addressing, linear probing, doubled when half full. */
class KeyHashSet {
  private table = new Float64Array(1024).fill(EMPTY);
  private mask = 1023;
  size = 0;

  has(hash: number): boolean {
    const table = this.table;
    for (let i = (hash >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const h = table[i];
      if (h === hash) return true;
      if (h === EMPTY) return false;
    }
  }

  /** Adds a hash that is not in the set. */
  add(hash: number): void {
    if ((this.size + 1) * 2 > this.table.length) this.grow();
    this.put(hash);
    this.size++;
  }

  private put(hash: number): void {
    const table = this.table;
    let i = (hash >>> 0) & this.mask;
    while (table[i] !== EMPTY) i = (i + 1) & this.mask;
    table[i] = hash;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2).fill(EMPTY);
    this.mask = this.table.length - 1;
    for (let i = 0; i < old.length; i++) if (old[i] !== EMPTY) this.put(old[i]);
  }
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
  let previous = new KeyHashSet();
  let current = new KeyHashSet();
  let currentSince = now();
  return {
    firstSeen(id) {
      const h = keyHash(id);
      if (current.has(h) || previous.has(h)) return false;
      const t = now();
      if (current.size >= half || t - currentSince >= options.horizonMs) {
        previous = current;
        current = new KeyHashSet();
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
