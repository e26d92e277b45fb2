/**
 * `plumbline traffic` — the demo traffic generator on its own, for a sidecar that is already running (the
 * docker-compose stack, or your own): Open Inference Protocol requests sampled from the shipped model's training
 * data, ground truth posted to the sidecar's admin port (with the token in PLUMBLINE_API_TOKEN, or the file named
 * by PLUMBLINE_API_TOKEN_FILE, when the sidecar needs one), drift planted after a while. Ctrl-C / SIGTERM stop it.
 */
import type { Command } from 'commander';
import { describeDrift } from './demo/drift-plan';
import { durationArg, UsageError } from '@plumbline/service-kit/cli';
import { addDemoTrafficOptions, driftFromFlag, type DemoTrafficFlags } from './demo-traffic-flags';

interface TrafficFlags extends DemoTrafficFlags {
  sidecar: string;
  admin?: string;
  model: string;
  statusEvery: number;
}

function url(flag: string, value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    return value.replace(/\/+$/, '');
  } catch {
    throw new UsageError(`${flag}: expected an http(s) URL, got "${value}"`, { key: flag });
  }
}

export function registerTrafficCommand(program: Command): void {
  const command = program
    .command('traffic')
    .description('Send demo traffic (with ground truth, planting drift after a while) to a running sidecar.')
    .requiredOption('--sidecar <url>', 'the sidecar clients call, e.g. http://127.0.0.1:8080')
    .option('--admin <url>', "the sidecar's admin URL for POST /feedback (no ground truth when left out)")
    .option('--model <name>', 'model name in the infer path and in feedback', 'iris');
  addDemoTrafficOptions(command, { driftAfterSeconds: 300 })
    .option(
      '--status-every <seconds>',
      'print a stats line this often (0 = never)',
      durationArg('--status-every', { min: 0, max: 3600, integer: true }),
      30,
    )
    .action(async (flags: TrafficFlags) => {
      // What the command runs loads when it runs, not when `plumbline --help` registers it (cli/README.md).
      const { SHIPPED_MODEL } = require('@plumbline/sidecar') as typeof import('@plumbline/sidecar');
      const { readTrainingData } = require('./demo/training-data') as typeof import('./demo/training-data');
      const { createDemoTraffic } = require('./demo/traffic') as typeof import('./demo/traffic');
      const { readApiToken } = require('@plumbline/service-kit') as typeof import('@plumbline/service-kit');
      const data = readTrainingData(SHIPPED_MODEL.trainCsvPath);
      const drift = driftFromFlag(flags.drift, data.features);
      const durationSeconds = flags.duration ?? null;
      const statusEverySeconds = flags.statusEvery;
      const sidecar = url('--sidecar', flags.sidecar);
      const admin = flags.admin === undefined ? null : url('--admin', flags.admin);
      let apiToken: string | undefined;
      try {
        apiToken = readApiToken(process.env)?.token;
      } catch (err) {
        throw new UsageError((err as Error).message, { key: 'PLUMBLINE_API_TOKEN' });
      }
      const traffic = createDemoTraffic({
        inferUrl: `${sidecar}/v2/models/${encodeURIComponent(flags.model)}/infer`,
        feedbackUrl: admin === null ? null : `${admin}/feedback`,
        apiToken,
        data,
        model: flags.model,
        requestsPerSecond: flags.rate,
        feedbackShare: flags.feedbackShare,
        driftAfterMs: flags.driftAfter === 'never' ? null : flags.driftAfter * 1000,
        drift,
        onDriftPlanted: () => process.stdout.write(`drift planted: ${describeDrift(drift)}\n`),
      });
      const printStats = () => process.stdout.write(`${JSON.stringify(traffic.stats())}\n`);
      traffic.start();
      process.stdout.write(`sending demo traffic to ${sidecar} (Ctrl-C stops)\n`);
      const status = statusEverySeconds > 0 ? setInterval(printStats, statusEverySeconds * 1000) : undefined;
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
        if (durationSeconds !== null) setTimeout(resolve, durationSeconds * 1000).unref();
      });
      clearInterval(status);
      await traffic.stop();
      printStats();
    });
}
