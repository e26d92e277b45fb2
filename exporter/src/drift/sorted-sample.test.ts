import { createDriftDetector } from './detector';
import { buildReferenceProfile } from './in-memory-profile-builder';
import type { NumericalFeatureProfile } from './profile-types';
import { mulberry32 } from './reservoir';
import { sortedSampleOf } from './sorted-sample';

// The profile's sample is made from the builder's Float64Array on first read; nothing about the profile may
// change because of it: same JSON, same plain array, same drift report as a profile that went through JSON.
describe('a freshly built profile keeps its sorted sample as a Float64Array', () => {
  const rnd = mulberry32(7);
  const column = (n: number, shift: number): number[] =>
    Array.from({ length: n }, () => Math.round((rnd() + shift) * 1000) / 1000);
  const reference = { x: column(3000, 0), y: column(3000, 0.5) };
  const current = { x: column(2000, 0.1), y: column(2000, 0.5) };

  it('reads as a sorted plain number[] with every value, the same array on every read', () => {
    const f = buildReferenceProfile(reference).features[0] as NumericalFeatureProfile;
    expect(Array.isArray(f.sample)).toBe(true);
    expect(f.sample).toEqual([...reference.x].sort((p, q) => p - q));
    expect(f.sample).toBe(f.sample);
    expect(Object.keys(f)).toContain('sample');
  });

  it('hands the detector the Float64Array it was built from, and a copy for a profile from JSON', () => {
    const profile = buildReferenceProfile(reference);
    const f = profile.features[0] as NumericalFeatureProfile;
    const typed = sortedSampleOf(f);
    expect(typed).toBeInstanceOf(Float64Array);
    expect(Array.from(typed)).toEqual(f.sample);
    const fromJson = JSON.parse(JSON.stringify(profile)) as typeof profile;
    expect(Array.from(sortedSampleOf(fromJson.features[0] as NumericalFeatureProfile))).toEqual(f.sample);
  });

  it('gives the same JSON and the same drift report whether or not the sample was read first', () => {
    const untouched = buildReferenceProfile(reference);
    const read = buildReferenceProfile(reference);
    void (read.features[0] as NumericalFeatureProfile).sample;
    const strip = (p: object): string => JSON.stringify({ ...p, createdAt: '' });
    expect(strip(untouched)).toBe(strip(read));
    const viaJson = JSON.parse(JSON.stringify(untouched)) as typeof untouched;
    expect(createDriftDetector(untouched).evaluate(current)).toEqual(
      createDriftDetector(viaJson).evaluate(current),
    );
  });
});
