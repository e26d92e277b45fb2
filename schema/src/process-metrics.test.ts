import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import {
  collectProcessMetrics,
  EXPORTER_PROCESS_METRICS,
  METRIC_CATALOG,
  SIDECAR_PROCESS_METRICS,
  type MetricDescriptor,
} from './index';

/** name, type and labels of every metric on a registry, as the catalog writes them. */
function registered(registry: Registry): { name: string; type: string; labels: string[] }[] {
  return registry.getMetricsAsArray().map((metric) => {
    const { name, type, labelNames } = metric as unknown as {
      name: string;
      type: string;
      labelNames: string[];
    };
    return { name, type, labels: [...labelNames] };
  });
}

const described = (section: Record<string, MetricDescriptor>) =>
  Object.values(section).map((d) => ({ name: d.name, type: d.type, labels: [...d.labels] }));

describe.each([
  ['sidecar', SIDECAR_PROCESS_METRICS],
  ['exporter', EXPORTER_PROCESS_METRICS],
] as const)('process metrics of the %s', (emitter, section) => {
  const registry = new Registry();
  collectProcessMetrics(registry, emitter);

  it('are exactly what prom-client registers under the prefix (names, types, labels)', () => {
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(registered(registry).sort(byName)).toEqual(described(section).sort(byName));
  });

  it('are in the catalog, marked as process metrics of that emitter', () => {
    for (const d of Object.values(section)) {
      expect(METRIC_CATALOG).toContain(d);
      expect(d).toMatchObject({ emitter, origin: 'process' });
      expect(d.name.startsWith(`plumbline_${emitter}_`)).toBe(true);
    }
  });

  it('expose the GC histogram with the catalog buckets, and promtool check metrics reports nothing', async () => {
    // A collection first, so that the event-loop histogram has samples and GC has run.
    await registry.metrics();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await registry.metrics();
    expect(text).toMatch(new RegExp(`^plumbline_${emitter}_process_cpu_seconds_total \\d`, 'm'));
    expect(text).toMatch(new RegExp(`^plumbline_${emitter}_nodejs_eventloop_lag_p99_seconds \\d`, 'm'));
    expect(text).toContain(`# TYPE ${section.gcDuration.name} histogram`);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.error).toBeUndefined();
    expect({ status: promtool.status, out: promtool.stdout + promtool.stderr }).toEqual({
      status: 0,
      out: '',
    });
  });
});

it('fails on a second collection on the same registry rather than counting twice', () => {
  const registry = new Registry();
  collectProcessMetrics(registry, 'exporter');
  expect(() => collectProcessMetrics(registry, 'exporter')).toThrow(/already been registered/);
});
