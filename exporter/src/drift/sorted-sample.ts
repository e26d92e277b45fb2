import type { NumericalFeatureProfile } from './profile-types';

/**
 * A numerical feature profile stores its sorted reference sample as a plain number[] (the profile is JSON), while
 * the tests read it as a Float64Array. Converting back and forth costs ~10 ms per 200k values and a large
 * old-space array per column, so a freshly built profile keeps the Float64Array and makes the number[] only when
 * somebody reads `sample` (JSON.stringify, a test, a copy); the detector takes the Float64Array itself. A profile
 * that came from JSON has a plain array, converted once when a detector is created.
 */
const typedSamples = new WeakMap<object, Float64Array>();

/**
 * Makes `feature.sample` (already a key of `feature`, so its place in the JSON stays) a lazily made, then cached,
 * number[] copy of `sorted`, and remembers `sorted` for {@link sortedSampleOf}. `sorted` must not change afterwards.
 */
export function withSample<T extends { readonly sample: readonly number[] }>(
  feature: T,
  sorted: Float64Array,
): T {
  typedSamples.set(feature, sorted);
  Object.defineProperty(feature, 'sample', {
    enumerable: true,
    configurable: true,
    get(this: T): readonly number[] {
      const sample = copyToArray(sorted, new Array<number>(sorted.length));
      Object.defineProperty(this, 'sample', { value: sample, enumerable: true, writable: false });
      return sample;
    },
  });
  return feature;
}

/** The feature's sorted sample as a Float64Array: the one it was built from when known, else a fresh copy. */
export function sortedSampleOf(feature: NumericalFeatureProfile): Float64Array {
  return typedSamples.get(feature) ?? Float64Array.from(feature.sample);
}

/** A loop of its own (optimised whole by V8); ~10× faster than Array.from on a Float64Array. */
function copyToArray(values: Float64Array, out: number[]): number[] {
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}
