/**
 * The alert → retrain chain as the alerting and end-to-end suites run it (`@plumbline/harness/retrain-chain`, not
 * the harness's main entry, so the harness itself never loads the services): a pipeline webhook stand-in, the
 * exporter's real retrain endpoint calling it, the retrain bridge calling that endpoint, and Alertmanager with the
 * shipped routing (alerting/alertmanager/alertmanager.yml) pointed at this bridge.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { DEFAULT_POLICY, startBridge, type BridgeDeps } from '@plumbline/alerting';
import { parseRetrainConfig, startRetrainService } from '@plumbline/exporter/retrain';
import { startAlertmanager } from './alertmanager';
import { repoRoot } from './paths';
import type { ServiceHandle } from './process';
import { startWebhookServer, type WebhookServer } from './webhook-server';

export interface RetrainChainOptions {
  /** The retrain endpoint's bearer token, which the bridge sends. */
  token: string;
  /**
   * The bridge's API token: POST /alertmanager then needs it, and Alertmanager sends it from a file in `dir` (the
   * shipped `credentials_file` pointed there). @default none: the bridge is open
   */
  apiToken?: string;
  /** Where the retrain endpoint writes its audit log (`audit.jsonl` in this folder). */
  dir: string;
  /** The registry the retrain endpoint counts in (the exporter's, end to end); its own by default. */
  registry?: Registry;
  /** The bridge's quality gate and logger. */
  bridge: BridgeDeps;
}

export interface RetrainChain {
  /** The pipeline webhook stand-in: answers 204, records each call to `/hooks/retrain`. */
  pipeline: WebhookServer;
  retrain: Awaited<ReturnType<typeof startRetrainService>>;
  bridge: Awaited<ReturnType<typeof startBridge>>;
  alertmanager: ServiceHandle;
  /** Stops them all, Alertmanager first. */
  close(): Promise<void>;
}

/**
 * Starts the chain: retrain cooldown 600 s, the bridge with the default policy and a 10 s timeout, Alertmanager's
 * group_wait cut from 10 s to 1 s (routes, receivers and matchers as shipped).
 */
export async function startRetrainChain(options: RetrainChainOptions): Promise<RetrainChain> {
  const pipeline = await startWebhookServer();
  pipeline.respondWith(204);
  const retrain = await startRetrainService({
    config: parseRetrainConfig({
      token: options.token,
      cooldownSeconds: 600,
      webhook: { kind: 'generic', url: `${pipeline.url}/hooks/retrain` },
      audit: { file: path.join(options.dir, 'audit.jsonl') },
    }),
    registry: options.registry,
  });
  const bridge = await startBridge(
    {
      retrainUrl: `${retrain.url}/api/retrain`,
      retrainToken: options.token,
      apiToken: options.apiToken,
      policy: DEFAULT_POLICY,
      timeoutMs: 10_000,
    },
    options.bridge,
  );
  const tokenFile = path.join(options.dir, 'plumbline_api_token');
  // An open bridge ignores the header; a missing file would fail every notification.
  writeFileSync(tokenFile, `${options.apiToken ?? 'no-token-configured'}\n`, { mode: 0o600 });
  const config = readFileSync(path.join(repoRoot(), 'alerting', 'alertmanager', 'alertmanager.yml'), 'utf8')
    .replace('http://retrain-bridge:9099/alertmanager', `${bridge.url}/alertmanager`)
    .replaceAll('/run/secrets/plumbline_api_token', tokenFile)
    .replace('group_wait: 10s', 'group_wait: 1s');
  const alertmanager = await startAlertmanager({ config });
  return {
    pipeline,
    retrain,
    bridge,
    alertmanager,
    close: async () => {
      await alertmanager.stop();
      await bridge.close();
      await retrain.close();
      await pipeline.close();
    },
  };
}
