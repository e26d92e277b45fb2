/** The committed provisioned files are exactly what the dashboards-as-code sources generate today. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { allDashboards, renderAll } from './generate';
import { BOARDS, ELASTICSEARCH, PROMETHEUS } from './common';

const ROOT = path.join(__dirname, '..');

test.each([...renderAll()].map(([rel, content]) => [rel, content]))(
  '%s is up to date (run `npm run generate -w dashboards`)',
  (rel, content) => {
    expect(readFileSync(path.join(ROOT, rel), 'utf8')).toBe(content);
  },
);

test('generating twice gives identical output (no timestamps, no random ids)', () => {
  expect([...renderAll()]).toEqual([...renderAll()]);
});

test('the four boards keep their stable uids and titles', () => {
  expect(allDashboards().map((d) => [d.uid, d.title])).toEqual(
    Object.values(BOARDS).map((b) => [b.uid, b.title]),
  );
});

describe.each(allDashboards().map((d) => [d.uid, d] as const))('%s', (_, d) => {
  const panels = d.panels ?? [];
  test('has the model and version variables, and links to the other boards', () => {
    const names = (d.templating?.list ?? []).map((v) => v.name);
    expect(names).toContain('model');
    if (d.uid !== BOARDS.pipeline.uid) expect(names).toContain('version');
    expect(d.links).toEqual([
      expect.objectContaining({ type: 'dashboards', tags: ['plumbline'], includeVars: true }),
    ]);
  });
  test('every panel has a unique id, a title and a position inside the 24-column grid', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.title).toBeTruthy();
      expect(p.gridPos!.x + p.gridPos!.w).toBeLessThanOrEqual(24);
    }
  });
  test('every query names a provisioned datasource by its fixed uid', () => {
    const uids = [PROMETHEUS.uid, ELASTICSEARCH.uid];
    for (const p of panels) {
      for (const t of (p as { targets?: { datasource?: { uid?: string } }[] }).targets ?? []) {
        expect(uids).toContain(t.datasource?.uid);
      }
    }
  });
});

test('the plugin panels sit on their boards with the options the plugins read', () => {
  const byType = (uid: string, type: string) =>
    (allDashboards().find((d) => d.uid === uid)?.panels ?? []).filter((p) => p.type === type);
  expect(byType(BOARDS.drift.uid, 'plumbline-drift-panel')[0]).toMatchObject({
    options: { model: '$model', feature: '$feature' },
  });
  expect(byType(BOARDS.quality.uid, 'plumbline-confusionmatrix-panel')[0]).toMatchObject({
    options: { actualField: 'actual', predictedField: 'predicted' },
  });
  expect(byType(BOARDS.quality.uid, 'plumbline-retrain-panel')[0]).toMatchObject({
    options: { model: '$model' },
  });
  expect(byType(BOARDS.quality.uid, 'plumbline-review-panel')[0]).toMatchObject({
    options: { model: '$model', pageSize: 50, classFilter: '', maxConfidence: 0 },
  });
});

test('provisioning: datasources with fixed uids, the app plugin token from the environment', () => {
  const files = renderAll();
  const ds = parse(files.get('provisioning/datasources/plumbline.yaml')!);
  expect(ds.datasources.map((d: { uid: string }) => d.uid)).toEqual([PROMETHEUS.uid, ELASTICSEARCH.uid]);
  const apps = parse(files.get('provisioning/plugins/plumbline.yaml')!);
  expect(apps.apps[0]).toMatchObject({
    type: 'plumbline-mlobservability-app',
    secureJsonData: { retrainToken: '${PLUMBLINE_RETRAIN_TOKEN}' },
  });
  expect(JSON.stringify(allDashboards())).not.toMatch(/token|secret|password/i);
});
