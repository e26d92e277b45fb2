// Labels that arrive windows after their predictions: the window's own join has let those predictions go, the
// label horizon store has not — the realized quality of the prediction-time range changes, on /api and /metrics,
// and survives a restart from the checkpoint. An injected clock: nothing sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { feedbackEvent, inferenceEvent } from '../helpers/events';
import { meanShiftEngine } from '../helpers/fake-drift';
import { seriesValue, testExporter, type TestExporter } from '../helpers/exporter';

const W0 = Date.parse('2026-01-01T00:00:00Z');
const MINUTE = 60_000;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'late-labels-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function exporterAt(now: number): TestExporter {
  const t = testExporter(
    { models: [{ name: 'iris' }], checkpoint: { dir, intervalSeconds: 1 } },
    meanShiftEngine({ iris: { means: { x: 1 }, shift: 0 } }),
  );
  t.clock.now = now;
  return t;
}

async function hourRange(t: TestExporter) {
  const [report] = await t.exporter.evaluateOnce({ force: true });
  const ranges = report.qualityByPredictionTime!.ranges;
  expect(ranges.map((r) => r.range)).toEqual(['1h', '24h', '7d']);
  return ranges[0];
}

test('labels two and ten windows late change the accuracy and coverage of their predictions’ range', async () => {
  const t = exporterAt(W0 + 90_000);
  await t.exporter.start({ schedule: false });
  for (let i = 0; i < 20; i++)
    t.source.push(
      'inference',
      inferenceEvent({ requestId: `r${i}`, at: W0 + i * 1000, features: { x: 1 }, label: 'a' }),
    );
  expect(await hourRange(t)).toMatchObject({ predictions: 20, labelled: 0, coverage: 0, accuracy: null });

  // Two windows later: 5 labels, all right.
  t.clock.now = W0 + 3 * MINUTE;
  for (let i = 0; i < 5; i++)
    t.source.push('feedback', feedbackEvent({ requestId: `r${i}`, at: t.clock.now, truth: 'a' }));
  expect(await hourRange(t)).toMatchObject({ predictions: 20, labelled: 5, coverage: 0.25, accuracy: 1 });

  // Ten windows later (the window has long let these predictions go): 5 more, all wrong.
  t.clock.now = W0 + 11 * MINUTE;
  for (let i = 5; i < 10; i++)
    t.source.push('feedback', feedbackEvent({ requestId: `r${i}`, at: t.clock.now, truth: 'b' }));
  const late = await hourRange(t);
  expect(late).toMatchObject({ predictions: 20, labelled: 10, coverage: 0.5, accuracy: 0.5 });
  expect(late.perClass.a).toMatchObject({ predictions: 20, labelled: 10, coverage: 0.5, precision: 0.5 });

  const reg = t.exporter.registry;
  expect(await seriesValue(reg, 'plumbline_realized_accuracy', { model: 'iris', range: '1h' })).toBe(0.5);
  expect(await seriesValue(reg, 'plumbline_realized_label_coverage', { model: 'iris', range: '1h' })).toBe(
    0.5,
  );
  expect(
    await seriesValue(reg, 'plumbline_realized_class_label_coverage', {
      model: 'iris',
      range: '7d',
      class: 'a',
    }),
  ).toBe(0.5);
  await new Promise<void>((r) => t.exporter.server.listen(0, '127.0.0.1', r));
  const { port } = t.exporter.server.address() as AddressInfo;
  const res = await request(`http://127.0.0.1:${port}/api/models/iris/drift`);
  const body = (await res.body.json()) as {
    latest: { qualityByPredictionTime: { labelHorizonSeconds: number; ranges: { range: string }[] } };
  };
  expect(body.latest.qualityByPredictionTime.labelHorizonSeconds).toBe(14 * 86_400);
  expect(body.latest.qualityByPredictionTime.ranges[0]).toMatchObject({
    range: '1h',
    coverage: 0.5,
    accuracy: 0.5,
  });
  t.exporter.server.close();

  // A label for a request never seen waits for its prediction, then is counted as unknown, never an error.
  t.source.push('feedback', feedbackEvent({ requestId: 'nobody', at: t.clock.now, truth: 'a' }));
  await t.exporter.evaluateOnce({ force: true });
  t.clock.now += 3 * 60 * MINUTE;
  await t.exporter.evaluateOnce({ force: true });
  expect(
    await seriesValue(reg, 'plumbline_exporter_labels_unjoined_total', { model: 'iris', reason: 'unknown' }),
  ).toBe(1);
  const restartAt = t.clock.now;
  await t.exporter.stop();

  // Restarted from the checkpoint: the store is reopened, the figures are the same, and a later label still joins.
  const again = exporterAt(restartAt);
  await again.exporter.start({ schedule: false });
  const [, , week] = (await again.exporter.evaluateOnce({ force: true }))[0].qualityByPredictionTime!.ranges;
  expect(week).toMatchObject({ predictions: 20, labelled: 10, coverage: 0.5, accuracy: 0.5 });
  again.source.push('feedback', feedbackEvent({ requestId: 'r10', at: restartAt, truth: 'a' }));
  const [, , after] = (await again.exporter.evaluateOnce({ force: true }))[0].qualityByPredictionTime!.ranges;
  expect(after).toMatchObject({ predictions: 20, labelled: 11, coverage: 0.55 });
  expect(after.accuracy).toBeCloseTo(6 / 11, 12);
  await again.exporter.stop();
});
