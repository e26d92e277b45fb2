import { UsageError } from '@plumbline/service-kit/cli';
import type { ReferenceProfile } from '../drift/profile-types';

/** Model version used when none is given. */
export const DEFAULT_MODEL_VERSION = 'default';

/** A stored baseline: one reference profile per (model, model version). */
export interface StoredBaseline {
  readonly model: string;
  readonly version: string;
  /** When it was stored (ISO 8601). */
  readonly storedAt: string;
  /** Where the data came from (a file path, or a description of a time range). */
  readonly source: string;
  readonly profile: ReferenceProfile;
}

export type BaselineSummary = Omit<StoredBaseline, 'profile'> & {
  readonly rows: number;
  readonly features: number;
};

/**
 * Where baselines live: the local file store (embedded default) or Elasticsearch. Storing the same (model, version)
 * again replaces it. `get` without a version returns the most recently stored version of the model.
 */
export interface BaselineStore {
  put(baseline: Omit<StoredBaseline, 'storedAt'>): Promise<StoredBaseline>;
  get(model: string, version?: string): Promise<StoredBaseline | null>;
  list(model?: string): Promise<BaselineSummary[]>;
  close?(): Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Model names and versions become file names and document ids: letters, digits, '.', '_', '-' (max 128). */
export function checkBaselineKey(what: 'model' | 'version', value: string): string {
  if (!NAME.test(value) || value.includes('..')) {
    throw new UsageError(
      `invalid ${what} "${value}": use letters, digits, '.', '_' or '-' (max 128, no '..')`,
      {
        key: what,
      },
    );
  }
  return value;
}

export function summarize(b: StoredBaseline): BaselineSummary {
  return {
    model: b.model,
    version: b.version,
    storedAt: b.storedAt,
    source: b.source,
    rows: b.profile.rows,
    features: b.profile.features.length,
  };
}
