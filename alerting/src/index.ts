export {
  ALERTS,
  ALERT_THRESHOLDS,
  PREDICTION_DRIFT_ALERT,
  DASHBOARDS,
  RECORDING_RULES,
  SCRAPE_JOBS,
  BURN_RATE_WINDOWS,
} from './alerts';
export type { AlertSpec, AlertCategory, Severity, DashboardLink, RecordingRuleSpec } from './alerts';
export {
  DEFAULT_RENDER_OPTIONS,
  renderPrometheusRules,
  renderGrafanaRules,
  inlineRecordingRules,
  dashboardUrl,
  runbookUrl,
  prometheusThreshold,
} from './render';
export type { RenderOptions, PrometheusRuleFile } from './render';
export { GENERATED_DIR, PROMETHEUS_RULES_FILE, GRAFANA_RULES_FILE, renderAll, writeAll } from './generate';
export { createBridge, startBridge } from './bridge/bridge';
export type { Bridge, BridgeConfig, BridgeDeps, DecisionRecord } from './bridge/bridge';
export { DEFAULT_POLICY, decide, preCheck, parsePayload } from './bridge/policy';
export type {
  RetrainPolicy,
  QualitySnapshot,
  Decision,
  AlertmanagerAlert,
  AlertmanagerPayload,
} from './bridge/policy';
export { createPrometheusQuality } from './bridge/prometheus-quality';
export { bridgeConfigFromEnv, BridgeConfigError } from './bridge/config';
