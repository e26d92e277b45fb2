/** A value as it arrives in a column: parsed JSON, a CSV cell, or an event field. */
export type CellValue = number | string | boolean | null | undefined;

/** Numbers of one column with the missing values taken out, and how many there were. */
export interface NumericColumn {
  /** The finite-or-infinite numbers, in input order. */
  readonly values: Float64Array;
  /** null, undefined, empty / blank string or NaN. */
  readonly missing: number;
  /** Non-empty values that do not parse as a number (e.g. "abc" in a numerical feature). */
  readonly invalid: number;
  /** The missing values that are NaN: NaN numbers and the strings "NaN" / "nan" (the data-quality checks'
   * non-finite values; the bucket fold counts them the same way). */
  readonly nan: number;
}

/**
 * Is this cell missing? Missing means `null`, `undefined`, an empty or blank string, or NaN — the values every
 * Plumbline test excludes and reports separately (docs/stattests.md, "Missing values").
 *
 * Cost: O(1). Example: `isMissing('') === true`, `isMissing(0) === false`.
 */
export function isMissing(value: CellValue): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return Number.isNaN(value);
  if (typeof value === 'string') {
    const trimmed = trim(value);
    return trimmed === '' || trimmed === 'NaN' || trimmed === 'nan';
  }
  return false;
}

/**
 * `s.trim()`, without calling it when neither end can be whitespace (both end characters printable ASCII other than
 * space): most cells, and trim costs ~14 ns per call even when it returns its input, once per value of a column.
 */
export function trim(s: string): string {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first > 32 && first < 127 && last > 32 && last < 127 ? s : s.trim();
}

/** A complete decimal or exponent literal; what Number() also takes but this does not ("0x1f", "1_0") is no number. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses a cell as a number the way the type inference does: numbers pass through, strings must be a complete
 * decimal / exponent literal (`"1e3"`, `"-0.5"`, `"inf"`), booleans are not numbers. Returns NaN when it is not one.
 *
 * Cost: O(length). Example: `parseNumber(' 2.5 ') === 2.5`, `parseNumber('2,5')` is NaN.
 */
export function parseNumber(value: CellValue): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const s = trim(value);
  if (DECIMAL.test(s)) return Number(s);
  // Only the rare non-decimal cell is lowercased (a new string per call) to look for infinities.
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return Number.NaN;
}

/**
 * Splits a raw column into its numbers and the count of missing values (see {@link isMissing}) and of values that
 * are present but not numbers.
 *
 * With `stopAtInvalid`, it stops at the first invalid value (invalid is then 1 and the rest is not read): enough
 * to tell that a column is not numerical. With `into` (at least raw.length long), the numbers are written there
 * and `values` is a view of it, so a caller going through many columns can reuse one buffer.
 *
 * Cost: O(n). Example: `numericColumn([1, null, '2', 'x', NaN])` → values [1, 2], missing 2, invalid 1, nan 1.
 */
export function numericColumn(
  raw: ArrayLike<CellValue>,
  options: { readonly stopAtInvalid?: boolean; readonly into?: Float64Array } = {},
): NumericColumn {
  const n = raw.length;
  const out = options.into && options.into.length >= n ? options.into : new Float64Array(n);
  let k = 0;
  let missing = 0;
  let invalid = 0;
  let nan = 0;
  let i = 0;
  while (i < n) {
    // Runs of plain numbers are copied by a tight loop; anything else is looked at here, one value at a time.
    // The loop is entered only at a number, so it never sees arrays of strings: V8 then keeps it specialised for
    // arrays of doubles instead of boxing each double it copies (2–3× slower).
    const v = raw[i];
    if (typeof v === 'number' && v === v) {
      const end = copyNumbers(raw, i, out, k);
      k += end - i;
      i = end;
      continue;
    }
    i++;
    if (isMissing(v)) {
      missing++;
      if (typeof v === 'number' || (typeof v === 'string' && trim(v) !== '')) nan++; // NaN, "NaN", "nan"
      continue;
    }
    const x = parseNumber(v);
    if (Number.isNaN(x)) {
      invalid++;
      if (options.stopAtInvalid) break;
      continue;
    }
    out[k++] = x;
  }
  return { values: out.subarray(0, k), missing, invalid, nan };
}

/** Copies raw[from…] to out[to…] while they are numbers other than NaN; returns the index where it stopped. */
function copyNumbers(raw: ArrayLike<CellValue>, from: number, out: Float64Array, to: number): number {
  let i = from;
  for (; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v !== 'number' || v !== v) return i;
    out[to + i - from] = v;
  }
  return i;
}

/** Categories of one column with missing values taken out. */
export interface CategoricalColumn {
  /** Count per category label (numbers and booleans become their string form). */
  readonly counts: Map<string, number>;
  /** Present values. */
  readonly n: number;
  readonly missing: number;
  /** Present values that arrived as numbers (counted under their String form): issue #12's `type_change` of a
   * categorical column. */
  readonly numbers: number;
}

/**
 * Counts the categories of a raw column, excluding missing values (see {@link isMissing}).
 *
 * Cost: O(n) time, O(distinct) memory. Example: `categoricalColumn(['a', 'b', 'a', '', 3])` → {a: 2, b: 1, 3: 1},
 * missing 1, numbers 1.
 */
export function categoricalColumn(raw: ArrayLike<CellValue>): CategoricalColumn {
  // One hash lookup per value: each label gets an integer code the first time it is seen, counts go by code.
  const codes = new Map<string, number>();
  const codeCounts: number[] = [];
  let missing = 0;
  let numbers = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    let key: string;
    if (typeof v === 'string') {
      key = trim(v); // the same test as isMissing, without trimming twice
      if (key === '' || key === 'NaN' || key === 'nan') {
        missing++;
        continue;
      }
    } else if (isMissing(v)) {
      missing++;
      continue;
    } else {
      if (typeof v === 'number') numbers++;
      key = String(v);
    }
    const code = codes.get(key);
    if (code === undefined) {
      codes.set(key, codeCounts.length);
      codeCounts.push(1);
    } else codeCounts[code]++;
  }
  const counts = new Map<string, number>();
  let n = 0;
  for (const [key, code] of codes) {
    counts.set(key, codeCounts[code]);
    n += codeCounts[code];
  }
  return { counts, n, missing, numbers };
}
