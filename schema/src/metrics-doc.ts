/** Renders the metric catalog as the Markdown table in docs/metrics.md (`npm run docs:metrics` rewrites it). */
import { METRIC_CATALOG, type MetricDescriptor } from './metric-names';

export const METRICS_DOC_BEGIN =
  '<!-- metrics:begin (generated from schema/src/metric-names.ts: npm run docs:metrics) -->';
export const METRICS_DOC_END = '<!-- metrics:end -->';

function row(d: MetricDescriptor): string {
  const labels = d.labels.length ? d.labels.map((l) => `\`${l}\``).join(', ') : '—';
  const buckets = d.buckets ? `<br>buckets: ${d.buckets.join(', ')}` : '';
  return `| \`${d.name}\` | ${d.type} | ${labels} | ${d.help.replace(/\|/g, '\\|')}${buckets} |`;
}

export function renderMetricsTable(): string {
  const sections: string[] = [];
  const header = ['| name | type | labels | meaning |', '| --- | --- | --- | --- |'];
  for (const emitter of ['sidecar', 'exporter'] as const) {
    const own = METRIC_CATALOG.filter((d) => d.emitter === emitter);
    sections.push(`### Emitted by the ${emitter}`, '', ...header);
    sections.push(...own.filter((d) => d.origin !== 'process').map(row), '');
    sections.push(
      `#### Process metrics of the ${emitter} (prom-client's collectDefaultMetrics)`,
      '',
      ...header,
      ...own.filter((d) => d.origin === 'process').map(row),
      '',
    );
  }
  return [METRICS_DOC_BEGIN, '', ...sections, METRICS_DOC_END].join('\n');
}

/** Replaces the generated block of a document with the current table. */
export function updateMetricsDoc(doc: string): string {
  const start = doc.indexOf(METRICS_DOC_BEGIN);
  const end = doc.indexOf(METRICS_DOC_END);
  if (start < 0 || end < start) throw new Error('docs/metrics.md: generated block markers are missing');
  return doc.slice(0, start) + renderMetricsTable() + doc.slice(end + METRICS_DOC_END.length);
}
