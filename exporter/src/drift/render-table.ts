import type { DataQualityReport } from '../data-quality/types';
import { multivariateTableLine } from './render-multivariate';
import type { DriftReport } from './report-types';

const fmt = (x: number | undefined): string => {
  if (x === undefined) return '-';
  if (Number.isNaN(x)) return 'NaN';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? x.toPrecision(4).replace(/\.?0+$/, '') : x.toExponential(3);
};

/**
 * The human-readable drift table `plumbline drift` prints by default: one line per test, the deciding one marked *;
 * then, with `dataQuality`, the data-quality checks that failed (one line each) and how many ran.
 */
export function renderDriftTable(report: DriftReport, dataQuality?: DataQualityReport): string {
  const header = [
    'FEATURE',
    'TYPE',
    'N REF/CUR',
    'MISSING',
    'TEST',
    'STATISTIC',
    'P-VALUE',
    'THRESHOLD',
    'DRIFT',
  ];
  const rows: string[][] = [];
  const all = [
    ...report.features,
    ...(report.prediction ? [report.prediction] : []),
    ...(report.label ? [report.label] : []),
  ];
  for (const f of all) {
    const label =
      f === report.prediction ? `${f.name} (prediction)` : f === report.label ? `${f.name} (label)` : f.name;
    const lead = [label, f.type, `${f.n[0]}/${f.n[1]}`, `${f.missing[0]}/${f.missing[1]}`];
    if (f.tests.length === 0) {
      rows.push([...lead, '-', '-', '-', '-', `skipped: ${f.skipped ?? ''}`]);
      continue;
    }
    f.tests.forEach((t, i) => {
      const p =
        t.pValueAdjusted !== undefined ? `${fmt(t.pValue)} (adj ${fmt(t.pValueAdjusted)})` : fmt(t.pValue);
      rows.push([
        ...(i === 0 ? lead : ['', '', '', '']),
        `${t.decisive ? '*' : ' '}${t.name}`,
        fmt(t.statistic),
        p,
        fmt(t.threshold),
        t.drift ? (t.decisive ? 'DRIFT' : 'drift') : 'no',
      ]);
    });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const d = report.dataset;
  return [
    line(header),
    ...rows.map(line),
    '',
    `* deciding test per feature. Dataset: ${d.driftedFeatures} of ${d.testedFeatures} features drifted ` +
      `(share ${fmt(d.driftShare)}, threshold ${fmt(d.driftShareThreshold)}, correction ${d.correction}) → ` +
      (d.drift ? 'DATASET DRIFT' : 'no dataset drift'),
    ...(report.multivariate ? [multivariateTableLine(report.multivariate)] : []),
    ...(dataQuality ? ['', ...renderQuality(dataQuality)] : []),
  ].join('\n');
}

/** The failed data-quality checks as a small table under a one-line summary. */
function renderQuality(q: DataQualityReport): string[] {
  if (q.failed === 0) return [`Data quality: no check failed (${q.checks.length} checks).`];
  const header = ['FEATURE', 'CHECK', 'VALUE', 'THRESHOLD'];
  const rows = q.checks
    .filter((c) => c.failed)
    .map((c) => [c.feature, c.check, fmt(c.value), fmt(c.threshold)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    `Data quality: ${q.failed} of ${q.checks.length} checks FAILED (definitions: docs/stattests.md, "Data-quality checks")`,
    line(header),
    ...rows.map(line),
  ];
}
