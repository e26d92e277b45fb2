/** @jest-environment @plumbline/harness/onnx-test-environment */
/**
 * The sidecar in front of the embedded ONNX model server (the shipped iris classifier), with the real pipeline
 * and no Elasticsearch/Kafka: events land in the spool's embedded store, where the exporter reads them. The
 * events carry scikit-learn's known predictions and probabilities (expected.json); feedback lands there too.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { artifactsDir } from '@plumbline/harness';
import pino from 'pino';
import { request } from 'undici';
import { startSidecar, type RunningSidecar } from '../../src/app';
import { parseConfig } from '../../src/config';
import { SHIPPED_MODEL, startModelServer, type RunningModelServer } from '../../src/model-server';
import { openSpoolReader } from '@plumbline/spool';

jest.setTimeout(60_000);

interface Expected {
  features: string[];
  rows: number[][];
  predicted: string[];
  probabilities: number[][];
}
const expected = JSON.parse(readFileSync(SHIPPED_MODEL.expectedPath, 'utf8')) as Expected;
const metadata = JSON.parse(readFileSync(SHIPPED_MODEL.metadataPath, 'utf8')) as { classes: string[] };

describe('sidecar in front of the embedded ONNX model server', () => {
  let model: RunningModelServer;
  let sidecar: RunningSidecar;
  const spoolDir = mkdtempSync(join(artifactsDir(), 'sidecar-onnx-spool-'));

  beforeAll(async () => {
    model = await startModelServer({ modelPath: SHIPPED_MODEL.modelPath });
    sidecar = await startSidecar(
      parseConfig({
        upstream: model.url,
        port: 0,
        adminPort: 0,
        logLevel: 'silent',
        models: { iris: { features: expected.features, classes: metadata.classes } },
        sinks: { spoolDir, flushIntervalMs: 50, spoolFsync: 'never' },
      }),
      { logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await sidecar?.stop();
    await model?.stop();
  });

  it('captures every row with the model’s label, probabilities and confidence into the embedded store', async () => {
    const rows = expected.rows;
    const res = await request(`${sidecar.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'onnx-1' },
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }],
      }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const feedback = await request(`${sidecar.adminUrl}/feedback`, {
      method: 'POST',
      body: JSON.stringify([{ request_id: 'onnx-1', row: 0, ground_truth: 'setosa', model: 'iris' }]),
    });
    expect(feedback.statusCode).toBe(202);
    await feedback.body.dump();
    await sidecar.stop(); // flushes the pipeline

    const events: InferenceEvent[] = [];
    const feedbackEvents: FeedbackEvent[] = [];
    for await (const entry of openSpoolReader(spoolDir).entries()) {
      if (entry.kind === 'inference') events.push(entry.event);
      else feedbackEvents.push(entry.event);
    }
    expect(events).toHaveLength(rows.length);
    events.sort((a, b) => a.row - b.row);
    events.forEach((e, i) => {
      expect(e.event_id).toBe(`onnx-1:${i}`);
      expect(e.model).toEqual({ name: 'iris', version: '1' });
      expect(Object.keys(e.features)).toEqual(expected.features);
      expect(e.features[expected.features[2]]).toBeCloseTo(rows[i][2], 6);
      expect(e.outputs.label).toBe(expected.predicted[i]);
      const probs = e.outputs.probabilities ?? {};
      metadata.classes.forEach((c, k) => expect(probs[c]).toBeCloseTo(expected.probabilities[i][k], 5));
      expect(e.outputs.confidence).toBeCloseTo(Math.max(...expected.probabilities[i]), 5);
    });
    expect(feedbackEvents).toHaveLength(1);
    expect(feedbackEvents[0]).toMatchObject({ event_id: 'onnx-1:0:feedback', ground_truth: 'setosa' });
  });
});
