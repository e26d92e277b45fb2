/**
 * `node alerting/dist/bridge/main.js`: the alert → retrain bridge as a process (the only place that reads the
 * environment and listens). Exit 2 with the variable's name on a configuration error.
 */
import pino from 'pino';
import { startBridge } from './bridge';
import { isUsageError } from '@plumbline/service-kit';
import { bridgeConfigFromEnv } from './config';
import { createPrometheusQuality, createPrometheusTriggerReadings } from './prometheus-quality';

async function main(): Promise<void> {
  const log = pino({ name: 'plumbline-retrain-bridge' });
  let config;
  try {
    config = bridgeConfigFromEnv(process.env);
  } catch (err) {
    if (isUsageError(err)) {
      process.stderr.write(`plumbline retrain bridge: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    throw err;
  }
  const bridge = await startBridge(
    config,
    {
      quality: createPrometheusQuality(config.prometheusUrl, config.timeoutMs),
      readings: createPrometheusTriggerReadings(config.prometheusUrl, config.timeoutMs),
      log,
    },
    { host: config.host, port: config.port },
  );
  log.info({ url: bridge.url, policy: config.policy }, 'retrain bridge listening');
  if (config.apiToken === undefined) {
    log.warn(
      'PLUMBLINE_API_TOKEN is not set: POST /alertmanager accepts alerts from anyone who can reach the bridge',
    );
  }
  const stop = () => {
    void bridge.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
