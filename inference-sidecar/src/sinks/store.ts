/**
 * The embedded store: with no Elasticsearch or Kafka, events are kept in the spool directory's `store/`
 * stream, which the exporter reads with openSpoolReader(dir). Nothing replays or deletes from it; it is rotated
 * by size only (oldest segment first, once `maxBytes` is reached), so a reader never steals events from another.
 */
import { encodeSpoolRecord, type SegmentLog } from '@plumbline/spool';
import { SUCCESS, retryable, type Sink, type SinkRecord, type SinkResult } from './sink';

export function createStoreSink(log: Promise<SegmentLog | null>): Sink {
  return {
    name: 'store',
    async write(records: readonly SinkRecord[]): Promise<SinkResult> {
      const store = await log;
      if (!store) return retryable(records, new Error('the spool store could not be opened'));
      try {
        await store.append(records.map((r) => encodeSpoolRecord(r)));
        return SUCCESS;
      } catch (error) {
        return retryable(records, error);
      }
    },
    async close() {},
  };
}
