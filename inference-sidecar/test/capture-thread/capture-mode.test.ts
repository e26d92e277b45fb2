/**
 * captureMode: 'thread' (the default, production) builds its pipeline and registry in the capture thread, so it
 * refuses injected ones instead of silently ignoring them; 'inline' captures on the caller's thread into what
 * the caller injected. (Every other sidecar test runs the thread layout through test/helpers/sidecar.ts.)
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { createSidecar, startSidecar } from '../../src/app';
import { parseConfig } from '../../src/config';
import { memoryPipeline } from '../helpers/memory-pipeline';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const V2_RESPONSE = JSON.stringify({
  model_name: 'm',
  outputs: [{ name: 'label', shape: [1], datatype: 'INT64', data: [1] }],
});

describe('captureMode', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end(V2_RESPONSE));
  });
  afterAll(() => upstream.close());

  const config = () => parseConfig({ upstream: upstream.url, port: 0, adminPort: 0, logLevel: 'silent' });

  it("is 'thread' by default, and then refuses an injected pipeline or registry", async () => {
    const sidecar = createSidecar(config(), { logger: pino({ level: 'silent' }) });
    expect(sidecar.captureMode).toBe('thread');
    await sidecar.close(0);
    for (const deps of [{ pipeline: memoryPipeline() }, { registry: new Registry() }]) {
      expect(() => createSidecar(config(), deps)).toThrow(
        "createSidecar: a pipeline or registry can only be injected with captureMode: 'inline'",
      );
    }
  });

  it("'inline' captures on the caller's thread into the injected pipeline and registry", async () => {
    const pipeline = memoryPipeline();
    const registry = new Registry();
    const running = await startSidecar(config(), {
      captureMode: 'inline',
      pipeline,
      registry,
      logger: pino({ level: 'silent' }),
    });
    try {
      const res = await request(`${running.url}/v2/models/m/infer`, {
        method: 'POST',
        headers: { 'x-request-id': 'inline-1' },
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [1] }] }),
      });
      expect(await res.body.text()).toBe(V2_RESPONSE);
      const [event] = await pipeline.waitForEvents(1);
      expect(event).toMatchObject({ request_id: 'inline-1', http_status: 200 });
      expect(await registry.metrics()).toMatch(/plumbline_sidecar_events_total\{model="m"[^}]*\} 1/);
    } finally {
      await running.stop();
    }
  });
});
