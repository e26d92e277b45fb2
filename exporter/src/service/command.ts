/** `plumbline exporter`: flags map onto config keys (flags > PLUMBLINE_* env > --config file > defaults). */
import { UsageError } from '@plumbline/service-kit/cli';
import type { Command } from 'commander';
import type { FlagValues } from '../config';

/**
 * Flags read as their config key's kind once, by commander; a bad value is an EXPORTER_ERR_CONFIG naming the key.
 * The config module (zod, the stat-test registry) loads when a flag is read, not when the command is registered
 * (cli/README.md, "Adding a command").
 */
const read =
  (key: string) =>
  (text: string): unknown =>
    (require('../config') as typeof import('../config')).exporterConfigLoader.argParser(key)(text);

export function registerExporterCommand(program: Command): void {
  program
    .command('exporter')
    .description(
      'Evaluate drift and model quality over windows of logged inference events; serve /metrics and /api.',
    )
    .option('-c, --config <file>', 'YAML or JSON config file (docs: exporter/README.md)')
    .option('--model <name...>', 'model(s) to watch (shorthand for models: [{ name }])')
    .option('--source <kind>', 'elasticsearch | kafka | spool (env PLUMBLINE_SOURCE)')
    .option('--elasticsearch-url <url>', 'Elasticsearch URL (env PLUMBLINE_ELASTICSEARCH_URL)')
    .option(
      '--kafka-brokers <list>',
      'comma-separated host:port (env PLUMBLINE_KAFKA_BROKERS)',
      read('source.brokers'),
    )
    .option('--spool-dir <dir>', "the sidecar's spool directory (env PLUMBLINE_SPOOL_DIR)")
    .option('--baseline-dir <dir>', 'local baseline store (env PLUMBLINE_BASELINE_DIR)')
    .option('--window <kind>', 'tumbling | sliding (env PLUMBLINE_WINDOW_KIND)')
    .option(
      '--window-seconds <n>',
      'window size, seconds or 30s/5m/1h (env PLUMBLINE_WINDOW_SECONDS)',
      read('window.sizeSeconds'),
    )
    .option(
      '--step-seconds <n>',
      'sliding step (env PLUMBLINE_WINDOW_STEP_SECONDS)',
      read('window.stepSeconds'),
    )
    .option(
      '--min-samples <n>',
      'minimum rows for a verdict (env PLUMBLINE_MIN_SAMPLES)',
      read('window.minimumSamples'),
    )
    .option(
      '--interval-seconds <n>',
      'schedule interval (env PLUMBLINE_SCHEDULE_SECONDS)',
      read('schedule.intervalSeconds'),
    )
    .option(
      '--checkpoint-dir <dir>',
      'checkpoint the window state here, so a restart resumes it (env PLUMBLINE_CHECKPOINT_DIR)',
    )
    .option('--webhook-url <url>', 'Slack-compatible webhook (env PLUMBLINE_WEBHOOK_URL)')
    .option('--alertmanager-url <url>', 'Alertmanager base URL (env PLUMBLINE_ALERTMANAGER_URL)')
    .option('--host <host>', 'listen address (env PLUMBLINE_EXPORTER_HOST)')
    .option('-p, --port <n>', 'listen port (env PLUMBLINE_EXPORTER_PORT)', read('port'))
    .option(
      '--capture-baseline',
      'instead of serving: store a baseline per model from production events in --from..--to',
    )
    .option('--from <time>', 'with --capture-baseline: start of the range (ISO 8601, inclusive)')
    .option('--to <time>', 'with --capture-baseline: end of the range (ISO 8601, exclusive)')
    .option(
      '--baseline-version <v>',
      "with --capture-baseline: version to store under (default: the model's version)",
    )
    .action(async (opts: Record<string, unknown>) => {
      const { captureBaselines, runExporter } = require('../main') as typeof import('../main');
      const flags: FlagValues = {
        'source.kind': opts.source,
        'source.url': opts.elasticsearchUrl,
        'source.brokers': opts.kafkaBrokers,
        'source.dir': opts.spoolDir,
        'baselineStore.dir': opts.baselineDir,
        'window.kind': opts.window,
        'window.sizeSeconds': opts.windowSeconds,
        'window.stepSeconds': opts.stepSeconds,
        'window.minimumSamples': opts.minSamples,
        'schedule.intervalSeconds': opts.intervalSeconds,
        'checkpoint.dir': opts.checkpointDir,
        'notify.webhookUrl': opts.webhookUrl,
        'notify.alertmanagerUrl': opts.alertmanagerUrl,
        host: opts.host,
        port: opts.port,
      };
      if (Array.isArray(opts.model)) flags.models = opts.model.map((name) => ({ name: String(name) }));
      if (opts.captureBaseline) {
        if (typeof opts.from !== 'string' || typeof opts.to !== 'string') {
          throw new UsageError('--capture-baseline needs --from and --to');
        }
        await captureBaselines({
          configFile: opts.config as string | undefined,
          flags,
          from: opts.from,
          to: opts.to,
          baselineVersion: opts.baselineVersion as string | undefined,
          model: Array.isArray(opts.model) && opts.model.length === 1 ? String(opts.model[0]) : undefined,
        });
        return;
      }
      await runExporter({ configFile: opts.config as string | undefined, flags });
    });
}
