import type { InferenceEvent } from '@plumbline/schema';
import { makeProfile, makeStream, T0 } from '../../../test/helpers/bucket-events';
import { numericColumn, type CellValue } from '../../stats/missing';
import { countsEntries, totalCount } from './bounded-counts';
import { bucketSchemaFromProfile } from './bucket-schema';
import { createBucketState, foldEvent, foldRow, type BucketState } from './bucket-state';
import { exactFields } from './exact-fields';
import { foldTable } from './fold-table';
import { mergeBucketStates, mergeBuckets } from './merge-buckets';
import { bucketFromJson, bucketToJson } from './serialize-bucket';

// The counts issue #12's data-quality checks need beyond the drift counts: feature names the profile does not
// have (bounded, mergeable), and +Infinity apart from −Infinity.
const profile = makeProfile();
const schema = bucketSchemaFromProfile(profile, { maxNewColumns: 4 });

/** The stream with extra keys: `renamed` on every third row (null on every ninth), and 12 rare names. */
function withNewColumns(events: InferenceEvent[]): InferenceEvent[] {
  return events.map((e, i) => {
    const features = { ...e.features };
    if (i % 3 === 0) features.renamed = i % 9 === 0 ? null : i;
    if (i % 50 === 0) features[`extra${(i / 50) % 12}`] = 'v';
    if (i % 7 === 0) features.pred = 1; // a profile column (the prediction) is not new, even as a feature key
    return { ...e, features };
  });
}

const events = withNewColumns(makeStream(3000, { seed: 5, spanMs: 600_000 }));

function minutes(list: readonly InferenceEvent[], seed = 0): BucketState[] {
  const out = new Map<number, BucketState>();
  for (const e of list) {
    const start = Math.floor(Date.parse(e['@timestamp']) / 60_000) * 60_000;
    let b = out.get(start);
    if (!b) out.set(start, (b = createBucketState(schema, { model: 'm', startMs: start, seed })));
    foldEvent(b, schema, e);
  }
  return [...out.values()];
}

