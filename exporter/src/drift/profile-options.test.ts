import type { CellValue } from '../stats/missing';
import { buildReferenceProfile } from './in-memory-profile-builder';
import { DEFAULT_PROFILE_OPTIONS, resolveProfileOptions, type ProfileOptions } from './profile-options';
import type { ReferenceProfile } from './profile-types';
import { ReferenceProfileBuilder } from './streaming-profile-builder';

/** Both builders on the same columns, the streaming one with its second pass when it asks for one. */
function bothBuilders(
  columns: Record<string, CellValue[]>,
  options: ProfileOptions,
): [ReferenceProfile, ReferenceProfile] {
  const names = Object.keys(columns);
  const row = (i: number): CellValue[] => names.map((n) => columns[n][i]);
  const rows = columns[names[0]].length;
  const builder = new ReferenceProfileBuilder(names, options);
  for (let i = 0; i < rows; i++) builder.addRow(row(i));
  if (builder.needsBinningPass()) for (let i = 0; i < rows; i++) builder.binRow(row(i));
  return [buildReferenceProfile(columns, options), builder.build()];
}

describe('resolveProfileOptions: one set of defaults and checks for the streaming and in-memory builders', () => {
  it('fills in the documented defaults and tells roles apart', () => {
    const r = resolveProfileOptions(['p', 'y', 'x'], { predictionColumn: 'p', labelColumn: 'y' });
    expect({
      bins: r.bins,
      reservoirSize: r.reservoirSize,
      maxCategories: r.maxCategories,
      seed: r.seed,
      multivariateVarianceShare: r.multivariateVarianceShare,
    }).toEqual(DEFAULT_PROFILE_OPTIONS);
    expect(['p', 'y', 'x'].map(r.roleOf)).toEqual(['prediction', 'label', 'feature']);
  });

  it.each<[string, ProfileOptions, RegExp]>([
    ['bins below 2', { bins: 1 }, /bins must be an integer ≥ 2, got 1/],
    ['a reservoir of no values', { reservoirSize: 0 }, /reservoirSize must be ≥ 1, got 0/],
    [
      'a multivariate variance share of 1',
      { multivariateVarianceShare: 1 },
      /multivariateVarianceShare must be in \(0, 1\), got 1/,
    ],
    ['a type for a column the data lacks', { columnTypes: { nope: 'numerical' } }, /unknown column "nope"/],
    [
      'a type that is neither numerical nor categorical',
      { columnTypes: { x: 'text' as never } },
      /column type for "x" must be numerical or categorical, got "text"/,
    ],
  ])('both builders reject %s with the same message', (_case, options, message) => {
    expect(() => buildReferenceProfile({ x: [1, 2, 3] }, options)).toThrow(message);
    expect(() => new ReferenceProfileBuilder(['x'], options)).toThrow(message);
  });

  it('column type errors are usage errors (exit code 2)', () => {
    expect(() => resolveProfileOptions(['x'], { columnTypes: { nope: 'numerical' } })).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
  });

  // Regression: the streaming builder (`plumbline baseline import`, which always passes `columnTypes: {}`) read a
  // column's forced type with `columnTypes[name]`, so a column named after an Object.prototype member was "forced"
  // to that function: "constructor" (strings) came out an empty numerical feature, "toString" (numbers) a
  // numerical feature without PSI edges.
  it('a column named constructor or toString is typed by its values, not by Object.prototype', () => {
    const columns = {
      constructor: Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 'a' : 'b')),
      toString: Array.from({ length: 30 }, (_, i) => i),
    };
    const [inMemory, streamed] = bothBuilders(columns, { columnTypes: {} });
    for (const profile of [inMemory, streamed]) {
      expect(profile.features[0]).toMatchObject({
        type: 'categorical',
        count: 30,
        categories: { a: 10, b: 20 },
      });
      expect(profile.features[1]).toMatchObject({ type: 'numerical', count: 30 });
      expect(profile.features[1].type === 'numerical' && profile.features[1].binEdges).toHaveLength(9);
    }
    expect(streamed.features).toEqual(inMemory.features);
  });
});
