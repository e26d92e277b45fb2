/**
 * The Elasticsearch sink's ILM retention path (issue #15 item 4), against a local HTTP server that answers with
 * Elasticsearch's documented responses. NOT a real cluster with ILM: the harness's Elasticsearch (the integ-test-zip)
 * has no index lifecycle management, so there the sink takes the by-id sweep (elasticsearch-retention-path.int.test.ts).
 * The answers below are written after Elasticsearch's API reference (`GET _ilm/status` → `{"operation_mode":
 * "RUNNING"}`, `GET _resolve/index/…`, acknowledged `PUT`s, a `_bulk` without errors), not captured from a
 * cluster. What this checks is what the sink asks and writes: the policy, the template, the daily index names, and
 * that the sweep is skipped; that a real ILM cluster then deletes the indices is Elasticsearch's part, untested here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createElasticsearchSink } from '../../src/sinks/elasticsearch';
import { makeEvent, makeFeedback } from './helpers';

const DAY = 86_400_000;

interface Call {
  method: string;
  path: string;
  body: string;
}

type Answer = { status: number; body: unknown };

/** A stand-in for Elasticsearch: each request is recorded and answered by `answer` (404 when it returns nothing). */
async function fakeCluster(answer: (call: Call) => Answer | undefined): Promise<{
  url: string;
  calls: Call[];
  server: Server;
}> {
  const calls: Call[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const call = { method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks).toString() };
      calls.push(call);
      const { status, body } = answer(call) ?? {
        status: 404,
        body: {
          error: { type: 'not_found', reason: `no answer for ${call.method} ${call.path}` },
          status: 404,
        },
      };
      res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

const ACK = { status: 200, body: { acknowledged: true } };
const ILM_RUNNING = { status: 200, body: { operation_mode: 'RUNNING' } };
const NOTHING_RESOLVED = { status: 200, body: { indices: [], aliases: [], data_streams: [] } };

/** A cluster with ILM on which the names are free and every write is acknowledged. */
function ilmCluster(overrides: Partial<Record<'status' | 'resolve' | 'policy', Answer>> = {}) {
  return (call: Call): Answer | undefined => {
    const path = call.path.split('?')[0];
    if (call.method === 'GET' && path === '/_ilm/status') return overrides.status ?? ILM_RUNNING;
    if (call.method === 'GET' && path.startsWith('/_resolve/index/'))
      return overrides.resolve ?? NOTHING_RESOLVED;
    if (call.method === 'PUT' && path.startsWith('/_ilm/policy/')) return overrides.policy ?? ACK;
    if (call.method === 'PUT' && path.startsWith('/_index_template/')) return ACK;
    if (call.method === 'POST' && path === '/_bulk')
      return { status: 200, body: { errors: false, items: [] } };
    return undefined;
  };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

it('with ILM: installs the policy and daily-index templates, writes by event day, and skips the sweep', async () => {
  const cluster = await fakeCluster(ilmCluster());
  servers.push(cluster.server);
  const { logger, lines } = capturingLogger();
  const sink = createElasticsearchSink({ url: cluster.url, retentionMaxAgeMs: 30 * DAY }, logger);
  try {
    const dayTwo = { ...makeEvent(2), '@timestamp': '2026-01-02T23:59:59.999Z' };
    const result = await sink.write([
      { kind: 'inference', event: makeEvent(1) },
      { kind: 'inference', event: dayTwo },
      { kind: 'feedback', event: makeFeedback(1) },
    ]);
    expect(result).toMatchObject({ status: 'success' });
    expect(await sink.retentionPath()).toEqual({ kind: 'ilm', policy: 'plumbline-inference-retention' });

    const policy = cluster.calls.find((c) => c.method === 'PUT' && c.path.startsWith('/_ilm/policy/'));
    expect(policy?.path).toBe('/_ilm/policy/plumbline-inference-retention');
    // 30 days + the daily index's own day, in seconds.
    expect(JSON.parse(policy!.body)).toMatchObject({
      policy: { phases: { delete: { min_age: `${31 * 86_400}s`, actions: { delete: {} } } } },
    });

    const templates = cluster.calls.filter((c) => c.path.startsWith('/_index_template/'));
    expect(templates.map((t) => t.path.split('?')[0]).sort()).toEqual([
      '/_index_template/plumbline-feedback-daily-template',
      '/_index_template/plumbline-inference-daily-template',
    ]);
    const inference = JSON.parse(templates.find((t) => t.path.includes('inference'))!.body);
    expect(inference.index_patterns).toEqual(['plumbline-inference-*']);
    expect(inference.template.aliases).toEqual({ 'plumbline-inference': {} });
    expect(inference.template.settings).toMatchObject({
      'index.lifecycle.name': 'plumbline-inference-retention',
      'index.lifecycle.parse_origination_date': true,
    });

    const bulk = cluster.calls.find((c) => c.path.startsWith('/_bulk'))!;
    const actions = bulk.body
      .trim()
      .split('\n')
      .filter((_, i) => i % 2 === 0)
      .map((line) => JSON.parse(line).index._index);
    expect(actions).toEqual([
      'plumbline-inference-2026.01.01',
      'plumbline-inference-2026.01.02',
      'plumbline-feedback-2026.01.01',
    ]);

    // The policy governs every daily index: retention asks nothing more of the cluster.
    const before = cluster.calls.length;
    expect(await sink.expire!(Date.UTC(2026, 5, 1))).toBe(0);
    expect(cluster.calls.length).toBe(before);
    // Decided once.
    expect(cluster.calls.filter((c) => c.path.startsWith('/_ilm/status'))).toHaveLength(1);
    expect(
      lines.filter(
        (l) => l.msg === 'elasticsearch retention: index lifecycle policy on daily indices (no by-id sweep)',
      ),
    ).toHaveLength(1);
  } finally {
    await sink.close();
  }
});

describe('the sweep stays, with the reason logged, when', () => {
  async function pathWith(
    overrides: Parameters<typeof ilmCluster>[0],
    options: { retentionMaxAgeMs?: number; installTemplates?: boolean } = { retentionMaxAgeMs: 30 * DAY },
  ) {
    const cluster = await fakeCluster(ilmCluster(overrides));
    servers.push(cluster.server);
    const { logger, lines } = capturingLogger();
    const sink = createElasticsearchSink({ url: cluster.url, ...options }, logger);
    try {
      const path = await sink.retentionPath();
      return { path, calls: cluster.calls, lines };
    } finally {
      await sink.close();
    }
  }

  it('the cluster has no ILM API (the answer of the test cluster: 405)', async () => {
    const { path, calls, lines } = await pathWith({
      status: {
        status: 405,
        body: {
          error: 'Incorrect HTTP method for uri [/_ilm/status] and method [GET], allowed: [POST]',
          status: 405,
        },
      },
    });
    expect(path).toEqual({ kind: 'sweep', reason: 'the cluster has no index lifecycle management' });
    expect(calls.some((c) => c.path.startsWith('/_ilm/policy'))).toBe(false);
    expect(lines.find((l) => l.msg === 'elasticsearch retention: by-id sweep')).toMatchObject({
      reason: 'the cluster has no index lifecycle management',
    });
  });

  it('the credentials may not read the ILM status', async () => {
    const { path } = await pathWith({
      status: {
        status: 403,
        body: {
          error: {
            type: 'security_exception',
            reason: 'action [cluster:admin/ilm/operation_mode/get] is unauthorized',
          },
          status: 403,
        },
      },
    });
    expect(path).toMatchObject({
      kind: 'sweep',
      reason: expect.stringMatching(/needs manage_ilm.*HTTP 403/),
    });
  });

  it('an index name is already a plain index', async () => {
    const { path, calls } = await pathWith({
      resolve: {
        status: 200,
        body: {
          indices: [{ name: 'plumbline-inference', attributes: ['open'] }],
          aliases: [],
          data_streams: [],
        },
      },
    });
    expect(path).toMatchObject({
      kind: 'sweep',
      reason: expect.stringContaining('plumbline-inference already exist'),
    });
    expect(calls.some((c) => c.path.startsWith('/_ilm/policy'))).toBe(false);
  });

  it('the policy cannot be installed', async () => {
    const { path } = await pathWith({
      policy: {
        status: 403,
        body: { error: { type: 'security_exception', reason: 'unauthorized' }, status: 403 },
      },
    });
    expect(path).toMatchObject({
      kind: 'sweep',
      reason: expect.stringContaining('could not install the lifecycle policy plumbline-inference-retention'),
    });
  });

  it('the age is under a day, retention is off, or the sink installs no templates (nothing asked)', async () => {
    for (const options of [
      { retentionMaxAgeMs: 3_600_000 },
      {},
      { retentionMaxAgeMs: 30 * DAY, installTemplates: false },
    ]) {
      const { path, calls } = await pathWith({}, options);
      expect(path.kind).toBe('sweep');
      expect(calls).toEqual([]);
    }
  });
});

it('a cluster that cannot be reached is asked again on the next use', async () => {
  let up = false;
  const cluster = await fakeCluster((call) =>
    up ? ilmCluster()(call) : { status: 503, body: { status: 503 } },
  );
  servers.push(cluster.server);
  const sink = createElasticsearchSink({ url: cluster.url, retentionMaxAgeMs: 30 * DAY });
  try {
    await expect(sink.retentionPath()).rejects.toThrow();
    up = true;
    expect(await sink.retentionPath()).toMatchObject({ kind: 'ilm' });
  } finally {
    await sink.close();
  }
});
