/** Below this length the native sort is as fast and needs no scratch buffer. */
const RADIX_MIN_LENGTH = 512;
/** Runs of values sharing their high word longer than this are finished by the native sort, not by insertion. */
const INSERTION_MAX_RUN = 32;

/**
 * Sorts a Float64Array ascending **in place** and returns it; the result is identical, value for value and bit for
 * bit, to `values.sort()` (TypedArray.prototype.sort without a comparator: −0 before +0, NaN last), only faster
 * on large arrays (200k values: ~4–5 ms instead of ~18 ms).
 *
 * Definition: the high 32 bits of each IEEE-754 double (sign, exponent, top 20 mantissa bits), made
 * order-preserving (positive numbers: sign bit flipped; negative numbers: every bit flipped), are sorted by an LSD
 * radix sort (two 16-bit digits, or three 11-bit digits below 65,536 values; stable; a digit on which every value
 * agrees is skipped). That order is final except inside runs of values with the same high word, which differ only
 * in their low mantissa bits and are then put in order by insertion (short runs) or the native sort (long runs).
 * Arrays shorter than 512 values, or holding a NaN, go to the native sort.
 * Reference: Knuth, TAOCP vol. 3, §5.2.5 (radix sorting); Herf, "Radix tricks" (2001) for the float key.
 * Cost: O(n) time for data spread over many high words (two or three scatter passes plus one fix-up pass),
 * O(n log n) at worst (values that differ only in their low 32 bits); n · 8 bytes of scratch memory.
 *
 * @example sortFloat64(Float64Array.of(3, -1, 0, -0, 2)) // Float64Array [-1, -0, 0, 2, 3]
 */
export function sortFloat64(values: Float64Array): Float64Array {
  return new Float64Sorter().sort(values);
}

/**
 * {@link sortFloat64} with its scratch memory (a Float64Array as long as the longest input so far, and the digit
 * counts) kept between calls: sorting many columns one after another then allocates nothing after the first.
 *
 * @example const sorter = new Float64Sorter(); for (const c of columns) sorter.sort(c);
 */
export class Float64Sorter {
  private scratch = new Float64Array(0);
  private readonly counts11 = new Uint32Array(3 << 11);
  private counts16: Uint32Array | null = null;

  /** Sorts `values` in place (see {@link sortFloat64}) and returns it. */
  sort(values: Float64Array): Float64Array {
    const n = values.length;
    if (n < RADIX_MIN_LENGTH) return values.sort();
    const digitBits = n >= 65536 ? 16 : 11;
    const digits = Math.ceil(32 / digitBits);
    const buckets = 1 << digitBits;
    const counts = digitBits === 16 ? (this.counts16 ??= new Uint32Array(2 << 16)) : this.counts11;
    counts.fill(0);
    if (!countDigits(values, highWordsOf(values), counts, digitBits, digits)) return values.sort(); // NaN
    if (this.scratch.length < n) this.scratch = new Float64Array(n);
    let src: Float64Array = values;
    let dst: Float64Array = this.scratch.subarray(0, n);
    for (let digit = 0; digit < digits; digit++) {
      const base = digit * buckets;
      if (!countsToOffsets(counts, base, buckets, n)) continue; // every value has the same digit: order stays
      scatter(src, highWordsOf(src), dst, counts, base, digit * digitBits, buckets - 1);
      [src, dst] = [dst, src];
    }
    if (src !== values) values.set(src);
    sortRunsOfEqualHighWords(values, highWordsOf(values));
    return values;
  }
}

// The loops live in small functions of their own so that V8 optimises each one whole (a long loop inside a big
// function runs interpreted until on-stack replacement, allocating a heap number per value).

/** The 32-bit words of the values (little-endian: index 2i + 1 is the high word of value i). */
function highWordsOf(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, 2 * values.length);
}

/** The order-preserving key of a high word: sign bit flipped for positive numbers, every bit for negative ones. */
function key(high: number): number {
  return high ^ ((high >> 31) | 0x80000000);
}

/** Histograms of every digit of every key, in one pass. False when a value is NaN. */
function countDigits(
  values: Float64Array,
  words: Uint32Array,
  counts: Uint32Array,
  digitBits: number,
  digits: number,
): boolean {
  if (digitBits === 16) return countTwo16BitDigits(values, words, counts);
  const mask = (1 << digitBits) - 1;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== values[i]) return false;
    const k = key(words[2 * i + 1]);
    for (let d = 0; d < digits; d++) counts[(d << digitBits) + ((k >>> (d * digitBits)) & mask)]++;
  }
  return true;
}

/**
 * countDigits for two 16-bit digits (arrays of 65,536 values or more), unrolled: ~15% faster on 200k values than
 * the general loop, whose digit loop and variable shifts V8 does not unroll. The NaN check is a pass of its own.
 */
function countTwo16BitDigits(values: Float64Array, words: Uint32Array, counts: Uint32Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return false;
  for (let i = 0; i < values.length; i++) {
    const k = key(words[2 * i + 1]);
    counts[k & 0xffff]++;
    counts[0x10000 + (k >>> 16)]++;
  }
  return true;
}

/** Turns one digit's counts into start offsets; false (and untouched) when a single bucket holds all n values. */
function countsToOffsets(counts: Uint32Array, base: number, buckets: number, n: number): boolean {
  // One pass: if bucket k holds all n values, every bucket before it held 0 and was rewritten as 0, so the counts
  // are still untouched when this returns false.
  let sum = 0;
  for (let b = base; b < base + buckets; b++) {
    const c = counts[b];
    if (c === n) return false;
    counts[b] = sum;
    sum += c;
  }
  return true;
}

function scatter(
  src: Float64Array,
  words: Uint32Array,
  dst: Float64Array,
  offsets: Uint32Array,
  base: number,
  shift: number,
  mask: number,
): void {
  for (let i = 0; i < src.length; i++) {
    const d = (key(words[2 * i + 1]) >>> shift) & mask;
    dst[offsets[base + d]++] = src[i];
  }
}

/**
 * Values sorted by high word: orders each run of equal high words (same sign, so `>` is the key order). A long run
 * already in order — typically one value repeated, as in a count or a flag column — is left as it is: the native
 * sort would only move equal values among themselves.
 */
function sortRunsOfEqualHighWords(values: Float64Array, words: Uint32Array): void {
  const n = values.length;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && words[2 * i + 1] === words[2 * start + 1]) continue;
    if (i - start > INSERTION_MAX_RUN) {
      if (!isAscending(values, start, i)) values.subarray(start, i).sort();
    } else if (i - start > 1) insertionSort(values, start, i);
    start = i;
  }
}

/** True when values[from … to) never decreases (a run of one sign: no −0 / +0 pair to order). */
function isAscending(values: Float64Array, from: number, to: number): boolean {
  for (let k = from + 1; k < to; k++) if (values[k] < values[k - 1]) return false;
  return true;
}

function insertionSort(values: Float64Array, from: number, to: number): void {
  for (let k = from + 1; k < to; k++) {
    const x = values[k];
    let j = k - 1;
    while (j >= from && values[j] > x) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = x;
  }
}
