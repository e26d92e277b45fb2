/**
 * A stand-in drift engine for unit tests of the exporter's wiring (metrics, API, notifications): a transparent
 * rule (drift when a feature's current mean moves more than `shift` from the reference mean). The real
 * statistics are STATS' and are tested against scipy in their own suites. Its profile is a real one (the window
 * store folds under it); only the verdict is the stand-in's.
 */
import type { ModelConfig } from '../../src/config';
import type { ReferenceProfile, ReferenceQuality } from '../../src/drift/profile-types';
import type { DriftEngine, DriftReport, LoadedBaseline } from '../../src/service/drift-engine';
import type { CellValue } from '../../src/stats/missing';
import type { WindowColumnInput } from '../../src/windows/buckets';

export interface FakeBaseline {
  means: Record<string, number>;
  shift: number;
  version?: string;
  /** The profile's quality baseline (issue #11): the window then carries the label-free estimate. */
  quality?: ReferenceQuality;
}

/** A reference of 1,000 rows per feature, all at its mean (bins: below / above 5). */
function profileOf(means: Record<string, number>): ReferenceProfile {
  return {
    schemaVersion: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    rows: 1000,
    bins: 2,
    reservoirSize: 1,
    features: Object.entries(means).map(([name, mean]) => ({
      name,
      type: 'numerical' as const,
      role: 'feature' as const,
      count: 1000,
      missing: 0,
      invalid: 0,
      summary: { count: 1000, missing: 0, mean, std: 0, min: mean, max: mean, quantiles: {} },
      binEdges: [5],
      binCounts: mean < 5 ? [1000, 0] : [0, 1000],
      sample: [mean],
      sampleComplete: false,
    })),
  };
}

export function meanShiftEngine(
  baselines: Record<string, FakeBaseline | undefined>,
): DriftEngine & { loads: number } {
  const engine = {
    loads: 0,
    async load(model: ModelConfig): Promise<LoadedBaseline | null> {
      engine.loads += 1;
      const b = baselines[model.name];
      if (!b) return null;
      const names = Object.keys(b.means);
      /** The report of the rule, from each feature's current values and missing count. */
      function report(
        current: (name: string) => { values: readonly number[]; missing: number },
      ): DriftReport {
        const features = names.map((name) => {
          const { values, missing } = current(name);
          const mean = values.reduce((a, v) => a + v, 0) / values.length;
          const statistic = Math.abs(mean - b!.means[name]);
          const drift = statistic > b!.shift;
          return {
            name,
            type: 'numerical' as const,
            n: [1000, values.length] as [number, number],
            missing: [0, missing] as [number, number],
            tests: [{ name: 'wasserstein', statistic, pValue: null, threshold: b!.shift, drift }],
            drift,
            histogram: {
              edges: [0, 5, 10],
              reference: [0.5, 0.5],
              current: [mean < 5 ? 1 : 0, mean < 5 ? 0 : 1],
            },
          };
        });
        const driftShare = features.filter((f) => f.drift).length / features.length;
        return { features, dataset: { driftShare, drift: driftShare >= 0.5 } };
      }
      return {
        baselineVersion: b.version ?? '1',
        profile: b.quality ? { ...profileOf(b.means), quality: b.quality } : profileOf(b.means),
        features: names.map((name) => ({ name, type: 'numerical' as const })),
        detector: {
          evaluate(columns: Readonly<Record<string, readonly CellValue[]>>): DriftReport {
            return report((name) => {
              const values = columns[name].filter((v): v is number => typeof v === 'number');
              return { values, missing: columns[name].length - values.length };
            });
          },
          evaluateInputs(inputs: readonly WindowColumnInput[]): DriftReport {
            const byName = new Map(inputs.map((i) => [i.name, i]));
            return report((name) => {
              const c = byName.get(name)!.comparison;
              return {
                values: c?.type === 'numerical' ? [...c.currentSorted] : [],
                missing: byName.get(name)!.missing,
              };
            });
          },
        },
      };
    },
  };
  return engine;
}
