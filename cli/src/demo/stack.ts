/**
 * The embedded stack behind `plumbline start`: the shipped ONNX model served on the Open Inference Protocol, the
 * sidecar in front of it with the local spool as its only sink, the exporter reading that spool against a
 * reference built from the training data, and the demo traffic that plants drift.
 *
 * `runEmbeddedStack(options, stopSignal)` resolves once everything it started has stopped.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHIPPED_MODEL, startModelServer } from '@plumbline/sidecar';
import { describeDrift, type DriftShifts } from './drift-plan';
import { formatEvaluation, summarizeReport } from './evaluation-line';
import { describeBreakPhase, formatDataQualityLine, type PipelineBreak } from './pipeline-break';
import { startExporterPart, startSidecarPart } from './parts';
import { demoReferenceQuality } from './reference-quality';
import { readTrainingData } from './training-data';
import { createDemoTraffic, type DemoTraffic } from './traffic';

export interface EmbeddedStackOptions {
  /** @default '127.0.0.1' */
  host: string;
  /** Sidecar port clients call. */
  port: number;
  adminPort: number;
  modelPort: number;
  exporterPort: number;
  /** null: a fresh temporary directory, removed on exit. */
  spoolDir: string | null;
  demo: boolean;
  requestsPerSecond: number;
  feedbackShare: number;
  /** null: never plant drift. */
  driftAfterSeconds: number | null;
  drift: DriftShifts;
  windowSeconds: number;
  evaluateEverySeconds: number;
  /** Below this many rows a window gets no verdict. */
  minimumSamples: number;
  /** Print a traffic line this often (0: never). */
  statusEverySeconds: number;
  /** The feature pipeline break planted after the drift (pipeline-break.ts); null: none. @default null */
  pipelineBreak?: PipelineBreak | null;
  /**
   * The API token POST /feedback needs (the traffic sends it). @default a random one for this run, never printed:
   * set PLUMBLINE_API_TOKEN to post your own feedback to the demo's sidecar
   */
  apiToken?: string;
  /** Where lines go. @default stdout */
  out?: (line: string) => void;
}

const STOP_TIMEOUT_MS = 10_000;
/** Ground truth arrives this long after its prediction (three evaluations later at the defaults), as in life. */
const DEMO_LABEL_DELAY_MS = 30_000;

