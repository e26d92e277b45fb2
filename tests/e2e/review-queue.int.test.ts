/**
 * Issue #13 end to end: low-confidence traffic through the real sidecar into Elasticsearch and the embedded spool
 * store; an exporter on each (review writes posted to the sidecar's POST /feedback). Confirm, correct, reject,
 * retract and undo change the queue, the quality figures and the dataset export as specified, on both stores; two
 * reviewers racing on one row (one through each exporter) leave one label, the same everywhere.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { request } from 'undici';
import { createPipeline, parseConfig as parseSidecarConfig, startSidecar } from '@plumbline/sidecar';
import {
  buildReferenceProfile,
  createElasticsearchReviewStore,
  createFileBaselineStore,
  createSpoolReviewStore,
  exportDataset,
  parseConfig as parseExporterConfig,
  startExporter,
  type RunningExporter,
} from '@plumbline/exporter';
import { sharedElasticsearch } from '@plumbline/harness';
import { until } from './helpers';

jest.setTimeout(600_000);

const RUN = `review${process.pid}${Date.now().toString(36)}`;
const MODEL = 'tickets';
const TOKEN = 'review-e2e-token-0123456789';
const INDICES = { inference: `plumbline-inference-${RUN}`, feedback: `plumbline-feedback-${RUN}` };
const REQUESTS = 20;

/** A V2 model server: probabilities [x, (1−x)/2, (1−x)/2] over classes a, b, c for input x (confidence x). */
async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { inputs: { data: number[] }[] };
      const x = body.inputs[0].data;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          model_name: MODEL,
          model_version: '1',
          outputs: [
            {
              name: 'probabilities',
              shape: [x.length, 3],
              datatype: 'FP32',
              data: x.flatMap((v) => [v, (1 - v) / 2, (1 - v) / 2]),
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'plumbline-review-e2e-'));
const spoolDir = path.join(dir, 'spool');
let esUrl: string;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let sidecar: Awaited<ReturnType<typeof startSidecar>>;
let pipeline: ReturnType<typeof createPipeline>;
const exporters: { spool?: RunningExporter; es?: RunningExporter } = {};

/** Request i: x = 0.45 (queued: below 0.6) for even i, 0.9 (handled automatically) for odd i. */
const xOf = (i: number) => (i % 2 === 0 ? 0.45 : 0.9);

