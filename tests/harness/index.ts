/**
 * @plumbline/harness — real services on 127.0.0.1 for the tests (see tests/README.md).
 *
 * Dedicated instances (start*) belong to the calling test file: stop them in afterAll (an exit hook kills them if
 * the file aborts). Shared instances (shared*) are one per jest run, reused by every suite, stopped by the root
 * globalTeardown; never stop them from a test.
 */
export {
  startElasticsearch,
  ELASTICSEARCH_ADMIN_USER,
  type ElasticsearchHandle,
  type ElasticsearchOptions,
  type ElasticsearchSecurity,
  type ElasticsearchSecuritySetup,
} from './elasticsearch';
export { testSecret, recordTestSecret } from './secrets';
export { startKafka, type KafkaHandle, type KafkaOptions, type KafkaSasl } from './kafka';
export { sharedElasticsearch, sharedKafka } from './shared';
export { startPrometheus, type PrometheusOptions } from './prometheus';
export { startAlertmanager, type AlertmanagerOptions } from './alertmanager';
export { startMlServer, makeSklearnIrisModel, type MlServerHandle, type MlServerOptions } from './mlserver';
export { launchChromium } from './chromium';
export { freePort, groupAlive, type ServiceHandle } from './process';
export { listenLoopback, promQuery, type PromSample } from './http';
export { pythonBin, repoRoot, artifactsDir } from './paths';
export { startWebhookServer, type WebhookServer, type ReceivedCall } from './webhook-server';
