/** The human table of `plumbline performance`: estimated (with band) beside realized, then per class. */
import type { PerformanceReport } from './report-types';

const f = (v: number): string => v.toFixed(4);

export function renderPerformanceTable(r: PerformanceReport): string {
  const e = r.estimated;
  const real = r.realized;
  const lines: string[] = [];
  lines.push(
    `rows ${r.rows}, labelled ${r.labelledRows}; calibration ${r.calibration.method} ` +
      `(reference ECE ${f(r.calibration.referenceExpectedCalibrationError)}, calibrated-model bound ${f(r.calibration.calibratedEceThreshold)})`,
  );
  lines.push('');
  const rows: [string, string, string, string][] = [['metric', 'estimated', '95% band', 'realized']];
  const add = (name: string, v: number, band: [number, number], rv: number | undefined): void => {
    rows.push([name, f(v), `[${f(band[0])}, ${f(band[1])}]`, rv === undefined ? '—' : f(rv)]);
  };
  add('accuracy', e.accuracy, e.accuracyBand, real?.accuracy);
  add('precision (macro)', e.precisionMacro, e.precisionMacroBand, real?.precisionMacro);
  add('recall (macro)', e.recallMacro, e.recallMacroBand, real?.recallMacro);
  add('F1 (macro)', e.f1Macro, e.f1MacroBand, real?.f1Macro);
  const pad = (cells: string[][]): string[] => {
    const w = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
    return cells.map((c) =>
      c
        .map((x, i) => x.padEnd(w[i]))
        .join('  ')
        .trimEnd(),
    );
  };
  lines.push(...pad(rows));
  lines.push('');
  const per: string[][] = [
    ['class', 'est. precision', 'est. recall', 'est. F1', 'est. support', 'real F1', 'real support'],
  ];
  for (const c of e.confusionMatrix.labels) {
    const s = e.perClass[c];
    const rs = real?.perClass[c];
    per.push([
      c,
      f(s.precision),
      f(s.recall),
      f(s.f1),
      s.support.toFixed(1),
      rs ? f(rs.f1) : '—',
      rs ? String(rs.support) : '—',
    ]);
  }
  lines.push(...pad(per));
  lines.push('');
  lines.push(
    "The estimate assumes P(y|x) is the reference's: it cannot see concept drift (docs/quality.md).",
  );
  return lines.join('\n');
}
