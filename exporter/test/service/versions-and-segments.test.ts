// Versions side by side (issue #14) and segments (issue #12) through the exporter in-process: memory source →
// the model's window and its slices → /metrics and /api over real HTTP on port 0.
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { InferenceEvent } from '@plumbline/schema';
import { feedbackEvent, inferenceEvent } from '../helpers/events';
import { meanShiftEngine } from '../helpers/fake-drift';
import { seriesValue, testExporter } from '../helpers/exporter';

const W0 = Date.parse('2026-01-01T00:00:00Z'); // the window [00:00, 00:01) closes before the clock (00:01:30)

async function listen(server: import('node:http').Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
type Json = any;

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const res = await request(url);
  return { status: res.statusCode, body: await res.body.json() };
}

const engine = () => meanShiftEngine({ iris: { means: { x: 1, y: 1 }, shift: 2 } });

describe('versions side by side', () => {
  /**
   * 1,000 rows of version 1 and 1,000 of version 2 in one window, interleaved (a canary at 50%): version 2 errs
   * on 8% of its rows (1: 5%) and is right on 80% of its labelled rows (1: 95%).
   */
  async function twoVersions() {
    const t = testExporter({ models: [{ name: 'iris' }], versions: { minimumSamples: 200 } }, engine());
    await t.exporter.start({ schedule: false });
    for (let i = 0; i < 2000; i++) {
      const version = i % 2 === 0 ? '1' : '2';
      const k = Math.floor(i / 2);
      const errs = version === '1' ? k % 20 === 0 : k % 25 < 2;
      const e: InferenceEvent = {
        ...inferenceEvent({
          requestId: `r${i}`,
          at: W0 + i * 25,
          version,
          features: { x: 1, y: 1 },
          label: 'a',
        }),
        ...(errs ? { http_status: 500 } : {}),
      };
      t.source.push('inference', e);
      const right = version === '1' ? k % 20 !== 0 : k % 5 !== 0;
      t.source.push(
        'feedback',
        feedbackEvent({ requestId: `r${i}`, at: W0 + i * 25 + 5, truth: right ? 'a' : 'b' }),
      );
    }
    return t;
  }

  it('reports each version apart and says the newer one is worse, in /api and /metrics', async () => {
    const t = await twoVersions();
    const [report] = await t.exporter.evaluateOnce();
    expect(report.samples).toBe(2000);
    const slices = t.exporter.latestSlices('iris')!;
    expect(slices.versions.map((v) => [v.key, v.samples])).toEqual([
      [{ kind: 'version', version: '1' }, 1000],
      [{ kind: 'version', version: '2' }, 1000],
    ]);
    expect(slices.versions[0].traffic).toMatchObject({ rows: 1000, errors: 50 });
    expect(slices.versions[1].traffic).toMatchObject({ rows: 1000, errors: 80 });
    expect(slices.versions[0].quality).toMatchObject({ labelled: 1000, correct: 950, accuracy: 0.95 });
    expect(slices.versions[1].quality).toMatchObject({ labelled: 1000, correct: 800, accuracy: 0.8 });

    const base = await listen(t.exporter.server);
    try {
      const list = await getJson(`${base}/api/models/iris/versions`);
      expect(list.status).toBe(200);
      expect(list.body.versions.map((v: Json) => [v.version, v.samples, v.traffic.errorRate])).toEqual([
        ['1', 1000, 0.05],
        ['2', 1000, 0.08],
      ]);
      expect(list.body.comparisons).toHaveLength(1);
      expect(list.body.comparisons[0]).toMatchObject({ a: '1', b: '2', verdict: 'worse' });

      const cmp = await getJson(`${base}/api/models/iris/versions/compare?a=1&b=2`);
      expect(cmp.status).toBe(200);
      expect(cmp.body).toMatchObject({ a: '1', b: '2', verdict: 'worse', correction: 'bonferroni' });
      expect(cmp.body.tests.map((x: Json) => [x.metric, x.a.n, x.b.n, x.direction])).toEqual([
        ['error_rate', 1000, 1000, 'worse'],
        ['accuracy', 1000, 1000, 'worse'],
      ]);
      // The other way round, 1 is better than 2.
      expect((await getJson(`${base}/api/models/iris/versions/compare?a=2&b=1`)).body.verdict).toBe('better');
      const missing = await getJson(`${base}/api/models/iris/versions/compare?a=1&b=9`);
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toMatch(/version 9 .*\(versions: 1, 2\)/);
      const bad = await getJson(`${base}/api/models/iris/versions/compare?a=1`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('EXPORTER_ERR_BAD_REQUEST');
    } finally {
      t.exporter.server.close();
    }

    const reg = t.exporter.registry;
    const v2 = { model: 'iris', model_version: '2' };
    expect(await seriesValue(reg, 'plumbline_version_window_samples', v2)).toBe(1000);
    expect(await seriesValue(reg, 'plumbline_version_error_ratio', v2)).toBeCloseTo(0.08, 12);
    expect(await seriesValue(reg, 'plumbline_version_accuracy', v2)).toBeCloseTo(0.8, 12);
    expect(
      await seriesValue(reg, 'plumbline_version_accuracy', { model: 'iris', model_version: '1' }),
    ).toBeCloseTo(0.95, 12);
    for (const metric of ['error_rate', 'accuracy'])
      expect(
        await seriesValue(reg, 'plumbline_version_comparison_worse', {
          ...v2,
          baseline_version: '1',
          metric,
        }),
      ).toBe(1);
  });

  it('says insufficient_data below versions.minimumSamples, and nothing is flagged', async () => {
    const t = testExporter({ models: [{ name: 'iris' }], versions: { minimumSamples: 5000 } }, engine());
    await t.exporter.start({ schedule: false });
    for (let i = 0; i < 400; i++)
      t.source.push(
        'inference',
        inferenceEvent({
          requestId: `r${i}`,
          at: W0 + i * 100,
          version: i % 2 ? '2' : '1',
          features: { x: 1, y: 1 },
        }),
      );
    await t.exporter.evaluateOnce();
    const [c] = t.exporter.latestSlices('iris')!.comparisons;
    expect(c.verdict).toBe('insufficient_data');
    expect(
      await seriesValue(t.exporter.registry, 'plumbline_version_comparison_worse', {
        model: 'iris',
        model_version: '2',
        baseline_version: '1',
        metric: 'error_rate',
      }),
    ).toBe(0);
  });
});

describe('versions bound', () => {
  it('keeps versions.max versions: the one idle the longest is dropped and counted', async () => {
    const t = testExporter({ models: [{ name: 'iris' }], versions: { max: 2 } }, engine());
    await t.exporter.start({ schedule: false });
    // 1 first, then 2, then 1 again, then 3: version 2 is the idlest when 3 arrives.
    const order = [
      ...Array(50).fill('1'),
      ...Array(50).fill('2'),
      ...Array(50).fill('1'),
      ...Array(50).fill('3'),
    ];
    order.forEach((version, i) =>
      t.source.push(
        'inference',
        inferenceEvent({ requestId: `r${i}`, at: W0 + i * 250, version, features: { x: 1, y: 1 } }),
      ),
    );
    await t.exporter.evaluateOnce();
    expect(t.exporter.latestSlices('iris')!.versions.map((v) => [v.key, v.samples])).toEqual([
      [{ kind: 'version', version: '1' }, 100],
      [{ kind: 'version', version: '3' }, 50],
    ]);
    expect(
      await seriesValue(t.exporter.registry, 'plumbline_exporter_versions_evicted_total', { model: 'iris' }),
    ).toBe(1);
    // The model's own window still holds every row.
    expect(
      await seriesValue(t.exporter.registry, 'plumbline_exporter_window_samples', {
        model: 'iris',
        model_version: '1',
      }),
    ).toBe(200);
  });
});

describe('which version is the champion', () => {
  it('the version with the earliest rows in the window, then by name with numbers by value (9 before 10)', async () => {
    const t = testExporter(
      {
        models: [{ name: 'iris' }],
        window: { kind: 'tumbling', sizeSeconds: 60, minimumSamples: 10, graceSeconds: 0, bucketSeconds: 30 },
      },
      engine(),
    );
    await t.exporter.start({ schedule: false });
    // 10 and 9 start in the first 30 s bucket; 1, first by name, only in the second.
    for (const [version, from] of [
      ['10', 0],
      ['9', 0],
      ['1', 30_000],
    ] as const)
      for (let i = 0; i < 20; i++)
        t.source.push(
          'inference',
          inferenceEvent({
            requestId: `r${version}-${i}`,
            at: W0 + from + i * 100,
            version,
            features: { x: 1, y: 1 },
          }),
        );
    await t.exporter.evaluateOnce();
    const slices = t.exporter.latestSlices('iris')!;
    expect(slices.versions.map((v) => (v.key.kind === 'version' ? v.key.version : ''))).toEqual([
      '9',
      '10',
      '1',
    ]);
    expect(slices.comparisons.map((c) => [c.a, c.b, c.family])).toEqual([
      ['9', '10', 2],
      ['9', '1', 2],
    ]);
  });
});

describe('segments', () => {
  it("shows one region's drop while the overall figure holds", async () => {
    const t = testExporter(
      { models: [{ name: 'iris', segments: ['region'] }], segments: { topK: 3 }, versions: { max: 0 } },
      engine(),
    );
    await t.exporter.start({ schedule: false });
    const regions = ['en', 'en', 'en', 'en', 'en', 'en', 'en', 'en', 'fr', 'de'];
    for (let i = 0; i < 2000; i++) {
      const region = regions[i % 10];
      // de's rows moved (x from 1 to 5) and its answers are wrong half of the time; the others are right.
      const x = region === 'de' ? 5 : 1;
      t.source.push(
        'inference',
        inferenceEvent({ requestId: `r${i}`, at: W0 + i * 25, features: { x, y: 1, region }, label: 'a' }),
      );
      const right = region !== 'de' || i % 20 !== 9;
      t.source.push(
        'feedback',
        feedbackEvent({ requestId: `r${i}`, at: W0 + i * 25 + 5, truth: right ? 'a' : 'b' }),
      );
    }
    const [overall] = await t.exporter.evaluateOnce();
    expect(overall.drift!.dataset.drift).toBe(false);
    expect(overall.quality!.classification!.accuracy).toBeCloseTo(0.95, 12);

    const reg = t.exporter.registry;
    const de = { model: 'iris', segment_feature: 'region', segment: 'de' };
    const en = { model: 'iris', segment_feature: 'region', segment: 'en' };
    expect(await seriesValue(reg, 'plumbline_segment_window_samples', de)).toBe(200);
    expect(await seriesValue(reg, 'plumbline_segment_accuracy', de)).toBeCloseTo(0.5, 12);
    expect(await seriesValue(reg, 'plumbline_segment_accuracy', en)).toBe(1);
    expect(await seriesValue(reg, 'plumbline_segment_dataset_drift_detected', de)).toBe(1);
    expect(await seriesValue(reg, 'plumbline_segment_dataset_drift_detected', en)).toBe(0);
    expect(t.exporter.slices!.segmentValues('iris', 'region')).toEqual({
      chosenBy: 'first-seen',
      values: ['en', 'fr', 'de'],
    });

    const base = await listen(t.exporter.server);
    try {
      const body = (await getJson(`${base}/api/models/iris/segments?feature=region`)).body;
      expect(body.segments.map((g: Json) => [g.segment, g.samples, g.quality.accuracy])).toEqual([
        ['de', 200, 0.5],
        ['en', 1600, 1],
        ['fr', 200, 1],
      ]);
    } finally {
      t.exporter.server.close();
    }
  });
});
