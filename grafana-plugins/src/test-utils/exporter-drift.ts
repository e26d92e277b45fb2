/**
 * Drift reports as the exporter's /api/models/:model/drift serves them (exporter/src/api/server.ts), for the drift
 * panel's unit tests and the exporter stand-in of the browser suite.
 */
export interface DriftTestEntry {
  name: string;
  statistic: number;
  pValue: number | null;
  threshold: number;
  drift: boolean;
}

/** petal_length as both suites show it: KS and PSI flag it. */
export const PETAL_LENGTH_TESTS: DriftTestEntry[] = [
  { name: 'ks', statistic: 0.4125, pValue: 3.2e-12, threshold: 0.05, drift: true },
  { name: 'psi', statistic: 0.91, pValue: null, threshold: 0.2, drift: true },
];

/** region, a categorical feature chi-square does not flag. */
export const REGION_TESTS: DriftTestEntry[] = [
  { name: 'chisquare', statistic: 1.2, pValue: 0.55, threshold: 0.05, drift: false },
];

/** One feature of the latest window: reference / current sizes, missing counts, its tests; it drifts if one does. */
export function driftFeature(
  name: string,
  type: 'numerical' | 'categorical',
  n: [reference: number, current: number],
  tests: DriftTestEntry[],
  missing: [reference: number, current: number] = [0, 0]
) {
  return { name, type, n, missing, tests, drift: tests.some((t) => t.drift) };
}

/** The /drift body of model iris: the latest window (status ok) and no history. */
export function driftReportBody(latest: {
  window: { start: string; end: string };
  driftShare: number;
  features: Array<ReturnType<typeof driftFeature>>;
}) {
  return {
    model: 'iris',
    latest: {
      window: latest.window,
      status: 'ok',
      driftShare: latest.driftShare,
      drift: latest.features.some((f) => f.drift),
      features: latest.features,
    },
    history: [],
  };
}
