// The sidecar's admin port under hostile clients (tests/hostile-clients/attack.ts lists the properties): GET
// /metrics, /healthz, /readyz and POST /feedback with generated feedback (single and batches, valid and nearly
// so), any JSON, garbage, bodies around and far over the 4 MiB limit, and malformed bytes on raw sockets.
// Capture runs inline so that the admin server shares this process's heap (the one measured); its code is the
// production one, and feedback goes to a spool directory as in production.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { parseConfig, startSidecar } from '@plumbline/sidecar';
import { attackSuite, recordingLogger, suiteDir } from './attack';
import { testSecret } from '../harness/secrets';

const TOKEN = testSecret('sidecar-admin token');

const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.double(), fc.integer(), fc.boolean());
const item = fc.record(
  {
    request_id: fc.oneof(
      { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
      { weight: 1, arbitrary: scalar },
    ),
    row: fc.oneof(fc.nat({ max: 10 }), fc.integer(), fc.double()),
    ground_truth: fc.oneof(
      { weight: 4, arbitrary: scalar },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    ),
    actual: scalar,
    model: fc.oneof(
      fc.constantFrom('iris', 'churn'),
      fc.record({ name: fc.constantFrom('iris', 'churn'), version: fc.option(fc.string({ maxLength: 5 })) }),
      scalar,
    ),
    source: fc.string({ maxLength: 30 }),
    '@timestamp': fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T00:00:00+02:00', 'now', ''),
    extra: scalar,
  },
  { requiredKeys: ['request_id'] },
);
/** Feedback the admin port accepts (202), so the run reaches the pipeline too. */
const validItem = fc.record(
  {
    request_id: fc.string({ minLength: 1, maxLength: 40 }),
    row: fc.nat({ max: 10 }),
    ground_truth: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()),
    model: fc.constantFrom('iris', 'churn'),
  },
  { requiredKeys: ['request_id', 'ground_truth'] },
);
const feedback = fc.oneof(
  validItem,
  fc.array(validItem, { minLength: 1, maxLength: 20 }),
  item,
  fc.array(item, { maxLength: 20 }),
);

attackSuite(
  async (defer) => {
    const upstream = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    defer(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    const spoolDir = suiteDir(defer, 'sidecar');
    const { logger, records } = recordingLogger();
    const config = parseConfig({
      logLevel: 'warn',
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      port: 0,
      adminPort: 0,
      sinks: { spoolDir, spoolFsync: 'never', flushIntervalMs: 10 },
      apiToken: TOKEN,
    });
    const sidecar = await startSidecar(config, { captureMode: 'inline', logger });
    defer(() => sidecar.stop());
    return {
      url: sidecar.adminUrl,
      routes: ['GET /metrics', 'GET /healthz', 'GET /readyz', 'POST /feedback'],
      bodies: feedback,
      credential: { name: 'authorization', value: `Bearer ${TOKEN}` },
      maxBodyBytes: 4 * 1024 * 1024,
      // docs/errors.md, SIDECAR_ERR_*: 200, 202 feedback accepted, 503 /readyz, 400 / 413 feedback, 401 feedback
      // without the API token, 404, 405.
      statuses: [200, 202, 400, 401, 404, 405, 413, 503],
      health: { path: '/healthz', statuses: [200] },
      internalErrors: () => records.filter((r) => r.level >= 50),
    };
  },
  (report) => {
    expect(report.statuses[202]).toBeGreaterThan(0);
    expect(report.statuses[400]).toBeGreaterThan(0);
    expect(report.statuses[413]).toBeGreaterThan(0);
  },
);
