// Label drift in the service: the ground truth joined to a window's predictions (the label join, whenever the
// labels arrive) is the window's label column, compared with the baseline's label column like any other.
import { buildReferenceProfile } from '../../src/drift/in-memory-profile-builder';
import { createProfileDriftEngine } from '../../src/service/profile-drift-engine';
import { feedbackEvent, inferenceEvent } from '../helpers/events';
import { testExporter } from '../helpers/exporter';

const W0 = Date.parse('2026-01-01T00:00:00Z'); // the window [00:00, 00:01) closes before the clock (00:01:30)
const u = (i: number) => (i * 0.6180339887498949) % 1;

it('compares the joined ground truth with the baseline label column, missing where no label came', async () => {
  const profile = buildReferenceProfile(
    {
      x: Array.from({ length: 1000 }, (_, i) => u(i)),
      pred: Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'a' : 'b')),
      truth: Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'a' : 'b')),
    },
    { predictionColumn: 'pred', labelColumn: 'truth' },
  );
  const engine = createProfileDriftEngine(async () => ({ profile, version: '1' }));
  const t = testExporter({ models: [{ name: 'iris' }] }, engine);
  await t.exporter.start({ schedule: false });
  for (let i = 0; i < 400; i += 1)
    t.source.push(
      'inference',
      inferenceEvent({
        requestId: `r${i}`,
        at: W0 + i * 100,
        features: { x: u(i) },
        label: i % 2 ? 'a' : 'b',
      }),
    );
  // Ground truth for 300 of them, arriving after the predictions (and, for some, after the window closed): all 'a'.
  for (let i = 0; i < 300; i += 1)
    t.source.push('feedback', feedbackEvent({ requestId: `r${i}`, at: W0 + 65_000 + i, truth: 'a' }));
  const [report] = await t.exporter.evaluateOnce();
  expect(report.status).toBe('ok');
  const label = report.drift!.label!;
  expect(label.n).toEqual([1000, 300]);
  expect(label.missing).toEqual([0, 100]);
  expect(label.drift).toBe(true); // every label is 'a' where the reference is half 'b'
  expect(report.drift!.prediction!.drift).toBe(false);
  expect(report.quality!.labelled).toBe(300);
  await t.exporter.stop();
});
