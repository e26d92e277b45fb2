/**
 * Shared building blocks for the Plumbline dashboards: datasource references with fixed uids, template variables,
 * the links between boards, and small panel helpers on top of @grafana/grafana-foundation-sdk.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  MappingType,
  type Dashboard,
  type Panel,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Fixed datasource uids: the provisioning YAML, every panel and the Grafana alert rules use these. */
export const PROMETHEUS = { type: 'prometheus', uid: 'plumbline-prometheus' } as const;
export const ELASTICSEARCH = { type: 'elasticsearch', uid: 'plumbline-elasticsearch' } as const;

/** Every Plumbline board carries this tag; the links dropdown lists boards by it. */
export const TAG = 'plumbline';

export interface BoardInfo {
  uid: string;
  title: string;
  description: string;
}

export const BOARDS = {
  overview: {
    uid: 'plumbline-model-overview',
    title: 'Plumbline / Model overview',
    description:
      'Traffic, latency, errors, sidecar overhead, predictions by class, confidence, share handed to humans.',
  },
  drift: {
    uid: 'plumbline-data-drift',
    title: 'Plumbline / Data drift',
    description:
      'Per-feature drift statistics and verdicts over time, dataset drift share, data-quality checks, multivariate drift, reference vs current.',
  },
  quality: {
    uid: 'plumbline-model-quality',
    title: 'Plumbline / Model quality',
    description: 'Confusion matrix, accuracy and F1 over time, label delay, the review queue, retraining.',
  },
  pipeline: {
    uid: 'plumbline-pipeline-health',
    title: 'Plumbline / Pipeline health',
    description:
      'Sink queues, spool, dropped events, exporter evaluations; CPU, memory, event-loop delay and GC of each process.',
  },
  versions: {
    uid: 'plumbline-model-versions',
    title: 'Plumbline / Model versions',
    description:
      'A champion and a challenger side by side (errors, accuracy, latency, drift, confidence, class mix), their comparison, and segments.',
  },
} as const satisfies Record<string, BoardInfo>;

/** PromQL label matchers for the model / version variables (multi-value, "All" = `.*`). */
export const MV = 'model=~"$model", model_version=~"$version"';
export const M = 'model=~"$model"';

/** The rate window Grafana derives from the scrape interval and the panel's resolution. */
export const RATE_INTERVAL = '$__rate_interval';

/** A Prometheus query on the fixed datasource. */
export function prom(refId: string, expr: string, legend?: string): DataqueryBuilder {
  const q = new DataqueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).range();
  if (legend !== undefined) q.legendFormat(legend);
  return q;
}

/** A gauge the exporter sets per model version, as it is: one series per model and version. */
export function perVersion(metric: string, selector: string = MV): DataqueryBuilder {
  return prom('A', `${metric}{${selector}}`, '{{model}} {{model_version}}');
}

/** One Prometheus query per `[expr, legend]`, with refIds A, B, C… in order: a panel's `.targets(…)`. */
export function proms(...queries: [expr: string, legend?: string][]): DataqueryBuilder[] {
  return queries.map(([expr, legend], i) => prom(String.fromCharCode(65 + i), expr, legend));
}

/**
 * The q-quantile of a Prometheus histogram over the rate window: bucket rates of the series `selector` matches,
 * summed by `le` and the `by` labels (one quantile per value of those).
 */
export function histogramQuantile(q: number, metric: string, selector: string, by: string[] = []): string {
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${metric}_bucket{${selector}}[${RATE_INTERVAL}])))`;
}

/** An instant Prometheus query returned as a table (one row per series, one column per label). */
export function promTable(refId: string, expr: string): DataqueryBuilder {
  return new DataqueryBuilder()
    .refId(refId)
    .datasource(PROMETHEUS)
    .expr(expr)
    .instant()
    .format(PromQueryFormat.Table);
}

function queryVariable(name: string, label: string, query: string, multi: boolean): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query({ qryType: 1, query, refId: `${name}-variable` })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

/**
 * Template variables: model, version (of the selected models), and optionally feature. `metric` is the series the
 * values are read from: a metric every model on this board has.
 */
export function variables(metric: string, withFeature = false): QueryVariableBuilder[] {
  const vars = [
    queryVariable('model', 'Model', `label_values(${metric}, model)`, true),
    queryVariable('version', 'Version', `label_values(${metric}{${M}}, model_version)`, true),
  ];
  if (withFeature) {
    vars.push(queryVariable('feature', 'Feature', `label_values(${metric}{${MV}}, feature)`, true));
  }
  return vars;
}

/** Builds a board and numbers its panels (numberPanels): the last step of every board. */
export function buildBoard(b: DashboardBuilder): Dashboard {
  const d = b.build();
  numberPanels(d.panels as never);
  return d;
}

/** The usual name of the q-quantile: p05, p50, p99. */
export function percentileName(q: number): string {
  return `p${String(Math.round(q * 100)).padStart(2, '0')}`;
}

/** The dashboard skeleton every board shares: uid, tags, time, refresh, shared crosshair, links to the others. */
export function board(info: BoardInfo): DashboardBuilder {
  return new DashboardBuilder(info.title)
    .uid(info.uid)
    .description(info.description)
    .tags([TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .link(
      new DashboardLinkBuilder('Plumbline')
        .type(DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

/** A link from a panel to another board, carrying the time range and the variables. */
export function linkTo(target: BoardInfo, title: string): DashboardLinkBuilder {
  return new DashboardLinkBuilder(title)
    .type(DashboardLinkType.Link)
    .url(`/d/${target.uid}/${target.uid}?\${__url_time_range}&\${model:queryparam}&\${version:queryparam}`)
    .targetBlank(false);
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title);
}

const legend = (): common.VizLegendOptionsBuilder =>
  new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom);

export function timeseries(title: string, description: string, unit: string): TimeseriesBuilder {
  return new TimeseriesBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .legend(legend())
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .lineWidth(1)
    .fillOpacity(10)
    .height(8)
    .span(12);
}

export function stat(title: string, description: string, unit: string): StatBuilder {
  return new StatBuilder()
    .title(title)
    .description(description)
    .unit(unit)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .height(4)
    .span(6);
}

/** Thresholds: base colour, then [value, colour] steps. */
export function thresholds(base: string, ...steps: [number, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/**
 * Gives every panel (and row) a stable id in layout order: alert rules and links refer to panels by id, so ids
 * must not depend on Grafana's save-time numbering.
 */
function numberPanels(panels: Panel[] | undefined): void {
  let id = 1;
  for (const p of panels ?? []) {
    p.id = id++;
    const nested = (p as { panels?: Panel[] }).panels;
    for (const q of nested ?? []) q.id = id++;
  }
}

/** 0 / 1 verdict gauges shown as words. */
export function verdictMappings(ok: string, bad: string): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: { '0': { text: ok, color: 'green', index: 0 }, '1': { text: bad, color: 'red', index: 1 } },
    },
  ];
}
