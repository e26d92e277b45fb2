/**
 * Writes the generated alerting artefacts from the alert catalogue:
 *   generated/prometheus/plumbline.rules.yml   (Prometheus / promtool)
 *   generated/grafana/alert-rules.yaml          (Grafana-managed alert-rule provisioning)
 * Run `npm run generate -w alerting` after editing src/alerts.ts; a test fails while the committed files are stale.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { reportWritten, writeGeneratedFiles } from '@plumbline/schema/write-generated-files';
import {
  DEFAULT_RENDER_OPTIONS,
  renderGrafanaRules,
  renderPrometheusRules,
  type RenderOptions,
} from './render';

export const GENERATED_DIR = path.join(__dirname, '..', 'generated');
export const PROMETHEUS_RULES_FILE = path.join('prometheus', 'plumbline.rules.yml');
export const GRAFANA_RULES_FILE = path.join('grafana', 'alert-rules.yaml');

const HEADER = '# Generated from alerting/src/alerts.ts by `npm run generate -w alerting`. Do not edit.\n';

function toYaml(value: unknown): string {
  return HEADER + stringify(value, { lineWidth: 0 });
}

/** The generated files, relative path → content. */
export function renderAll(options: RenderOptions = DEFAULT_RENDER_OPTIONS): Map<string, string> {
  return new Map([
    [PROMETHEUS_RULES_FILE, toYaml(renderPrometheusRules(options))],
    [GRAFANA_RULES_FILE, toYaml(renderGrafanaRules(options))],
  ]);
}

export function writeAll(
  dir: string = GENERATED_DIR,
  options: RenderOptions = DEFAULT_RENDER_OPTIONS,
): string[] {
  return writeGeneratedFiles(dir, renderAll(options));
}

if (require.main === module) reportWritten(writeAll());
