import type { ReferenceProfile } from '../drift/profile-types';
import { countsEntries } from '../windows/buckets/bounded-counts';
import type { BucketSchema } from '../windows/buckets/bucket-schema';
import { COLUMN_CHECKS, shareThreshold, wholeColumnMissing, type ColumnContext } from './checks';
import { DEFAULT_DATA_QUALITY_CONFIG, type DataQualityConfig } from './config';
import { referenceExpectations } from './reference-expectations';
import type {
  DataQualityCheckId,
  DataQualityCheckResult,
  DataQualityReport,
  DataQualityWindow,
  ShareCheckId,
} from './types';

/**
 * The data-quality checks of a window (issue #12) against the reference profile, from the window's counts only
 * ({@link DataQualityWindow}: a merged `WindowState`, a bucket, a table folded with `foldTable` / `foldRow`, or the
 * counts `DriftDetector.evaluateTable` takes in its drift pass over a table, the same numbers): no event is read
 * again, and the service, /api, the metrics and `plumbline drift` get the same answer from the same counts.
 *
 * For each feature column of the schema (the prediction and label columns are left out), every check of
 * {@link COLUMN_CHECKS} that applies; then one `new_column` entry per feature name the window carries that the
 * profile does not have (at most the schema's `maxNewColumns`, by name). A column with every row missing gets only
 * `missing_column` (nothing else can be judged). The verdict rule, one for all: **failed when value > threshold**.
 * Share checks: threshold = expected share (from the reference) + max(margin, 4 · √(p(1 − p)/n)); 0 / 1 checks:
 * threshold 0. Definitions, defaults and false-alarm rates: docs/stattests.md, "Data-quality checks".
 * `config` is a model's `dataQuality` (feature names checked at start-up by {@link checkDataQualityFeatures}).
 * Cost: O(columns + new names), plus O(distinct reference values) once per profile (cached).
 *
 * @example dataQualityChecks(mergeBuckets(schema, lastHour), schema, profile).failed
 */
export function dataQualityChecks(
  window: DataQualityWindow,
  schema: BucketSchema,
  profile: ReferenceProfile,
  config: DataQualityConfig = DEFAULT_DATA_QUALITY_CONFIG,
): DataQualityReport {
  if (window.schemaId !== schema.id)
    throw new RangeError(`window folded under schema ${window.schemaId}, not ${schema.id}`);
  const expectations = referenceExpectations(profile);
  const checks: DataQualityCheckResult[] = [];
  const modelSkip = new Set<DataQualityCheckId>(config.skip);
  const margin = (feature: string | null, id: ShareCheckId): number => {
    const own =
      feature === null || id === 'new_column' ? undefined : config.features[feature]?.thresholds[id];
    return own ?? config.thresholds[id];
  };
  for (const c of schema.columns) {
    if (c.role !== 'feature') continue;
    const reference = expectations.get(c.name);
    if (!reference) throw new RangeError(`column "${c.name}" is not in the profile`);
    const ctx: ColumnContext =
      c.type === 'numerical'
        ? {
            name: c.name,
            type: c.type,
            rows: window.rows,
            numerical: { state: window.numerical[c.sampleIndex], schema: c },
            reference,
            range: config.features[c.name]?.range ?? config.range,
          }
        : {
            name: c.name,
            type: c.type,
            rows: window.rows,
            categorical: { state: window.categorical[schema.categorical.indexOf(c)], schema: c },
            reference,
            range: config.range,
          };
    const skip = new Set([...modelSkip, ...(config.features[c.name]?.skip ?? [])]);
    const allMissing = wholeColumnMissing(ctx);
    for (const check of COLUMN_CHECKS) {
      if (skip.has(check.id) || !check.columnKinds.includes(c.type)) continue;
      if (allMissing && check.id !== 'missing_column') continue;
      const outcome = check.evaluate(ctx);
      if (!outcome) continue;
      const threshold =
        outcome.kind === 'share' ? shareThreshold(outcome, margin(c.name, check.id as ShareCheckId)) : 0;
      checks.push({
        feature: c.name,
        check: check.id,
        value: outcome.value,
        threshold,
        failed: outcome.value > threshold,
      });
    }
  }
  if (!modelSkip.has('new_column') && window.rows > 0) {
    const threshold = config.thresholds.new_column;
    for (const [name, rows] of countsEntries(window.newColumns)) {
      const value = rows / window.rows;
      checks.push({ feature: name, check: 'new_column', value, threshold, failed: value > threshold });
    }
  }
  return { checks, failed: checks.filter((c) => c.failed).length };
}
