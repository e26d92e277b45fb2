import type { BaselineStore, StoredBaseline } from '../../src/baseline/store';
import { parseConfig } from '../../src/config';
import { buildReferenceProfile } from '../../src/drift/in-memory-profile-builder';
import { createNumericPool } from '../../src/drift/numeric-pool';
import { mulberry32 } from '../../src/drift/reservoir';
import { createBaselineDriftEngine } from '../../src/service/baseline-drift-engine';

// The service's drift engine compares the numerical columns of every window in its own drift worker pool (a
// worker thread loaded from exporter/dist: the tests build first) and stops that pool when it closes.
describe('the baseline drift engine and its drift worker pool', () => {
  const rnd = mulberry32(7);
  const column = (n: number, shift: number): number[] => Array.from({ length: n }, () => rnd() + shift);
  const inThread = createNumericPool({ threads: 0 });
  const stored: StoredBaseline = {
    model: 'iris',
    version: '1',
    storedAt: '2026-01-01T00:00:00.000Z',
    source: 'test',
    profile: buildReferenceProfile({ a: column(3000, 0), b: column(3000, 0) }, { pool: inThread }),
  };
  let storeClosed = 0;
  const store: BaselineStore = {
    get: async () => stored,
    put: async () => stored,
    list: async () => [],
    close: async () => {
      storeClosed += 1;
    },
  };
  const config = parseConfig({ models: [{ name: 'iris' }] });

  it('evaluates windows in the pool it is given and closes that pool with the store', async () => {
    const pool = createNumericPool({ threads: 1, minValues: 0, callerTakesTasks: false });
    const closePool = jest.spyOn(pool, 'close');
    const engine = createBaselineDriftEngine(store, config.models, pool);
    const loaded = await engine.load(config.models[0]);
    const window = { a: column(2000, 0.5), b: column(2000, 0) };
    const report = loaded!.detector.evaluate(window);
    expect(report.features.map((f) => [f.name, f.drift])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(pool.stats().tasksInWorkers).toBe(2);
    await engine.close!();
    expect(closePool).toHaveBeenCalledTimes(1);
    expect(storeClosed).toBe(1);
  });
});
