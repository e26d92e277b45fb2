/** @jest-environment @plumbline/harness/onnx-test-environment */
// The embedded model server end to end over HTTP: real onnxruntime-node inference on the shipped iris model,
// compared with scikit-learn's own predictions (expected.json, written by models/iris/train.py).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { startModelServer, type RunningModelServer } from './server';
import { SHIPPED_MODEL } from './shipped-model';

interface Expected {
  features: string[];
  rows: number[][];
  predicted: string[];
  probabilities: number[][];
}
interface V2Output {
  name: string;
  datatype: string;
  shape: number[];
  data: Array<number | string>;
}

const expected = JSON.parse(readFileSync(SHIPPED_MODEL.expectedPath, 'utf8')) as Expected;
const CLASSES = ['setosa', 'versicolor', 'virginica'];
let server: RunningModelServer;

beforeAll(async () => {
  server = await startModelServer({ modelPath: SHIPPED_MODEL.modelPath, port: 0, maxBodyBytes: 64 * 1024 });
});
afterAll(() => server.stop());

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(server.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

function tensorBody(rows: number[][], datatype = 'FP32'): unknown {
  return { inputs: [{ name: 'input', shape: [rows.length, 4], datatype, data: rows.flat() }] };
}

function expectMatchesSklearn(outputs: V2Output[], from = 0, count = expected.rows.length): void {
  const label = outputs.find((o) => o.name === 'label')!;
  const proba = outputs.find((o) => o.name === 'probabilities')!;
  expect(label).toMatchObject({ datatype: 'BYTES', shape: [count] });
  expect(proba).toMatchObject({ datatype: 'FP32', shape: [count, 3] });
  expect(label.data).toEqual(expected.predicted.slice(from, from + count));
  expected.probabilities.slice(from, from + count).forEach((row, i) => {
    row.forEach((p, c) => expect(Math.abs((proba.data[i * 3 + c] as number) - p)).toBeLessThan(1e-6));
  });
}

describe('health and metadata', () => {
  it('answers live, ready and server metadata', async () => {
    expect(await call('GET', '/v2/health/live')).toMatchObject({ status: 200, json: { live: true } });
    expect(await call('GET', '/v2/health/ready')).toMatchObject({ status: 200, json: { ready: true } });
    const meta = await call('GET', '/v2');
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({ name: 'plumbline-model-server', extensions: [] });
    expect(typeof meta.json.version).toBe('string');
  });

  it('describes the model: V2 inputs, outputs, versions, features and classes', async () => {
    const res = await call('GET', '/v2/models/iris');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      name: 'iris',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'input', datatype: 'FP32', shape: [-1, 4] },
        ...expected.features.map((name) => ({ name, datatype: 'FP32', shape: [-1] })),
      ],
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      ],
      parameters: { features: expected.features, classes: CLASSES },
    });
    expect((await call('GET', '/v2/models/iris/versions/1')).json).toEqual(res.json);
  });

  it('reports the model ready, by name and by version', async () => {
    expect(await call('GET', '/v2/models/iris/ready')).toMatchObject({
      status: 200,
      json: { name: 'iris', ready: true },
    });
    expect((await call('GET', '/v2/models/iris/versions/1/ready')).status).toBe(200);
  });
});

describe('inference', () => {
  it("returns scikit-learn's labels and probabilities for the held-out rows", async () => {
    const res = await call('POST', '/v2/models/iris/infer', {
      id: 'req-7',
      ...(tensorBody(expected.rows) as object),
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ model_name: 'iris', model_version: '1', id: 'req-7' });
    expectMatchesSklearn(res.json.outputs as V2Output[]);
  });

  it('gives the same answer for FP64 input, nested rows and the versioned path', async () => {
    const body = {
      inputs: [{ name: 'input', shape: [expected.rows.length, 4], datatype: 'FP64', data: expected.rows }],
    };
    const res = await call('POST', '/v2/models/iris/versions/1/infer', body);
    expect(res.status).toBe(200);
    expectMatchesSklearn(res.json.outputs as V2Output[]);
    expect(typeof res.json.id).toBe('string');
  });

  it('accepts one input per feature, named as in the metadata', async () => {
    const inputs = expected.features.map((name, col) => ({
      name,
      shape: [expected.rows.length],
      datatype: 'FP32',
      data: expected.rows.map((r) => r[col]),
    }));
    const res = await call('POST', '/v2/models/iris/infer', { inputs: inputs.reverse() });
    expect(res.status).toBe(200);
    expectMatchesSklearn(res.json.outputs as V2Output[]);
  });

  it('returns only the outputs asked for', async () => {
    const res = await call('POST', '/v2/models/iris/infer', {
      ...(tensorBody(expected.rows.slice(0, 2)) as object),
      outputs: [{ name: 'label' }],
    });
    expect(res.status).toBe(200);
    expect(res.json.outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [2], data: expected.predicted.slice(0, 2) },
    ]);
  });

  it('answers concurrent single-row requests each with its own row', async () => {
    const results = await Promise.all(
      expected.rows.map((row) => call('POST', '/v2/models/iris/infer', tensorBody([row]))),
    );
    results.forEach((res, i) => {
      expect(res.status).toBe(200);
      expectMatchesSklearn(res.json.outputs as V2Output[], i, 1);
    });
  });
});

describe('errors', () => {
  it.each([
    [
      'wrong shape',
      { inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] },
      'input "input": shape [1, 3] must be [N, 4]',
    ],
    [
      'wrong datatype',
      { inputs: [{ name: 'input', shape: [1, 4], datatype: 'BYTES', data: ['a', 'b', 'c', 'd'] }] },
      'datatype BYTES is not supported',
    ],
    ['no inputs', { inputs: [] }, '"inputs" must be a non-empty list'],
    ['invalid JSON', '{"inputs": [', 'not valid JSON'],
  ])('400 with {error} for %s', async (_case, body, message) => {
    const res = await call('POST', '/v2/models/iris/infer', body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
  });

  it('400 for an unknown model or version', async () => {
    const body = tensorBody([expected.rows[0]]);
    expect(await call('POST', '/v2/models/wine/infer', body)).toMatchObject({
      status: 400,
      json: { error: 'unknown model "wine"; this server serves "iris"' },
    });
    expect(await call('POST', '/v2/models/iris/versions/9/infer', body)).toMatchObject({
      status: 400,
      json: { error: 'model "iris" has no version "9"; it has "1"' },
    });
    expect((await call('GET', '/v2/models/wine')).status).toBe(400);
    expect((await call('GET', '/v2/models/wine/ready')).status).toBe(400);
  });

  it('404 for a path the protocol does not have', async () => {
    for (const path of ['/', '/v1/models/iris:predict', '/v2/models/iris/explain', '/v2/health']) {
      const res = await call('GET', path);
      expect(res.status).toBe(404);
      expect(res.json.error).toContain('no such endpoint');
    }
  });

  it('405 with Allow for a wrong method', async () => {
    const get = await call('GET', '/v2/models/iris/infer');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const post = await call('POST', '/v2/health/live', {});
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('413 for a body over the limit, streamed without a content-length, and stays up', async () => {
    const big = JSON.stringify(tensorBody(Array.from({ length: 5000 }, () => expected.rows[0])));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/v2/models/iris/infer`, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < big.length; i += 8192) req.write(big.slice(i, i + 8192));
      req.end();
    });
    expect(status).toBe(413);
    expect((await call('GET', '/v2/health/live')).status).toBe(200);
  });
});
