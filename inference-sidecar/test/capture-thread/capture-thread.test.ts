/**
 * The capture thread: exchanges cross from the proxy thread intact (through the exchange ring); a sidecar started with the default
 * captureMode ('thread') captures in its worker thread (events reach the store, metrics are on the admin port);
 * and when the thread falls behind its backlog bound, every exchange is either captured or counted as lost.
 * From the sources (jest) the worker runs them too (scripts/source-worker.js): no build needed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import type { Exchange } from '../../src/capture/exchange';
import { startCaptureThread } from '../../src/capture-thread/bridge';
import { createRingBuffers, RingReader, RingWriter } from '../../src/capture-thread/exchange-ring';
import { startSidecar } from '../../src/app';
import { parseConfig, type SidecarConfig } from '../../src/config';
import { openSpoolReader } from '@plumbline/spool';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { eventually } from '../helpers/eventually';
import { testExchange } from '../helpers/exchange';

const V2_REQUEST = JSON.stringify({
  inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }],
});
const V2_RESPONSE = JSON.stringify({
  model_name: 'm',
  outputs: [{ name: 'label', shape: [2], datatype: 'INT64', data: [0, 1] }],
});

function exchange(i: number, overrides: Partial<Exchange> = {}): Exchange {
  return testExchange('/v2/models/m/infer', V2_REQUEST, V2_RESPONSE, {
    requestId: `req-${i}`,
    receivedAt: 1_700_000_000_000 + i,
    totalMs: 1.25 + i,
    upstreamMs: 1.0625,
    ...overrides,
  });
}

/** A config with no Elasticsearch or Kafka: events go to the embedded store in a fresh spool dir. */
function storeOnly(
  upstreamUrl: string,
  extra: Record<string, unknown> = {},
): { spoolDir: string; config: SidecarConfig } {
  const spoolDir = mkdtempSync(join(tmpdir(), 'capture-thread-'));
  const config = parseConfig({
    ...extra,
    upstream: upstreamUrl,
    port: 0,
    adminPort: 0,
    logLevel: 'silent',
    sinks: { spoolDir, spoolFsync: 'never', flushIntervalMs: 20 },
  });
  return { spoolDir, config };
}

async function storedEvents(spoolDir: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of openSpoolReader(spoolDir).entries())
    if (entry.kind === 'inference') ids.push(entry.event.event_id);
  return ids;
}

/** Everything `writer` handed over, as the capture thread reads it. */
function readAll(reader: RingReader): Exchange[] {
  const out: Exchange[] = [];
  while (reader.read(256, (ex) => out.push(ex)) > 0);
  return out;
}

describe('the exchange ring', () => {
  it('carry every field and body byte across, including empty, missing, truncated and non-ASCII ones', () => {
    const slab = Buffer.from(`xx${V2_REQUEST}yy`); // a view into a larger buffer, as the proxy's chunks are
    const exchanges = [
      exchange(0, { requestBody: slab.subarray(2, 2 + V2_REQUEST.length) }),
      exchange(1, {
        method: 'GET',
        path: '/v2/health/ready',
        requestBody: null,
        responseBody: Buffer.alloc(0),
        status: 204,
      }),
      exchange(2, {
        status: 502,
        responseBody: null,
        errorCode: 'SIDECAR_ERR_UPSTREAM_REFUSED',
        errorMessage: 'refusé — "quoted"\n',
        query: '?explain=1&q=é',
        contentType: null,
        headerVersion: 'v2 — "canary"',
        requestTruncated: true,
        responseTruncated: true,
        requestBytes: 2 ** 40,
      }),
    ];
    const buffers = createRingBuffers(64 * 1024);
    const writer = new RingWriter(buffers);
    const reader = new RingReader(buffers);
    expect(readAll(reader)).toEqual([]);
    for (const ex of exchanges) expect(writer.write(ex)).toBe(true);
    expect(writer.backlog()).toBe(3);
    const read = readAll(reader);
    expect(read).toEqual(exchanges);
    expect(writer.backlog()).toBe(0);
    // The capture thread gets its own copies: the ring's bytes are written over by the next exchanges.
    expect(read[0].requestBody!.buffer).not.toBe(buffers.data);
  });
});

describe('sidecar with its capture thread', () => {
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(V2_RESPONSE);
    });
  });
  afterAll(() => upstream.close());

  it('captures in the worker: events reach the store and metrics are served by the admin port', async () => {
    const { spoolDir, config } = storeOnly(upstream.url);
    const running = await startSidecar(config, { logger: pino({ level: 'silent' }) });
    const requestIds: string[] = [];
    try {
      for (let i = 0; i < 25; i++) {
        const res = await request(`${running.url}/v2/models/m/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: V2_REQUEST,
        });
        expect(await res.body.text()).toBe(V2_RESPONSE);
        requestIds.push(String(res.headers['x-request-id']));
      }
      await eventually(async () => {
        const text = await (await request(`${running.adminUrl}/metrics`)).body.text();
        expect(text).toMatch(/plumbline_sidecar_events_total\{[^}]*model="m"[^}]*\} 50\n/);
      });
    } finally {
      await running.stop();
    }
    const ids = await storedEvents(spoolDir);
    expect(ids.sort()).toEqual(requestIds.flatMap((id) => [`${id}:0`, `${id}:1`]).sort());
  });

  it.each([
    // A bound of 0: whenever a posted batch is not yet taken in, the next exchanges are not handed over.
    ['a bound of 0 given to the bridge', {}, { exchanges: 0 }],
    ["the config's bound (captureBacklog.exchanges: 1)", { captureBacklog: { exchanges: 1 } }, {}],
  ])(
    'counts what it cannot hand over when the capture thread is behind (%s): captured + lost = recorded',
    async (_bound, extra, options) => {
      const { spoolDir, config } = storeOnly(upstream.url, extra);
      const thread = await startCaptureThread(config, pino({ level: 'silent' }), options);
      const recorded = 2000;
      let lostBeforeClose = 0;
      try {
        for (let round = 0; round < 20; round++) {
          for (let i = 0; i < recorded / 20; i++) thread.record(exchange(round * 1000 + i));
          await new Promise((resolve) => setImmediate(resolve));
        }
        // The capture thread counts the loss it is told about in the catalog metric.
        lostBeforeClose = await eventually(async () => {
          const text = await (await request(`${thread.adminUrl}/metrics`)).body.text();
          const m = /dropped_total\{sink="capture",reason="capture_backlog"\} (\d+)/.exec(text);
          expect(Number(m?.[1])).toBeGreaterThan(0);
          return Number(m?.[1]);
        });
      } finally {
        await thread.close();
      }
      const { posted, lost } = thread.stats();
      const captured = (await storedEvents(spoolDir)).length / 2; // two rows per exchange
      expect(lostBeforeClose).toBeLessThanOrEqual(lost);
      expect(captured).toBe(posted);
      expect(lost).toBeGreaterThan(0);
      expect(captured).toBeGreaterThan(0);
      expect(captured + lost).toBe(recorded);
    },
  );
});
