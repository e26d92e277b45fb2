import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTable } from '../io/read-table';
import { confidenceLimits } from '../review/limits';
import { createSpoolReviewStore } from '../review/spool-review-store';
import { datasetFormatOf, exportDataset, type DatasetFormat } from './export-dataset';
import { appendEvents, feedback, inference, openStore, review, T0 } from './test-spool';

describe('dataset export from the spool store', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dataset-export-'));
    const log = await openStore(dir);
    await appendEvents(log, [
      inference(0, 'a', 0.9, { x: 1.5, colour: 'red' }),
      inference(1, 'b', 0.4, { x: 2, colour: 'blue, "light"' }),
      inference(2, 'a', 0.3, { x: null, colour: 'green' }),
      inference(3, 'b', 0.8, { x: 4, colour: 'red' }),
      inference(4, 'a', 0.7, { x: 5, colour: 'red' }),
      inference(5, 'a', 0.7, { x: 6, colour: 'red' }),
      // 0: a label from a batch job; 1: batch says a, a reviewer corrects to c (human wins though older);
      // 2: confirmed, then retracted (no label left); 3: a batch label, then rejected (left out);
      // 4: no label at all; 5: reviewed, retracted, the batch label is back.
      feedback(0, 'a', 100, { source: 'batch' }),
      review(1, 'correct', 'c', 100),
      feedback(1, 'a', 200, { source: 'batch' }),
      review(2, 'confirm', 'a', 100),
      review(2, 'retract', 'a', 101),
      feedback(3, 'b', 100, { source: 'batch' }),
      review(3, 'reject', 'b', 101),
      feedback(5, 'b', 100, { source: 'batch' }),
      review(5, 'correct', 'c', 101),
      review(5, 'retract', 'c', 102),
    ]);
    await log.close();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const store = () =>
    createSpoolReviewStore({
      dir,
      models: new Map([['iris', confidenceLimits({ confidenceThreshold: null, classThresholds: {} }, 0.6)]]),
    });

  async function run(format: DatasetFormat, source: 'any' | 'human' = 'any') {
    const out = path.join(dir, `out-${source}.${format}`);
    const s = store();
    const result = await exportDataset({
      store: s,
      model: 'iris',
      from: 0,
      to: T0 + 86_400_000,
      source,
      format,
      out,
    });
    await s.close();
    return { out, result };
  }

  const expected = [
    { event_id: 'req-0:0', x: 1.5, colour: 'red', predicted: 'a', label: 'a', label_source: 'batch' },
    { event_id: 'req-1:0', x: 2, colour: 'blue, "light"', predicted: 'b', label: 'c', label_source: 'human' },
    { event_id: 'req-5:0', x: 6, colour: 'red', predicted: 'a', label: 'b', label_source: 'batch' },
  ];

  it('writes JSON Lines: human wins, retracted gone, rejected left out', async () => {
    const { out, result } = await run('jsonl');
    expect(result).toMatchObject({ rows: 3, humanRows: 1, rejected: 1 });
    const rows = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual(expected.map((r) => expect.objectContaining(r)));
    expect(rows[0]).toEqual({
      event_id: 'req-0:0',
      '@timestamp': new Date(T0).toISOString(),
      model_version: '3',
      x: 1.5,
      colour: 'red',
      predicted: 'a',
      label: 'a',
      label_source: 'batch',
    });
  });

  it('keeps only human labels with --source human', async () => {
    const { out, result } = await run('jsonl', 'human');
    expect(result).toMatchObject({ rows: 1, humanRows: 1 });
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it.each(['csv', 'parquet'] as const)(
    'writes the same rows as %s, every feature a column',
    async (format) => {
      const { out, result } = await run(format);
      expect(result.features).toEqual(['x', 'colour']);
      const table = await readTable(out);
      expect(table.columns).toEqual([
        'event_id',
        '@timestamp',
        'model_version',
        'x',
        'colour',
        'predicted',
        'label',
        'label_source',
      ]);
      expect(table.rows).toBe(3);
      expect(table.data.event_id).toEqual(['req-0:0', 'req-1:0', 'req-5:0']);
      expect(table.data.colour).toEqual(expected.map((r) => r.colour));
      expect(table.data.label).toEqual(expected.map((r) => r.label));
      expect(table.data.label_source).toEqual(expected.map((r) => r.label_source));
      expect(table.data.x.map(Number)).toEqual([1.5, 2, 6]);
    },
  );

  it('knows the formats by file name', () => {
    expect(['a.parquet', 'a.CSV', 'a.jsonl', 'a.ndjson', 'a.txt'].map(datasetFormatOf)).toEqual([
      'parquet',
      'csv',
      'jsonl',
      'jsonl',
      null,
    ]);
  });
});
