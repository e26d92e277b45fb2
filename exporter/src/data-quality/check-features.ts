import { ConfigError } from '../config';
import type { ReferenceProfile } from '../drift/profile-types';
import type { DataQualityConfig } from './config';

/**
 * Start-up check of a model's `dataQuality.features`: every name must be a feature of the baseline, else a
 * ConfigError naming the key (`models.0.dataQuality.features.agee`), like `featureThresholds`.
 * `keyPrefix` is where the config sits (`models.0.dataQuality`).
 */
export function checkDataQualityFeatures(
  config: DataQualityConfig,
  profile: ReferenceProfile,
  keyPrefix: string,
  model = '',
): void {
  const known = profile.features.filter((f) => f.role === 'feature').map((f) => f.name);
  for (const name of Object.keys(config.features)) {
    if (!known.includes(name)) {
      const key = `${keyPrefix}.features.${name}`;
      throw new ConfigError(
        `invalid config key ${key}: the baseline${model ? ` of ${model}` : ''} has no feature "${name}" (it has: ${known.join(', ')})`,
        key,
      );
    }
  }
}
