// Regression: a failed inference answered 500 with onnxruntime's own message ("inference failed: <detail>"), which
// can name files and internals of the server. Now the client gets { error: "inference failed" } and the detail goes
// to onError; anything else unexpected is a 500 too (it was a 400 "bad request: <message>").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createModelRequestHandler } from './server';
import type { LoadedModel } from './model';

function fakeModel(predict: LoadedModel['predict']): LoadedModel {
  return {
    name: 'iris',
    version: '1',
    modelPath: '/models/iris.onnx',
    input: { name: 'input', datatype: 'FP32', shape: [-1, 4] },
    numFeatures: 4,
    features: null,
    classes: null,
    outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }],
    predict,
    release: () => Promise.resolve(),
  };
}

async function withServer(
  model: LoadedModel,
  run: (url: string, errors: unknown[]) => Promise<void>,
): Promise<void> {
  const errors: unknown[] = [];
  const server = http.createServer(createModelRequestHandler(model, { onError: (err) => errors.push(err) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, errors);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const ROW = JSON.stringify({
  inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
});

it('answers a failed inference with 500 "inference failed" and hands the detail to onError', async () => {
  const ortError = new Error('Non-zero status code returned while running Gemm node. /srv/models/iris.onnx');
  await withServer(
    fakeModel(() => Promise.reject(ortError)),
    async (url, errors) => {
      const res = await fetch(`${url}/v2/models/iris/infer`, { method: 'POST', body: ROW });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: 'inference failed' });
      expect(text).not.toContain('Gemm');
      expect(errors).toHaveLength(1);
      expect((errors[0] as Error & { code: string }).code).toBe('MODEL_ERR_INFERENCE');
      expect((errors[0] as Error).cause).toBe(ortError);
    },
  );
});

it('answers a bug with a generic 500, not a 400 carrying its message', async () => {
  await withServer(
    fakeModel(() => Promise.resolve([{ name: 'label', datatype: 'INT64', shape: [1], data: [1n as never] }])),
    async (url, errors) => {
      const res = await fetch(`${url}/v2/models/iris/infer`, { method: 'POST', body: ROW });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string };
      expect(body.error).not.toMatch(/BigInt/);
      expect(errors).toHaveLength(1);
    },
  );
});

it('answers a model name that is not valid percent-encoding with 400', async () => {
  await withServer(
    fakeModel(() => Promise.reject(new Error('not called'))),
    async (url, errors) => {
      const res = await fetch(`${url}/v2/models/%E0%A4%A/ready`);
      expect(res.status).toBe(400);
      expect(errors).toEqual([]);
    },
  );
});
