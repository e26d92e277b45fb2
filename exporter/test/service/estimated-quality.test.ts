// Issue #11 through the exporter in-process: a baseline with a quality baseline makes each window carry the
// label-free estimate, exported as plumbline_estimated_* beside the realized figures and served on /api.
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { calibrationToJson, fitCalibration, performanceFromMatrix } from '../../src/quality/estimate';
import type { ReferenceQuality } from '../../src/drift/profile-types';
import { feedbackEvent, inferenceEvent } from '../helpers/events';
import { meanShiftEngine } from '../helpers/fake-drift';
import { seriesValue, testExporter } from '../helpers/exporter';

const W0 = Date.parse('2026-01-01T00:00:00Z');
const labels = ['a', 'b'];
// The raw probabilities as they are (method forced to none): the estimate is then their sum, easy to check.
const calibration = fitCalibration(
  labels,
  { probabilities: [0.9, 0.1, 0.3, 0.7], classes: 2, predicted: [0, 1], actual: [0, 1] },
  { method: 'none' },
);
const quality: ReferenceQuality = {
  targetColumn: 'species',
  predictionColumn: 'label',
  probabilityColumns: ['p_a', 'p_b'],
  calibration: calibrationToJson(calibration),
  realized: performanceFromMatrix(labels, [
    [45, 5],
    [5, 45],
  ]),
  rows: 100,
};

async function getJson(url: string) {
  const res = await request(url);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
  return (await res.body.json()) as any;
}

it('exports the estimate per window beside the realized figures, and the reference quality', async () => {
  const t = testExporter(
    { models: [{ name: 'iris' }] },
    meanShiftEngine({ iris: { means: { x: 1 }, shift: 2, quality } }),
  );
  await t.exporter.start({ schedule: false });
  // 40 rows: predicted a with P(a) = 0.8 (20 rows), predicted b with P(b) = 0.6 (20 rows) → estimate 0.7.
  for (let i = 0; i < 40; i++) {
    const a = i % 2 === 0;
    t.source.push(
      'inference',
      inferenceEvent({
        requestId: `r${i}`,
        at: W0 + i * 100,
        features: { x: 1 },
        label: a ? 'a' : 'b',
        probabilities: a ? { a: 0.8, b: 0.2 } : { a: 0.4, b: 0.6 },
      }),
    );
    // Labels for the first half only: realized beside the estimate.
    if (i < 20)
      t.source.push('feedback', feedbackEvent({ requestId: `r${i}`, at: W0 + i * 100 + 50, truth: 'a' }));
  }
  const [report] = await t.exporter.evaluateOnce();
  expect(report.status).toBe('ok');
  expect(report.estimatedQuality!.accuracy).toBeCloseTo(0.7, 12);
  expect(report.estimatedQuality!.rows).toBe(40);
  // Var = 20·0.8·0.2 + 20·0.6·0.4 = 8; half-width 1.96·√8 / 40.
  const half = (1.96 * Math.sqrt(8)) / 40;
  expect(report.estimatedQuality!.accuracyBand[0]).toBeCloseTo(0.7 - half, 12);
  const reg = t.exporter.registry;
  const mv = { model: 'iris', model_version: '1' };
  expect(await seriesValue(reg, 'plumbline_estimated_accuracy', mv)).toBeCloseTo(0.7, 12);
  expect(await seriesValue(reg, 'plumbline_estimated_accuracy_upper', mv)).toBeCloseTo(0.7 + half, 12);
  expect(await seriesValue(reg, 'plumbline_estimated_rows', mv)).toBe(40);
  expect(await seriesValue(reg, 'plumbline_baseline_accuracy', mv)).toBe(0.9);
  expect(
    await seriesValue(reg, 'plumbline_estimated_confusion_matrix_rows', {
      ...mv,
      actual: 'a',
      predicted: 'a',
    }),
  ).toBeCloseTo(16, 12);
  expect(await seriesValue(reg, 'plumbline_model_accuracy', mv)).toBe(0.5); // 20 labels 'a': 10 right
  await new Promise<void>((r) => t.exporter.server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(t.exporter.server.address() as AddressInfo).port}`;
  const model = await getJson(`${base}/api/models/iris/drift`);
  expect(model.latest.estimatedQuality).toMatchObject({ rows: 40, skippedRows: 0, calibration: 'none' });
  expect(model.latest.estimatedQuality.accuracy).toBeCloseTo(0.7, 12);
  expect(model.latest.qualityBaseline).toMatchObject({ accuracy: 0.9, f1Macro: 0.9 });
  const cm = await getJson(`${base}/api/models/iris/confusion-matrix`);
  expect(cm.estimated.labels).toEqual(['a', 'b']);
  expect(cm.estimated.counts[0][0]).toBeCloseTo(16, 12);
  await t.exporter.stop();
  t.exporter.server.closeAllConnections();
  t.exporter.server.close();
});

it('estimates each version of the window from its own rows, exported per version', async () => {
  const t = testExporter(
    { models: [{ name: 'iris' }] },
    meanShiftEngine({ iris: { means: { x: 1 }, shift: 2, quality } }),
  );
  await t.exporter.start({ schedule: false });
  // Version 1 predicts a with P(a) = 0.8, version 2 predicts b with P(b) = 0.6: estimates 0.8 and 0.6, the model's 0.7.
  for (let i = 0; i < 400; i++) {
    const v1 = i % 2 === 0;
    t.source.push(
      'inference',
      inferenceEvent({
        requestId: `r${i}`,
        at: W0 + i * 10,
        version: v1 ? '1' : '2',
        features: { x: 1 },
        label: v1 ? 'a' : 'b',
        probabilities: v1 ? { a: 0.8, b: 0.2 } : { a: 0.4, b: 0.6 },
      }),
    );
  }
  await t.exporter.evaluateOnce();
  const versions = t.exporter.latestSlices('iris')!.versions;
  const estimate = (v: string) =>
    versions.find((f) => f.key.kind === 'version' && f.key.version === v)!.estimatedQuality!;
  expect(estimate('1').accuracy).toBeCloseTo(0.8, 12);
  expect(estimate('1').rows).toBe(200);
  expect(estimate('2').accuracy).toBeCloseTo(0.6, 12);
  const reg = t.exporter.registry;
  expect(
    await seriesValue(reg, 'plumbline_version_estimated_accuracy', { model: 'iris', model_version: '2' }),
  ).toBeCloseTo(0.6, 12);
  await t.exporter.stop();
});
