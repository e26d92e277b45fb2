import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { join } from 'node:path';
import { binCounts } from '../stats/bin-counts';
import { mulberry32 } from '../drift/reservoir';
import type { NumericalFeatureProfile } from '../drift/profile-types';
import { registerBaselineCommand, runBaselineImport } from './command';
import { createFileBaselineStore } from './file-store';
import { profileFile } from './profile-file';

const dir = mkdtempSync(join(tmpdir(), 'plumbline-baseline-'));

function writeCsv(name: string, rows: number, seed: number): { path: string; x: number[] } {
  const rnd = mulberry32(seed);
  const x: number[] = [];
  const lines = ['x,kind'];
  for (let i = 0; i < rows; i++) {
    const v = Math.round(rnd() * 1e6) / 1e3;
    x.push(v);
    lines.push(`${v},${rnd() < 0.3 ? 'a' : 'b'}`);
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return { path, x };
}

jest.setTimeout(30_000);

describe('baseline import', () => {
  test('beyond the reservoir, every value is still counted into the PSI bins (second pass)', async () => {
    const { path, x } = writeCsv('big.csv', 20000, 1);
    const profile = await profileFile(path, { reservoirSize: 500 });
    const f = profile.features[0] as NumericalFeatureProfile;
    expect(f.sampleComplete).toBe(false);
    expect(f.sample).toHaveLength(500);
    expect(f.binCounts).toEqual(binCounts(x, f.binEdges));
    expect(f.binCounts.reduce((a, b) => a + b, 0)).toBe(20000);
    expect(f.summary.mean).toBeCloseTo(x.reduce((a, b) => a + b, 0) / x.length, 9);
    // DDSketch quantiles beyond the sample: within its 0.5% relative accuracy of the exact value.
    const sorted = [...x].sort((a, b) => a - b);
    const exactMedian = (sorted[9999] + sorted[10000]) / 2;
    expect(Math.abs(f.summary.quantiles.p50 - exactMedian) / exactMedian).toBeLessThan(0.006);
  });

  test('profile size does not grow with the number of rows', async () => {
    const small = await profileFile(writeCsv('s.csv', 2000, 2).path, { reservoirSize: 500 });
    const large = await profileFile(writeCsv('l.csv', 20000, 3).path, { reservoirSize: 500 });
    const size = (p: unknown): number => JSON.stringify(p).length;
    expect(large.rows).toBe(20000);
    expect(size(large)).toBeLessThan(size(small) * 1.2);
  });

  test('stores versioned per model version in the file store; latest wins without a version', async () => {
    const store = join(dir, 'store');
    const file = writeCsv('train.csv', 300, 4).path;
    await runBaselineImport({ model: 'iris', version: '1', file, store });
    await new Promise((r) => setImmediate(r));
    await runBaselineImport({ model: 'iris', version: '2', file, store, columnType: ['x=categorical'] });
    const s = createFileBaselineStore(store);
    expect((await s.get('iris', '1'))!.profile.features[0].type).toBe('numerical');
    expect((await s.get('iris', '2'))!.profile.features[0].type).toBe('categorical');
    expect((await s.get('iris'))!.version).toBe('2');
    expect((await s.list()).map((b) => [b.model, b.version, b.rows])).toEqual([
      ['iris', '2', 300],
      ['iris', '1', 300],
    ]);
    expect(await s.get('iris', '3')).toBeNull();
  });

  test('Parquet with several row groups gives the same profile as its CSV twin, second pass included', async () => {
    // train.parquet: pyarrow, gzip, 1000 rows in 4 row groups of 250; train.csv holds the same values.
    const twin = (name: string): string => join(__dirname, '..', '..', 'fixtures', 'parquet', name);
    for (const [name, options] of [
      ['train', { reservoirSize: 200 }],
      ['train', {}],
      ['ref', { reservoirSize: 100, columnTypes: { clicks: 'categorical' as const } }],
    ] as const) {
      const { createdAt: _p, ...fromParquet } = await profileFile(twin(`${name}.parquet`), options);
      const { createdAt: _c, ...fromCsv } = await profileFile(twin(`${name}.csv`), options);
      expect(fromParquet).toEqual(fromCsv);
    }
    const bounded = await profileFile(twin('train.parquet'), { reservoirSize: 200 });
    const x = bounded.features.find((f) => f.name === 'x') as NumericalFeatureProfile;
    expect(x.sampleComplete).toBe(false); // so the binning pass read the file a second time
    expect(bounded.rows).toBe(1000);
    expect(x.binCounts.reduce((a, b) => a + b, 0)).toBe(1000 - 25);
  });

  test('baseline import of a Parquet file stores it; a bad Parquet file is a TableError with exit code 2', async () => {
    const store = join(dir, 'store-parquet');
    const file = join(__dirname, '..', '..', 'fixtures', 'parquet', 'train.parquet');
    const stored = await runBaselineImport({ model: 'churn', version: '3', file, store, labelColumn: 'ok' });
    expect(stored.profile.rows).toBe(1000);
    expect(stored.profile.features.map((f) => [f.name, f.type])).toEqual([
      ['x', 'numerical'],
      ['kind', 'categorical'],
      ['n', 'numerical'],
      ['ok', 'categorical'],
    ]);
    expect((await createFileBaselineStore(store).get('churn', '3'))!.source).toBe(file);
    const bad = join(dir, 'bad.parquet');
    writeFileSync(bad, 'x,kind\n1,a\n');
    await expect(runBaselineImport({ model: 'churn', file: bad, store })).rejects.toMatchObject({
      name: 'TableError',
      exitCode: 2,
      message: expect.stringMatching(/bad\.parquet: not a Parquet file/) as unknown,
    });
    await expect(
      runBaselineImport({ model: 'churn', file, store, predictionColumn: 'score' }),
    ).rejects.toMatchObject({ exitCode: 2, message: '--prediction-column: unknown column "score"' });
  });

  test('bad input: unsafe names, missing file, bad flags → exit code 2 with the reason', async () => {
    const store = join(dir, 'store2');
    await expect(runBaselineImport({ model: '../etc', file: 'x', store })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/invalid model/) as unknown,
    });
    await expect(runBaselineImport({ model: 'm', file: join(dir, 'none.csv'), store })).rejects.toMatchObject(
      { exitCode: 2, message: expect.stringMatching(/none\.csv: no such file/) as unknown },
    );
    await expect(runBaselineImport({ model: 'm', file: 'x', store, bins: '1' })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/--bins/) as unknown,
    });
    await expect(
      runBaselineImport({ model: 'm', file: 'x', store: 'a', elasticsearch: 'http://127.0.0.1:9' }),
    ).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('plumbline baseline import --version', () => {
  test('regression: --version names the model version, not the program version the root prints', async () => {
    const program = new Command('plumbline').version('9.9.9').exitOverride();
    registerBaselineCommand(program);
    const store = join(dir, 'store3');
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync([
        'node',
        'plumbline',
        'baseline',
        'import',
        '--model',
        'm',
        '--version',
        '7',
        '--file',
        writeCsv('v.csv', 50, 9).path,
        '--store',
        store,
      ]);
    } finally {
      spy.mockRestore();
    }
    expect((await createFileBaselineStore(store).get('m', '7'))!.version).toBe('7');
  });
});
