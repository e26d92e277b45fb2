/**
 * The demo's traffic source: the model's training split as CSV (numeric feature columns + one label column), as
 * inference-sidecar/models/iris/train.py writes it. Parsed with papaparse (the exporter's CSV parser too); every
 * malformed cell is reported with its line and column.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';

export interface TrainingData {
  /** Feature column names, in CSV (= model input) order. */
  features: string[];
  /** The label column's name. */
  target: string;
  /** One numeric array per row, aligned with `features`. */
  rows: number[][];
  /** The label of each row. */
  labels: string[];
}

/** Parses CSV text whose last (or `target`) column is the label and all others are numbers. */
export function parseTrainingCsv(
  text: string,
  options: { target?: string; source?: string } = {},
): TrainingData {
  const source = options.source ?? 'training CSV';
  // Column counts are checked below, with the line number in the message.
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true, transform: (cell) => cell.trim() });
  const malformed = parsed.errors.find((e) => e.type === 'Quotes');
  if (malformed) throw new Error(`${source}: malformed CSV: ${malformed.message}`);
  const records = parsed.data;
  if (records.length < 2) throw new Error(`${source}: needs a header and at least one row`);
  const header = records[0];
  const target = options.target ?? header[header.length - 1];
  const targetIndex = header.indexOf(target);
  if (targetIndex < 0) throw new Error(`${source}: no column "${target}" (columns: ${header.join(', ')})`);
  const features = header.filter((_, i) => i !== targetIndex);
  if (features.length === 0) throw new Error(`${source}: no feature columns besides "${target}"`);
  const rows: number[][] = [];
  const labels: string[] = [];
  records.slice(1).forEach((record, r) => {
    const line = r + 2;
    if (record.length !== header.length) {
      throw new Error(`${source}: line ${line} has ${record.length} cells, the header has ${header.length}`);
    }
    const row: number[] = [];
    record.forEach((cell, c) => {
      if (c === targetIndex) return;
      const value = Number(cell);
      if (cell === '' || !Number.isFinite(value)) {
        throw new Error(`${source}: line ${line}, column "${header[c]}": "${cell}" is not a number`);
      }
      row.push(value);
    });
    rows.push(row);
    labels.push(record[targetIndex]);
  });
  return { features, target, rows, labels };
}

export function readTrainingData(file: string, target?: string): TrainingData {
  return parseTrainingCsv(readFileSync(file, 'utf8'), { target, source: file });
}
