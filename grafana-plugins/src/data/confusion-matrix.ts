/**
 * Pure DataFrame → view-model transforms for the confusion matrix panel. No React, no theme: the component
 * only draws what `buildConfusionMatrix` returns.
 *
 * Inputs accepted (see README): Prometheus series whose value field carries `actual` / `predicted` labels (instant,
 * or a range reduced with a Grafana reducer), or a table with actual / predicted columns and an optional count
 * column (without one, each row counts once).
 */
import { FieldType, reduceField, ReducerID, type DataFrame, type Field } from '@grafana/data';

export type Normalization = 'none' | 'row' | 'column' | 'all';
export type ClassOrder = 'alphabetical' | 'support' | 'custom';

export interface Cell {
  actual: string;
  predicted: string;
  count: number;
}

export interface ExtractOptions {
  /** Label (series) or column (table) holding the ground truth. @default 'actual' */
  actualField: string;
  /** Label or column holding the prediction. @default 'predicted' */
  predictedField: string;
  /** Table column with the count; empty = first numeric column, or 1 per row when there is none. @default '' */
  countField: string;
  /** Reducer applied to each labelled series (range queries). @default ReducerID.sum */
  reducer: string;
}

export type ExtractResult =
  | { kind: 'ok'; cells: Cell[]; warnings: string[] }
  | { kind: 'empty'; message: string }
  | { kind: 'malformed'; message: string };

export interface MatrixOptions {
  normalization: Normalization;
  order: ClassOrder;
  /** Class names in the wanted order (order = 'custom'); unlisted classes follow alphabetically. */
  customOrder: string[];
  /** Keep the N classes with the most support, fold the rest into "other"; 0 = keep all. */
  topN: number;
}

export interface ConfusionMatrixView {
  classes: string[];
  /** counts[a][p]: rows with actual class a predicted as p. */
  counts: number[][];
  /** The shown value: counts or a share in [0, 1] according to `normalization`. */
  values: Array<Array<number | null>>;
  normalization: Normalization;
  rowTotals: number[];
  colTotals: number[];
  total: number;
  /** recall[a] = counts[a][a] / rowTotals[a]; null when the class never occurs. */
  recall: Array<number | null>;
  /** precision[p] = counts[p][p] / colTotals[p]; null when the class is never predicted. */
  precision: Array<number | null>;
  accuracy: number | null;
  /** Largest shown value, for the colour scale. */
  maxValue: number;
  /** Classes folded into `otherLabel` by top-N, in order of support. */
  folded: string[];
  otherLabel: string | null;
  warnings: string[];
}

export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = {
  actualField: 'actual',
  predictedField: 'predicted',
  countField: '',
  reducer: ReducerID.sum,
};

const fieldName = (f: Field): string => f.config?.displayNameFromDS ?? f.name;

function labelOf(value: unknown): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  const s = String(value);
  return s === '' ? null : s;
}

/** Turns the panel's frames into (actual, predicted, count) cells; duplicates are summed. */
export function extractCells(frames: DataFrame[] | undefined, options: ExtractOptions): ExtractResult {
  const nonEmpty = (frames ?? []).filter((f) => f.length > 0 && f.fields.length > 0);
  if (nonEmpty.length === 0) {
    return { kind: 'empty', message: 'No data: the query returned no rows.' };
  }
  const sums = new Map<string, Cell>();
  const warnings: string[] = [];
  let skipped = 0;
  let used = false;
  const add = (actual: string | null, predicted: string | null, count: unknown): void => {
    const n = typeof count === 'number' ? count : Number(count);
    if (
      actual === null ||
      predicted === null ||
      count === null ||
      count === undefined ||
      !Number.isFinite(n) ||
      n < 0
    ) {
      skipped++;
      return;
    }
    const key = `${actual}\u0000${predicted}`;
    const cell = sums.get(key);
    if (cell) {
      cell.count += n;
    } else {
      sums.set(key, { actual, predicted, count: n });
    }
  };

  for (const frame of nonEmpty) {
    const byName = (name: string) => frame.fields.find((f) => f.name === name || fieldName(f) === name);
    const actualCol = byName(options.actualField);
    const predictedCol = byName(options.predictedField);
    if (actualCol && predictedCol) {
      // Table: one row per (actual, predicted) pair, or one row per prediction.
      const countCol = options.countField
        ? byName(options.countField)
        : frame.fields.find((f) => f.type === FieldType.number && f !== actualCol && f !== predictedCol);
      if (options.countField && !countCol) {
        return {
          kind: 'malformed',
          message: `Count field "${options.countField}" not found; the table has: ${frame.fields.map(fieldName).join(', ')}.`,
        };
      }
      for (let i = 0; i < frame.length; i++) {
        add(labelOf(actualCol.values[i]), labelOf(predictedCol.values[i]), countCol ? countCol.values[i] : 1);
      }
      used = true;
      continue;
    }
    // Series: every numeric field whose labels name both classes.
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const actual = labelOf(field.labels?.[options.actualField]);
      const predicted = labelOf(field.labels?.[options.predictedField]);
      if (actual === null && predicted === null) {
        continue;
      }
      const value =
        field.values.length === 1
          ? field.values[0]
          : reduceField({ field, reducers: [options.reducer] })[options.reducer];
      add(actual, predicted, value);
      used = true;
    }
  }

  if (!used) {
    const seen = nonEmpty
      .flatMap((f) =>
        f.fields.map((x) => (x.labels ? `${fieldName(x)}{${Object.keys(x.labels).join(',')}}` : fieldName(x)))
      )
      .slice(0, 8);
    return {
      kind: 'malformed',
      message:
        `Expected series labelled "${options.actualField}" and "${options.predictedField}", or a table with those ` +
        `columns (and a count column). Found: ${seen.join(', ')}.`,
    };
  }
  if (skipped > 0) {
    warnings.push(
      `${skipped} value${skipped === 1 ? '' : 's'} without a class or with a missing/negative count ignored.`
    );
  }
  if (sums.size === 0) {
    return { kind: 'malformed', message: 'Every row lacked a class or a valid count.' };
  }
  return { kind: 'ok', cells: [...sums.values()], warnings };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Orders class names: natural alphabetical, by support (true count, descending), or a custom list first. */
