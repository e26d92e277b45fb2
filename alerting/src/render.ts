/**
 * Pure: the alert catalogue (alerts.ts) → a Prometheus rule file and Grafana-managed alert-rule provisioning.
 * Both carry the same names, expressions, durations, labels and annotations; only the template syntax for the
 * alert's value differs between the two.
 */
import {
  ALERTS,
  RECORDING_RULES,
  type AlertCategory,
  type AlertSpec,
  type RecordingRuleSpec,
} from './alerts';

export interface RenderOptions {
  /** Where on-call opens Grafana (dashboard links). @default 'http://localhost:3000' */
  grafanaUrl: string;
  /** Where the runbooks are served; the compose stack serves docs/runbooks from Grafana's public folder. */
  runbookBaseUrl: string;
  /** uid of the provisioned Prometheus datasource. @default 'plumbline-prometheus' */
  prometheusUid: string;
  /** Rule evaluation interval. @default '1m' */
  interval: string;
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  grafanaUrl: 'http://localhost:3000',
  runbookBaseUrl: 'http://localhost:3000/public/plumbline-runbooks',
  prometheusUid: 'plumbline-prometheus',
  interval: '1m',
};

const CATEGORY_ORDER: readonly AlertCategory[] = ['drift', 'quality', 'predictions', 'latency', 'pipeline'];

const PROMETHEUS_VALUE = {
  percentage: '{{ $value | humanizePercentage }}',
  number: '{{ $value | printf "%.3g" }}',
  count: '{{ $value | humanize }}',
  seconds: '{{ $value | humanizeDuration }}',
} as const;

/** Grafana keeps each expression's value in `$values`; V is the reduced raw expression. */
const GRAFANA_VALUE = {
  percentage: '{{ humanizePercentage $values.V.Value }}',
  number: '{{ printf "%.3g" $values.V.Value }}',
  count: '{{ humanize $values.V.Value }}',
  seconds: '{{ humanizeDuration $values.V.Value }}',
} as const;

/**
 * The PromQL of an alert's second figure (`threshold`): one series per alert instance in Grafana (no selector),
 * or, with `selector`, the instance's own series for Prometheus' template query.
 */
function thresholdQuery(spec: AlertSpec, selector = ''): string {
  if (!spec.threshold) throw new Error(`${spec.name} has no threshold`);
  const { metric, labels } = spec.threshold;
  return `max by (${labels.join(', ')}) (${metric}${selector})`;
}

/**
 * Prometheus' template for `{{THRESHOLD}}`: queries the threshold series with the alert's labels (`%q` quotes and
 * escapes each label value as a PromQL string) and formats its value like the alert's.
 */
export function prometheusThreshold(spec: AlertSpec): string {
  if (!spec.threshold) return '';
  const labels = spec.threshold.labels;
  const query = thresholdQuery(spec, `{${labels.map((l) => `${l}=%q`).join(',')}}`);
  const format = PROMETHEUS_VALUE[spec.valueFormat].replace('{{ $value | ', '').replace(' }}', '');
  return (
    `{{ with printf "${query}" ${labels.map((l) => `$labels.${l}`).join(' ')} | query }}` +
    `{{ . | first | value | ${format} }}{{ end }}`
  );
}

/** Grafana's template for `{{THRESHOLD}}`: the reduced threshold query T with the instance's labels. */
const grafanaThreshold = (spec: AlertSpec): string =>
  GRAFANA_VALUE[spec.valueFormat].replace('$values.V.Value', '$values.T.Value');

export function dashboardUrl(spec: AlertSpec, options: RenderOptions): string {
  const vars = Object.entries(spec.dashboardVars)
    .map(([variable, label]) => `var-${variable}={{ $labels.${label} }}`)
    .join('&');
  return `${options.grafanaUrl}/d/${spec.dashboard.uid}/${spec.dashboard.slug}${vars ? `?${vars}` : ''}`;
}

export function runbookUrl(spec: AlertSpec, options: RenderOptions): string {
  return `${options.runbookBaseUrl}/${spec.runbook}`;
}

function annotations(
  spec: AlertSpec,
  options: RenderOptions,
  value: string,
  threshold: string,
): Record<string, string> {
  const fill = (text: string): string => {
    if (text.includes('{{THRESHOLD}}') && !spec.threshold)
      throw new Error(`${spec.name} quotes {{THRESHOLD}} but declares no threshold`);
    return text.replaceAll('{{VALUE}}', value).replaceAll('{{THRESHOLD}}', threshold);
  };
  return {
    summary: fill(spec.summary),
    description: fill(spec.description),
    runbook_url: runbookUrl(spec, options),
    dashboard_url: dashboardUrl(spec, options),
  };
}

