// A scaled-out exporter whose state topic cannot be used: at start it leaves the consumer group again (an instance
// that cannot share its partitions' state must not hold them) and start() fails; later, a failing state topic is
// reported like a failing source (stage="source", health degraded), not evaluated on a partial window.
import { Registry } from 'prom-client';
import { createExporter } from '../../src/app';
import { parseConfig } from '../../src/config';
import { createMemorySource, type EventFollower } from '../../src/sources';
import type { StateTopic } from '../../src/sources';
import { meanShiftEngine } from '../helpers/fake-drift';
import { seriesValue } from '../helpers/exporter';

const config = parseConfig({
  models: [{ name: 'iris' }],
  source: { kind: 'kafka', scaleOut: { stateTopic: 'state' } },
  window: { kind: 'tumbling', sizeSeconds: 60, minimumSamples: 5, graceSeconds: 0 },
  host: '127.0.0.1',
  port: 0,
});

function fakeTopic(fail: { start?: boolean; catchUp?: boolean }) {
  const calls: string[] = [];
  const topic: StateTopic = {
    start: async () => {
      calls.push('start');
      if (fail.start) throw new Error('broker unreachable');
    },
    publish: async () => void calls.push('publish'),
    catchUp: async () => {
      calls.push('catchUp');
      if (fail.catchUp) throw new Error('timed out reading the state topic');
    },
    close: async () => void calls.push('close'),
  };
  return { topic, calls };
}

function build(stateTopic: StateTopic) {
  let closed = 0;
  const registry = new Registry();
  const exporter = createExporter(config, {
    createSource: (counters): EventFollower => {
      const source = createMemorySource(counters);
      return { ...source, close: async () => void (closed += 1) };
    },
    driftEngine: meanShiftEngine({ iris: { means: { x: 1 }, shift: 1 } }),
    registry,
    now: () => Date.parse('2026-01-01T00:01:30Z'),
    stateTopic,
  });
  return { exporter, registry, closed: () => closed };
}

it('a state topic that cannot be read at start: start() fails and the source leaves the group', async () => {
  const { topic, calls } = fakeTopic({ start: true });
  const { exporter, closed } = build(topic);
  expect(exporter.scaleOut).not.toBeNull();
  await expect(exporter.start({ schedule: false })).rejects.toThrow('broker unreachable');
  expect(closed()).toBe(1);
  expect(calls).toEqual(['start', 'close']);
});

it('a state topic failing later: the window is not evaluated, the error is the source stage', async () => {
  const { topic, calls } = fakeTopic({ catchUp: true });
  const { exporter, registry } = build(topic);
  await exporter.start({ schedule: false });
  expect(calls).toEqual(['start', 'publish']);
  expect(await exporter.evaluateOnce()).toEqual([]);
  expect(calls).toContain('catchUp');
  expect(
    await seriesValue(registry, 'plumbline_exporter_evaluation_errors_total', {
      model: 'iris',
      stage: 'source',
    }),
  ).toBe(1);
  await exporter.stop();
  expect(calls.slice(-2)).toEqual(['publish', 'close']);
});
