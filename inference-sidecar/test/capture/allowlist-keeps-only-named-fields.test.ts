// capture: { mode: allowlist, fields }: only the named features reach events and feature histograms; outputs are
// kept; a field can be allowlisted and hashed. First through the real proxy path (production thread layout), then
// the capture core on its own for what the config schema cannot express.
import { createSecretKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { createCapture } from '../../src/capture/capture';
import type { Exchange } from '../../src/capture/exchange';
import { parseConfig } from '../../src/config';
import { createSidecarMetrics } from '../../src/metrics/sidecar-metrics';
import { startTestSidecar, type TestSidecar } from '../helpers/sidecar';
import { memoryPipeline } from '../helpers/memory-pipeline';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { testExchange } from '../helpers/exchange';

const KEY_TEXT = 'plumbline-redaction-test-key-32b';
const ROW = { age: 41, postcode: 'SW1A 1AA', name: 'Ada Lovelace', income: 52_000 };

describe('capture allowlist, through the proxy into the store', () => {
  let dir: string;
  let upstream: TestUpstream;
  let sidecar: TestSidecar;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plumbline-allowlist-'));
    const keyFile = join(dir, 'redaction.key');
    writeFileSync(keyFile, KEY_TEXT);
    upstream = await startUpstream((_req, res, body) => {
      const n = (JSON.parse(body.toString()) as { instances: unknown[] }).instances.length;
      res.end(JSON.stringify({ predictions: Array.from({ length: n }, () => [0.25, 0.75]) }));
    });
    sidecar = await startTestSidecar(upstream.url, {
      redaction: { keyFile },
      models: {
        loans: {
          capture: { mode: 'allowlist', fields: ['age', 'postcode'] },
          redact: { postcode: 'hmac-sha256' },
          histogramFeatures: ['age'],
        },
      },
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the named features (hashed where configured) and the outputs; the rest is never stored', async () => {
    const res = await request(`${sidecar.url}/v1/models/loans:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [ROW] }),
    });
    await res.body.dump();
    const [event] = await sidecar.waitForEvents(1);
    expect(event.features).toEqual({
      age: 41,
      postcode: 'hmac-sha256:33e8ec0b5edd3bc09c6b3649da81c78341e28d1a53237c35b15308b3dfe4bb73',
    });
    expect(event.outputs).toMatchObject({ label: '1', probabilities: { '0': 0.25, '1': 0.75 } });
    // What the capture stored of the request and response (latency_ms is timing, whose digits may be anything).
    const stored = JSON.stringify({ ...event, latency_ms: null });
    for (const raw of ['Ada Lovelace', '52000', '"income"', 'SW1A']) expect(stored).not.toContain(raw);

    const metrics = await sidecar.metricsMatching(
      /plumbline_sidecar_feature_value_count\{model="loans",model_version="",feature="age"\} 1/,
    );
    expect(metrics).not.toMatch(/feature="(income|name|postcode)"/);
  });
});

describe('capture allowlist, the capture core alone', () => {
  function exchange(row: Record<string, unknown>, path = '/v1/models/loans:predict'): Exchange {
    return testExchange(path, { instances: [row] }, { predictions: [1] });
  }

  it("an empty allowlist keeps outputs only; the '*' entry applies to other models", () => {
    const config = parseConfig({
      upstream: 'http://127.0.0.1:1',
      models: { '*': { capture: { mode: 'allowlist', fields: [] } }, open: {} },
    });
    const capture = createCapture({
      config,
      metrics: createSidecarMetrics(new Registry()),
      pipeline: memoryPipeline(),
      logger: pino({ level: 'silent' }),
    });
    const [minimal] = capture.toEvents(exchange(ROW));
    expect(minimal.features).toEqual({});
    expect(minimal.outputs.label).toBe('1');
    const [open] = capture.toEvents(exchange(ROW, '/v1/models/open:predict'));
    expect(open.features).toEqual(ROW);
  });

  it('observes histograms from what the event keeps, even for a histogram feature the schema would refuse', async () => {
    // Regression: histograms used to read the raw row, so a dropped numeric field still reached
    // plumbline_sidecar_feature_value. The schema now refuses such a config; capture does not rely on that.
    const config = parseConfig({
      upstream: 'http://127.0.0.1:1',
      redaction: { keyFile: '/not/read/by/capture' },
      models: {
        loans: {
          capture: { mode: 'allowlist', fields: ['age', 'birth_year', 'salary'] },
          redact: { birth_year: 'hmac-sha256', salary: 'drop' },
        },
      },
    });
    config.models.loans.histogramFeatures = ['age', 'income', 'birth_year', 'salary'];
    const registry = new Registry();
    const capture = createCapture({
      config,
      metrics: createSidecarMetrics(registry),
      pipeline: memoryPipeline(),
      logger: pino({ level: 'silent' }),
      redactionKey: createSecretKey(Buffer.from(KEY_TEXT)),
    });
    const [event] = capture.toEvents(exchange({ age: 41, income: 52_000, birth_year: 1984, salary: 1 }));
    expect(event.features).toEqual({
      age: 41,
      birth_year: 'hmac-sha256:772477fab38d7091641eb551f6035602abdebe3faec4f67397eac706107e968e',
    });
    const text = await registry.metrics();
    expect(text).toMatch(
      /plumbline_sidecar_feature_value_count\{model="loans",model_version="",feature="age"\} 1/,
    );
    expect(text).not.toMatch(/feature="(income|birth_year|salary)"/);
  });

  it('refuses to start capture for an hmac-sha256 field without the key', () => {
    const config = parseConfig({
      upstream: 'http://127.0.0.1:1',
      redaction: { keyFile: '/not/read/by/capture' },
      models: { loans: { redact: { zip: 'hmac-sha256' } } },
    });
    expect(() =>
      createCapture({
        config,
        metrics: createSidecarMetrics(new Registry()),
        pipeline: memoryPipeline(),
        logger: pino({ level: 'silent' }),
      }),
    ).toThrow('createCapture: a model redacts with hmac-sha256 but no redactionKey was given');
  });
});
