/**
 * `plumbline start` — the embedded default: the built-in ONNX model served on the Open Inference Protocol, the
 * sidecar in front of it writing events to a local spool, the exporter reading that spool, and demo traffic that
 * plants drift after a while. No external services. Ctrl-C (or SIGTERM, or --duration) stops everything cleanly.
 */
import type { Command } from 'commander';
import type { EmbeddedStackOptions } from './demo/stack';
import { durationArg, integerArg, portArg, UsageError } from '@plumbline/service-kit/cli';
import { addDemoTrafficOptions, driftFromFlag, type DemoTrafficFlags } from './demo-traffic-flags';
import {
  addPipelineBreakOptions,
  pipelineBreakFromFlags,
  type PipelineBreakFlags,
} from './demo/pipeline-break';

/** Flags as commander hands them over: every number already read by its parser (a bad one exits 2 naming it). */
interface StartFlags extends DemoTrafficFlags, PipelineBreakFlags {
  host: string;
  port: number;
  adminPort: number;
  modelPort: number;
  exporterPort: number;
  spoolDir?: string;
  demo: boolean;
  window: number;
  evaluateEvery: number;
  minSamples: number;
  statusEvery: number;
}

/** Flags → stack options; every error names its flag (exit 2). */
export function startOptionsFromFlags(
  flags: StartFlags,
): EmbeddedStackOptions & { durationSeconds: number | null } {
  // What the command runs loads when it runs, not when `plumbline --help` registers it (cli/README.md).
  const { SHIPPED_MODEL } = require('@plumbline/sidecar') as typeof import('@plumbline/sidecar');
  const { readTrainingData } = require('./demo/training-data') as typeof import('./demo/training-data');
  const features = readTrainingData(SHIPPED_MODEL.trainCsvPath).features;
  const drift = driftFromFlag(flags.drift, features);
  if (flags.evaluateEvery > flags.window) {
    throw new UsageError(
      `--evaluate-every: ${flags.evaluateEvery} s is longer than --window ${flags.window} s`,
      {
        key: '--evaluate-every',
      },
    );
  }
  return {
    host: flags.host,
    port: flags.port,
    adminPort: flags.adminPort,
    modelPort: flags.modelPort,
    exporterPort: flags.exporterPort,
    spoolDir: flags.spoolDir ?? null,
    demo: flags.demo,
    durationSeconds: flags.duration ?? null,
    requestsPerSecond: flags.rate,
    feedbackShare: flags.feedbackShare,
    driftAfterSeconds: flags.driftAfter === 'never' ? null : flags.driftAfter,
    drift,
    windowSeconds: flags.window,
    evaluateEverySeconds: flags.evaluateEvery,
    minimumSamples: flags.minSamples,
    statusEverySeconds: flags.statusEvery,
    pipelineBreak: pipelineBreakFromFlags(flags, features),
  };
}

export function registerStartCommand(program: Command): void {
  const command = program
    .command('start')
    .description(
      'Run the embedded demo: ONNX model server + sidecar + exporter on a local store, no external services.',
    )
    .option('--host <host>', 'address every part listens on', '127.0.0.1')
    .option('--port <port>', 'sidecar port clients call (0 = any free port)', portArg('--port'), 8080)
    .option(
      '--admin-port <port>',
      'sidecar admin port: /metrics, /feedback, /healthz',
      portArg('--admin-port'),
      9464,
    )
    .option('--model-port <port>', 'the embedded model server', portArg('--model-port'), 8000)
    .option('--exporter-port <port>', 'the exporter: /metrics and /api', portArg('--exporter-port'), 9465)
    .option(
      '--spool-dir <dir>',
      'where the sidecar spools events (default: a temporary directory, removed on exit)',
    )
    .option('--no-demo', 'no demo traffic: send your own requests to the sidecar');
  addPipelineBreakOptions(addDemoTrafficOptions(command, { driftAfterSeconds: 45 }))
    .option(
      '--window <seconds>',
      'drift evaluation window',
      durationArg('--window', { min: 1, max: 24 * 3600, integer: true }),
      60,
    )
    .option(
      '--evaluate-every <seconds>',
      'how often the exporter evaluates the window',
      durationArg('--evaluate-every', { min: 1, max: 3600, integer: true }),
      10,
    )
    .option(
      '--min-samples <rows>',
      'rows a window needs before it gets a drift verdict',
      integerArg('--min-samples', 1, 1_000_000),
      50,
    )
    .option(
      '--status-every <seconds>',
      'print a traffic line this often (0 = never)',
      durationArg('--status-every', { min: 0, max: 3600 }),
      15,
    )
    .action(async (flags: StartFlags) => {
      // PLUMBLINE_API_TOKEN(_FILE) when set (a bad file is a usage error); else the stack makes one for this run.
      const { readApiToken } = require('@plumbline/service-kit') as typeof import('@plumbline/service-kit');
      let apiToken: string | undefined;
      try {
        apiToken = readApiToken(process.env)?.token;
      } catch (err) {
        throw new UsageError((err as Error).message, { key: 'PLUMBLINE_API_TOKEN' });
      }
      const options = { ...startOptionsFromFlags(flags), apiToken };
      let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
      let durationTimer: NodeJS.Timeout | undefined;
      const stopSignal = new Promise<void>((resolve) => {
        let signals = 0;
        onSignal = (signal) => {
          signals++;
          if (signals === 1) {
            process.stdout.write(`\n${signal}: `);
            resolve();
          } else {
            process.stderr.write(`plumbline start: ${signal} again, exiting without waiting\n`);
            process.exit(130);
          }
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        if (options.durationSeconds !== null) {
          durationTimer = setTimeout(() => {
            process.stdout.write(`--duration ${options.durationSeconds} s reached: `);
            resolve();
          }, options.durationSeconds * 1000);
        }
      });
      try {
        const { runEmbeddedStack } = require('./demo/stack') as typeof import('./demo/stack');
        const clean = await runEmbeddedStack(options, stopSignal);
        process.stdout.write(
          clean ? 'plumbline start: stopped cleanly\n' : 'plumbline start: stopped, not cleanly\n',
        );
        if (!clean) process.exitCode = 1;
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { port?: number };
        if (e.code === 'EADDRINUSE') {
          throw new UsageError(
            `a port is in use (${e.message}); pick others with --port, --admin-port, --model-port, --exporter-port`,
            { cause: err },
          );
        }
        throw err;
      } finally {
        clearTimeout(durationTimer);
        if (onSignal) {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }
    });
}
