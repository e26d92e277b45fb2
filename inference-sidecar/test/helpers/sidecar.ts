/**
 * Starts a sidecar on 127.0.0.1:0 (proxy and admin) in front of `upstream`, with the production thread layout by
 * default: capture, metrics, the pipeline and the admin server in the capture thread (run from source, see
 * src/capture-thread/bridge.ts), events in the embedded store of a fresh spool directory. A test observes what
 * a user can: the store (what the exporter reads) and the admin port's /metrics.
 *
 * `{ captureMode: 'inline' }` runs capture on the test's thread with an in-memory pipeline and registry instead,
 * for tests that need fakes in the capture path; the TestSidecar answers the same way in both modes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { request } from 'undici';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { startSidecar, type CaptureMode, type RunningSidecar } from '../../src/app';
import { parseConfig, type SidecarConfigInput } from '../../src/config';
import { openSpoolReader } from '@plumbline/spool';
import { eventually } from './eventually';
import { memoryPipeline } from './memory-pipeline';
import { startUpstream } from './upstream';

export interface TestSidecar extends RunningSidecar {
  readonly captureMode: CaptureMode;
  /** Inference events stored so far, in order. */
  events(): Promise<InferenceEvent[]>;
  /** Feedback events stored so far, in order. */
  feedback(): Promise<FeedbackEvent[]>;
  /** Resolves with the stored inference events once there are at least n. */
  waitForEvents(n: number, timeoutMs?: number): Promise<InferenceEvent[]>;
  /** Resolves with the stored feedback events once there are at least n. */
  waitForFeedback(n: number, timeoutMs?: number): Promise<FeedbackEvent[]>;
  /** The Prometheus text the admin port serves now. */
  metrics(): Promise<string>;
  /** Resolves with the Prometheus text once it matches `pattern` (capture runs after the response is written). */
  metricsMatching(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /**
   * What is stored once everything the pipeline was handed so far went through: posts a marker feedback to the
   * admin port and waits for it to be stored (one queue, in order). For "nothing was stored" checks; first make
   * sure capture saw the exchanges (e.g. metricsMatching on their requests_total).
   */
  settled(): Promise<{ events: InferenceEvent[]; feedback: FeedbackEvent[] }>;
}

/**
 * The data plane test sidecars use unless a test sets `dataPlane`: the config's default (raw) unless
 * PLUMBLINE_TEST_DATA_PLANE names one. `PLUMBLINE_TEST_DATA_PLANE=node` runs every test that starts a test sidecar
 * (test/proxy/ above all) against the node plane, as the `inference-sidecar-node-plane` jest project does in CI
 * (jest.node-plane.config.js), e.g.
 * `PLUMBLINE_TEST_DATA_PLANE=node npx jest --selectProjects inference-sidecar --testPathPattern test/proxy`.
 */
export function testDataPlane(): { dataPlane?: 'node' | 'raw' } {
  const plane = process.env.PLUMBLINE_TEST_DATA_PLANE;
  if (plane === undefined || plane === '') return {};
  if (plane !== 'node' && plane !== 'raw')
    throw new Error(`PLUMBLINE_TEST_DATA_PLANE: node | raw, got "${plane}"`);
  return { dataPlane: plane };
}

/** Request ids of the marker feedback settled() posts; never returned by the accessors. */
const MARKER = 'test-sidecar-marker-';

export interface TestSidecarOptions {
  /** @default 'thread' (production) */
  captureMode?: CaptureMode;
}

async function waitForLength<T>(
  read: () => Promise<T[]>,
  n: number,
  what: string,
  timeoutMs: number,
): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await read();
    if (items.length >= n) return items;
    if (Date.now() > deadline) throw new Error(`only ${items.length} of ${n} ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function startTestSidecar(
  upstream: string,
  overrides: Partial<SidecarConfigInput> = {},
  options: TestSidecarOptions = {},
): Promise<TestSidecar> {
  const captureMode = options.captureMode ?? 'thread';
  const logger = pino({ level: 'silent' });
  const base = {
    upstream,
    port: 0,
    adminPort: 0,
    logLevel: 'silent' as const,
    ...testDataPlane(),
    ...overrides,
  };

  let running: RunningSidecar;
  let events: () => Promise<InferenceEvent[]>;
  let feedback: () => Promise<FeedbackEvent[]>;
  let cleanup = (): void => undefined;
  if (captureMode === 'inline') {
    const pipeline = memoryPipeline();
    running = await startSidecar(parseConfig(base), {
      captureMode,
      pipeline,
      registry: new Registry(),
      logger,
    });
    events = () => Promise.resolve([...pipeline.events]);
    feedback = () => Promise.resolve([...pipeline.feedback]);
  } else {
    const spoolDir = mkdtempSync(join(tmpdir(), 'test-sidecar-'));
    cleanup = () => rmSync(spoolDir, { recursive: true, force: true });
    const config = parseConfig({
      ...base,
      sinks: { spoolDir, spoolFsync: 'never', flushIntervalMs: 10, ...overrides.sinks },
    });
    running = await startSidecar(config, { captureMode, logger });
    const stored = async () => {
      const inference: InferenceEvent[] = [];
      const fb: FeedbackEvent[] = [];
      for await (const entry of openSpoolReader(spoolDir).entries()) {
        if (entry.kind === 'inference') inference.push(entry.event);
        else fb.push(entry.event);
      }
      return { inference, feedback: fb };
    };
    events = async () => (await stored()).inference;
    feedback = async () => (await stored()).feedback;
  }

  const metrics = async () => (await request(`${running.adminUrl}/metrics`)).body.text();
  const allFeedback = feedback;
  feedback = async () => (await allFeedback()).filter((f) => !f.request_id.startsWith(MARKER));
  let markers = 0;
  async function settled(): Promise<{ events: InferenceEvent[]; feedback: FeedbackEvent[] }> {
    const id = `${MARKER}${++markers}`;
    const res = await request(`${running.adminUrl}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request_id: id, ground_truth: 0 }),
    });
    await res.body.dump();
    if (res.statusCode !== 202) throw new Error(`marker feedback refused: ${res.statusCode}`);
    await eventually(async () => expect((await allFeedback()).some((f) => f.request_id === id)).toBe(true));
    return { events: await events(), feedback: await feedback() };
  }
  return {
    ...running,
    captureMode,
    events,
    feedback,
    waitForEvents: (n, timeoutMs = 5000) => waitForLength(events, n, 'events', timeoutMs),
    waitForFeedback: (n, timeoutMs = 5000) => waitForLength(feedback, n, 'feedback events', timeoutMs),
    metrics,
    metricsMatching: (pattern, timeoutMs = 5000) =>
      eventually(async () => {
        const text = await metrics();
        expect(text).toMatch(pattern);
        return text;
      }, timeoutMs),
    settled,
    async stop() {
      try {
        await running.stop();
      } finally {
        cleanup();
      }
    },
  };
}

/**
 * A test sidecar for tests of the admin port (which never proxies): in front of an upstream that answers `{}`;
 * stop() stops both.
 */
export async function startAdminTestSidecar(): Promise<TestSidecar> {
  const upstream = await startUpstream((_req, res) => res.end('{}'));
  const sidecar = await startTestSidecar(upstream.url);
  return {
    ...sidecar,
    async stop() {
      try {
        await sidecar.stop();
      } finally {
        await upstream.close();
      }
    },
  };
}
