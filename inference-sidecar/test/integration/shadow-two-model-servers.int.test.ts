/** @jest-environment @plumbline/harness/onnx-test-environment */
/**
 * Two real model servers behind one sidecar: the embedded ONNX server (the shipped iris model, version 1) is the
 * primary, a real MLServer (scikit-learn iris, version v2, harness) the shadow. The client's answers are
 * byte-identical to the primary's alone; the stored events pair every shadow row with its primary row, and the
 * agreement computed from them equals the agreement of the two servers' own predictions on the same inputs.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceEvent } from '@plumbline/schema';
import { artifactsDir, makeSklearnIrisModel, startMlServer, type MlServerHandle } from '@plumbline/harness';
import { request } from 'undici';
import { SHIPPED_MODEL, startModelServer, type RunningModelServer } from '../../src/model-server';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';

jest.setTimeout(240_000);

const metadata = JSON.parse(readFileSync(SHIPPED_MODEL.metadataPath, 'utf8')) as {
  classes: string[];
  features: string[];
};
const REQUESTS = 20;
const ROWS_PER_REQUEST = 3;

/**
 * Rows spread over (and a little past) the iris ranges, from a fixed linear congruential sequence: far from the
 * training clusters the two models (different scaling and training rows) sometimes disagree.
 */
function rows(n: number): number[][] {
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const ranges = [
    [4.0, 8.0],
    [1.8, 4.6],
    [0.8, 7.2],
    [0.0, 2.7],
  ];
  return Array.from({ length: n }, () =>
    ranges.map(([lo, hi]) => Math.round((lo + next() * (hi - lo)) * 10) / 10),
  );
}

function inferBody(id: string, batch: number[][]): string {
  return JSON.stringify({
    id,
    inputs: [{ name: 'input', shape: [batch.length, 4], datatype: 'FP64', data: batch.flat() }],
  });
}

/** Class names a V2 answer predicts: the `label` output (the ONNX model), else the first output (MLServer). */
function predictedClasses(body: string): string[] {
  const outputs = (JSON.parse(body) as { outputs: { name: string; data: (number | string)[] }[] }).outputs;
  const labels = outputs.find((o) => o.name === 'label') ?? outputs[0];
  return labels.data.map((v) => (typeof v === 'number' ? metadata.classes[v] : v));
}

async function post(url: string, body: string, requestId: string): Promise<{ status: number; body: Buffer }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body,
  });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}

describe('the embedded ONNX server as primary, a real MLServer as shadow', () => {
  let primary: RunningModelServer;
  let mlserver: MlServerHandle;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    mkdirSync(join(artifactsDir(), 'models'), { recursive: true });
    const modelDir = makeSklearnIrisModel(mkdtempSync(join(artifactsDir(), 'models', 'shadow-iris-')), {
      name: 'iris',
      version: 'v2',
    });
    [primary, mlserver] = await Promise.all([
      startModelServer({ modelPath: SHIPPED_MODEL.modelPath }),
      startMlServer({ modelDir }),
    ]);
    sidecar = await startTestSidecar(primary.url, {
      models: { iris: { features: metadata.features, classes: metadata.classes } },
      shadow: { url: mlserver.url, timeoutMs: 30_000 },
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await mlserver?.stop();
    await primary?.stop();
  });

  it('answers with the primary bytes only, and the events give the agreement the two models give', async () => {
    const inputs = rows(REQUESTS * ROWS_PER_REQUEST);
    const direct: { primary: string[]; shadow: string[] } = { primary: [], shadow: [] };
    for (let i = 0; i < REQUESTS; i++) {
      const batch = inputs.slice(i * ROWS_PER_REQUEST, (i + 1) * ROWS_PER_REQUEST);
      const body = inferBody(`shadow-it-${i}`, batch);
      const alone = await post(`${primary.url}/v2/models/iris/infer`, body, `direct-${i}`);
      const proxied = await post(`${sidecar.url}/v2/models/iris/infer`, body, `shadow-it-${i}`);
      expect(proxied.status).toBe(200);
      expect(proxied.body.equals(alone.body)).toBe(true);
      direct.primary.push(...predictedClasses(alone.body.toString()));
      const challenger = await post(`${mlserver.url}/v2/models/iris/infer`, body, `direct-shadow-${i}`);
      expect(challenger.status).toBe(200);
      direct.shadow.push(...predictedClasses(challenger.body.toString()));
    }

    const total = REQUESTS * ROWS_PER_REQUEST;
    await sidecar.metricsMatching(
      new RegExp(`plumbline_sidecar_shadow_requests_total\\{model="iris",outcome="sent"\\} ${REQUESTS}\\n`),
      60_000,
    );
    const events = await sidecar.waitForEvents(2 * total, 30_000);
    const primaryEvents = events.filter((e) => e.role === 'primary');
    const shadowEvents = events.filter((e) => e.role === 'shadow');
    expect(primaryEvents).toHaveLength(total);
    expect(shadowEvents).toHaveLength(total);
    for (const e of primaryEvents) expect(e.model).toEqual({ name: 'iris', version: '1' });
    for (const e of shadowEvents) expect(e.model).toEqual({ name: 'iris', version: 'v2' });

    // Pair every shadow row with the primary row it answers, as the exporter does.
    const byRow = new Map<string, InferenceEvent>(
      primaryEvents.map((e) => [`${e.request_id}\u0000${e.row}`, e]),
    );
    let agree = 0;
    for (const s of shadowEvents) {
      const p = byRow.get(`${s.shadow_of?.request_id}\u0000${s.shadow_of?.row}`);
      expect(p).toBeDefined();
      expect(s.features).toEqual(p?.features);
      if (s.outputs.label === p?.outputs.label) agree++;
    }
    const directAgree = direct.primary.filter((label, i) => label === direct.shadow[i]).length;
    expect(direct.primary).toHaveLength(total);
    expect(agree / total).toBe(directAgree / total);
    // Not a trivial agreement: the inputs reach where the two models differ.
    expect(directAgree).toBeLessThan(total);
    expect(directAgree).toBeGreaterThan(0);
  });
});
