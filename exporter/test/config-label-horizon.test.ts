// quality.labelHorizon and quality.ranges (issue #11): durations as the other durations read, defaults that fit the
// horizon, and one message naming the key for a bad value.
import { loadConfig, parseConfig } from '../src/config';
import { configError } from './helpers/config-error';

const models = [{ name: 'iris' }];

test('defaults: a 14-day horizon and the 1h, 24h and 7d ranges', () => {
  expect(parseConfig({ models }).quality).toEqual({
    labelHorizon: 14 * 86_400,
    ranges: [
      { range: '1h', seconds: 3600 },
      { range: '24h', seconds: 86_400 },
      { range: '7d', seconds: 604_800 },
    ],
    dir: null,
  });
});

test('duration strings or seconds; default ranges longer than the horizon are left out', () => {
  const q = parseConfig({ models, quality: { labelHorizon: '2d', ranges: null } }).quality;
  expect(q.labelHorizon).toBe(172_800);
  expect(q.ranges.map((r) => r.range)).toEqual(['1h', '24h']);
  expect(
    parseConfig({ models, quality: { labelHorizon: 3600, ranges: ['30m', 900] } }).quality.ranges,
  ).toEqual([
    { range: '30m', seconds: 1800 },
    { range: '900s', seconds: 900 },
  ]);
  expect(
    loadConfig({ env: { PLUMBLINE_LABEL_HORIZON: '30d', PLUMBLINE_MODELS: '[{"name":"iris"}]' } }).quality
      .labelHorizon,
  ).toBe(30 * 86_400);
});

test('a bad value names its key', () => {
  expect(configError(() => parseConfig({ models, quality: { labelHorizon: 'soon' } })).key).toBe(
    'quality.labelHorizon',
  );
  expect(configError(() => parseConfig({ models, quality: { labelHorizon: 0 } })).key).toBe(
    'quality.labelHorizon',
  );
  expect(configError(() => parseConfig({ models, quality: { ranges: ['7m'] } })).key).toBe(
    'quality.ranges.0',
  );
  const tooLong = configError(() => parseConfig({ models, quality: { labelHorizon: '1d', ranges: ['7d'] } }));
  expect([tooLong.key, tooLong.message]).toEqual([
    'quality.ranges',
    expect.stringMatching(/at most labelHorizon/),
  ]);
  expect(configError(() => parseConfig({ models, quality: { ranges: ['1h', '60m'] } })).key).toBe(
    'quality.ranges',
  );
  expect(configError(() => parseConfig({ models, quality: { horizon: '1d' } })).key).toBe('quality.horizon');
});