describe('data-quality counts in buckets', () => {
  const window = mergeBuckets(schema, minutes(events));

  it('counts the rows carrying each new feature name with a value, at most maxNewColumns names, the rest pooled', () => {
    const carrying = (name: string): number =>
      events.filter((e) => name in e.features && e.features[name] !== null).length;
    const names = new Set(
      events.flatMap((e) => Object.keys(e.features)).filter((k) => !/^(x|y|color|pred)$/.test(k)),
    );
    expect(names.size).toBe(13);
    const all = [...names].reduce((t, n) => t + carrying(n), 0);
    expect(window.newColumns.counts.size).toBe(4);
    expect(totalCount(window.newColumns)).toBe(all);
    for (const [name, n] of window.newColumns.counts) expect(n).toBe(carrying(name));
    expect(window.newColumns.counts.has('pred')).toBe(false);
    expect(schema.knownColumns).toEqual(new Set(['x', 'y', 'color', 'pred']));
  });

  it('keeps the new names one whole-window fold tracks, whatever the split into buckets (exact, any order)', () => {
    const whole = createBucketState(schema, { model: 'm', startMs: T0, widthMs: 600_000 });
    for (const e of events) foldEvent(whole, schema, e);
    expect(countsEntries(window.newColumns)).toEqual(countsEntries(whole.newColumns));
    expect(exactFields(window)).toEqual(exactFields(whole));
    const reversed = mergeBuckets(schema, minutes(events).reverse());
    expect(exactFields(reversed)).toEqual(exactFields(window));
  });

  it('counts +Infinity apart: −Infinity and NaN follow from the other counts', () => {
    const x = window.numerical[schema.numerical.findIndex((c) => c.name === 'x')];
    const values = events.map((e) => e.features.x);
    const plus = values.filter((v) => v === Infinity).length;
    const minus = values.filter((v) => v === -Infinity).length;
    const nan = values.filter((v) => (typeof v === 'number' && Number.isNaN(v)) || v === 'NaN').length;
    expect(plus).toBeGreaterThan(0);
    expect(minus).toBeGreaterThan(0);
    expect(x.positiveInfinite).toBe(plus);
    expect(x.present - x.moments.count - x.positiveInfinite).toBe(minus);
    expect(x.nonFinite - (x.present - x.moments.count)).toBe(nan);
  });

  it('counts the values beyond the reference p01, p05, p95 and p99 (±Infinity included, like min / max)', () => {
    const i = schema.numerical.findIndex((c) => c.name === 'x');
    const c = schema.numerical[i];
    const q = profile.features.find((f) => f.name === 'x')!;
    expect(
      q.type === 'numerical' && c.p01 === q.summary.quantiles.p01 && c.p99 === q.summary.quantiles.p99,
    ).toBe(true);
    // The present numbers as the detector reads them (missing and mismatched values out, ±Infinity in).
    const values = Array.from(numericColumn(events.map((e) => (e.features.x ?? null) as CellValue)).values);
    const s = window.numerical[i];
    expect(s.belowP01).toBe(values.filter((v) => v < c.p01).length);
    expect(s.belowP05).toBe(values.filter((v) => v < c.p05).length);
    expect(s.aboveP95).toBe(values.filter((v) => v > c.p95).length);
    expect(s.aboveP99).toBe(values.filter((v) => v > c.p99).length);
    expect(s.belowP05).toBeGreaterThan(s.belowP01);
    expect(s.belowP01).toBeGreaterThan(0);
  });

  it('round-trips the new counts through JSON and through a merge of two states of one bucket', () => {
    const [a] = minutes(
      events.filter((_, i) => i % 2 === 0),
      1,
    );
    const [b] = minutes(
      events.filter((_, i) => i % 2 === 1),
      2,
    );
    const [both] = minutes(events);
    const merged = mergeBucketStates(schema, a, b);
    expect(exactFields(merged)).toEqual(exactFields(both));
    const back = bucketFromJson(JSON.parse(JSON.stringify(bucketToJson(merged, schema))), schema);
    expect(exactFields(back)).toEqual(exactFields(merged));
    expect(countsEntries(back.newColumns).length).toBeGreaterThan(0);
    const json = bucketToJson(merged, schema);
    const other = bucketSchemaFromProfile(profile, { maxNewColumns: 5 });
    expect(other.id).not.toBe(schema.id);
    expect(() => bucketFromJson(json, other)).toThrow(/folded under bucket schema/);
  });

  it('folds a table row (the offline path) exactly as an event with the same features and prediction', () => {
    const fromEvents = createBucketState(schema, { model: 'm', startMs: T0, widthMs: 600_000 });
    const fromRows = createBucketState(schema, { model: 'm', startMs: T0, widthMs: 600_000 });
    for (const e of events) {
      foldEvent(fromEvents, schema, e);
      const row: Record<string, CellValue> = { ...e.features, pred: e.outputs.label ?? e.outputs.value };
      foldRow(fromRows, schema, row);
    }
    const strip = (s: BucketState): Record<string, unknown> => ({ ...exactFields(s), prediction: null });
    expect(strip(fromRows)).toEqual(strip(fromEvents));
    expect(fromRows.prediction.classes.counts.size).toBe(0); // no outputs in a table
    expect(Array.from(fromRows.sample.columns[0].subarray(0, 100))).toEqual(
      Array.from(fromEvents.sample.columns[0].subarray(0, 100)),
    );
  });

  it('folds a whole table column by column into exactly the state of folding its rows one by one', () => {
    const rows: Record<string, CellValue>[] = events.map((e) => ({
      ...e.features,
      pred: e.outputs.label ?? e.outputs.value,
    }));
    const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const data = Object.fromEntries(
      names.map((n) => [n, rows.map((r) => (Object.prototype.hasOwnProperty.call(r, n) ? r[n] : undefined))]),
    );
    delete data.y; // a column the table lacks: missing on every row, as an absent key is
    const byRow = createBucketState(schema, { model: 'm', startMs: T0, sampleSize: 300, seed: 9 });
    for (const r of rows) {
      const { y: _y, ...rest } = r;
      foldRow(byRow, schema, rest);
    }
    const byColumn = createBucketState(schema, { model: 'm', startMs: T0, sampleSize: 300, seed: 9 });
    foldTable(byColumn, schema, data, rows.length);
    expect(exactFields(byColumn)).toEqual(exactFields(byRow));
    expect(byColumn.numerical[schema.numerical.findIndex((c) => c.name === 'y')].missing).toBe(rows.length);
    expect(byColumn.newColumns.counts.size).toBe(4);
    for (let c = 0; c < schema.numerical.length; c++)
      expect(Array.from(byColumn.sample.columns[c].subarray(0, 300))).toEqual(
        Array.from(byRow.sample.columns[c].subarray(0, 300)),
      );
    expect(Array.from(byColumn.rng)).toEqual(Array.from(byRow.rng));
    expect(() => foldTable(byColumn, schema, { x: [1] }, 2)).toThrow(/column "x" has 1 values, not 2/);
  });
});
