// Shadow traffic through the exporter (issue #14): shadow rows pushed with their primary rows (shadows first for
// half of them) leave the model's figures as the primary alone gives them, and export the agreement ratio and the
// shadow's accuracy on the primary's labelled rows; /api/models/{m}/shadow answers the same.
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { feedbackEvent, inferenceEvent } from '../helpers/events';
import { seriesValue, testExporter } from '../helpers/exporter';
import { meanShiftEngine } from '../helpers/fake-drift';
import { shadowOf } from '../helpers/shadow-events';

it('exports the agreement ratio and the shadow quality, and keeps shadows out of the model figures', async () => {
  const { exporter, source } = testExporter(
    { models: [{ name: 'iris', features: ['x'] }] },
    meanShiftEngine({ iris: { means: { x: 1 }, shift: 1 } }),
  );
  const classes = ['setosa', 'versicolor', 'virginica'];
  let agree = 0;
  let shadowRight = 0;
  let labelled = 0;
  for (let i = 0; i < 60; i += 1) {
    const primary = inferenceEvent({
      requestId: `r${i}`,
      at: Date.parse('2026-01-01T00:00:05Z') + i * 500,
      features: { x: 1 },
      label: classes[i % 3],
    });
    const shadowLabel = i % 5 === 0 ? classes[(i + 1) % 3] : classes[i % 3];
    if (shadowLabel === primary.outputs.label) agree += 1;
    const shadow = shadowOf(primary, '2', { label: shadowLabel });
    if (i % 2 === 0) source.push('inference', shadow);
    source.push('inference', primary);
    if (i % 2 === 1) source.push('inference', shadow);
    if (i % 3 === 0) {
      labelled += 1;
      if (shadowLabel === classes[i % 3]) shadowRight += 1;
      source.push(
        'feedback',
        feedbackEvent({ requestId: `r${i}`, at: Date.parse('2026-01-01T00:00:50Z'), truth: classes[i % 3] }),
      );
    }
  }
  await exporter.start({ schedule: false });
  await exporter.evaluateOnce();
  const reg = exporter.registry;
  const mv = { model: 'iris', model_version: '1' };
  expect(await seriesValue(reg, 'plumbline_exporter_window_samples', mv)).toBe(60);
  expect(await seriesValue(reg, 'plumbline_model_accuracy', mv)).toBe(1);
  const pair = { ...mv, shadow_version: '2' };
  expect(await seriesValue(reg, 'plumbline_shadow_pairs', pair)).toBe(60);
  expect(await seriesValue(reg, 'plumbline_shadow_agreement_ratio', pair)).toBe(agree / 60);
  expect(agree).toBe(48);
  const shadowMv = { model: 'iris', model_version: '2' };
  expect(await seriesValue(reg, 'plumbline_shadow_labelled_samples', shadowMv)).toBe(labelled);
  expect(await seriesValue(reg, 'plumbline_shadow_accuracy', shadowMv)).toBe(shadowRight / labelled);

  await new Promise<void>((r) => exporter.server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(exporter.server.address() as AddressInfo).port}`;
    const res = await request(`${url}/api/models/iris/shadow`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({
      model: 'iris',
      agreements: [{ modelVersion: '1', shadowVersion: '2', pairs: 60, agreementRatio: agree / 60 }],
      versions: [{ shadowVersion: '2', rows: 60, unpaired: 0, labelled, accuracy: shadowRight / labelled }],
    });
    // The model's answers name every version its window holds: the primary's, not the shadow's.
    const models = await request(`${url}/api/models`);
    expect(await models.body.json()).toEqual({
      models: [
        expect.objectContaining({
          model: 'iris',
          latest: expect.objectContaining({ modelVersion: '1', modelVersions: { '1': 60 } }),
        }),
      ],
    });
    const missing = await request(`${url}/api/models/nope/shadow`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  } finally {
    exporter.server.closeAllConnections();
    await new Promise<void>((r) => exporter.server.close(() => r()));
    await exporter.stop();
  }
});
