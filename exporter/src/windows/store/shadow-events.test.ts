/**
 * Shadow events are not the model's traffic (issue #14): a challenger's answers folded next to the primary's must
 * change no model-level figure — rows, feature and prediction counts, the label join's quality, the truths for label
 * drift — whatever their order, and a refold (Elasticsearch) leaves them out as well.
 */
import type { InferenceEvent } from '@plumbline/schema';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { labelFor, shadowOf } from '../../../test/helpers/shadow-events';
import { exactFields, bucketStartFor } from '../buckets';
import { createLabelJoinCompanion } from './label-join-companion';
import { createWindowStore, type WindowStore } from './window-store';

const profile = makeProfile();
const range = { from: T0, to: T0 + 600_000 };
const qualityOptions = { confidenceThreshold: 0.6, maxClasses: 10 };

function newStore(): WindowStore {
  const store = createWindowStore({
    models: [{ name: 'm', version: null }],
    bucketWidthMs: 60_000,
    retentionMs: 3_600_000,
    seed: 3,
    dedupe: { horizonMs: 600_000, maxIds: 100_000 },
    now: () => T0 + 700_000,
    companion: () => createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 }),
  });
  store.setProfile('m', profile, []);
  return store;
}

function figures(store: WindowStore) {
  const w = store.window('m', range);
  return {
    exact: exactFields(w.state),
    starts: w.bucketStarts,
    quality: w.quality!(qualityOptions),
    truths: w.truths!(),
  };
}

describe('shadow events in the window store', () => {
  const primaries = makeStream(1500, { seed: 41 });
  // The challenger disagrees on every third row, and answers version "9" (a version the primary never has).
  const shadows = primaries.map((p, i) =>
    shadowOf(p, '9', i % 3 === 0 ? { label: 'c', confidence: 0.2 } : {}),
  );
  const labels = primaries.filter((_, i) => i % 2 === 0).map((p) => labelFor(p, 'a'));

  it('change no model-level figure, whether they come before, after or between the primary rows', () => {
    const alone = newStore();
    for (const e of primaries) alone.inference(e);
    for (const l of labels) alone.feedback(l);
    const expected = figures(alone);
    expect(expected.exact.rows).toBe(1500);
    expect(expected.quality.labelled).toBe(750);

    const orders: InferenceEvent[][] = [
      [...shadows, ...primaries],
      [...primaries, ...shadows],
      primaries.flatMap((p, i) => [shadows[i], p]),
    ];
    for (const events of orders) {
      const mixed = newStore();
      for (const e of events) mixed.inference(e);
      for (const l of labels) mixed.feedback(l);
      expect(figures(mixed)).toEqual(expected);
    }
  });

  it('are left out of a refolded bucket too', () => {
    const alone = newStore();
    const mixed = newStore();
    const start = bucketStartFor(Date.parse(primaries[0]['@timestamp']), 60_000);
    const inBucket = (e: InferenceEvent) => bucketStartFor(Date.parse(e['@timestamp']), 60_000) === start;
    alone.refold('m', start, primaries.filter(inBucket));
    mixed.refold('m', start, [...primaries, ...shadows].filter(inBucket));
    expect(exactFields(mixed.window('m', range).state)).toEqual(exactFields(alone.window('m', range).state));
    expect(mixed.window('m', range).state.rows).toBe(primaries.filter(inBucket).length);
  });
});
