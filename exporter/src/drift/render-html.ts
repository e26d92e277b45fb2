import type { DataQualityReport } from '../data-quality/types';
import { multivariateHtmlCard } from './render-multivariate';
import type { DriftReport, FeatureDrift } from './report-types';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const num = (x: number | undefined): string => {
  if (x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a === 0 ? '0' : a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
};

const REF = '#6e7fd6';
const CUR = '#f2994a';

/** Grouped bars, reference vs current share per bin / category, as an inline SVG. */
function histogramSvg(f: FeatureDrift): string {
  const h = f.histogram;
  if (!h) return '<p class="muted">No histogram: nothing to compare.</p>';
  const labels =
    h.categories ??
    h.reference.map((_, i) =>
      i === 0
        ? `≤ ${num(h.edges![1])}`
        : i === h.reference.length - 1
          ? `> ${num(h.edges![i])}`
          : `${num(h.edges![i])}–${num(h.edges![i + 1])}`,
    );
  const bins = labels.length;
  const W = 640;
  const H = 220;
  const padL = 40;
  const padB = 56;
  const plotW = W - padL - 10;
  const plotH = H - padB - 10;
  const max = Math.max(...h.reference, ...h.current, 1e-9);
  const slot = plotW / bins;
  const bw = Math.max(2, slot * 0.38);
  const y = (v: number): number => 10 + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(`<line x1="${padL}" x2="${W - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e3e8"/>`);
    parts.push(
      `<text x="${padL - 4}" y="${y(v) + 4}" text-anchor="end" class="ax">${(v * 100).toFixed(0)}%</text>`,
    );
  }
  labels.forEach((label, i) => {
    const x0 = padL + i * slot + slot / 2 - bw;
    const r = h.reference[i];
    const c = h.current[i];
    parts.push(
      `<rect x="${x0}" y="${y(r)}" width="${bw}" height="${10 + plotH - y(r)}" fill="${REF}"><title>reference ${esc(label)}: ${(r * 100).toFixed(1)}%</title></rect>`,
    );
    parts.push(
      `<rect x="${x0 + bw}" y="${y(c)}" width="${bw}" height="${10 + plotH - y(c)}" fill="${CUR}"><title>current ${esc(label)}: ${(c * 100).toFixed(1)}%</title></rect>`,
    );
    const lx = padL + i * slot + slot / 2;
    const text = label.length > 14 ? `${label.slice(0, 13)}…` : label;
    parts.push(
      `<text x="${lx}" y="${H - padB + 14}" transform="rotate(35 ${lx} ${H - padB + 14})" class="ax">${esc(text)}</text>`,
    );
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(f.name)}: reference vs current">${parts.join('')}</svg>`;
}

function featureCard(f: FeatureDrift, role?: string): string {
  const verdict = f.skipped
    ? `<span class="badge skip">skipped</span>`
    : f.drift
      ? `<span class="badge bad">drift</span>`
      : `<span class="badge ok">no drift</span>`;
  const tests = f.tests
    .map(
      (t) =>
        `<tr class="${t.drift ? 'd' : ''}"><td>${t.decisive ? '<b>' : ''}${t.name}${t.decisive ? '</b> ★' : ''}</td><td>${num(t.statistic)}</td><td>${num(t.pValue)}${t.pValueAdjusted !== undefined ? ` (adj ${num(t.pValueAdjusted)})` : ''}</td><td>${num(t.threshold)}</td><td>${t.drift ? 'drift' : 'no'}</td></tr>`,
    )
    .join('');
  const s = f.summary;
  const summaryRows =
    'mean' in s.reference && 'mean' in s.current
      ? (['mean', 'std', 'min', 'max'] as const)
          .map(
            (k) =>
              `<tr><td>${k}</td><td>${num((s.reference as never)[k])}</td><td>${num((s.current as never)[k])}</td></tr>`,
          )
          .join('') +
        `<tr><td>median</td><td>${num(s.reference.quantiles.p50)}</td><td>${num(s.current.quantiles.p50)}</td></tr>`
      : 'distinct' in s.reference && 'distinct' in s.current
        ? `<tr><td>distinct</td><td>${s.reference.distinct}</td><td>${s.current.distinct}</td></tr><tr><td>top</td><td>${esc(String(s.reference.top))} (${(s.reference.topShare * 100).toFixed(1)}%)</td><td>${esc(String(s.current.top))} (${(s.current.topShare * 100).toFixed(1)}%)</td></tr>`
        : '';
  return `<section class="card${f.drift ? ' drifted' : ''}" id="f-${esc(f.name)}">
<header><h2>${esc(f.name)}${role ? ` <small>${role}</small>` : ''}</h2><span class="muted">${f.type} · n ${f.n[0]} / ${f.n[1]} · missing ${f.missing[0]} / ${f.missing[1]}${f.referenceSampled ? ' · KS/Wasserstein vs reference sample' : ''}</span>${verdict}</header>
<div class="grid"><div>${histogramSvg(f)}<div class="legend"><i style="background:${REF}"></i>reference <i style="background:${CUR}"></i>current</div></div>
<div><table><thead><tr><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>verdict</th></tr></thead><tbody>${tests || `<tr><td colspan="5">${esc(f.skipped ?? '')}</td></tr>`}</tbody></table>
<table class="sum"><thead><tr><th></th><th>reference</th><th>current</th></tr></thead><tbody>${summaryRows}</tbody></table></div></div>
</section>`;
}

/** The data-quality section: a banner line and the failed checks (every check ran; only failures are listed). */
function qualitySection(q: DataQualityReport): string {
  const rows = q.checks
    .filter((c) => c.failed)
    .map(
      (c) =>
        `<tr class="d"><td>${esc(c.feature)}</td><td><code>${c.check}</code></td><td>${num(c.value)}</td><td>${num(c.threshold)}</td></tr>`,
    )
    .join('');
  const summary =
    q.failed === 0
      ? `Data quality: no check failed (${q.checks.length} checks).`
      : `Data quality: ${q.failed} of ${q.checks.length} checks failed.`;
  return `<section class="card${q.failed ? ' drifted' : ''}" id="data-quality"><header><h2>${summary}</h2></header>${
    rows
      ? `<table><thead><tr><th>feature</th><th>check</th><th>value</th><th>threshold</th></tr></thead><tbody>${rows}</tbody></table>`
      : ''
  }<div class="muted" style="margin:0">A check fails when value &gt; threshold. Definitions: docs/stattests.md, "Data-quality checks".</div></section>`;
}

/**
 * A self-contained HTML drift report (no external assets): verdict banner, overview, the failed data-quality checks
 * (with `meta.dataQuality`), one card per feature.
 */
export function renderDriftHtml(
  report: DriftReport,
  meta: { reference: string; current: string; generatedAt?: string; dataQuality?: DataQualityReport },
): string {
  const d = report.dataset;
  const ordered = [...report.features].sort((a, b) => Number(b.drift) - Number(a.drift));
  const overview = ordered
    .map((f) => {
      const t = f.tests.find((x) => x.decisive);
      return `<tr class="${f.drift ? 'd' : ''}"><td><a href="#f-${esc(f.name)}">${esc(f.name)}</a></td><td>${f.type}</td><td>${t?.name ?? '–'}</td><td>${num(t?.statistic)}</td><td>${num(t?.pValue)}</td><td>${num(t?.threshold)}</td><td>${f.skipped ? 'skipped' : f.drift ? 'drift' : 'no'}</td></tr>`;
    })
    .join('');
  const cards = [
    ...ordered.map((f) => featureCard(f)),
    ...(report.prediction ? [featureCard(report.prediction, 'prediction')] : []),
    ...(report.label ? [featureCard(report.label, 'label')] : []),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Plumbline drift report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f6f7fb;color:#1d2130}
main{max-width:1120px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:22px} h2{margin:0;font-size:17px;display:inline} small{color:#777;font-weight:normal}
.banner{padding:16px 20px;border-radius:10px;color:#fff;margin:16px 0;font-size:16px}
.banner.bad{background:#c0392b}.banner.ok{background:#2e8b57}
.muted{color:#6b7080;margin-left:10px}.card{background:#fff;border-radius:10px;padding:16px 20px;margin:14px 0;box-shadow:0 1px 3px #0001;border-left:5px solid #2e8b57}
.card.drifted{border-left-color:#c0392b}.card header{display:flex;align-items:baseline;gap:6px;flex-wrap:wrap;margin-bottom:8px}
.badge{margin-left:auto;padding:2px 10px;border-radius:12px;font-size:12px;font-weight:600}
.badge.bad{background:#fdecea;color:#c0392b}.badge.ok{background:#e8f5ee;color:#2e8b57}.badge.skip{background:#eee;color:#666}
.grid{display:grid;grid-template-columns:3fr 2fr;gap:18px;align-items:start}
table{border-collapse:collapse;width:100%;margin-bottom:10px;background:#fff}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;font-variant-numeric:tabular-nums}
th{font-weight:600;color:#555;font-size:12px;text-transform:uppercase}tr.d td{color:#c0392b}
.ax{font-size:10px;fill:#666}.legend{font-size:12px;color:#555}.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;border-radius:2px}
@media(max-width:800px){.grid{grid-template-columns:1fr}}
</style></head><body><main>
<h1>Drift report</h1>
<div class="muted" style="margin:0">reference <code>${esc(meta.reference)}</code> · current <code>${esc(meta.current)}</code> · ${esc(meta.generatedAt ?? new Date().toISOString())}</div>
<div class="banner ${d.drift ? 'bad' : 'ok'}"><b>${d.drift ? 'Dataset drift detected' : 'No dataset drift'}</b> — ${d.driftedFeatures} of ${d.testedFeatures} features drifted (share ${(d.driftShare * 100).toFixed(1)}%, threshold ${(d.driftShareThreshold * 100).toFixed(0)}%, correction ${d.correction}).</div>
<section class="card" style="border-left-color:#6e7fd6"><table><thead><tr><th>feature</th><th>type</th><th>deciding test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>verdict</th></tr></thead><tbody>${overview}</tbody></table>
<div class="muted" style="margin:0">p-value tests drift when p &lt; α; distance tests when statistic ≥ threshold. Definitions: docs/stattests.md.</div></section>
${report.multivariate ? multivariateHtmlCard(report.multivariate) : ''}
${meta.dataQuality ? qualitySection(meta.dataQuality) : ''}
${cards}
</main></body></html>
`;
}
