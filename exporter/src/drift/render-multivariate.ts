import type { MultivariateOutcome } from './multivariate';

const fmt = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The `multivariate` part of `plumbline drift --json` (docs/stattests.md): the figures, or `null` with the reason
 * as `multivariateSkipped`. Nothing when the report has none.
 */
export function multivariateJson(outcome: MultivariateOutcome | undefined): Record<string, unknown> {
  if (!outcome) return {};
  if ('skipped' in outcome) return { multivariate: null, multivariateSkipped: outcome.skipped };
  const { method, components, referenceError, currentError, lower, upper, drift, rows, sampled } = outcome;
  return {
    multivariate: {
      method,
      components,
      referenceError,
      currentError,
      lower,
      upper,
      drift,
      rows,
      ...(sampled !== undefined ? { sampled } : {}),
    },
  };
}

/** The table's line for multivariate drift. */
export function multivariateTableLine(outcome: MultivariateOutcome): string {
  if ('skipped' in outcome) return `Multivariate (${outcome.method}): skipped: ${outcome.skipped}`;
  const o = outcome;
  return (
    `Multivariate (${o.method}, ${o.components} component${o.components === 1 ? '' : 's'}): mean reconstruction ` +
    `error ${fmt(o.currentError)} over ${o.rows} rows vs reference ${fmt(o.referenceError)}, thresholds ` +
    `[${o.lower === null ? '–' : fmt(o.lower)}, ${fmt(o.upper)}] → ${o.drift ? 'MULTIVARIATE DRIFT' : 'no multivariate drift'}`
  );
}

/**
 * The HTML report's card: the current error against the reference's band on one axis, drawn with positioned
 * boxes (the report's SVGs are one per feature).
 */
export function multivariateHtmlCard(outcome: MultivariateOutcome): string {
  if ('skipped' in outcome)
    return `<section class="card"><header><h2>Multivariate drift <small>${esc(outcome.method)}</small></h2><span class="badge skip">skipped</span></header><p class="muted" style="margin:0">${esc(outcome.skipped)}</p></section>`;
  const o = outcome;
  const lo = Math.min(o.lower ?? 0, o.currentError, o.referenceError);
  const hi = Math.max(o.upper, o.currentError);
  const pad = (hi - lo) * 0.08 || 1;
  /** Position on the axis, in % of its width. */
  const at = (v: number): string => `${(((v - (lo - pad)) / (hi - lo + 2 * pad)) * 100).toFixed(2)}%`;
  const from = o.lower ?? lo - pad;
  const box = 'position:absolute;top:22px;height:18px';
  const axis =
    `<div style="position:relative;height:64px;margin:6px 0 10px" role="img" aria-label="reconstruction error: current ${fmt(o.currentError)}, no-drift band ${o.lower === null ? '' : `${fmt(o.lower)} to `}${fmt(o.upper)}">` +
    `<div style="${box};left:${at(from)};width:calc(${at(o.upper)} - ${at(from)});background:#e8f5ee" title="no drift"></div>` +
    `<div style="${box};left:${at(o.referenceError)};width:2px;background:#6e7fd6" title="reference ${fmt(o.referenceError)}"></div>` +
    `<div style="position:absolute;top:25px;left:calc(${at(o.currentError)} - 6px);width:12px;height:12px;border-radius:6px;background:${o.drift ? '#c0392b' : '#f2994a'}" title="current ${fmt(o.currentError)}"></div>` +
    `<span class="ax" style="position:absolute;top:44px;left:${at(o.referenceError)};transform:translateX(-50%)">reference ${fmt(o.referenceError)}</span>` +
    `<span class="ax" style="position:absolute;top:4px;left:${at(o.currentError)};transform:translateX(-50%)">current ${fmt(o.currentError)}</span></div>`;
  return `<section class="card${o.drift ? ' drifted' : ''}" id="multivariate">
<header><h2>Multivariate drift <small>data reconstruction (PCA, ${o.components} component${o.components === 1 ? '' : 's'})</small></h2><span class="muted">mean reconstruction error over ${o.rows} rows${o.sampled !== undefined ? ' (a uniform sample)' : ''}</span><span class="badge ${o.drift ? 'bad' : 'ok'}">${o.drift ? 'drift' : 'no drift'}</span></header>
${axis}
<table><thead><tr><th>reference error</th><th>current error</th><th>lower</th><th>upper</th><th>verdict</th></tr></thead><tbody><tr class="${o.drift ? 'd' : ''}"><td>${fmt(o.referenceError)}</td><td>${fmt(o.currentError)}</td><td>${o.lower === null ? '–' : fmt(o.lower)}</td><td>${fmt(o.upper)}</td><td>${o.drift ? 'drift' : 'no'}</td></tr></tbody></table>
<div class="muted" style="margin:0">Drift when the current error is ≥ upper or ≤ lower: a change in how the numerical features move together, which per-feature tests cannot see. docs/stattests.md, "Multivariate drift: data reconstruction".</div>
</section>`;
}
