// startExporter collects the process metrics (prom-client's defaults, plumbline_exporter_ prefix) on the
// exporter's own registry: a real exporter on port 0 serves them on /metrics next to the catalog's metrics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { EXPORTER_METRICS, EXPORTER_PROCESS_METRICS } from '@plumbline/schema';
import { catalogMismatches } from '@plumbline/schema/testing';
import { parseConfig } from '../../src/config';
import { startExporter, type RunningExporter } from '../../src/main';

const P = EXPORTER_PROCESS_METRICS;
let dir: string;
let running: RunningExporter;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plumbline-exporter-process-'));
  running = await startExporter(
    parseConfig({
      models: [{ name: 'iris' }],
      source: { kind: 'spool', dir: join(dir, 'spool') },
      baselineStore: { kind: 'file', dir: join(dir, 'baselines') },
      port: 0,
      logLevel: 'silent',
    }),
  );
});
afterAll(async () => {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('serves the prefixed process metrics on /metrics, and every exposed family is in the catalog', async () => {
  const res = await request(`${running.url}/metrics`);
  expect(res.statusCode).toBe(200);
  const text = await res.body.text();
  expect(catalogMismatches(text, 'exporter', Object.values(P))).toEqual([]);
  expect(text).toMatch(new RegExp(`^${P.cpu.name} \\d`, 'm'));
  expect(text).toMatch(new RegExp(`^${P.residentMemory.name} \\d`, 'm'));
  expect(text).toMatch(new RegExp(`^${P.eventLoopLagP99.name} \\d`, 'm'));
  expect(text).toContain(`# TYPE ${EXPORTER_METRICS.windowStatus.name} gauge`);
});
