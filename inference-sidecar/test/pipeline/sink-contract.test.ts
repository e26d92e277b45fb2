import { createMemorySink } from '../../src/sinks/memory';
import { createStoreSink } from '../../src/sinks/store';
import { openSpoolReader, SegmentLog } from '@plumbline/spool';
import type { MemorySink } from '../../src/sinks/memory';
import { describeSinkContract } from './sink-contract';
import { tempDir } from './helpers';

describeSinkContract('memory', {
  make: () => createMemorySink(),
  readBack: async (sink) => (sink as MemorySink).records.map((r) => r.event.event_id),
});

const dirs: ReturnType<typeof tempDir>[] = [];
const logs: Promise<SegmentLog>[] = [];
afterAll(async () => {
  for (const log of logs) await (await log).close();
  dirs.forEach((d) => d.cleanup());
});

describeSinkContract('store', {
  make: () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const log = SegmentLog.open({
      dir: `${tmp.dir}/store`,
      maxBytes: 1 << 20,
      cursor: false,
      fsync: 'never',
    });
    logs.push(log);
    return Object.assign(createStoreSink(log), { dir: tmp.dir });
  },
  makeUnreachable: () => createStoreSink(Promise.resolve(null)),
  readBack: async (sink) => {
    const ids: string[] = [];
    for await (const e of openSpoolReader((sink as unknown as { dir: string }).dir).entries())
      ids.push(e.event.event_id);
    return ids;
  },
});
