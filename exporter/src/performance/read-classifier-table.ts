/**
 * Reads the columns `plumbline performance` needs from a CSV / JSON Lines / Parquet file (io/read-table.ts), with
 * the line of each row, and checks them: every column present; every probability a number in [0, 1]; each row's
 * probabilities summing to 1 within 1e-6 (one column for a binary model: the second class's probability); the
 * prediction and the target among the classes. A bad cell is a {@link TableError} (exit 2) naming the file, the
 * first bad line and the column.
 */
import { isMissing, type CellValue } from '../stats/missing';
import { readTableRows, TableError } from '../io/read-table';

/** How the probability columns are given: a prefix (the class is the rest of the name) or a list of columns. */
export type ProbabilityColumns = { readonly prefix: string } | { readonly columns: readonly string[] };

export interface RawClassifierTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly headerLine: number | null;
  readonly lines: number[];
  readonly prediction: CellValue[];
  /** Null when the file has no target column. */
  readonly target: CellValue[] | null;
  /** Per probability column, in the order of `probabilityColumns`. */
  readonly probabilities: CellValue[][];
  readonly probabilityColumns: readonly string[];
}

/** The probability-sum tolerance of the issue: |Σ p − 1| ≤ 1e-6. */
export const PROBABILITY_SUM_TOLERANCE = 1e-6;

export async function readClassifierColumns(
  file: string,
  o: { target: string; prediction: string; probabilities: ProbabilityColumns; targetRequired: boolean },
): Promise<RawClassifierTable> {
  let columns: string[] = [];
  let headerLine: number | null = null;
  let idx = { prediction: -1, target: -1, probabilities: [] as number[] };
  let probabilityColumns: string[] = [];
  const lines: number[] = [];
  const prediction: CellValue[] = [];
  const target: CellValue[] = [];
  let probabilities: CellValue[][] = [];
  const onHeader = (c: string[], line: number | null): void => {
    columns = c;
    headerLine = line;
    const need = (name: string, flag: string): number => {
      const i = c.indexOf(name);
      if (i < 0)
        throw new TableError(file, line, `missing column "${name}" (${flag}); columns: ${c.join(', ')}`);
      return i;
    };
    if ('prefix' in o.probabilities) {
      const prefix = o.probabilities.prefix;
      // In class order, so column j is the probability of labels[j].
      const byClass = new Map(
        c
          .filter((name) => name.startsWith(prefix) && name.length > prefix.length)
          .map((n) => [n.slice(prefix.length), n]),
      );
      probabilityColumns = sortClasses(byClass.keys()).map((cls) => byClass.get(cls)!);
      if (probabilityColumns.length === 0)
        throw new TableError(
          file,
          line,
          `no column starts with --proba-prefix "${prefix}"; columns: ${c.join(', ')}`,
        );
    } else probabilityColumns = [...o.probabilities.columns];
    idx = {
      prediction: need(o.prediction, '--prediction'),
      target: o.targetRequired ? need(o.target, '--target') : c.indexOf(o.target),
      probabilities: probabilityColumns.map((name) => need(name, '--proba')),
    };
    probabilities = probabilityColumns.map(() => []);
  };
  for await (const row of readTableRows(file, onHeader)) {
    lines.push(row.line);
    prediction.push(row.values[idx.prediction]);
    if (idx.target >= 0) target.push(row.values[idx.target]);
    for (let j = 0; j < idx.probabilities.length; j++)
      probabilities[j].push(row.values[idx.probabilities[j]]);
  }
  return {
    file,
    columns,
    headerLine,
    lines,
    prediction,
    target: idx.target >= 0 ? target : null,
    probabilities,
    probabilityColumns,
  };
}

/** A class label as text (numbers as JavaScript prints them, so 1 and "1" are the same class). */
export function classOf(v: CellValue): string | null {
  if (isMissing(v)) return null;
  return typeof v === 'string' ? v.trim() : String(v);
}

/** Sorts class labels: numerically when every label is a number, else by code point. */
export function sortClasses(labels: Iterable<string>): string[] {
  const all = [...new Set(labels)];
  const numeric = all.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  return numeric ? all.sort((a, b) => Number(a) - Number(b)) : all.sort();
}

export interface ClassifierRows {
  readonly rows: number;
  /** Row-major n × k, in `labels` order. */
  readonly probabilities: Float64Array;
  readonly predicted: Int32Array;
  /** Actual class index, −1 where the target is missing; null when the file has no target column. */
  readonly actual: Int32Array | null;
}

/**
 * Checks a raw table against the classes and returns it as indices. `probabilityClass[j]` is the class of
 * probability column j (k columns), or, for one column and two classes, the column is P(labels[1]).
 */
export function classifierRows(
  t: RawClassifierTable,
  labels: readonly string[],
  o: { target: string; prediction: string; targetRequired: boolean },
): ClassifierRows {
  const k = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  const n = t.lines.length;
  const single = t.probabilityColumns.length === 1 && k === 2;
  const probabilities = new Float64Array(n * k);
  const predicted = new Int32Array(n);
  const actual = t.target ? new Int32Array(n) : null;
  const bad = (i: number, column: string, detail: string): TableError =>
    new TableError(t.file, t.lines[i], `column "${column}": ${detail}`);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < t.probabilityColumns.length; j++) {
      const v = t.probabilities[j][i];
      const p = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof p !== 'number' || !(p >= 0 && p <= 1))
        throw bad(
          i,
          t.probabilityColumns[j],
          `${isMissing(v ?? null) ? 'an empty cell' : String(v)} is not a probability in [0, 1]`,
        );
      if (single) {
        probabilities[i * 2] = 1 - p;
        probabilities[i * 2 + 1] = p;
      } else probabilities[i * k + j] = p;
      sum += p;
    }
    if (!single && Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE)
      throw new TableError(
        t.file,
        t.lines[i],
        `columns ${t.probabilityColumns.join(', ')}: probabilities sum to ${sum}, not 1 (±${PROBABILITY_SUM_TOLERANCE})`,
      );
    const pc = classOf(t.prediction[i]);
    const pi = pc === null ? undefined : index.get(pc);
    if (pi === undefined)
      throw bad(
        i,
        o.prediction,
        pc === null ? 'missing prediction' : `"${pc}" is not one of the classes (${labels.join(', ')})`,
      );
    predicted[i] = pi;
    if (actual && t.target) {
      const ac = classOf(t.target[i]);
      if (ac === null) {
        if (o.targetRequired) throw bad(i, o.target, 'missing target (the reference must be labelled)');
        actual[i] = -1;
        continue;
      }
      const ai = index.get(ac);
      if (ai === undefined)
        throw bad(i, o.target, `"${ac}" is not one of the classes (${labels.join(', ')})`);
      actual[i] = ai;
    }
  }
  return { rows: n, probabilities, predicted, actual };
}
