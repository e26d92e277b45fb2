/**
 * Exact counts of at most `capacity` distinct string values, the rest pooled in `other`, such that merging is
 * exact, associative and commutative (a "bottom-k" sketch with exact counts).
 *
 * Which values keep their own count: the `capacity` values with the smallest key (FNV-1a hash of the value, then
 * the value itself), over every value ever seen. That set does not depend on arrival order or on how the stream
 * was split into buckets, and a value in the bottom-k of a union is in the bottom-k of every part it occurs in, so
 * its count is exact in every part and the merged count is exact. Counts of the other values go to `other`; the
 * total (Σ counts + other) is always exact. With no more than `capacity` distinct values, every count is exact.
 * The tracked values are a uniform-by-hash choice among the distinct values, not the most frequent ones: pick the
 * top ones at report time from these exact counts.
 * Reference: Cohen & Kaplan, "Summarizing data using bottom-k sketches", PODC 2007.
 * Cost: O(1) per value while it is tracked, or below capacity; O(capacity) when a value displaces another.
 *
 * @example const c = createBoundedCounts(2); addCount(c, 'a'); addCount(c, 'b'); addCount(c, 'c') // one is in other
 */
export interface BoundedCounts {
  readonly capacity: number;
  /** Exact count per tracked value. */
  readonly counts: Map<string, number>;
  /** Occurrences of values that are not tracked. */
  other: number;
}

export function createBoundedCounts(capacity: number): BoundedCounts {
  if (!(Number.isInteger(capacity) && capacity >= 0))
    throw new RangeError(`capacity must be an integer ≥ 0, got ${capacity}`);
  return { capacity, counts: new Map(), other: 0 };
}

/** Adds `n` occurrences of `value`. */
export function addCount(c: BoundedCounts, value: string, n = 1): void {
  const seen = c.counts.get(value);
  if (seen !== undefined) {
    c.counts.set(value, seen + n);
    return;
  }
  if (c.counts.size < c.capacity) {
    c.counts.set(value, n);
    return;
  }
  const largest = largestKey(c);
  if (largest !== null && compareKeys(value, largest) < 0) {
    c.other += c.counts.get(largest)!;
    c.counts.delete(largest);
    c.counts.set(value, n);
  } else c.other += n;
}

/**
 * Adds every count of `from` into `into` (the result is the same in any order of merging).
 * With `trim: false` the values past capacity stay until {@link trimCounts}: merging many states one after
 * another and trimming once gives the same tracked values, counts, `other` and Map order as trimming after each
 * merge (a value of the final bottom-k is in the bottom-k of every part, so no intermediate trim removes it, and
 * it enters the Map when first met either way) — one sort instead of one per merge (a window merges 60 buckets).
 */
export function mergeCountsInto(
  into: BoundedCounts,
  from: BoundedCounts,
  options: { readonly trim?: boolean } = {},
): void {
  if (into.capacity !== from.capacity)
    throw new RangeError(`cannot merge bounded counts of capacity ${from.capacity} into ${into.capacity}`);
  into.other += from.other;
  for (const [v, n] of from.counts) into.counts.set(v, (into.counts.get(v) ?? 0) + n);
  if (options.trim ?? true) trimCounts(into);
}

/** Moves the counts of the values past the bottom-`capacity` into `other` (after merges with `trim: false`). */
export function trimCounts(into: BoundedCounts): void {
  if (into.counts.size <= into.capacity) return;
  // compareKeys' order, each value hashed once (not once per comparison: a window merges 60 buckets).
  const keys = [...into.counts.keys()].map((value) => ({ value, hash: fnv1a(value) }));
  keys.sort((a, b) =>
    a.hash !== b.hash ? (a.hash < b.hash ? -1 : 1) : a.value < b.value ? -1 : a.value > b.value ? 1 : 0,
  );
  for (const { value } of keys.slice(into.capacity)) {
    into.other += into.counts.get(value)!;
    into.counts.delete(value);
  }
}

/** Σ counts + other: every occurrence, exact. */
export function totalCount(c: BoundedCounts): number {
  let t = c.other;
  for (const n of c.counts.values()) t += n;
  return t;
}

/** The tracked counts, sorted by value, and `other` — a canonical form for equality and serialisation. */
export function countsEntries(c: BoundedCounts): [string, number][] {
  return [...c.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function copyBoundedCounts(c: BoundedCounts): BoundedCounts {
  return { capacity: c.capacity, counts: new Map(c.counts), other: c.other };
}

function largestKey(c: BoundedCounts): string | null {
  let best: string | null = null;
  for (const v of c.counts.keys()) if (best === null || compareKeys(v, best) > 0) best = v;
  return best;
}

/** Orders values by (FNV-1a hash, value): a total order that looks random with respect to the values. */
export function compareKeys(a: string, b: string): number {
  const ha = fnv1a(a);
  const hb = fnv1a(b);
  if (ha !== hb) return ha < hb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
