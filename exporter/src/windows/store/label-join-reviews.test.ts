/**
 * The window's label join applies the one precedence rule (schema/src/label-precedence.ts): a human label wins over
 * other sources whatever their times, a rejected row has no label (out of quality), a retract withdraws the human
 * label (the other source's label is back).
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { labelJoinKey } from '../../quality';
import { createLabelJoinCompanion } from './label-join-companion';

const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function prediction(i: number, label: string): InferenceEvent {
  return {
    schema_version: 1,
    event_id: `r${i}:0`,
    request_id: `r${i}`,
    row: 0,
    '@timestamp': at(i),
    model: { name: 'm', version: null },
    protocol: 'v2',
    parsed: true,
    features: {},
    outputs: { label, value: null, probabilities: null, confidence: 0.5, invalid: null },
    latency_ms: { total: 1, upstream: 1 },
    http_status: 200,
    error: null,
  };
}

let n = 0;
function feedback(i: number, truth: string, s: number, extra: Partial<FeedbackEvent> = {}): FeedbackEvent {
  n += 1;
  return {
    schema_version: 1,
    event_id: `r${i}:0:${n}`,
    request_id: `r${i}`,
    row: 0,
    '@timestamp': at(s),
    model: { name: 'm', version: null },
    ground_truth: truth,
    source: 'api',
    ...extra,
  };
}
const review = (i: number, action: FeedbackEvent['action'], truth: string, s: number) =>
  feedback(i, truth, s, { source: 'human', action, reviewer: 'ana' });

function truthsAfter(events: FeedbackEvent[]): (string | number | boolean)[] {
  const c = createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 });
  for (let i = 0; i < 4; i++) c.prediction(prediction(i, 'a'), T0);
  for (const e of events) c.label(e);
  return c.join.truths([T0]).values.slice();
}

describe('the label join and reviews', () => {
  it('keeps the latest label of other sources without reviews', () => {
    expect(truthsAfter([feedback(0, 'a', 10), feedback(0, 'b', 20)])).toEqual(['b']);
  });

  it('lets a human label win over a later one of another source', () => {
    expect(truthsAfter([review(0, 'correct', 'c', 10), feedback(0, 'b', 20)])).toEqual(['c']);
  });

  it('leaves a rejected row out, whatever arrives after it from other sources', () => {
    expect(truthsAfter([feedback(0, 'a', 5), review(0, 'reject', 'a', 10), feedback(0, 'b', 20)])).toEqual(
      [],
    );
  });

  it('gives the row its other label back when the review is retracted', () => {
    const events = [feedback(1, 'b', 5), review(1, 'correct', 'c', 10), review(1, 'retract', 'c', 11)];
    expect(truthsAfter(events)).toEqual(['b']);
    expect(truthsAfter(events.slice(1))).toEqual([]);
  });

  it('ends on the later of two racing reviews, in either arrival order', () => {
    const x = review(2, 'correct', 'b', 10);
    const y = review(2, 'correct', 'c', 11);
    expect(truthsAfter([x, y])).toEqual(['c']);
    expect(truthsAfter([y, x])).toEqual(['c']);
  });
});

describe('routing: automatic vs handed to people, with realized accuracy', () => {
  it('splits the window by each class limit and counts the labelled and correct rows of each route', () => {
    const c = createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000 });
    // Class a is held to 0.9, others to 0.6. Rows: a@0.95 (auto, right), a@0.8 (people, wrong),
    // b@0.7 (auto, wrong), b@0.5 (people, right), b@0.65 (auto, no label), a@0.85 (people, rejected: no label).
    const rows: [string, number, string | null][] = [
      ['a', 0.95, 'a'],
      ['a', 0.8, 'b'],
      ['b', 0.7, 'a'],
      ['b', 0.5, 'b'],
      ['b', 0.65, null],
      ['a', 0.85, 'a'],
    ];
    rows.forEach(([label, confidence, truth], i) => {
      const p = prediction(i, label);
      c.prediction({ ...p, outputs: { ...p.outputs, confidence } }, T0);
      if (truth) c.label(feedback(i, truth, 100));
    });
    c.label(review(5, 'reject', 'a', 101));
    const limit = (cls: string | number | null) => (cls === 'a' ? 0.9 : 0.6);
    const routing = c.routing!([T0], (cls, conf) => conf !== null && conf < limit(cls));
    expect(routing).toEqual({
      automatic: { predictions: 3, labelled: 2, correct: 1 },
      people: { predictions: 3, labelled: 2, correct: 1 },
    });
  });
});

describe("the reviewed rows' feedback in the labels document (checkpoints)", () => {
  it('round-trips, and holds at most maxLabels rows, the least recently reviewed forgotten first', () => {
    const c = createLabelJoinCompanion({ task: 'classification', bucketWidthMs: 60_000, maxLabels: 2 });
    for (let i = 0; i < 4; i++) c.prediction(prediction(i, 'a'), T0);
    c.label(feedback(0, 'b', 5));
    c.label(review(0, 'correct', 'c', 10));
    c.label(review(1, 'confirm', 'a', 11));
    c.label(review(2, 'confirm', 'a', 12));
    const doc = c.labelsToJson() as { reviewed: [string, unknown, unknown][] };
    expect(doc.reviewed.map(([key]) => key)).toEqual([labelJoinKey('r1', 0), labelJoinKey('r2', 0)]);
    // Row 0 was reviewed first: forgotten. Row 2, reviewed last, round-trips with its human event.
    const restored = createLabelJoinCompanion({
      task: 'classification',
      bucketWidthMs: 60_000,
      maxLabels: 2,
    });
    restored.load(JSON.parse(JSON.stringify(doc)));
    expect(restored.labelsToJson()).toEqual(doc);
    expect(() => restored.load({ ...doc, version: 9 })).toThrow(/version 9/);
  });
});
