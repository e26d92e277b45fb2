import { sortFloat64 } from '../stats/sort-float64';

/** Deterministic 32-bit PRNG (mulberry32): same seed, same reservoir, so baselines are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A uniform random sample of at most `capacity` values from a stream of unknown length (Vitter's Algorithm R):
 * the first `capacity` values are kept, then the i-th value replaces a random slot with probability capacity / i.
 * Memory O(capacity), independent of the stream length.
 */
export class Reservoir {
  private readonly values: Float64Array;
  private seen = 0;
  private readonly random: () => number;

  constructor(
    readonly capacity: number,
    seed = 0x5eed,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`Reservoir: capacity must be ≥ 1, got ${capacity}`);
    this.values = new Float64Array(Number.isFinite(capacity) ? capacity : 1024);
    this.random = mulberry32(seed);
  }

  private buffer: Float64Array | null = null;

  add(x: number): void {
    this.seen++;
    if (!Number.isFinite(this.capacity)) {
      const buf = this.buffer ?? this.values;
      if (this.seen > buf.length) {
        const grown = new Float64Array(buf.length * 2);
        grown.set(buf);
        this.buffer = grown;
      }
      (this.buffer ?? this.values)[this.seen - 1] = x;
      return;
    }
    if (this.seen <= this.capacity) {
      this.values[this.seen - 1] = x;
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.capacity) this.values[j] = x;
  }

  /** Values offered so far. */
  get count(): number {
    return this.seen;
  }

  /** True while every offered value is held. */
  get complete(): boolean {
    return this.seen <= this.capacity;
  }

  /** The sample, sorted ascending (a copy). */
  sorted(): Float64Array {
    const buf = this.buffer ?? this.values;
    return sortFloat64(buf.slice(0, Math.min(this.seen, this.capacity)));
  }
}
