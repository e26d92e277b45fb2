import { toDataFrame } from '@grafana/data';
import { matrixLayout, splitEstimatedFrames } from './estimated-frames';

const frame = (refId: string) => ({ ...toDataFrame({ fields: [] }), refId });

describe('splitEstimatedFrames', () => {
  it('puts the frames of the "estimated" query aside, every other frame is realized', () => {
    const { realized, estimated } = splitEstimatedFrames([frame('A'), frame('estimated'), frame('B')]);
    expect(realized.map((f) => f.refId)).toEqual(['A', 'B']);
    expect(estimated.map((f) => f.refId)).toEqual(['estimated']);
  });

  it('takes another refId, and none when it is empty', () => {
    expect(splitEstimatedFrames([frame('A'), frame('E')], 'E').estimated).toHaveLength(1);
    expect(splitEstimatedFrames([frame('estimated')], ' ').estimated).toHaveLength(0);
  });
});

describe('matrixLayout', () => {
  it('shows the estimate alone when no labels exist, and both when they do', () => {
    expect(matrixLayout(false, true)).toBe('estimated');
    expect(matrixLayout(true, true)).toBe('both');
    expect(matrixLayout(true, false)).toBe('realized');
    expect(matrixLayout(false, false)).toBe('none');
  });
});
