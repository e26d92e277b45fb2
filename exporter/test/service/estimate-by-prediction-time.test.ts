// Issue #11 item 2, per reporting range, through the exporter in-process: each range of qualityByPredictionTime
// carries the label-free estimate of its predictions beside the realized figures and coverage, on /api and as
// plumbline_range_estimated_*{model,range}, and a restart from the checkpoint keeps it. An injected clock.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { calibrationToJson, fitCalibration, performanceFromMatrix } from '../../src/quality/estimate';
import type { ReferenceQuality } from '../../src/drift/profile-types';
import { feedbackEvent, inferenceEvent } from '../helpers/events';
import { meanShiftEngine } from '../helpers/fake-drift';
import { seriesValue, testExporter, type TestExporter } from '../helpers/exporter';

const W0 = Date.parse('2026-01-01T00:00:00Z');
const MINUTE = 60_000;
const labels = ['a', 'b'];
// The raw probabilities as they are (method none): the estimated accuracy is the mean of the predicted class's.
const quality: ReferenceQuality = {
  targetColumn: 'species',
  predictionColumn: 'label',
  probabilityColumns: ['p_a', 'p_b'],
  calibration: calibrationToJson(
    fitCalibration(
      labels,
      { probabilities: [0.9, 0.1, 0.3, 0.7], classes: 2, predicted: [0, 1], actual: [0, 1] },
      { method: 'none' },
    ),
  ),
  realized: performanceFromMatrix(labels, [
    [45, 5],
    [5, 45],
  ]),
  rows: 100,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'range-estimate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function exporterAt(now: number): TestExporter {
  const t = testExporter(
    { models: [{ name: 'iris' }], checkpoint: { dir, intervalSeconds: 1 } },
    meanShiftEngine({ iris: { means: { x: 1 }, shift: 0, quality } }),
  );
  t.clock.now = now;
  return t;
}

test('each prediction-time range carries the estimate beside the realized figures, and keeps it over a restart', async () => {
  const t = exporterAt(W0 + 90_000);
  await t.exporter.start({ schedule: false });
  // 40 rows: predicted a with P(a) = 0.8 (20), predicted b with P(b) = 0.6 (20) → estimate 0.7.
  for (let i = 0; i < 40; i++) {
    const a = i % 2 === 0;
    t.source.push(
      'inference',
      inferenceEvent({
        requestId: `r${i}`,
        at: W0 + i * 1000,
        features: { x: 1 },
        label: a ? 'a' : 'b',
        probabilities: a ? { a: 0.8, b: 0.2 } : { a: 0.4, b: 0.6 },
      }),
    );
  }
  // Ten windows later, labels for 10 of them (all 'a': 5 right).
  t.clock.now = W0 + 11 * MINUTE;
  for (let i = 0; i < 10; i++)
    t.source.push('feedback', feedbackEvent({ requestId: `r${i}`, at: t.clock.now, truth: 'a' }));
  const [report] = await t.exporter.evaluateOnce({ force: true });
  const [hour, , week] = report.qualityByPredictionTime!.ranges;
  expect(hour).toMatchObject({ range: '1h', predictions: 40, labelled: 10, coverage: 0.25, accuracy: 0.5 });
  expect(hour.estimated).toMatchObject({ rows: 40, skippedRows: 0 });
  expect(hour.estimated!.accuracy).toBeCloseTo(0.7, 12);
  const half = (1.96 * Math.sqrt(8)) / 40; // Var = 20·0.8·0.2 + 20·0.6·0.4 = 8
  expect(hour.estimated!.accuracyBand[1]).toBeCloseTo(0.7 + half, 12);
  expect(week.estimated!.accuracy).toBeCloseTo(0.7, 12);

  const reg = t.exporter.registry;
  const mr = { model: 'iris', range: '1h' };
  expect(await seriesValue(reg, 'plumbline_range_estimated_accuracy', mr)).toBeCloseTo(0.7, 12);
  expect(await seriesValue(reg, 'plumbline_range_estimated_accuracy_lower', mr)).toBeCloseTo(0.7 - half, 12);
  expect(await seriesValue(reg, 'plumbline_range_estimated_f1_macro', mr)).toBeCloseTo(
    hour.estimated!.f1Macro,
    12,
  );
  expect(await seriesValue(reg, 'plumbline_range_estimated_precision_macro_upper', mr)).toBeCloseTo(
    hour.estimated!.precisionMacroBand[1],
    12,
  );
  expect(await seriesValue(reg, 'plumbline_range_estimated_rows', mr)).toBe(40);
  expect(await seriesValue(reg, 'plumbline_realized_accuracy', mr)).toBe(0.5);
  expect(await seriesValue(reg, 'plumbline_realized_label_coverage', mr)).toBe(0.25);

  await new Promise<void>((r) => t.exporter.server.listen(0, '127.0.0.1', r));
  const { port } = t.exporter.server.address() as AddressInfo;
  const res = await request(`http://127.0.0.1:${port}/api/models/iris/drift`);
  const body = (await res.body.json()) as {
    latest: { qualityByPredictionTime: { ranges: { range: string; estimated: { accuracy: number } }[] } };
  };
  expect(body.latest.qualityByPredictionTime.ranges[0]).toMatchObject({
    range: '1h',
    coverage: 0.25,
    accuracy: 0.5,
    estimated: { rows: 40, skippedRows: 0 },
  });
  expect(body.latest.qualityByPredictionTime.ranges[0].estimated.accuracy).toBeCloseTo(0.7, 12);
  t.exporter.server.closeAllConnections();
  t.exporter.server.close();
  const restartAt = t.clock.now;
  await t.exporter.stop();

  // Restarted from the checkpoint: the store is reopened with its sums; nothing is counted twice.
  const again = exporterAt(restartAt);
  await again.exporter.start({ schedule: false });
  const [hourAgain] = (await again.exporter.evaluateOnce({ force: true }))[0].qualityByPredictionTime!.ranges;
  expect(hourAgain).toMatchObject({ predictions: 40, labelled: 10, estimated: { rows: 40, skippedRows: 0 } });
  expect(hourAgain.estimated!.accuracy).toBeCloseTo(0.7, 12);
  await again.exporter.stop();
});
