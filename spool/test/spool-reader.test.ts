import { appendFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { encodeRecord } from '../src/record-format';
import { encodeSpoolRecord } from '../src/record-codec';
import { SegmentLog } from '../src/segment-log';
import { openSpoolReader, type SpoolEntry } from '../src/spool-reader';
import { makeEvent, makeEvents, tempDir } from './helpers';

async function collect(iterable: AsyncIterable<SpoolEntry>): Promise<SpoolEntry[]> {
  const out: SpoolEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

describe('openSpoolReader on damaged and foreign records', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('a torn record at the end of an older segment is skipped; at the end of the newest it is waited on', async () => {
    const dir = path.join(tmp.dir, 'store');
    const log = await SegmentLog.open({ dir, maxBytes: 1 << 20, cursor: false, fsync: 'never' });
    await log.append(makeEvents(3).map((event) => encodeSpoolRecord({ kind: 'inference', event })));
    await log.close();
    const [older] = readdirSync(dir);
    const torn = encodeRecord(encodeSpoolRecord({ kind: 'inference', event: makeEvent(99) }));
    appendFileSync(path.join(dir, older), torn.subarray(0, 20));

    const reader = openSpoolReader(tmp.dir);
    // Newest segment: the torn bytes may still be completed, so the reader stops before them.
    expect(await collect(reader.entries())).toHaveLength(3);
    expect(reader.stats.skippedBytes).toBe(0);

    // A newer segment appears (the sidecar restarted and wrote on): the torn tail is now skipped.
    const next = path.join(
      dir,
      older.replace(/\d+(?=\.seg$)/, (n) => String(Number(n) + 1).padStart(20, '0')),
    );
    appendFileSync(next, encodeRecord(encodeSpoolRecord({ kind: 'inference', event: makeEvent(7) })));
    const all = await collect(openSpoolReader(tmp.dir).entries());
    expect(all.map((e) => e.event.event_id)).toEqual(['req-0:0', 'req-1:0', 'req-2:0', 'req-7:0']);
  });

  it('skips and counts records that are not valid events', async () => {
    const dir = path.join(tmp.dir, 'store');
    const log = await SegmentLog.open({ dir, maxBytes: 1 << 20, cursor: false, fsync: 'never' });
    await log.append([
      Buffer.from('{"kind":"inference","event":{"event_id":"x"}}'),
      Buffer.from('not json'),
      encodeSpoolRecord({ kind: 'inference', event: makeEvent(1) }),
    ]);
    await log.close();
    const reader = openSpoolReader(tmp.dir);
    expect((await collect(reader.entries())).map((e) => e.event.event_id)).toEqual(['req-1:0']);
    expect(reader.stats.invalid).toBe(2);
  });
});
