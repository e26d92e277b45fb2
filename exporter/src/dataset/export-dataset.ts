/**
 * `plumbline dataset export` (issue #13): the labelled predictions of a model as a training set — one row per
 * labelled prediction with `event_id`, `@timestamp`, `model_version`, every feature, `predicted`, `label` and
 * `label_source`, under the one precedence rule (schema/src/label-precedence.ts): a human label wins over other
 * sources, a retracted human label is gone (the other label, if any, is back), a rejected row is left out.
 *
 * Streaming: rows go from the review store (review/review-store.ts: Elasticsearch page by page, or the spool
 * store) to the file as they come, so memory does not grow with the number of rows. CSV and Parquet need their
 * columns before the first row: a first pass over the same range collects the feature names and their types (one
 * entry per feature); JSON Lines is written in one pass.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { FeatureValue } from '@plumbline/schema';
import { rowLabel } from '@plumbline/schema';
import type { ReviewPrediction, ReviewStore } from '../review/review-store';

export type DatasetFormat = 'jsonl' | 'csv' | 'parquet';
/** `human`: only rows whose label is a human one; `any`: every labelled row. */
export type LabelSourceFilter = 'human' | 'any';

export interface DatasetExportOptions {
  store: ReviewStore;
  model: string;
  /** Epoch ms, inclusive / exclusive. */
  from: number;
  to: number;
  source: LabelSourceFilter;
  format: DatasetFormat;
  out: string;
}

export interface DatasetExportResult {
  /** Rows written. */
  rows: number;
  /** Of them, rows with a human label. */
  humanRows: number;
  /** Predictions left out because a reviewer rejected them. */
  rejected: number;
  /** Features (columns between model_version and predicted), in order. */
  features: string[];
}

/** The format a file name asks for: .parquet, .csv, .jsonl (or .ndjson); null for another. */
export function datasetFormatOf(file: string): DatasetFormat | null {
  const lower = file.toLowerCase();
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return null;
}

interface DatasetRow {
  prediction: ReviewPrediction;
  label: string | number | boolean;
  labelSource: string;
  human: boolean;
}

interface Counts {
  rows: number;
  humanRows: number;
  rejected: number;
}

/** The rows the export writes, in store order (oldest first), counting as it goes. */
async function* datasetRows(o: DatasetExportOptions, counts: Counts): AsyncGenerator<DatasetRow> {
  for await (const { prediction, feedback } of o.store.labelled(o.model, { from: o.from, to: o.to })) {
    const label = rowLabel(feedback);
    if (label.kind === 'rejected') {
      counts.rejected += 1;
      continue;
    }
    if (label.kind !== 'label' || (o.source === 'human' && !label.human)) continue;
    counts.rows += 1;
    if (label.human) counts.humanRows += 1;
    yield { prediction, label: label.label, labelSource: label.labelSource, human: label.human };
  }
}

type ColumnKind = 'number' | 'boolean' | 'string';

/** First pass: every feature of the rows the export will write, with the one type its values share. */
async function featureColumns(o: DatasetExportOptions): Promise<Map<string, ColumnKind | null>> {
  const kinds = new Map<string, ColumnKind | null>();
  for await (const row of datasetRows(o, { rows: 0, humanRows: 0, rejected: 0 })) {
    for (const [name, value] of Object.entries(row.prediction.features)) {
      if (value === null) {
        if (!kinds.has(name)) kinds.set(name, null);
        continue;
      }
      const kind: ColumnKind =
        typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
      const seen = kinds.get(name);
      kinds.set(name, seen === undefined || seen === null || seen === kind ? kind : 'string');
    }
  }
  return kinds;
}

