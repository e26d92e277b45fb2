import { foldFeedback, labelOf, rowLabel, standingReview, type LabelFeedback } from './label-precedence';

let seq = 0;
function fb(at: number, truth: string, extra: Partial<LabelFeedback> = {}): LabelFeedback {
  seq += 1;
  return {
    event_id: `r:0:${seq}`,
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
    ground_truth: truth,
    source: 'api',
    ...extra,
  };
}
const human = (at: number, action: LabelFeedback['action'], truth: string) =>
  fb(at, truth, { source: 'human', action, reviewer: 'ana' });

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('label precedence', () => {
  it('has no label without feedback', () => {
    expect(labelOf([])).toEqual({ kind: 'none' });
  });

  it('takes the latest label of other sources', () => {
    expect(labelOf([fb(2, 'b'), fb(1, 'a')])).toMatchObject({ kind: 'label', label: 'b', human: false });
  });

  it('lets a human label win over a later label of another source', () => {
    const l = labelOf([human(1, 'correct', 'b'), fb(5, 'a')]);
    expect(l).toMatchObject({ kind: 'label', label: 'b', labelSource: 'human', human: true });
  });

  it('falls back to the other label when the human one is retracted', () => {
    const events = [fb(1, 'a'), human(2, 'confirm', 'b'), human(3, 'retract', 'b')];
    expect(labelOf(events)).toMatchObject({ kind: 'label', label: 'a', labelSource: 'api' });
    expect(labelOf(events.slice(1))).toEqual({ kind: 'none' });
  });

  it('excludes a rejected row whatever other sources say, until the reject is retracted', () => {
    expect(labelOf([fb(9, 'a'), human(2, 'reject', 'b')])).toMatchObject({ kind: 'rejected' });
    expect(labelOf([fb(9, 'a'), human(2, 'reject', 'b'), human(3, 'retract', 'b')])).toMatchObject({
      kind: 'label',
      label: 'a',
    });
  });

  it('takes a review after a retract again', () => {
    const l = labelOf([human(1, 'confirm', 'a'), human(2, 'retract', 'a'), human(3, 'correct', 'c')]);
    expect(l).toMatchObject({ kind: 'label', label: 'c', human: true });
  });

  it('ends on the same label in every order, ties on time broken by event id', () => {
    const events = [
      fb(1, 'a'),
      human(2, 'confirm', 'a'),
      { ...human(2, 'correct', 'b'), event_id: 'r:0:zz' },
      fb(3, 'x'),
    ];
    const labels = permutations(events).map((p) => labelOf(p));
    for (const l of labels) expect(l).toEqual(labels[0]);
    expect(labels[0]).toMatchObject({ kind: 'label', label: 'b' });
  });

  it('says which review stands (none after a retract)', () => {
    let s = foldFeedback(null, human(1, 'confirm', 'a'));
    expect(standingReview(s)).toMatchObject({ action: 'confirm', truth: 'a', reviewer: 'ana' });
    s = foldFeedback(s, human(2, 'retract', 'a'));
    expect(standingReview(s)).toBeNull();
    expect(rowLabel(s)).toEqual({ kind: 'none' });
  });

  it('treats an event with an action as human even without source human', () => {
    expect(labelOf([fb(5, 'a'), fb(1, 'b', { action: 'correct' })])).toMatchObject({
      label: 'b',
      human: true,
    });
  });
});
