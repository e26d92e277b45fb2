// Retraining triggers beyond drift (issue #13): the pure rule per trigger kind with its cooldown, then the bridge's
// scheduled check calling a retrain endpoint (a plain HTTP server here) once per firing trigger.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBridge } from '../src/bridge/bridge';
import { bridgeConfigFromEnv } from '../src/bridge/config';
import { DEFAULT_POLICY } from '../src/bridge/policy';
import { evaluateTrigger, TriggerSpecSchema, type TriggerReadings } from '../src/bridge/triggers';

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3600_000;
const spec = (raw: unknown) => TriggerSpecSchema.parse(raw);
const ctx = (lastFiredMs?: number) => ({ nowMs: NOW, lastFiredMs, startedMs: NOW - HOUR });

describe('evaluateTrigger', () => {
  const quality = spec({ kind: 'quality', referenceMetric: 'plumbline_reference_accuracy', margin: 0.02 });

  it('quality: fires below the reference less the margin, not at or above it', () => {
    expect(evaluateTrigger(quality, 'iris', { value: 0.87, reference: 0.9 }, ctx())).toMatchObject({
      action: 'trigger',
      reason: "plumbline_model_accuracy 0.87 is below the reference's 0.9 − 0.02",
    });
    expect(evaluateTrigger(quality, 'iris', { value: 0.88, reference: 0.9 }, ctx()).action).toBe('skip');
    expect(evaluateTrigger(quality, 'iris', { value: 0.89, reference: 0.9 }, ctx()).action).toBe('skip');
  });

  it('quality: no value or no reference is no trigger, said why; an estimate metric works the same', () => {
    expect(evaluateTrigger(quality, 'iris', { value: null, reference: 0.9 }, ctx()).reason).toBe(
      'plumbline_model_accuracy has no value',
    );
    expect(evaluateTrigger(quality, 'iris', { value: 0.5, reference: null }, ctx()).reason).toBe(
      'plumbline_reference_accuracy has no value',
    );
    const estimated = spec({ kind: 'quality', metric: 'plumbline_estimated_accuracy', reference: 0.8 });
    expect(evaluateTrigger(estimated, 'iris', { value: 0.7 }, ctx())).toMatchObject({ action: 'trigger' });
    expect(evaluateTrigger(spec({ kind: 'quality' }), 'iris', { value: 0.1 }, ctx()).reason).toBe(
      'no reference configured',
    );
  });

  it('humanLabels: fires at N new human labels since the last retrain', () => {
    const t = spec({ kind: 'humanLabels', count: 500 });
    expect(evaluateTrigger(t, 'iris', { humanLabels: 499 }, ctx()).action).toBe('skip');
    expect(evaluateTrigger(t, 'iris', { humanLabels: 500 }, ctx())).toMatchObject({ action: 'trigger' });
  });

  it('maxModelAge: fires past the age, counted from the last retrain, else from the bridge start', () => {
    const t = spec({ kind: 'maxModelAge', maxAgeSeconds: 7 * 24 * 3600 });
    expect(evaluateTrigger(t, 'iris', { lastRetrainMs: NOW - 8 * 24 * HOUR }, ctx()).action).toBe('trigger');
    expect(evaluateTrigger(t, 'iris', { lastRetrainMs: NOW - 6 * 24 * HOUR }, ctx()).action).toBe('skip');
    expect(evaluateTrigger(t, 'iris', { lastRetrainMs: null }, ctx()).action).toBe('skip');
  });

  it('keeps each trigger quiet for its cooldown after it fired', () => {
    const t = spec({ kind: 'humanLabels', count: 1, cooldownSeconds: 3600 });
    expect(evaluateTrigger(t, 'iris', { humanLabels: 9 }, ctx(NOW - 1000)).reason).toBe(
      'cooldown: 3599s remaining',
    );
    expect(evaluateTrigger(t, 'iris', { humanLabels: 9 }, ctx(NOW - 3600_000)).action).toBe('trigger');
  });

  it('refuses a trigger spec naming the bad field', () => {
    expect(() => spec({ kind: 'humanLabels' })).toThrow(/count/);
    expect(() => spec({ kind: 'cosmic' })).toThrow();
  });
});

describe('the bridge checks the triggers on a schedule', () => {
  let server: Server;
  let calls: { body: { model: string; reason: string }; key: string | undefined }[];
  let url: string;

  beforeAll(async () => {
    calls = [];
    server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        calls.push({ body: JSON.parse(text), key: req.headers['idempotency-key'] as string | undefined });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ outcome: 'triggered' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/retrain`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fires each trigger once per cooldown and model, one retrain per model per round', async () => {
    let now = NOW;
    const readings: Record<string, TriggerReadings> = {
      iris: { humanLabels: 600 },
      wine: { humanLabels: 10, value: 0.7 },
    };
    const bridge = createBridge(
      {
        retrainUrl: url,
        retrainToken: 't',
        policy: DEFAULT_POLICY,
        timeoutMs: 2000,
        models: ['iris', 'wine'],
        triggers: [
          spec({ kind: 'humanLabels', count: 500, cooldownSeconds: 3600 }),
          spec({ kind: 'quality', reference: 0.9, cooldownSeconds: 3600 }),
        ],
      },
      {
        quality: () => Promise.resolve({ accuracy: null, windowSamples: null }),
        readings: (model) => Promise.resolve(readings[model]),
        lastRetrain: () => Promise.resolve(null),
        now: () => now,
      },
    );
    const first = await bridge.checkTriggers();
    expect(first.filter((d) => d.action === 'trigger').map((d) => [d.model, d.trigger])).toEqual([
      ['iris', 'humanLabels'],
      ['wine', 'quality'],
    ]);
    expect(calls.map((c) => c.body.model)).toEqual(['iris', 'wine']);
    expect(calls[0].body.reason).toBe('600 new human labels since the last retrain (at least 500)');
    expect(calls[0].key).toMatch(/^trigger-humanLabels-iris-/);
    now += 60_000;
    const again = await bridge.checkTriggers();
    expect(again.every((d) => d.action === 'skip')).toBe(true);
    expect(calls).toHaveLength(2);
    now += 3600_000;
    await bridge.checkTriggers();
    expect(calls).toHaveLength(4);
  });
});

describe('trigger configuration from the environment', () => {
  const base = {
    PLUMBLINE_PROMETHEUS_URL: 'http://prometheus:9090',
    PLUMBLINE_RETRAIN_URL: 'http://exporter:9464/api/retrain',
    PLUMBLINE_RETRAIN_TOKEN: 'x'.repeat(24),
  };

  it('reads models, triggers and the interval', () => {
    const c = bridgeConfigFromEnv({
      ...base,
      PLUMBLINE_BRIDGE_MODELS: 'iris,wine',
      PLUMBLINE_BRIDGE_TRIGGERS: JSON.stringify([{ kind: 'maxModelAge', maxAgeSeconds: 86400 }]),
      PLUMBLINE_BRIDGE_TRIGGER_INTERVAL_SECONDS: '10m',
    });
    expect(c.models).toEqual(['iris', 'wine']);
    expect(c.triggers).toEqual([{ kind: 'maxModelAge', maxAgeSeconds: 86400, cooldownSeconds: 21600 }]);
    expect(c.triggerIntervalSeconds).toBe(600);
  });

  it('names the variable of a bad trigger', () => {
    expect(() =>
      bridgeConfigFromEnv({ ...base, PLUMBLINE_BRIDGE_TRIGGERS: JSON.stringify([{ kind: 'humanLabels' }]) }),
    ).toThrow(/PLUMBLINE_BRIDGE_TRIGGERS/);
  });
});
