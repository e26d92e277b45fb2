/**
 * Servers whose protocol has no version in its path (MLflow, Seldon, a generic JSON API) still get one on every
 * event and metric: from the version header (the model server's response header, else the request's), else from
 * `models.<m>.version`. A version in the path (V2, KServe V1, TF Serving) or in a V2 answer wins over both.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

/** A model server of one style: answers `body`, with `x-model-version` when `version` is set. */
async function modelServer(body: object, version?: string): Promise<TestUpstream> {
  return startUpstream((_req, res) => {
    const headers: IncomingHttpHeaders = { 'content-type': 'application/json' };
    if (version !== undefined) headers['x-model-version'] = version;
    res.writeHead(200, headers);
    res.end(JSON.stringify(body));
  });
}

async function post(
  url: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const MLFLOW_REQUEST = { dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } };
const SELDON_REQUEST = { data: { names: ['a', 'b'], ndarray: [[1, 2]] } };
const GENERIC_REQUEST = { payload: { rows: [{ age: 31 }] } };

describe('MLflow-style server: the version from its response header', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  beforeAll(async () => {
    upstream = await modelServer({ predictions: [1] }, '7');
    sidecar = await startTestSidecar(upstream.url, {
      model: 'churn',
      models: { churn: { version: 'from-config' } },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('labels the event and the metrics with it, over the request header and the config', async () => {
    const res = await post(`${sidecar.url}/invocations`, MLFLOW_REQUEST, {
      'x-request-id': 'mlflow-1',
      'x-model-version': 'asked-for',
    });
    expect(res.status).toBe(200);
    const [event] = await sidecar.waitForEvents(1);
    expect(event).toMatchObject({
      request_id: 'mlflow-1',
      protocol: 'mlflow',
      model: { name: 'churn', version: '7' },
      role: 'primary',
    });
    await sidecar.metricsMatching(
      /plumbline_sidecar_requests_total\{model="churn",model_version="7",protocol="mlflow",status="200"\} 1/,
    );
  });
});

describe('Seldon-style server: the version from the request header (set by a mesh or the client)', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  beforeAll(async () => {
    upstream = await modelServer({ data: { ndarray: [0] } });
    sidecar = await startTestSidecar(upstream.url, {
      model: 'fraud',
      models: { fraud: { version: 'from-config' } },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('labels the event with the request header when the answer carries none', async () => {
    await post(`${sidecar.url}/api/v1.0/predictions`, SELDON_REQUEST, {
      'x-request-id': 'seldon-1',
      'x-model-version': 'canary-2',
    });
    const [event] = await sidecar.waitForEvents(1);
    expect(event).toMatchObject({ protocol: 'seldon', model: { name: 'fraud', version: 'canary-2' } });
  });

  it('falls back to models.<m>.version without the header', async () => {
    await post(`${sidecar.url}/api/v1.0/predictions`, SELDON_REQUEST, { 'x-request-id': 'seldon-2' });
    const events = await sidecar.waitForEvents(2);
    expect(events.find((e) => e.request_id === 'seldon-2')?.model).toEqual({
      name: 'fraud',
      version: 'from-config',
    });
  });
});

describe('generic server: a configured header name, then the config', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      // Answers with its build in a header of its own only when asked for the "tagged" route.
      const headers: IncomingHttpHeaders = { 'content-type': 'application/json' };
      if (req.url === '/score/tagged') headers['x-build'] = '2026.12.1';
      res.writeHead(200, headers);
      res.end(JSON.stringify({ result: { preds: [0.42] } }));
    });
    sidecar = await startTestSidecar(upstream.url, {
      model: 'price',
      protocol: 'generic',
      versionHeader: 'X-Build',
      models: {
        price: {
          version: 'v1-config',
          task: 'regression',
          generic: { features: '/payload/rows', outputs: '/result/preds' },
        },
      },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('reads the configured header (any case) from the answer, else models.<m>.version', async () => {
    await post(`${sidecar.url}/score/tagged`, GENERIC_REQUEST, { 'x-request-id': 'g-1' });
    await post(`${sidecar.url}/score`, GENERIC_REQUEST, {
      'x-request-id': 'g-2',
      'x-model-version': 'not-the-configured-header',
    });
    const events = await sidecar.waitForEvents(2);
    const version = (id: string) => events.find((e) => e.request_id === id)?.model.version;
    expect(version('g-1')).toBe('2026.12.1');
    expect(version('g-2')).toBe('v1-config');
    await sidecar.metricsMatching(
      /plumbline_sidecar_events_total\{model="price",model_version="v1-config"\} 1/,
    );
  });
});

describe('a version in the path wins over the header and the config', () => {
  let upstream: TestUpstream;
  let sidecar: TestSidecar;
  beforeAll(async () => {
    upstream = await modelServer({ predictions: [1] }, 'header-version');
    sidecar = await startTestSidecar(upstream.url, { models: { iris: { version: 'from-config' } } });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
  });

  it('TF Serving /versions/{v}:predict keeps the path version', async () => {
    await post(`${sidecar.url}/v1/models/iris/versions/3:predict`, { instances: [[1, 2]] });
    const [event] = await sidecar.waitForEvents(1);
    expect(event.model).toEqual({ name: 'iris', version: '3' });
  });
});
