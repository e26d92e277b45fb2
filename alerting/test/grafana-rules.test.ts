/**
 * The Grafana-managed copy carries the same alerts as the Prometheus rule file (one source, alerts.ts): same names,
 * durations, labels and links, the same PromQL (recording rules inlined), and a well-formed condition chain.
 */
import { parse } from 'yaml';
import { ALERTS, RECORDING_RULES } from '../src/alerts';
import { renderAll, GRAFANA_RULES_FILE, PROMETHEUS_RULES_FILE } from '../src/generate';

interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  noDataState: string;
  data: { refId: string; datasourceUid: string; model: Record<string, unknown> }[];
}

const files = renderAll();
const grafana = parse(files.get(GRAFANA_RULES_FILE)!) as {
  apiVersion: number;
  groups: { folder: string; rules: GrafanaRule[] }[];
};
const prometheus = parse(files.get(PROMETHEUS_RULES_FILE)!) as {
  groups: {
    rules: {
      alert?: string;
      expr: string;
      for?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    }[];
  }[];
};
const gRules = grafana.groups.flatMap((g) => g.rules);
const pRules = prometheus.groups.flatMap((g) => g.rules).filter((r) => r.alert);

test('one Grafana rule per Prometheus alert, same order, unique uids Grafana accepts', () => {
  expect(grafana.apiVersion).toBe(1);
  expect(gRules.map((r) => r.title)).toEqual(pRules.map((r) => r.alert));
  expect(new Set(gRules.map((r) => r.uid)).size).toBe(ALERTS.length);
  for (const r of gRules) expect(r.uid).toMatch(/^[a-zA-Z0-9-_]{1,40}$/);
});

describe.each(gRules.map((r) => [r.title, r] as const))('%s', (title, g) => {
  const p = pRules.find((r) => r.alert === title)!;
  test('same duration and labels; same links; the dashboard is linked by uid', () => {
    expect(g.for).toBe(p.for);
    expect(g.labels).toEqual(p.labels);
    expect(g.annotations.runbook_url).toBe(p.annotations!.runbook_url);
    expect(g.annotations.dashboard_url).toBe(p.annotations!.dashboard_url);
    expect(p.annotations!.dashboard_url).toContain(`/d/${g.annotations.__dashboardUid__}/`);
  });
  test('queries the same PromQL, recording rules inlined, on the provisioned Prometheus', () => {
    let expected = p.expr;
    for (const r of RECORDING_RULES) expected = expected.replaceAll(r.record, `(${r.expr})`);
    const byRef = new Map(g.data.map((d) => [d.refId, d]));
    expect(byRef.get('R')!.model.expr).toBe(expected);
    expect(byRef.get('A')!.model.expr).toBe(`count without () (${expected})`);
    for (const ref of ['A', 'R']) expect(byRef.get(ref)!.datasourceUid).toBe('plumbline-prometheus');
    expect(String(byRef.get('A')!.model.expr)).not.toMatch(/plumbline:/);
  });
  test('condition C thresholds B, which reduces A; annotations quote V, which reduces R', () => {
    const byRef = new Map(g.data.map((d) => [d.refId, d.model]));
    expect(g.condition).toBe('C');
    expect(byRef.get('C')).toMatchObject({ type: 'threshold', expression: 'B' });
    expect(byRef.get('B')).toMatchObject({ type: 'reduce', expression: 'A' });
    expect(byRef.get('V')).toMatchObject({ type: 'reduce', expression: 'R' });
    expect(g.noDataState).toBe('OK'); // the PromQL returns nothing when all is well
    const text = `${g.annotations.summary} ${g.annotations.description}`;
    expect(text).not.toContain('$value '); // Prometheus syntax would render wrong in Grafana
  });
});

describe.each(ALERTS.filter((a) => a.threshold).map((a) => [a.name, a] as const))(
  '%s quotes a threshold',
  (name, spec) => {
    const g = gRules.find((r) => r.title === name)!;
    const p = pRules.find((r) => r.alert === name)!;
    test('Grafana: RT queries the threshold by the alert labels, T reduces it, the description reads T', () => {
      const byRef = new Map(g.data.map((d) => [d.refId, d]));
      const { metric, labels } = spec.threshold!;
      expect(byRef.get('RT')!.model.expr).toBe(`max by (${labels.join(', ')}) (${metric})`);
      expect(byRef.get('RT')!.datasourceUid).toBe('plumbline-prometheus');
      expect(byRef.get('T')!.model).toMatchObject({ type: 'reduce', expression: 'RT' });
      expect(g.annotations.description).toContain('$values.T.Value');
      expect(g.annotations.description).not.toContain('{{THRESHOLD}}');
    });
    test('Prometheus: a template query of the threshold with every label of the alert', () => {
      const { metric, labels } = spec.threshold!;
      expect(p.annotations!.description).toContain(`| query }}`);
      expect(p.annotations!.description).toContain(metric);
      for (const l of labels) expect(p.annotations!.description).toContain(`${l}=%q`);
    });
  },
);
