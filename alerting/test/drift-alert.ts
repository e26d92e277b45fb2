/** The labels of a shipped feature-drift alert for iris version 1 (petal_length), as the alerting tests fire it. */
export const DRIFT_ALERT_LABELS: Readonly<Record<string, string>> = {
  alertname: 'PlumblineFeatureDriftPersistent',
  category: 'drift',
  severity: 'warning',
  model: 'iris',
  model_version: '1',
  feature: 'petal_length',
};
