/**
 * Adapters from `plumbline start` to the services other workspaces own: the sidecar (inference-sidecar) and the
 * exporter + drift statistics (exporter), configured for the embedded default.
 */
import { parseConfig, startSidecar } from '@plumbline/sidecar';
import path from 'node:path';
import {
  buildReferenceProfile,
  createDriftDetector,
  parseConfig as parseExporterConfig,
  startExporter,
} from '@plumbline/exporter';
import type { ReferenceQuality } from '@plumbline/exporter';
import type { WindowReportLike } from './evaluation-line';
import type { DataQualityLike } from './pipeline-break';
import type { TrainingData } from './training-data';

export interface RunningSidecar {
  /** Where clients call, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The admin port: /metrics, /feedback, /healthz, /readyz */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface RunningExporter {
  url: string;
  metricsUrl: string;
  /** The JSON API the panels read. */
  apiUrl: string;
  stop(): Promise<void>;
}

export interface SidecarPartOptions {
  /** The token POST /feedback needs. */
  apiToken: string;
  upstreamUrl: string;
  host: string;
  port: number;
  adminPort: number;
  model: string;
  spoolDir: string;
  features: readonly string[];
  classes: readonly string[] | null;
}

export interface ExporterPartOptions {
  host: string;
  port: number;
  model: string;
  spoolDir: string;
  reference: TrainingData;
  windowSeconds: number;
  evaluateEverySeconds: number;
  /** Below this many rows a window gets no verdict. */
  minimumSamples: number;
  /** The model's quality on the reference (demoReferenceQuality): the exporter then estimates without labels. */
  quality?: ReferenceQuality | null;
  /** Called with each window report the exporter produces. */
  onReport(report: WindowReportLike & { readonly dataQuality: DataQualityLike | null }): void;
}

/** The sidecar on the V2 protocol in front of the model server, the spool as its only sink (the embedded store). */
export async function startSidecarPart(options: SidecarPartOptions): Promise<RunningSidecar> {
  const config = parseConfig({
    upstream: options.upstreamUrl,
    host: options.host,
    port: options.port,
    adminPort: options.adminPort,
    model: options.model,
    protocol: 'v2',
    logLevel: 'warn',
    apiToken: options.apiToken,
    models: {
      [options.model]: {
        features: [...options.features],
        ...(options.classes ? { classes: [...options.classes] } : {}),
        task: 'classification',
        histogramFeatures: [...options.features],
      },
    },
    // A demo: fsync on every batch buys nothing here and costs the disk; a process kill is still survived.
    sinks: { spoolDir: options.spoolDir, spoolFsync: 'never', flushIntervalMs: 500 },
  });
  return startSidecar(config);
}

/**
 * The exporter on the sidecar's spool store, evaluating sliding windows against a reference profile built once
 * from the training data (STATS' buildReferenceProfile + createDriftDetector, handed to the exporter as its drift
 * engine, so no baseline store is needed). Each new window report goes to `onReport`.
 */
export async function startExporterPart(options: ExporterPartOptions): Promise<RunningExporter> {
  const { reference } = options;
  const columns: Record<string, number[]> = {};
  reference.features.forEach((feature, i) => {
    columns[feature] = reference.rows.map((row) => row[i]);
  });
  // With the model's quality on its training rows, the exporter also estimates accuracy without labels (issue #11).
  const built = buildReferenceProfile(columns);
  const profile = options.quality ? { ...built, quality: options.quality } : built;
  const detector = createDriftDetector(profile);
  const baseline = {
    detector,
    profile,
    features: reference.features.map((name) => ({ name, type: 'numerical' as const })),
    baselineVersion: 'train.csv',
    predictionColumn: null,
  };
  const config = parseExporterConfig({
    models: [{ name: options.model, features: [...reference.features], task: 'classification' }],
    source: { kind: 'spool', dir: options.spoolDir },
    // Not read: the drift engine below hands the exporter its baseline directly.
    baselineStore: { kind: 'file', dir: path.join(options.spoolDir, 'baselines') },
    window: {
      kind: 'sliding',
      sizeSeconds: options.windowSeconds,
      stepSeconds: options.evaluateEverySeconds,
      minimumSamples: options.minimumSamples,
      graceSeconds: 1,
    },
    schedule: { intervalSeconds: Math.min(1, options.evaluateEverySeconds) },
    host: options.host,
    port: options.port,
    logLevel: 'warn',
  });
  const running = await startExporter(config, {
    driftEngine: { load: async () => baseline },
  });
  let lastSeen: unknown = undefined;
  const poll = setInterval(() => {
    const history = running.exporter.history(options.model);
    // History is capped (oldest dropped): find where the new reports start.
    let from = history.length;
    for (let i = history.length - 1; i >= 0; i--) {
      if (history[i] === lastSeen) break;
      from = i;
    }
    for (let i = from; i < history.length; i++) options.onReport(history[i]);
    if (history.length > 0) lastSeen = history[history.length - 1];
  }, 250);
  return {
    url: running.url,
    metricsUrl: `${running.url}/metrics`,
    apiUrl: `${running.url}/api/models/${options.model}/drift`,
    async stop() {
      clearInterval(poll);
      await running.stop();
    },
  };
}
