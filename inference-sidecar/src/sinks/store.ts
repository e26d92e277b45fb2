/**
 * The embedded store: with no Elasticsearch or Kafka, events are kept in the spool directory's `store/`
 * stream, which the exporter reads with openSpoolReader(dir). Nothing replays or deletes from it; it is rotated
 * by size only (oldest segment first, once `maxBytes` is reached), so a reader never steals events from another.
 */
import { encodeSpoolRecord, eventBytes, type SegmentLog } from '@plumbline/spool';
import { SUCCESS, retryable, type Sink, type SinkRecord, type SinkResult } from './sink';

export interface StoreSinkOptions {
  /**
   * Most bytes one append carries: a write (the lane takes its whole backlog) is split into appends of at most
   * this many, so a burst never exceeds what the store holds at once (`maxBytes`: an append larger than that is
   * refused whole) and rotation keeps the newest events. @default Infinity
   */
  readonly maxAppendBytes?: number;
  /**
   * Other sinks write the same events: their bytes are encoded once for all of them (eventBytes) and the store
   * copies them. Alone, the store serialises each event straight into its payload and keeps nothing. @default false
   */
  readonly sharesEvents?: boolean;
}

export function createStoreSink(log: Promise<SegmentLog | null>, options: StoreSinkOptions = {}): Sink {
  const maxAppendBytes = options.maxAppendBytes ?? Number.POSITIVE_INFINITY;
  return {
    name: 'store',
    async write(records: readonly SinkRecord[]): Promise<SinkResult> {
      const store = await log;
      if (!store) return retryable(records, new Error('the spool store could not be opened'));
      const payloads = records.map((r) => {
        if (options.sharesEvents) eventBytes(r);
        return encodeSpoolRecord(r);
      });
      let from = 0;
      try {
        while (from < payloads.length) {
          let to = from;
          let bytes = 0;
          while (to < payloads.length && (to === from || bytes + payloads[to].length <= maxAppendBytes))
            bytes += payloads[to++].length;
          await store.append(payloads.slice(from, to));
          from = to;
        }
        return SUCCESS;
      } catch (error) {
        return retryable(records.slice(from), error);
      }
    },
    async close() {},
  };
}
