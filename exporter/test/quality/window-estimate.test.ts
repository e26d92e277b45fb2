/**
 * The label-free estimate inside the window store's buckets (issue #11): events with probabilities are folded into
 * mergeable sums under the profile's calibration; two buckets merged (one through its JSON) give the estimate of
 * all their rows, as the CLI computes it; events without probabilities are counted as skipped; a profile without a
 * quality baseline folds no sums and serialises as before.
 */
import { buildReferenceProfile } from '../../src/drift/in-memory-profile-builder';
import type { ReferenceProfile } from '../../src/drift/profile-types';
import {
  calibrationToJson,
  estimatePerformance,
  estimateSumsOfRows,
  fitCalibration,
  performanceFromMatrix,
} from '../../src/quality/estimate';
import { bucketSchemaFromProfile } from '../../src/windows/buckets/bucket-schema';
import { createBucketState, foldEvent } from '../../src/windows/buckets/bucket-state';
import { mergeBuckets } from '../../src/windows/buckets/merge-buckets';
import { bucketFromJson, bucketToJson } from '../../src/windows/buckets/serialize-bucket';
import { inferenceEvent } from '../helpers/events';
import { FIVE_CLASS, logisticData } from '../helpers/logistic-data';

const k = 5;
const labels = ['c0', 'c1', 'c2', 'c3', 'c4'];
const T0 = Date.UTC(2026, 0, 1);
const ref = logisticData({ rows: 3000, seed: 21, model: FIVE_CLASS, temperature: 1.5 });
const cur = logisticData({ rows: 600, seed: 22, model: FIVE_CLASS, temperature: 1.5, shift: [0.5, 0, 0] });
const calibration = fitCalibration(labels, { ...ref, classes: k });
const counts = labels.map(() => new Array<number>(k).fill(0));
for (let i = 0; i < ref.rows; i++) counts[ref.actual[i]][ref.predicted[i]]++;

function profile(withQuality: boolean): ReferenceProfile {
  const p = buildReferenceProfile({ f0: Array.from({ length: 100 }, (_, i) => i / 10) });
  if (!withQuality) return p;
  return {
    ...p,
    quality: {
      targetColumn: 'label',
      predictionColumn: 'pred',
      probabilityColumns: labels.map((l) => `p_${l}`),
      calibration: calibrationToJson(calibration),
      realized: performanceFromMatrix(labels, counts),
      rows: ref.rows,
    },
  };
}

function event(i: number, withProbabilities = true) {
  const probabilities = Object.fromEntries(labels.map((l, j) => [l, cur.probabilities[i * k + j]]));
  return inferenceEvent({
    requestId: `r${i}`,
    at: T0 + (i < 300 ? 1000 : 61_000) + i,
    features: { f0: cur.x[i * 3] },
    label: labels[cur.predicted[i]],
    probabilities: withProbabilities ? probabilities : null,
  });
}

describe('the estimate in window buckets', () => {
  it('merges buckets (one through its JSON) into the estimate of all their rows', () => {
    const schema = bucketSchemaFromProfile(profile(true));
    const a = createBucketState(schema, { model: 'iris', startMs: T0 });
    const b = createBucketState(schema, { model: 'iris', startMs: T0 + 60_000 });
    for (let i = 0; i < 300; i++) foldEvent(a, schema, event(i));
    for (let i = 300; i < 600; i++) foldEvent(b, schema, event(i));
    foldEvent(b, schema, event(0 + 300, false)); // no probabilities: skipped
    const restored = bucketFromJson(JSON.parse(JSON.stringify(bucketToJson(a, schema))), schema);
    const window = mergeBuckets(schema, [restored, b]);
    expect(window.estimate!.skipped).toBe(1);
    const fromBuckets = estimatePerformance(labels, window.estimate!.sums);
    const direct = estimatePerformance(
      labels,
      estimateSumsOfRows(calibration, cur.probabilities, cur.predicted),
    );
    expect(fromBuckets.rows).toBe(600);
    expect(fromBuckets.accuracy).toBeCloseTo(direct.accuracy, 12);
    expect(fromBuckets.f1MacroBand[1]).toBeCloseTo(direct.f1MacroBand[1], 12);
  });

  it('folds no sums without a quality baseline, and keeps the schema id of such profiles', () => {
    const plain = profile(false);
    const schema = bucketSchemaFromProfile(plain);
    expect(schema.estimate).toBeNull();
    expect(bucketSchemaFromProfile(profile(true)).id).not.toBe(schema.id);
    const a = createBucketState(schema, { model: 'iris', startMs: T0 });
    foldEvent(a, schema, event(0));
    expect(a.estimate).toBeNull();
    expect('estimate' in bucketToJson(a, schema)).toBe(false);
  });
});