async function withTimeout(name: string, p: Promise<void>, out: (l: string) => void): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS);
  });
  try {
    const ok = await Promise.race([p.then(() => true), timedOut]);
    if (!ok) out(`  ${name}: did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
    return ok;
  } catch (err) {
    out(`  ${name}: failed to stop: ${(err as Error).message}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs until `stopSignal` resolves; returns true when everything stopped cleanly. */
export async function runEmbeddedStack(
  options: EmbeddedStackOptions,
  stopSignal: Promise<unknown>,
): Promise<boolean> {
  const out = options.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const host = options.host;
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const createdSpool = options.spoolDir === null;
  const spoolDir = options.spoolDir ?? mkdtempSync(path.join(os.tmpdir(), 'plumbline-start-'));
  let traffic: DemoTraffic | undefined;
  let statusTimer: NodeJS.Timeout | undefined;

  async function stopAll(): Promise<boolean> {
    clearInterval(statusTimer);
    let clean = true;
    if (traffic) {
      clean = (await withTimeout('demo traffic', traffic.stop(), out)) && clean;
      const s = traffic.stats();
      out(
        `  demo traffic: ${s.requests} requests (${s.failed} failed), ${s.rows} rows, ` +
          `${s.feedbackPosted} ground-truth labels posted`,
      );
    }
    // Reverse start order: traffic, exporter, sidecar (flushes its pipeline), model server.
    for (const part of stops.reverse()) clean = (await withTimeout(part.name, part.stop(), out)) && clean;
    if (createdSpool) rmSync(spoolDir, { recursive: true, force: true });
    return clean;
  }

  try {
    const data = readTrainingData(SHIPPED_MODEL.trainCsvPath);
    const model = await startModelServer({
      modelPath: SHIPPED_MODEL.modelPath,
      port: options.modelPort,
      host,
    });
    stops.push({ name: 'model server', stop: () => model.stop() });
    const modelName = model.model.name;
    const inferPath = `/v2/models/${modelName}/infer`;

    const apiToken = options.apiToken ?? randomBytes(24).toString('hex');
    const sidecar = await startSidecarPart({
      apiToken,
      upstreamUrl: model.url,
      host,
      port: options.port,
      adminPort: options.adminPort,
      model: modelName,
      spoolDir,
      features: data.features,
      classes: model.model.classes,
    });
    stops.push({ name: 'sidecar', stop: () => sidecar.stop() });

    const exporter = await startExporterPart({
      host,
      port: options.exporterPort,
      model: modelName,
      spoolDir,
      reference: data,
      quality: await demoReferenceQuality(model.model, data),
      windowSeconds: options.windowSeconds,
      evaluateEverySeconds: options.evaluateEverySeconds,
      minimumSamples: options.minimumSamples,
      onReport: (report) => {
        const summary = summarizeReport(report);
        out(typeof summary === 'string' ? summary : formatEvaluation(summary));
        const dataQuality = formatDataQualityLine(report.dataQuality);
        if (dataQuality) out(dataQuality);
      },
    });
    stops.push({ name: 'exporter', stop: () => exporter.stop() });

    out('plumbline start — the embedded stack, no external services (Ctrl-C stops)');
    out(
      `  model server   ${model.url}  "${modelName}" v${model.model.version} (ONNX, Open Inference Protocol)`,
    );
    out(`  sidecar        ${sidecar.url}  clients call POST ${sidecar.url}${inferPath}`);
    out(
      `  sidecar admin  ${sidecar.adminUrl}/metrics  ${sidecar.adminUrl}/feedback  ${sidecar.adminUrl}/readyz`,
    );
    out(`  exporter       ${exporter.metricsUrl}  ${exporter.apiUrl}`);
    out(
      `  drift          sliding ${options.windowSeconds} s window every ${options.evaluateEverySeconds} s ` +
        `against ${path.basename(SHIPPED_MODEL.trainCsvPath)}, verdict from ${options.minimumSamples} rows`,
    );
    out(`  spool          ${spoolDir}${createdSpool ? ' (temporary)' : ''}`);

    if (options.demo) {
      const driftAfterMs = options.driftAfterSeconds === null ? null : options.driftAfterSeconds * 1000;
      traffic = createDemoTraffic({
        inferUrl: sidecar.url + inferPath,
        feedbackUrl: `${sidecar.adminUrl}/feedback`,
        apiToken,
        data,
        model: modelName,
        inputName: model.model.input.name,
        requestsPerSecond: options.requestsPerSecond,
        feedbackShare: options.feedbackShare,
        feedbackDelayMs: DEMO_LABEL_DELAY_MS,
        driftAfterMs,
        drift: options.drift,
        onDriftPlanted: () => out(`  >> drift planted: ${describeDrift(options.drift)}`),
        pipelineBreak: options.pipelineBreak,
        onBreakPhase: (phase) => out(`  ${describeBreakPhase(options.pipelineBreak!, phase)}`),
      });
      out(
        `  demo traffic   ${options.requestsPerSecond} req/s sampled from ${path.basename(SHIPPED_MODEL.trainCsvPath)} ` +
          `(${data.rows.length} rows) → ${sidecar.url}; labels ${DEMO_LABEL_DELAY_MS / 1000} s late; ` +
          (driftAfterMs === null
            ? 'no drift planted'
            : `drift after ${options.driftAfterSeconds} s: ${describeDrift(options.drift)}`),
      );
      traffic.start();
      if (options.statusEverySeconds > 0) {
        const t = traffic;
        statusTimer = setInterval(() => {
          const s = t.stats();
          out(
            `  traffic: ${s.requests} requests (${s.failed} failed), ${s.rows} rows, ${s.feedbackPosted} labels` +
              (s.driftPlanted ? ', drifting' : '') +
              (s.lastError ? `; last error: ${s.lastError}` : ''),
          );
        }, options.statusEverySeconds * 1000);
      }
    } else {
      out('  demo traffic   off (--no-demo): send your own requests to the sidecar');
    }
    out('');

    await stopSignal;
    out('stopping…');
    return await stopAll();
  } catch (err) {
    await stopAll();
    throw err;
  }
}
