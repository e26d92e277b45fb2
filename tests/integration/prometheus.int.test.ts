/**
 * Prometheus from the harness scrapes a real target (a tiny HTTP server on port 0), evaluates a recording rule
 * from a rule file the harness wrote beside the config, and answers PromQL over its HTTP API.
 */
import { createServer } from 'node:http';
import { listenLoopback, promQuery, startPrometheus, type PromSample } from '@plumbline/harness';

/** Polls `promql` until it returns a non-empty vector (Prometheus scrapes and evaluates every second here). */
async function waitForVector(url: string, promql: string): Promise<PromSample[]> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const result = await promQuery(url, promql);
    if (result.length > 0) return result;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no result for ${promql}`);
}

describe('Prometheus', () => {
  let target: Awaited<ReturnType<typeof listenLoopback>>;
  let scrapes = 0;

  beforeAll(async () => {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      scrapes += 1;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        '# HELP plumbline_harness_probe_total Requests seen by the probe target.\n' +
          '# TYPE plumbline_harness_probe_total counter\n' +
          'plumbline_harness_probe_total{model="iris"} 42\n',
      );
    });
    target = await listenLoopback(server);
  });

  afterAll(async () => {
    await target.close();
  });

  it('scrapes a target, evaluates a rule file and answers a PromQL query', async () => {
    const { port } = target;
    const prometheus = await startPrometheus({
      config: [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files: [recording.yml]',
        'scrape_configs:',
        '  - job_name: probe',
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        '',
      ].join('\n'),
      ruleFiles: {
        'recording.yml': [
          'groups:',
          '  - name: probe',
          '    rules:',
          '      - record: model:plumbline_harness_probe:doubled',
          '        expr: plumbline_harness_probe_total * 2',
          '',
        ].join('\n'),
      },
    });
    try {
      const scraped = await waitForVector(prometheus.url, 'plumbline_harness_probe_total{job="probe"}');
      expect(scraped).toHaveLength(1);
      expect(scraped[0]?.metric).toMatchObject({ model: 'iris', instance: `127.0.0.1:${port}` });
      expect(scraped[0]?.value[1]).toBe('42');
      expect(scrapes).toBeGreaterThan(0);

      const recorded = await waitForVector(prometheus.url, 'model:plumbline_harness_probe:doubled');
      expect(recorded[0]?.value[1]).toBe('84');
    } finally {
      await prometheus.stop();
    }
  });

  it("rejects an invalid config with promtool's message before starting anything", async () => {
    await expect(
      startPrometheus({ config: 'scrape_configs:\n  - job_name: [not, a, name]\n' }),
    ).rejects.toThrow(/prometheus config rejected by promtool/);
  });
});