/** A CSV field (RFC 4180: quoted when it holds a comma, a quote or a line break). */
function csvField(value: FeatureValue | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/** What an export of the range would hold, without writing it (the retrain webhook's `dataset`). */
export async function countDataset(
  o: Pick<DatasetExportOptions, 'store' | 'model' | 'from' | 'to' | 'source'>,
): Promise<Counts> {
  const counts: Counts = { rows: 0, humanRows: 0, rejected: 0 };
  for await (const row of datasetRows({ ...o, format: 'jsonl', out: '' }, counts)) void row;
  return counts;
}

/** Writes the export; resolves with what was written. */
export async function exportDataset(o: DatasetExportOptions): Promise<DatasetExportResult> {
  const counts: Counts = { rows: 0, humanRows: 0, rejected: 0 };
  if (o.format === 'jsonl') {
    const stream = createWriteStream(o.out);
    const features = new Set<string>();
    for await (const r of datasetRows(o, counts)) {
      for (const name of Object.keys(r.prediction.features)) features.add(name);
      await write(
        stream,
        `${JSON.stringify({
          event_id: r.prediction.eventId,
          '@timestamp': r.prediction.timestamp,
          model_version: r.prediction.modelVersion,
          ...r.prediction.features,
          predicted: r.prediction.predicted,
          label: r.label,
          label_source: r.labelSource,
        })}\n`,
      );
    }
    await closeStream(stream);
    return { ...counts, features: [...features] };
  }
  const kinds = await featureColumns(o);
  const features = [...kinds.keys()];
  if (o.format === 'csv') {
    const stream = createWriteStream(o.out);
    const header = [
      'event_id',
      '@timestamp',
      'model_version',
      ...features,
      'predicted',
      'label',
      'label_source',
    ];
    await write(stream, `${header.map((h) => csvField(h)).join(',')}\n`);
    for await (const r of datasetRows(o, counts)) {
      const p = r.prediction;
      const fields = [
        p.eventId,
        p.timestamp,
        p.modelVersion,
        ...features.map((f) => p.features[f]),
        p.predicted,
        r.label,
        r.labelSource,
      ];
      await write(stream, `${fields.map((f) => csvField(f)).join(',')}\n`);
    }
    await closeStream(stream);
    return { ...counts, features };
  }
  await writeParquet(o, counts, features, kinds);
  return { ...counts, features };
}

type HyparquetWriter = typeof import('hyparquet-writer', { with: { 'resolution-mode': 'import' } });

/** Rows per Parquet row group: what the writer holds at once. */
export const PARQUET_ROW_GROUP = 10_000;

async function writeParquet(
  o: DatasetExportOptions,
  counts: Counts,
  features: string[],
  kinds: Map<string, ColumnKind | null>,
): Promise<void> {
  // An ES module: import() loads it from this CommonJS code on every Node 20 release.
  const { fileWriter, parquetWriteRows } = (await import('hyparquet-writer')) as HyparquetWriter;
  const typeOf = (k: ColumnKind | null): 'DOUBLE' | 'BOOLEAN' | 'STRING' =>
    k === 'number' ? 'DOUBLE' : k === 'boolean' ? 'BOOLEAN' : 'STRING';
  // Feature names may repeat a fixed column's name only in theory; a Parquet column is keyed by name.
  const columns = [
    { name: 'event_id', type: 'STRING' as const, nullable: false },
    { name: '@timestamp', type: 'STRING' as const, nullable: false },
    { name: 'model_version', type: 'STRING' as const, nullable: true },
    ...features.map((f) => ({ name: f, type: typeOf(kinds.get(f) ?? null), nullable: true })),
    { name: 'predicted', type: 'STRING' as const, nullable: true },
    { name: 'label', type: 'STRING' as const, nullable: false },
    { name: 'label_source', type: 'STRING' as const, nullable: false },
  ];
  async function* rows() {
    for await (const r of datasetRows(o, counts)) {
      const p = r.prediction;
      const row: Record<string, unknown> = {
        event_id: p.eventId,
        '@timestamp': p.timestamp,
        model_version: p.modelVersion,
        predicted: p.predicted,
        label: String(r.label),
        label_source: r.labelSource,
      };
      for (const f of features) {
        const v = p.features[f];
        row[f] = v === undefined || v === null ? null : kinds.get(f) === 'string' ? String(v) : v;
      }
      yield row;
    }
  }
  const writer = fileWriter(o.out);
  // Finishes the file (footer, flush) itself.
  await parquetWriteRows({ writer, columns, rows: rows(), rowGroupSize: PARQUET_ROW_GROUP });
}
