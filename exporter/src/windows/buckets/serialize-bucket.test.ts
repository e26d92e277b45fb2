import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { BUCKET_FORMAT_VERSION, bucketSchemaFromProfile } from './bucket-schema';
import { createBucketState, foldEvent, type BucketState } from './bucket-state';
import { exactFields } from './exact-fields';
import { mergeBucketStates } from './merge-buckets';
import { BucketStateError, bucketFromJson, bucketToJson } from './serialize-bucket';

const profile = makeProfile();
const schema = bucketSchemaFromProfile(profile, { maxUnseenValues: 5 });
const events = makeStream(3000, { seed: 3, spanMs: 60_000 });

function folded(list = events, seed = 0): BucketState {
  const b = createBucketState(schema, { model: 'm', startMs: T0, sampleSize: 500, seed });
  for (const e of list) foldEvent(b, schema, e);
  return b;
}

const roundTrip = (b: BucketState): BucketState =>
  bucketFromJson(JSON.parse(JSON.stringify(bucketToJson(b, schema))), schema);

describe('bucket serialisation', () => {
  it('round-trips every field bit for bit: counts, moments, ±Infinity, the sample with its NaNs, the generator', () => {
    const b = folded();
    const back = roundTrip(b);
    expect(exactFields(back)).toEqual(exactFields(b));
    expect(back.numerical.map((n) => n.moments)).toEqual(b.numerical.map((n) => n.moments));
    expect(back.numerical[0].min).toBe(-Infinity);
    expect(back.sample.size).toBe(500);
    for (let c = 0; c < b.sample.columns.length; c++)
      expect(Array.from(back.sample.columns[c].subarray(0, 500))).toEqual(
        Array.from(b.sample.columns[c].subarray(0, 500)),
      );
    expect(Array.from(b.sample.columns[0].subarray(0, 500)).some(Number.isNaN)).toBe(true);
    expect(back.sample.labels).toEqual(b.sample.labels.slice(0, 500));
    expect(Array.from(back.rng)).toEqual(Array.from(b.rng));
  });

  it('lets a restored bucket go on folding exactly as an uninterrupted one (same sample too)', () => {
    const uninterrupted = folded();
    const half = folded(events.slice(0, 1234));
    const resumed = roundTrip(half);
    for (const e of events.slice(1234)) foldEvent(resumed, schema, e);
    expect(exactFields(resumed)).toEqual(exactFields(uninterrupted));
    expect(Array.from(resumed.sample.columns[1].subarray(0, 500))).toEqual(
      Array.from(uninterrupted.sample.columns[1].subarray(0, 500)),
    );
  });

  it('round-trips an empty bucket and a merged one', () => {
    const empty = createBucketState(schema, { model: 'm', startMs: T0 });
    expect(exactFields(roundTrip(empty))).toEqual(exactFields(empty));
    const merged = mergeBucketStates(schema, folded(events.slice(0, 1000), 1), folded(events.slice(1000), 2));
    expect(exactFields(merged)).toEqual(exactFields(folded()));
    expect(exactFields(roundTrip(merged))).toEqual(exactFields(merged));
  });

  it('refuses a bucket of another format version (an older one too), with a clear error', () => {
    // Format 2 added the data-quality counts (new columns, +Infinity): a version-1 checkpoint is refused.
    expect(BUCKET_FORMAT_VERSION).toBe(2);
    const json = { ...bucketToJson(folded(events.slice(0, 10)), schema), formatVersion: 1 };
    expect(() => bucketFromJson(json, schema)).toThrow(BucketStateError);
    expect(() => bucketFromJson(json, schema)).toThrow(
      'bucket state of model "m" at 1767225600000 has format version 1; this exporter reads version 2 only',
    );
    const newer = { ...json, formatVersion: 3 };
    expect(() => bucketFromJson(newer, schema)).toThrow(
      'has format version 3; this exporter reads version 2 only',
    );
  });

  it('refuses a bucket folded under another schema (another profile or other bounds)', () => {
    const json = bucketToJson(folded(events.slice(0, 10)), schema);
    const other = bucketSchemaFromProfile(profile, { maxUnseenValues: 6 });
    expect(other.id).not.toBe(schema.id);
    expect(() => bucketFromJson(json, other)).toThrow(
      `was folded under bucket schema ${schema.id}, this exporter's is ${other.id} (the reference profile or the bucket options changed); it cannot be merged`,
    );
    expect(() => bucketFromJson({ format: 'x' }, schema)).toThrow(/not a bucket state/);
    const broken = { ...json, sample: { ...json.sample, values: 'AAAA' } };
    expect(() => bucketFromJson(broken, schema)).toThrow(/wrong length/);
  });

  it('gives the same schema id for the same profile and options, another for another profile', () => {
    expect(bucketSchemaFromProfile(profile, { maxUnseenValues: 5 }).id).toBe(schema.id);
    expect(bucketSchemaFromProfile(makeProfile(3000, 8), { maxUnseenValues: 5 }).id).not.toBe(schema.id);
  });
});
