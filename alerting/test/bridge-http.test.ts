// The bridge's HTTP surface without services: { error: message } bodies with the statuses Alertmanager acts on,
// 404 / 405 with Allow, a body over 1 MiB, and a 502 (Alertmanager retries) when the quality source is down.
import { request } from 'undici';
import { startBridge } from '../src/bridge/bridge';
import { DEFAULT_POLICY } from '../src/bridge/policy';

let bridge: Awaited<ReturnType<typeof startBridge>>;
let qualityDown = false;

beforeAll(async () => {
  bridge = await startBridge(
    {
      retrainUrl: 'http://127.0.0.1:9/api/retrain',
      retrainToken: 't',
      policy: DEFAULT_POLICY,
      timeoutMs: 1000,
    },
    {
      quality: () =>
        qualityDown
          ? Promise.reject(new Error('prometheus: connect ECONNREFUSED'))
          : Promise.resolve({ accuracy: 0.99, windowSamples: 500 }),
    },
  );
});
afterAll(() => bridge.close());

async function call(method: string, path: string, body?: string | Buffer) {
  const res = await request(`${bridge.url}${path}`, { method, body });
  return {
    status: res.statusCode,
    headers: res.headers,
    json: (await res.body.json()) as { error?: unknown },
  };
}

const ALERT = {
  fingerprint: 'f1',
  status: 'firing',
  labels: { alertname: 'PlumblineFeatureDriftPersistent', category: 'drift', model: 'iris' },
  annotations: {},
  startsAt: '2026-01-01T00:00:00Z',
};

it('answers /healthz, and a payload whose alerts are all skipped with 200 and the decisions', async () => {
  expect(await call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
  const res = await call(
    'POST',
    '/alertmanager',
    JSON.stringify({ version: '4', status: 'firing', alerts: [ALERT] }),
  );
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ decisions: [{ model: 'iris', action: 'skip' }] });
});

it('answers unknown paths with 404 and wrong methods with 405 and Allow, as { error: message }', async () => {
  expect(await call('GET', '/nope')).toEqual(
    expect.objectContaining({ status: 404, json: { error: 'no such endpoint: GET /nope' } }),
  );
  const wrong = await call('GET', '/alertmanager');
  expect(wrong.status).toBe(405);
  expect(wrong.headers.allow).toBe('POST');
  expect(typeof wrong.json.error).toBe('string');
});

it('answers a body that is not JSON with 400, and one over 1 MiB with 413', async () => {
  const bad = await call('POST', '/alertmanager', '{"alerts": [');
  expect(bad.status).toBe(400);
  expect(bad.json.error).toMatch(/^body is not JSON: /);
  const big = await call('POST', '/alertmanager', Buffer.alloc(1024 * 1024 + 1, 32));
  expect(big.status).toBe(413);
});

it('answers 502 when the quality source cannot be read, so Alertmanager retries', async () => {
  qualityDown = true;
  try {
    const res = await call(
      'POST',
      '/alertmanager',
      JSON.stringify({ version: '4', status: 'firing', alerts: [ALERT] }),
    );
    expect(res.status).toBe(502);
    expect(res.json.error).toMatch(/^upstream unreachable: /);
  } finally {
    qualityDown = false;
  }
});