function labels(spec: AlertSpec): Record<string, string> {
  return { severity: spec.severity, category: spec.category };
}

export interface PrometheusRuleFile {
  groups: {
    name: string;
    interval: string;
    rules: (
      | RecordingRuleSpec
      | {
          alert: string;
          expr: string;
          for: string;
          labels: Record<string, string>;
          annotations: Record<string, string>;
        }
    )[];
  }[];
}

/** The Prometheus rule file: one recording group (the latency SLI), then one group per alert category. */
export function renderPrometheusRules(
  options: RenderOptions = DEFAULT_RENDER_OPTIONS,
  alerts: readonly AlertSpec[] = ALERTS,
): PrometheusRuleFile {
  return {
    groups: [
      {
        name: 'plumbline-recording',
        interval: options.interval,
        rules: RECORDING_RULES.map((r) => ({ ...r })),
      },
      ...CATEGORY_ORDER.map((category) => ({
        name: `plumbline-${category}`,
        interval: options.interval,
        rules: alerts
          .filter((a) => a.category === category)
          .map((a) => ({
            alert: a.name,
            expr: a.expr,
            for: a.for,
            labels: labels(a),
            annotations: annotations(a, options, PROMETHEUS_VALUE[a.valueFormat], prometheusThreshold(a)),
          })),
      })),
    ].filter((g) => g.rules.length > 0),
  };
}

/**
 * Replaces each recording-rule name in an expression by its definition, so Grafana (which has no recording rules)
 * evaluates the same thing. Record names are `level:metric:operation`, never a prefix of one another.
 */
export function inlineRecordingRules(
  expr: string,
  rules: readonly RecordingRuleSpec[] = RECORDING_RULES,
): string {
  let out = expr;
  for (const r of rules) out = out.replaceAll(r.record, `(${r.expr})`);
  return out;
}

const EXPR_DATASOURCE = { type: '__expr__', uid: '__expr__' } as const;

/** Grafana's file-provisioning format for alert rules (`apiVersion: 1`, groups of rules). */
export function renderGrafanaRules(
  options: RenderOptions = DEFAULT_RENDER_OPTIONS,
  alerts: readonly AlertSpec[] = ALERTS,
): Record<string, unknown> {
  const prometheusQuery = (refId: string, expr: string) => ({
    refId,
    relativeTimeRange: { from: 600, to: 0 },
    datasourceUid: options.prometheusUid,
    model: { refId, expr, instant: true, range: false, intervalMs: 60000, maxDataPoints: 43200 },
  });
  const expression = (refId: string, model: Record<string, unknown>) => ({
    refId,
    datasourceUid: '__expr__',
    model: { refId, datasource: EXPR_DATASOURCE, ...model },
  });
  return {
    apiVersion: 1,
    groups: CATEGORY_ORDER.map((category) => ({
      orgId: 1,
      name: `plumbline-${category}`,
      folder: 'Plumbline',
      interval: options.interval,
      rules: alerts
        .filter((a) => a.category === category)
        .map((a) => {
          const expr = inlineRecordingRules(a.expr);
          return {
            uid: a.uid,
            title: a.name,
            condition: 'C',
            data: [
              // A: one series (value 1) per label set the Prometheus rule would fire for.
              prometheusQuery('A', `count without () (${expr})`),
              // R: the raw expression, for the value quoted in annotations.
              prometheusQuery('R', expr),
              expression('B', { type: 'reduce', expression: 'A', reducer: 'last' }),
              expression('V', { type: 'reduce', expression: 'R', reducer: 'last' }),
              // RT / T: the second figure annotations quote as the threshold, one series per instance.
              ...(a.threshold
                ? [
                    prometheusQuery('RT', thresholdQuery(a)),
                    expression('T', { type: 'reduce', expression: 'RT', reducer: 'last' }),
                  ]
                : []),
              expression('C', {
                type: 'threshold',
                expression: 'B',
                conditions: [{ evaluator: { type: 'gt', params: [0] } }],
              }),
            ],
            noDataState: 'OK',
            execErrState: 'Error',
            for: a.for,
            labels: labels(a),
            annotations: {
              ...annotations(
                a,
                options,
                GRAFANA_VALUE[a.valueFormat],
                a.threshold ? grafanaThreshold(a) : '',
              ),
              __dashboardUid__: a.dashboard.uid,
            },
            isPaused: false,
          };
        }),
    })).filter((g) => g.rules.length > 0),
  };
}
