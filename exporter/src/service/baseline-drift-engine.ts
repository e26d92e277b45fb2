/**
 * The default drift engine: reference profiles from the configured BaselineStore (file or Elasticsearch, built
 * by `plumbline baseline import`), compared with STATS' detector. Which stored version a model uses:
 * `baseline.version` when set; else the one stored under the model's `version`, falling back to the latest.
 */
import type { BaselineStoreConfig, ModelConfig } from '../config';
import { createElasticsearchBaselineStore } from '../baseline/elasticsearch-store';
import { createFileBaselineStore, defaultBaselineDir } from '../baseline/file-store';
import type { BaselineStore } from '../baseline/store';
import { createNumericPool, type NumericPool } from '../drift/numeric-pool';
import type { DriftEngine } from './drift-engine';
import { createProfileDriftEngine, type StoredProfile } from './profile-drift-engine';

export function createBaselineStoreFromConfig(
  config: BaselineStoreConfig,
  env: NodeJS.ProcessEnv,
): BaselineStore {
  return config.kind === 'file'
    ? createFileBaselineStore(config.dir ?? defaultBaselineDir(env))
    : createElasticsearchBaselineStore(config);
}

export async function findBaseline(store: BaselineStore, model: ModelConfig): Promise<StoredProfile | null> {
  const wanted = model.baseline.version ?? model.version;
  const stored =
    model.baseline.version !== null
      ? await store.get(model.name, model.baseline.version)
      : ((wanted !== null ? await store.get(model.name, wanted) : null) ?? (await store.get(model.name)));
  return stored ? { profile: stored.profile, version: stored.version } : null;
}

/**
 * The service's drift engine: its detectors compare numerical columns in `pool` — by default a drift worker pool of
 * its own, so the service's workers and scratch memory are its own too — and `close()` stops that pool's workers
 * and closes the store.
 */
export function createBaselineDriftEngine(
  store: BaselineStore,
  models: readonly ModelConfig[],
  pool: NumericPool = createNumericPool(),
): DriftEngine {
  const engine = createProfileDriftEngine((model) => findBaseline(store, model), models, pool);
  return {
    load: engine.load,
    close: async () => {
      pool.close();
      await store.close?.();
    },
  };
}
