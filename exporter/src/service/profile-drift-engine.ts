/**
 * The drift engine on STATS' detector: for each model, its stored reference profile (from a baseline store)
 * and `createDriftDetector(profile, options)` built once with the model's config — features narrowed to the
 * configured list, stat test per feature, thresholds per test (model-wide or per feature), correction and
 * dataset share. Settings the profile cannot honour (a feature it lacks, an unknown test id) are config errors
 * naming the key.
 */
import { ConfigError, type ModelConfig } from '../config';
import { checkDataQualityFeatures } from '../data-quality/check-features';
import { createDriftDetector, type DriftDetectorOptions, type FeatureDriftOptions } from '../drift/detector';
import type { NumericPool } from '../drift/numeric-pool';
import type { ReferenceProfile } from '../drift/profile-types';
import type { StatTestId } from '../stattests/types';
import type { DriftEngine, LoadedBaseline } from './drift-engine';

export interface StoredProfile {
  profile: ReferenceProfile;
  /** The stored baseline's version (shown on /api). */
  version: string | null;
}

/** Finds the stored profile for a model (by its baseline ref), or null when none is stored. */
export type ProfileLoader = (model: ModelConfig) => Promise<StoredProfile | null>;

export function detectorOptions(
  model: ModelConfig,
  profile: ReferenceProfile,
  index = 0,
): DriftDetectorOptions {
  const known = new Set(profile.features.filter((f) => f.role === 'feature').map((f) => f.name));
  const key = (k: string) => `models.${index}.${k}`;
  for (const name of model.features) {
    if (!known.has(name)) {
      throw new ConfigError(
        `invalid config key ${key('features')}: baseline of ${model.name} has no feature "${name}" (it has: ${[...known].join(', ')})`,
        key('features'),
      );
    }
  }
  const features: Record<string, FeatureDriftOptions> = {};
  for (const [name, stattest] of Object.entries(model.stattests)) {
    if (!known.has(name)) {
      throw new ConfigError(
        `invalid config key ${key(`stattests.${name}`)}: the baseline has no feature "${name}"`,
        key(`stattests.${name}`),
      );
    }
    features[name] = { ...features[name], stattest: stattest as StatTestId };
  }
  for (const [name, thresholds] of Object.entries(model.featureThresholds)) {
    if (!known.has(name)) {
      throw new ConfigError(
        `invalid config key ${key(`featureThresholds.${name}`)}: the baseline has no feature "${name}"`,
        key(`featureThresholds.${name}`),
      );
    }
    features[name] = { ...features[name], thresholds: thresholds as Partial<Record<StatTestId, number>> };
  }
  checkDataQualityFeatures(model.dataQuality, profile, key('dataQuality'), model.name);
  return {
    features,
    thresholds: model.thresholds as Partial<Record<StatTestId, number>>,
    correction: model.correction,
    driftShareThreshold: model.driftShare,
    ...(model.effectSizeFloor !== null ? { effectSizeFloor: model.effectSizeFloor } : {}),
  };
}

/** The profile restricted to the configured features (prediction and label columns stay). */
export function narrowProfile(profile: ReferenceProfile, features: readonly string[]): ReferenceProfile {
  if (features.length === 0) return profile;
  const keep = new Set(features);
  return { ...profile, features: profile.features.filter((f) => f.role !== 'feature' || keep.has(f.name)) };
}

/** Detectors for the models' stored profiles; they compare numerical columns in `pool` (default: the shared one). */
export function createProfileDriftEngine(
  loadProfile: ProfileLoader,
  models: readonly ModelConfig[] = [],
  pool?: NumericPool,
): DriftEngine {
  return {
    async load(model: ModelConfig): Promise<LoadedBaseline | null> {
      const stored = await loadProfile(model);
      if (!stored) return null;
      const index = Math.max(
        0,
        models.findIndex((m) => m.name === model.name),
      );
      const options = detectorOptions(model, stored.profile, index);
      const profile = narrowProfile(stored.profile, model.features);
      let detector;
      try {
        detector = createDriftDetector(profile, { ...options, ...(pool ? { pool } : {}) });
      } catch (err) {
        throw new ConfigError(
          `invalid drift settings of models.${index} (${model.name}): ${(err as Error).message}`,
          `models.${index}`,
        );
      }
      return {
        detector,
        profile,
        knownColumns: stored.profile.features.map((f) => f.name),
        baselineVersion: stored.version,
        features: profile.features
          .filter((f) => f.role === 'feature')
          .map((f) => ({ name: f.name, type: f.type })),
        predictionColumn: profile.features.find((f) => f.role === 'prediction')?.name ?? null,
        labelColumn: profile.features.find((f) => f.role === 'label')?.name ?? null,
      };
    },
  };
}
