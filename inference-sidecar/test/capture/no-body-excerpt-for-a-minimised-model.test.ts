// A model whose features are redacted or allowlisted gets no excerpt of a body in its events' `error` or in the
// unparsed-body log line: an upstream error that echoes the request, or V8's quote of a request that is not JSON,
// would otherwise store the raw value that `drop` / `hmac-sha256` / the allowlist keep out. Other models keep the
// excerpt (it helps to debug a model server).
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCapture } from '../../src/capture/capture';
import type { Exchange } from '../../src/capture/exchange';
import { parseConfig } from '../../src/config';
import { createSidecarMetrics } from '../../src/metrics/sidecar-metrics';
import { memoryPipeline } from '../helpers/memory-pipeline';
import { testExchange } from '../helpers/exchange';

const RAW = 'SW1A 1AA';

function exchange(model: string, request: string, status: number, response: string): Exchange {
  return testExchange(`/v1/models/${model}:predict`, request, response, {
    requestId: `${model}-${status}`,
    status,
  });
}

function setup() {
  const logs: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  );
  const capture = createCapture({
    config: parseConfig({
      upstream: 'http://127.0.0.1:1',
      models: {
        dropped: { redact: { postcode: 'drop' } },
        listed: { capture: { mode: 'allowlist', fields: ['age'] } },
      },
    }),
    metrics: createSidecarMetrics(new Registry()),
    pipeline: memoryPipeline(),
    logger,
  });
  return { capture, logs };
}

describe('no body excerpt for a model with redaction or an allowlist', () => {
  const row = JSON.stringify({ instances: [{ postcode: RAW, age: 36 }] });

  it.each(['dropped', 'listed'])('%s: an upstream error that echoes the request', (model) => {
    const { capture } = setup();
    const [event] = capture.toEvents(exchange(model, row, 500, `cannot score ${row}`));
    expect(event.error).toBe('upstream returned 500');
    expect(JSON.stringify(event)).not.toContain(RAW);
  });

  it.each(['dropped', 'listed'])('%s: a body that is not JSON, in the event and the log', (model) => {
    const { capture, logs } = setup();
    const [request] = capture.toEvents(exchange(model, `${RAW} is not JSON`, 200, '{"predictions": [1]}'));
    const [response] = capture.toEvents(exchange(model, row, 200, `${RAW} is not JSON`));
    expect(response.error).toBe("response: response is not JSON: Unexpected token 'S' (excerpt left out)");
    expect(JSON.stringify([request, response])).not.toContain(RAW);
    const lines = logs.map((l) => JSON.parse(l) as { code: string; error: string });
    expect(lines).toEqual([
      expect.objectContaining({
        code: 'SIDECAR_ERR_UNPARSED_BODY',
        error: "request is not JSON: Unexpected token 'S' (excerpt left out)",
      }),
    ]); // the second is within the log interval: counted, not logged
    expect(logs.join('')).not.toContain(RAW);
  });

  it('a model without either keeps the excerpts', () => {
    const { capture } = setup();
    const [event] = capture.toEvents(exchange('open', row, 500, `cannot score ${row}`));
    expect(event.error).toBe(`upstream returned 500: cannot score ${row}`);
    const [response] = capture.toEvents(exchange('open', row, 200, `${RAW} is not JSON`));
    expect(response.error).toBe(
      `response: response is not JSON: Unexpected token 'S', "${RAW} is not JSON" is not valid JSON`,
    );
  });
});
