/**
 * The committed Prometheus rule file: `promtool check rules` is clean, and `promtool test rules` proves every alert
 * fires in its scenario and stays silent in a near miss.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ALERTS, type AlertSpec } from '../src/alerts';
import { GENERATED_DIR, PROMETHEUS_RULES_FILE } from '../src/generate';
import { DEFAULT_RENDER_OPTIONS, prometheusThreshold, renderPrometheusRules } from '../src/render';
import { PROMTOOL_CASES, type PromtoolCase, type PromtoolScenario } from './promtool-cases';
import { runTool } from './tools';

const RULES = path.join(GENERATED_DIR, PROMETHEUS_RULES_FILE);

// promtool replays a week of samples for the week-over-week alert: seconds on a quiet machine, more on a busy CI.
// A deadline against hangs only; nothing here asserts on time.
jest.setTimeout(60_000);

/**
 * The annotations Prometheus should render for one alert instance: templates filled with labels, value and, for an
 * alert with a second figure, the threshold its template query reads.
 */
function expectedAnnotations(
  spec: AlertSpec,
  labels: Record<string, string>,
  value: string,
  threshold?: string,
): Record<string, string> {
  const thresholdTemplate = prometheusThreshold(spec);
  if (thresholdTemplate && threshold === undefined)
    throw new Error(`${spec.name}: the case must give the threshold its annotations quote`);
  const rule = renderPrometheusRules(DEFAULT_RENDER_OPTIONS, [spec])
    .groups.flatMap((g) => g.rules)
    .find((r) => 'alert' in r && r.alert === spec.name);
  if (!rule || !('annotations' in rule)) throw new Error(`${spec.name} was not rendered as an alert`);
  const fill = (template: string): string =>
    (thresholdTemplate ? template.replaceAll(thresholdTemplate, threshold ?? '') : template)
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => {
        if (!(name in labels))
          throw new Error(`${spec.name}: annotation uses label ${name} the case does not set`);
        return labels[name];
      })
      .replace(/\{\{ \$value \| [^}]+ \}\}/g, value);
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, fill(v)]));
}

function promtoolTestFile(spec: AlertSpec, c: PromtoolCase, scenario: PromtoolScenario): string {
  return stringify(
    {
      rule_files: [RULES],
      evaluation_interval: c.interval,
      tests: [
        {
          name: `${spec.name}: ${scenario.title}`,
          interval: c.interval,
          input_series: scenario.series,
          alert_rule_test: [
            {
              eval_time: scenario.evalTime,
              alertname: spec.name,
              exp_alerts: scenario.fires.map((f) => ({
                exp_labels: { ...f.labels, severity: spec.severity, category: spec.category },
                exp_annotations: expectedAnnotations(spec, f.labels, f.value, f.threshold),
              })),
            },
          ],
        },
      ],
    },
    { lineWidth: 0 },
  );
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'plumbline-promtool-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('promtool check rules accepts the committed rule file', async () => {
  const result = await runTool('promtool', ['check', 'rules', RULES]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('SUCCESS');
});

test('every alert has a firing and a silent promtool scenario', () => {
  expect(PROMTOOL_CASES.map((c) => c.alert).sort()).toEqual(ALERTS.map((a) => a.name).sort());
  for (const c of PROMTOOL_CASES) {
    expect(c.firing.fires.length).toBeGreaterThan(0);
    expect(c.silent.fires).toEqual([]);
  }
});

describe.each(PROMTOOL_CASES.map((c) => [c.alert, c] as const))('%s', (name, c) => {
  const spec = ALERTS.find((a) => a.name === name);
  test.each([
    ['fires', 'firing'],
    ['stays silent', 'silent'],
  ] as const)('%s (promtool test rules)', async (_, which) => {
    if (!spec) throw new Error(`no alert named ${name}`);
    const file = path.join(dir, `${name}-${which}.test.yml`);
    writeFileSync(file, promtoolTestFile(spec, c, c[which]));
    const result = await runTool('promtool', ['test', 'rules', file]);
    if (result.code !== 0) throw new Error(`promtool test rules failed:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain('SUCCESS');
  });
});
