/**
 * A shadow exchange (the challenger's answer to a copy, src/shadow/) shares its primary's request body: capture
 * reads that body once, for the primary, and builds the shadow's events from the primary's parse and the
 * challenger's own response. The events are the same as when the request is parsed again.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCapture, shadowRequestId } from '../../src/capture/capture';
import type { Exchange } from '../../src/capture/exchange';
import { parseConfig, type SidecarConfigInput } from '../../src/config';
import { createSidecarMetrics } from '../../src/metrics/sidecar-metrics';
import { testExchange } from '../helpers/exchange';
import { memoryPipeline } from '../helpers/memory-pipeline';

const PATH = '/v2/models/iris/infer';
const REQUEST = {
  inputs: [
    { name: 'input', shape: [2, 4], datatype: 'FP32', data: [5.8, 2.7, 5.1, 1.9, 5.1, 3.5, 1.4, 0.2] },
  ],
};
const PRIMARY = { outputs: [{ name: 'label', shape: [2], datatype: 'INT64', data: [2, 0] }] };
const CHALLENGER = {
  model_version: '2',
  outputs: [{ name: 'label', shape: [2], datatype: 'INT64', data: [1, 0] }],
};
const CONFIG: Partial<SidecarConfigInput> = {
  shadow: { url: 'http://127.0.0.1:2' },
  models: { iris: { features: ['a', 'b', 'c', 'd'], classes: ['setosa', 'versicolor', 'virginica'] } },
};

function setup(config: Partial<SidecarConfigInput> = CONFIG) {
  const pipeline = memoryPipeline();
  const capture = createCapture({
    config: parseConfig({ upstream: 'http://127.0.0.1:1', ...config }),
    metrics: createSidecarMetrics(new Registry()),
    pipeline,
    logger: pino({ level: 'silent' }),
  });
  return { capture, pipeline };
}

/** The challenger's answer to a copy of `primary`, as src/shadow/ builds it: the same request body object. */
function shadowOf(primary: Exchange, requestBody: Buffer | null = primary.requestBody): Exchange {
  const answer = testExchange(PATH, '', CHALLENGER, {
    requestId: primary.requestId,
    shadowOf: primary.requestId,
  });
  return { ...answer, requestBody, requestBytes: primary.requestBytes };
}

describe('a shadow answer reuses the primary’s request parse', () => {
  it('builds the shadow’s rows from the primary’s parse, not from the body’s bytes again', () => {
    const { capture, pipeline } = setup();
    const primary = testExchange(PATH, REQUEST, PRIMARY, { requestId: 'p-1' });
    capture.record(primary);
    capture.drain();
    // Bytes that no longer parse: only a shadow that reads the primary's parse still gets features.
    primary.requestBody!.fill(0x20);
    const [first] = capture.toEvents(shadowOf(primary));
    expect(first).toMatchObject({
      request_id: shadowRequestId('p-1'),
      role: 'shadow',
      shadow_of: { request_id: 'p-1', row: 0 },
      parsed: true,
      features: { a: 5.8, b: 2.7, c: 5.1, d: 1.9 },
      outputs: { label: 'versicolor' },
      model: { name: 'iris', version: '2' },
    });
    expect(pipeline.events.map((e) => e.request_id)).toEqual(['p-1', 'p-1']);
  });

  it('gives the same events as parsing the request again', () => {
    const { capture } = setup();
    const primary = testExchange(PATH, REQUEST, PRIMARY, { requestId: 'p-2' });
    capture.record(primary);
    capture.drain();
    const reused = capture.toEvents(shadowOf(primary));
    const reparsed = capture.toEvents(shadowOf(primary, Buffer.from(primary.requestBody!)));
    expect(reused).toHaveLength(2);
    expect(reused).toEqual(reparsed);
  });

  it('parses the request itself when its primary was not read first, or when the model has no shadow', () => {
    const withShadow = setup();
    const unseen = testExchange(PATH, REQUEST, PRIMARY, { requestId: 'p-3' });
    expect(withShadow.capture.toEvents(shadowOf(unseen))[1].features).toEqual({
      a: 5.1,
      b: 3.5,
      c: 1.4,
      d: 0.2,
    });

    // No shadow configured: the primary's parse is not kept, so a later exchange with its body reads the bytes.
    const noShadow = setup({ models: CONFIG.models });
    const primary = testExchange(PATH, REQUEST, PRIMARY, { requestId: 'p-4' });
    noShadow.capture.record(primary);
    noShadow.capture.drain();
    primary.requestBody!.fill(0x20);
    const [event] = noShadow.capture.toEvents(shadowOf(primary));
    expect(event).toMatchObject({ parsed: false, features: {}, outputs: { label: 'versicolor' } });
  });
});
