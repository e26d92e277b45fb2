// Regression: on a path that names no model, a V2 response's model_name labels the events, but redaction used to
// come from the settings of the configured default model, so `models.<that name>.redact` was silently skipped and
// the raw value stored. What an event keeps now follows the model it is labelled with.
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCapture } from '../../src/capture/capture';
import type { Exchange } from '../../src/capture/exchange';
import { parseConfig } from '../../src/config';
import { createSidecarMetrics } from '../../src/metrics/sidecar-metrics';
import { testExchange } from '../helpers/exchange';
import { memoryPipeline } from '../helpers/memory-pipeline';

function v2Exchange(path: string): Exchange {
  return testExchange(
    path,
    {
      inputs: [
        { name: 'postcode', shape: [1], datatype: 'BYTES', data: ['SW1A 1AA'] },
        { name: 'age', shape: [1], datatype: 'INT64', data: [36] },
      ],
    },
    {
      model_name: 'loans',
      outputs: [{ name: 'label', shape: [1], datatype: 'BYTES', data: ['approve'] }],
    },
  );
}

it("a model named only by the response's model_name gets its own redaction", async () => {
  const registry = new Registry();
  const capture = createCapture({
    config: parseConfig({
      upstream: 'http://127.0.0.1:1',
      models: {
        loans: {
          capture: { mode: 'allowlist', fields: ['age', 'postcode'] },
          redact: { postcode: 'drop' },
          histogramFeatures: ['age'],
        },
      },
    }),
    metrics: createSidecarMetrics(registry),
    pipeline: memoryPipeline(),
    logger: pino({ level: 'silent' }),
  });
  const [event] = capture.toEvents(v2Exchange('/score'));
  expect(event.model.name).toBe('loans');
  expect(event.features).toEqual({ age: 36 });
  expect(await registry.metrics()).toMatch(
    /plumbline_sidecar_feature_value_count\{model="loans",model_version="",feature="age"\} 1/,
  );
});
