/**
 * A model's shadow traffic over the window (issue #14): how often each shadow version agrees with the primary, and
 * the shadow's quality on the primary's labelled rows. Served on `/api/models/{m}/shadow` and exported as
 * plumbline_shadow_* (docs/metrics.md).
 */
import type { ShadowAgreement, ShadowWindow } from '../windows/shadow';
import type { TimeRange } from '../windows';

export interface ShadowVersionReport {
  shadowVersion: string;
  /** Shadow rows in the window. */
  rows: number;
  /** Shadow rows whose primary row the window does not hold. */
  unpaired: number;
  /** Shadow rows whose primary row has ground truth. */
  labelled: number;
  /** Classifiers: accuracy on those rows (null without any). */
  accuracy: number | null;
  /** Regressors: mean absolute error on those rows (null without any). */
  mae: number | null;
}

export interface ShadowReport {
  model: string;
  window: { from: string; to: string };
  evaluatedAt: string;
  /** Per (primary version `modelVersion`, shadow version `shadowVersion`). */
  agreements: ShadowAgreement[];
  versions: ShadowVersionReport[];
}

export function shadowReport(model: string, range: TimeRange, at: number, w: ShadowWindow): ShadowReport {
  return {
    model,
    window: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
    evaluatedAt: new Date(at).toISOString(),
    agreements: w.agreements,
    versions: w.versions.map((v) => ({
      shadowVersion: v.shadowVersion,
      rows: v.rows,
      unpaired: v.unpaired,
      labelled: v.quality.labelled,
      accuracy: v.quality.labelled > 0 ? (v.quality.classification?.accuracy ?? null) : null,
      mae: v.quality.labelled > 0 ? (v.quality.regression?.mae ?? null) : null,
    })),
  };
}