export function orderClasses(
  classes: string[],
  support: ReadonlyMap<string, number>,
  order: ClassOrder,
  customOrder: string[] = []
): string[] {
  const alpha = [...classes].sort(collator.compare);
  if (order === 'support') {
    return alpha.sort((a, b) => (support.get(b) ?? 0) - (support.get(a) ?? 0));
  }
  if (order === 'custom') {
    const present = new Set(classes);
    const listed = customOrder.map((c) => c.trim()).filter((c, i, all) => c && present.has(c) && all.indexOf(c) === i);
    const rest = alpha.filter((c) => !listed.includes(c));
    return [...listed, ...rest];
  }
  return alpha;
}

/** Parses the custom order option ("setosa, versicolor" or one per line). */
export function parseClassList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Builds the matrix, its margins and the normalised values shown in the cells. */
export function buildConfusionMatrix(cells: Cell[], options: MatrixOptions): ConfusionMatrixView {
  const support = new Map<string, number>(); // true instances per class
  const all = new Set<string>();
  for (const c of cells) {
    all.add(c.actual);
    all.add(c.predicted);
    support.set(c.actual, (support.get(c.actual) ?? 0) + c.count);
  }
  let otherLabel: string | null = null;
  let folded: string[] = [];
  let kept = [...all];
  if (options.topN > 0 && all.size > options.topN) {
    const bySupport = orderClasses(kept, support, 'support');
    kept = bySupport.slice(0, options.topN);
    folded = bySupport.slice(options.topN);
    otherLabel = 'other';
    while (all.has(otherLabel)) {
      otherLabel = `(${otherLabel})`;
    }
  }
  const classes = orderClasses(kept, support, options.order, options.customOrder);
  if (otherLabel) {
    classes.push(otherLabel);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const slot = (c: string): number => index.get(c) ?? index.get(otherLabel as string)!;
  const k = classes.length;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const c of cells) {
    counts[slot(c.actual)][slot(c.predicted)] += c.count;
  }
  const rowTotals = counts.map((row) => row.reduce((s, v) => s + v, 0));
  const colTotals = classes.map((_, j) => counts.reduce((s, row) => s + row[j], 0));
  const total = rowTotals.reduce((s, v) => s + v, 0);
  // "other" → "other" is not a correct prediction (two different folded classes land there), so the diagonal
  // cell of "other" is excluded from accuracy, precision and recall.
  const correct = (i: number): number => (classes[i] === otherLabel ? 0 : counts[i][i]);
  const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
  const recall = classes.map((_, i) => ratio(correct(i), rowTotals[i]));
  const precision = classes.map((_, j) => ratio(correct(j), colTotals[j]));
  let diagonal = 0;
  for (let i = 0; i < k; i++) {
    diagonal += correct(i);
  }
  const values = counts.map((row, i) =>
    row.map((v, j) => {
      switch (options.normalization) {
        case 'row':
          return ratio(v, rowTotals[i]);
        case 'column':
          return ratio(v, colTotals[j]);
        case 'all':
          return ratio(v, total);
        default:
          return v;
      }
    })
  );
  let maxValue = 0;
  for (const row of values) {
    for (const v of row) {
      if (v !== null && v > maxValue) {
        maxValue = v;
      }
    }
  }
  const warnings: string[] = [];
  if (folded.length > 0 && folded.length <= 3) {
    warnings.push(`"${otherLabel}" holds ${folded.join(', ')}.`);
  } else if (folded.length > 3) {
    warnings.push(`"${otherLabel}" holds ${folded.length} classes with the least support.`);
  }
  return {
    classes,
    counts,
    values,
    normalization: options.normalization,
    rowTotals,
    colTotals,
    total,
    recall,
    precision,
    accuracy: ratio(diagonal, total),
    maxValue,
    folded,
    otherLabel,
    warnings,
  };
}

/** A share (0–1) as a percentage with `digits` decimals; `null` (nothing to divide by) as an en dash. */
export function formatShare(value: number | null, digits = 1): string {
  return value === null ? '–' : `${(value * 100).toFixed(digits)}%`;
}

/**
 * A count with thousands separators, as `toLocaleString('en-US')` writes it (up to 3 decimals: `increase()` gives
 * fractional counts), e.g. 1234567.5 → "1,234,567.5". Written out because the first `toLocaleString` call on a page
 * sets up ICU number formatting, ~10 ms of a cold first render.
 */
export function formatCount(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  if (!Number.isFinite(rounded) || Math.abs(rounded) >= 1e21) {
    return String(value);
  }
  const [int, frac] = String(rounded).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+$)/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}