beforeAll(async () => {
  esUrl = (await sharedElasticsearch()).url;
  await createFileBaselineStore(path.join(dir, 'baselines')).put({
    model: MODEL,
    version: '1',
    source: 'reference sample',
    profile: buildReferenceProfile({ x: Array.from({ length: 200 }, (_, i) => (i % 2 ? 0.9 : 0.45)) }),
  });
  upstream = await startUpstream();
  const config = parseSidecarConfig({
    upstream: upstream.url,
    host: '127.0.0.1',
    port: 0,
    adminPort: 0,
    protocol: 'v2',
    logLevel: 'warn',
    models: { [MODEL]: { task: 'classification', classes: ['a', 'b', 'c'], features: ['x'] } },
    sinks: {
      elasticsearch: { url: esUrl, inferenceIndex: INDICES.inference, feedbackIndex: INDICES.feedback },
      spoolDir,
      spoolFsync: 'never',
      flushIntervalMs: 100,
    },
  });
  pipeline = createPipeline({
    elasticsearch: config.sinks.elasticsearch,
    spool: { dir: spoolDir, maxBytes: config.sinks.spoolMaxBytes, fsync: config.sinks.spoolFsync },
    store: true,
    queue: { batchSize: 100, flushIntervalMs: 100, maxEvents: 10_000 },
  });
  sidecar = await startSidecar({ ...config, apiToken: TOKEN }, { captureMode: 'inline', pipeline });
  const exporterConfig = (source: Record<string, unknown>) => ({
    ...parseExporterConfig({
      models: [{ name: MODEL, features: ['x'] }],
      source,
      baselineStore: { kind: 'file', dir: path.join(dir, 'baselines') },
      window: { kind: 'sliding', sizeSeconds: 3600, stepSeconds: 10, graceSeconds: 1, minimumSamples: 5 },
      schedule: { intervalSeconds: 3600 },
      review: { feedbackUrl: sidecar.adminUrl },
      host: '127.0.0.1',
      port: 0,
      logLevel: 'warn',
    }),
    apiToken: TOKEN,
  });
  exporters.spool = await startExporter(exporterConfig({ kind: 'spool', dir: spoolDir }));
  exporters.es = await startExporter(
    exporterConfig({
      kind: 'elasticsearch',
      url: esUrl,
      inferenceIndex: INDICES.inference,
      feedbackIndex: INDICES.feedback,
    }),
  );
  for (let i = 0; i < REQUESTS; i++) {
    const res = await request(`${sidecar.url}/v2/models/${MODEL}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `${RUN}-${i}` },
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [xOf(i)] }] }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  }
}, 600_000);

afterAll(async () => {
  await exporters.spool?.stop();
  await exporters.es?.stop();
  await sidecar?.stop();
  await upstream?.close();
  if (esUrl) {
    const client = new Client({ node: esUrl });
    await client.indices.delete({ index: Object.values(INDICES) }, { ignore: [404] });
    await client.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

type Which = 'spool' | 'es';
const rid = (i: number) => `${RUN}-${i}`;

async function queue(which: Which): Promise<string[]> {
  const res = await request(`${exporters[which]!.url}/api/models/${MODEL}/review?limit=100`);
  const body = (await res.body.json()) as { items: { request_id: string; confidence: number }[] };
  expect(res.statusCode).toBe(200);
  return body.items.map((i) => i.request_id).sort();
}

async function review(which: Which, body: Record<string, unknown>, reviewer: string) {
  const res = await request(`${exporters[which]!.url}/api/models/${MODEL}/review`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      'x-grafana-user': reviewer,
    },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

test('low-confidence traffic fills the queue on both stores', async () => {
  const expected = Array.from({ length: REQUESTS }, (_, i) => i)
    .filter((i) => i % 2 === 0)
    .map(rid);
  for (const which of ['spool', 'es'] as const)
    await until(`the ${which} queue`, async () => (sameSet(await queue(which), expected) ? true : undefined));
});

test('reviews change the queue, quality and export, the same on both stores', async () => {
  expect((await review('spool', { request_id: rid(0), action: 'confirm' }, 'ana')).status).toBe(200);
  expect((await review('es', { request_id: rid(2), action: 'correct', label: 'b' }, 'ana')).status).toBe(200);
  expect((await review('spool', { request_id: rid(4), action: 'reject' }, 'bo')).status).toBe(200);
  // Undo: confirm, then retract the last action.
  await review('spool', { request_id: rid(6), action: 'confirm' }, 'bo');
  const undo = await review('spool', { request_id: rid(6), action: 'retract' }, 'bo');
  expect(undo.body).toMatchObject({ changed: true, label: { kind: 'none' } });
  // Idempotent.
  const again = await review('spool', { request_id: rid(0), action: 'confirm' }, 'ana');
  expect(again.body).toMatchObject({ changed: false });
  // Two reviewers racing on one row, through two exporters.
  const [x, y] = await Promise.all([
    review('spool', { request_id: rid(8), action: 'correct', label: 'b' }, 'ana'),
    review('es', { request_id: rid(8), action: 'correct', label: 'c' }, 'bo'),
  ]);
  expect([x.status, y.status]).toEqual([200, 200]);
  // Unknown request id, bad body.
  expect((await review('spool', { request_id: 'nope', action: 'confirm' }, 'ana')).status).toBe(404);
  expect((await review('es', { request_id: rid(10), action: 'correct' }, 'ana')).body).toMatchObject({
    error: { code: 'EXPORTER_ERR_BAD_REQUEST', message: 'label: required for correct (the right class)' },
  });

  const remaining = [6, 10, 12, 14, 16, 18].map(rid);
  for (const which of ['spool', 'es'] as const)
    await until(`the ${which} queue after the reviews`, async () =>
      sameSet(await queue(which), remaining) ? true : undefined,
    );

  // The export: human labels, the retracted and the rejected rows gone; both stores agree on the raced row.
  const exported: Record<Which, Record<string, string>> = { spool: {}, es: {} };
  const stores = {
    spool: () =>
      createSpoolReviewStore({ dir: spoolDir, models: new Map([[MODEL, { fallback: 0.6, perClass: {} }]]) }),
    es: () =>
      createElasticsearchReviewStore({
        config: parseExporterConfig({
          models: [{ name: MODEL }],
          source: {
            kind: 'elasticsearch',
            url: esUrl,
            inferenceIndex: INDICES.inference,
            feedbackIndex: INDICES.feedback,
          },
        }).source as never,
      }),
  };
  for (const which of ['spool', 'es'] as const) {
    await until(`the ${which} export`, async () => {
      const store = stores[which]();
      const out = path.join(dir, `${which}.jsonl`);
      await exportDataset({
        store,
        model: MODEL,
        from: 0,
        to: Date.now() + 1,
        source: 'any',
        format: 'jsonl',
        out,
      });
      await store.close();
      const rows = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as { event_id: string; label: string; label_source: string; predicted: string },
        );
      exported[which] = Object.fromEntries(rows.map((r) => [r.event_id.split(':')[0], r.label]));
      return Object.keys(exported[which]).length === 3 ? true : undefined;
    });
  }
  expect(exported.spool).toEqual(exported.es);
  expect(exported.spool[rid(0)]).toBe('a');
  expect(exported.spool[rid(2)]).toBe('b');
  expect(['b', 'c']).toContain(exported.spool[rid(8)]);
  expect(exported.spool).not.toHaveProperty(rid(4));
  expect(exported.spool).not.toHaveProperty(rid(6));

  // Quality: the three human labels, the rejected row out; one of them right (req 0), so accuracy 1/3.
  for (const which of ['spool', 'es'] as const) {
    await until(`the ${which} quality`, async () => {
      const [report] = await exporters[which]!.exporter.evaluateOnce({ force: true });
      const q = report?.quality;
      return q && q.labelled === 3 ? q : undefined;
    }).then((q) => expect(q.classification?.accuracy).toBeCloseTo(1 / 3, 10));
  }
});
