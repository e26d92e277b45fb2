/**
 * Issue #11, item 1: labels arriving two and ten windows after their predictions change the reported accuracy and
 * coverage of the predictions' prediction-time range — end to end through the real sidecar into Elasticsearch,
 * Kafka and the embedded spool store (the harness' real services), with an exporter per store.
 *
 * Windows are 4 s (tumbling), so the window store keeps a prediction about ten seconds: the labels ten windows
 * late (40 s) reach predictions only the label horizon store still holds. 200 rows are predicted at once; 50 labels
 * (all right) are posted to the sidecar's /feedback two windows later, 50 more (all wrong) ten windows later. Each
 * exporter's `GET /api/models/:model/drift` must report, for the 1h range, 50 labelled rows of 200 (coverage 0.25,
 * accuracy 1), then 100 (coverage 0.5, accuracy 0.5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { until } from './helpers';
import { startThreeStores, type ThreeStores } from './three-stores';

// A bounded deadline against hangs on a shared 2-core machine, not a timing assertion.
jest.setTimeout(600_000);

const RUN = `late${process.pid}${Date.now().toString(36)}`;
const MODEL = 'churn';
const WINDOW_SECONDS = 4;
const REQUESTS = 40;
const ROWS_PER_REQUEST = 5;
const ROWS = REQUESTS * ROWS_PER_REQUEST;

/** Feature `a` of row `row` of request `i`; the model answers `yes` when a > 0.3. */
const aOf = (i: number, row: number): number => ((i * ROWS_PER_REQUEST + row) % 10) / 10;
const predictedOf = (i: number, row: number): 'yes' | 'no' => (aOf(i, row) > 0.3 ? 'yes' : 'no');

const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-late-labels-'));
let rig: ThreeStores;

interface RangeBody {
  range: string;
  predictions: number;
  labelled: number;
  coverage: number | null;
  accuracy: number | null;
}

/** The exporter's latest realized quality of the 1h range, or undefined before its first evaluation. */
async function hourRange(url: string): Promise<RangeBody | undefined> {
  const res = await request(`${url}/api/models/${MODEL}/drift?limit=1`);
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  const body = (await res.body.json()) as {
    latest: { qualityByPredictionTime: { ranges: RangeBody[] } | null };
  };
  return body.latest.qualityByPredictionTime?.ranges.find((r) => r.range === '1h');
}

/** Waits until every exporter reports `want` for the 1h range. */
async function expectEveryExporter(want: Omit<RangeBody, 'range'>): Promise<void> {
  for (const [source, running] of Object.entries(rig.exporters)) {
    let last: RangeBody | undefined;
    await until(
      `the ${source} exporter to report ${JSON.stringify(want)}`,
      async () => {
        last = await hourRange(running.url);
        return last?.labelled === want.labelled && last.predictions === want.predictions ? last : undefined;
      },
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last: ${JSON.stringify(last)})`);
    });
    expect([source, last]).toMatchObject([source, { range: '1h', ...want }]);
  }
}

async function postFeedback(requests: number[], truth: (i: number, row: number) => string): Promise<void> {
  const items = requests.flatMap((i) =>
    Array.from({ length: ROWS_PER_REQUEST }, (_, row) => ({
      request_id: `${RUN}-${i}`,
      row,
      ground_truth: truth(i, row),
      model: MODEL,
    })),
  );
  const res = await request(`${rig.sidecar.adminUrl}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  expect([res.statusCode, res.statusCode < 300 ? '' : await res.body.text()]).toEqual([202, '']);
  if (res.statusCode < 300) await res.body.dump();
}

beforeAll(async () => {
  rig = await startThreeStores({
    run: RUN,
    model: MODEL,
    dir,
    exporter: (store) => ({
      baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
      window: {
        kind: 'tumbling',
        sizeSeconds: WINDOW_SECONDS,
        graceSeconds: 1,
        bucketSeconds: 1,
        minimumSamples: 1,
      },
      schedule: { intervalSeconds: 0.5 },
      quality: { dir: path.join(dir, `horizon-${store}`) },
    }),
  });
}, 300_000);

afterAll(async () => {
  await rig?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('labels two and ten windows after their predictions change the 1h range’s accuracy and coverage', async () => {
  const predictedAt = Date.now();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await request(`${rig.sidecar.url}/v2/models/${MODEL}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `${RUN}-${i}` },
      body: JSON.stringify({
        inputs: [
          {
            name: 'a',
            shape: [ROWS_PER_REQUEST],
            datatype: 'FP64',
            data: Array.from({ length: ROWS_PER_REQUEST }, (_, row) => aOf(i, row)),
          },
        ],
      }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }
  await expectEveryExporter({ predictions: ROWS, labelled: 0, coverage: 0, accuracy: null });

  // Two windows after the predictions: the first 10 requests' rows, every label right.
  const sleepUntil = async (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
  await sleepUntil(predictedAt + 2 * WINDOW_SECONDS * 1000);
  await postFeedback([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], predictedOf);
  await expectEveryExporter({ predictions: ROWS, labelled: 50, coverage: 0.25, accuracy: 1 });

  // Ten windows after: the window store has let these predictions go; the next 10 requests' rows, every label wrong.
  await sleepUntil(predictedAt + 10 * WINDOW_SECONDS * 1000);
  await postFeedback([10, 11, 12, 13, 14, 15, 16, 17, 18, 19], (i, row) =>
    predictedOf(i, row) === 'yes' ? 'no' : 'yes',
  );
  await expectEveryExporter({ predictions: ROWS, labelled: 100, coverage: 0.5, accuracy: 0.5 });
});
