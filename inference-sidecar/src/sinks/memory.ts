/**
 * In-memory sink: keeps every record it is given, in order. For embedding Plumbline in a test or a notebook,
 * and the reference implementation of the Sink contract (see "Add a sink" in the README).
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { SUCCESS, type Sink, type SinkRecord, type SinkResult } from './sink';

export interface MemorySinkOptions {
  /** Sink name (metric label). @default 'memory' */
  name?: string;
  /** Oldest records are forgotten beyond this many (bounded memory). @default 100_000 */
  maxRecords?: number;
}

export interface MemorySink extends Sink {
  readonly records: readonly SinkRecord[];
  inferenceEvents(): InferenceEvent[];
  feedbackEvents(): FeedbackEvent[];
  /** Records forgotten because maxRecords was reached. */
  readonly evicted: number;
  clear(): void;
}

export function createMemorySink(options: MemorySinkOptions = {}): MemorySink {
  const maxRecords = options.maxRecords ?? 100_000;
  let records: SinkRecord[] = [];
  let evicted = 0;
  return {
    name: options.name ?? 'memory',
    get records() {
      return records;
    },
    get evicted() {
      return evicted;
    },
    async write(batch: readonly SinkRecord[]): Promise<SinkResult> {
      for (const r of batch) records.push(r);
      if (records.length > maxRecords) {
        evicted += records.length - maxRecords;
        records = records.slice(records.length - maxRecords);
      }
      return SUCCESS;
    },
    inferenceEvents() {
      return records.flatMap((r) => (r.kind === 'inference' ? [r.event] : []));
    },
    feedbackEvents() {
      return records.flatMap((r) => (r.kind === 'feedback' ? [r.event] : []));
    },
    clear() {
      records = [];
    },
    async close() {},
  };
}
