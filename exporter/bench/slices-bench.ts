/**
 * What keeping versions and segments apart costs the exporter (issues #14, #12): the fold rate of production-like
 * traffic (exporter/bench/production-events.ts) into the model's window store alone, and with the slices the service
 * adds beside it (windows/keyed) — two versions at 50/50, then also one segment feature (top 10 values + other) —
 * and the evaluation time of a one-hour window alone and with its slices, and the checkpoint of the hour (capture +
 * write with fsync, the slices in it as a section: windows/store/checkpoint.ts) whole and after one more minute of
 * traffic. One run (after a warm-up run of the first setup), ratios against the store alone.
 *
 *   npm run bench:slices
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { windowStoreGeometry } from '../src/app';
import { parseConfig, type ExporterConfig } from '../src/config';
import { buildReferenceProfile } from '../src/drift/in-memory-profile-builder';
import { createNumericPool } from '../src/drift/numeric-pool';
import { evaluateSlices } from '../src/service/evaluate-slices';
import { evaluateWindow } from '../src/service/evaluate-window';
import { createProfileDriftEngine } from '../src/service/profile-drift-engine';
import { createKeyedWindows, type KeyedWindows } from '../src/windows/keyed';
import {
  createCheckpointer,
  createLabelJoinCompanion,
  createWindowStore,
  type CheckpointSection,
  type WindowStore,
} from '../src/windows/store';
import { MODEL, TrafficGenerator, referenceColumns } from './production-events';

const EVENTS = 200_000;
const T0 = Date.UTC(2026, 0, 1, 0);
const HOUR_MS = 3_600_000;
const RANGE = { from: T0, to: T0 + HOUR_MS };
const SEGMENT_FEATURE = 'country';
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

interface Setup {
  name: string;
  config: ExporterConfig;
  /** Two versions at 50/50, else every row of one version. */
  canary: boolean;
}

const SETUPS: Setup[] = [
  {
    name: 'model store alone',
    config: parseConfig({ models: [{ name: MODEL }], versions: { max: 0 } }),
    canary: false,
  },
  {
    name: '+ 1 version (mirrors the model)',
    config: parseConfig({ models: [{ name: MODEL }] }),
    canary: false,
  },
  { name: '+ 2 versions', config: parseConfig({ models: [{ name: MODEL }] }), canary: true },
  {
    name: '+ 2 versions + 1 segment feature (top 10)',
    config: parseConfig({ models: [{ name: MODEL, segments: [SEGMENT_FEATURE] }] }),
    canary: true,
  },
];

/** The model's store and its slices exactly as createExporter wires them (app.ts). */
function wire(
  config: ExporterConfig,
  now: () => number,
): { store: WindowStore; slices: KeyedWindows | null } {
  const { bucketWidthMs, retentionMs } = windowStoreGeometry(config);
  const companion = () => createLabelJoinCompanion({ task: 'classification', bucketWidthMs });
  const store = createWindowStore({
    models: [{ name: MODEL, version: null }],
    bucketWidthMs,
    retentionMs,
    bucketSampleSize: config.window.bucketSampleSize,
    windowSampleSize: config.window.sampleSize,
    seed: 12345,
    dedupe: { horizonMs: config.dedupe.horizonSeconds * 1000, maxIds: config.dedupe.maxIds },
    now,
    companion,
  });
  const on = config.versions.max > 0 || config.models[0].segments.length > 0;
  const slices = on
    ? createKeyedWindows({
        models: [
          {
            name: MODEL,
            version: null,
            maxVersions: config.versions.max,
            segments: config.models[0].segments,
            segmentTopK: config.segments.topK,
          },
        ],
        bucketWidthMs,
        retentionMs,
        bucketSampleSize: config.sliceBucketSampleSize,
        windowSampleSize: Math.min(config.window.sampleSize, config.sliceBucketSampleSize * 100),
        seed: 12345,
        now,
        companion,
        modelStore: store,
      })
    : null;
  return { store, slices };
}

/** Capture + write of the store's checkpoint with the slices as a section: time, bytes and files written. */
async function timedCheckpoint(
  checkpoint: () => { files: ReadonlyMap<string, string>; done: Promise<void> },
): Promise<{ ms: number; bytes: number; files: number }> {
  gc();
  const t = performance.now();
  const { files, done } = checkpoint();
  await done;
  const ms = performance.now() - t;
  let bytes = 0;
  for (const text of files.values()) bytes += Buffer.byteLength(text);
  return { ms, bytes, files: files.size };
}

