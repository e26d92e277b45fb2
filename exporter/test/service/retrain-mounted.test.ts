// startExporter mounts the retrain endpoint (PLUGINS' exporter/src/retrain) when `retrain` is configured: it is
// served by the exporter's own HTTP server and counts into the exporter's registry (one /metrics).
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { parseConfig } from '../../src/config';
import { startExporter } from '../../src/main';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('retrain-mounted token');
let pipeline: Server;
const triggered: unknown[] = [];

beforeAll(async () => {
  pipeline = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      triggered.push(JSON.parse(body));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => pipeline.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => pipeline.close(() => r())));

it('serves POST /api/retrain from the exporter and exports its counter on the same /metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-exporter-retrain-'));
  const config = parseConfig({
    models: [{ name: 'iris' }],
    source: { kind: 'spool', dir: join(dir, 'spool') },
    baselineStore: { kind: 'file', dir: join(dir, 'baselines') },
    retrain: {
      token: TOKEN,
      webhook: {
        kind: 'generic',
        url: `http://127.0.0.1:${(pipeline.address() as AddressInfo).port}/retrain`,
      },
      audit: { file: join(dir, 'audit.jsonl') },
    },
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  });
  const running = await startExporter(config);
  try {
    const res = await request(`${running.url}/api/retrain`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'idempotency-key': 'k1',
      },
      body: JSON.stringify({ model: 'iris', reason: 'drift on petal_length' }),
    });
    expect(res.statusCode).toBeLessThan(300);
    expect(((await res.body.json()) as { outcome: string }).outcome).toBe('triggered');
    expect(triggered).toHaveLength(1);
    const metrics = await (await request(`${running.url}/metrics`)).body.text();
    expect(metrics).toMatch(/plumbline_retrain_requests_total\{model="iris",outcome="triggered"\} 1/);
    expect(metrics).toContain('plumbline_exporter_window_status');
  } finally {
    await running.stop();
  }
});