const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const profile = buildReferenceProfile(referenceColumns(50_000), { predictionColumn: 'prediction' });
  const gen = new TrafficGenerator({ seed: 11 });
  const events: [InferenceEvent, FeedbackEvent | null][] = [];
  for (let i = 0; i < EVENTS; i++) {
    const [e, f] = gen.next(T0 + Math.floor((i * HOUR_MS) / EVENTS), 0.1, 1000);
    // A 50/50 canary: the version alternates by request.
    e.model.version = e.request_id.charCodeAt(e.request_id.length - 1) % 2 === 0 ? '3' : '4';
    events.push([e, f]);
  }
  const now = () => T0 + HOUR_MS + 6_000;
  const pool = createNumericPool();
  const rows: string[][] = [];
  let baseFold = 0;
  let baseEval = 0;
  try {
    // The first setup runs twice and its first run is dropped: JIT warm-up and the drift pool's first start.
    for (const [i, setup] of [SETUPS[0], ...SETUPS].entries()) {
      const model = setup.config.models[0];
      const engine = createProfileDriftEngine(async () => ({ profile, version: 'bench' }), [model], pool);
      const baseline = (await engine.load(model))!;
      const { store, slices } = wire(setup.config, now);
      store.setProfile(MODEL, profile, [], baseline.knownColumns);
      slices?.setProfile(MODEL, profile, [], baseline.knownColumns);
      gc();
      const t = performance.now();
      for (const [canary, f] of events) {
        const e = setup.canary ? canary : { ...canary, model: { name: MODEL, version: '3' } };
        slices?.prepare(e);
        store.inference(e);
        slices?.inference(e);
        if (f) {
          store.feedback(f);
          slices?.feedback(f);
        }
      }
      const foldMs = performance.now() - t;
      const common = {
        model,
        range: RANGE,
        windowKind: 'sliding' as const,
        baseline,
        minimumSamples: 100,
        confidenceThreshold: 0.6,
        maxClasses: 50,
        now: now(),
      };
      gc();
      const t2 = performance.now();
      evaluateWindow({ ...common, window: store.window(MODEL, RANGE) });
      const report = slices
        ? evaluateSlices({
            ...common,
            slices: slices.slices(MODEL),
            compare: { minimumSamples: 200, alpha: 0.05 },
          })
        : null;
      const evalMs = performance.now() - t2;
      // The checkpoint of the hour: whole, then after one more minute of traffic (the last minute's buckets change).
      const dir = mkdtempSync(join(tmpdir(), 'plumbline-bench-slices-checkpoint-'));
      const sections: CheckpointSection[] = slices
        ? [
            {
              name: 'slices',
              capture: (m) => slices.checkpoint(m),
              restore: (m, saved) => slices.restoreCheckpoint(m, saved),
            },
          ]
        : [];
      const checkpointer = createCheckpointer(dir, store, { sections });
      const checkpoint = () => {
        const captured = checkpointer.capture({ kind: 'memory' });
        return { files: captured.files, done: checkpointer.write(captured) };
      };
      const whole = await timedCheckpoint(checkpoint);
      for (const [canary] of events.slice(-EVENTS / 60)) {
        const e0 = setup.canary ? canary : { ...canary, model: { name: MODEL, version: '3' } };
        const e = { ...e0, event_id: `${e0.event_id}:more`, request_id: `${e0.request_id}:more` };
        slices?.prepare(e);
        store.inference(e);
        slices?.inference(e);
      }
      const oneMinute = await timedCheckpoint(checkpoint);
      rmSync(dir, { recursive: true, force: true });
      if (i === 0) continue;
      if (!slices) {
        baseFold = foldMs;
        baseEval = evalMs;
      }
      const rate = EVENTS / (foldMs / 1000);
      rows.push([
        setup.name,
        String(slices?.size ?? 0),
        Math.round(rate).toLocaleString('en'),
        `${(foldMs / baseFold).toFixed(2)}×`,
        `${evalMs.toFixed(0)} ms`,
        `${(evalMs / baseEval).toFixed(2)}×`,
        report ? report.comparisons.map((c) => c.verdict).join(', ') || '—' : '—',
        `${whole.ms.toFixed(0)} ms, ${MiB(whole.bytes)} in ${whole.files} files`,
        `${oneMinute.ms.toFixed(0)} ms, ${MiB(oneMinute.bytes)} in ${oneMinute.files} files`,
      ]);
    }
  } finally {
    await pool.close();
  }
  const header = [
    'setup',
    'slices',
    'events/s folded',
    'fold time vs alone',
    'evaluation (1 h window)',
    'vs alone',
    'verdict',
    'checkpoint (whole hour)',
    'checkpoint (one more minute)',
  ];
  process.stdout.write(
    [
      `Versions and segments: ${EVENTS.toLocaleString('en')} events over one hour (20 numerical + 5 categorical features, 10% labelled), Node ${process.version}, one run.`,
      '',
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
