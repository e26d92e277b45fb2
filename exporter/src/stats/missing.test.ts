import fc from 'fast-check';
import { categoricalColumn, isMissing, numericColumn, trim } from './missing';

describe('trim', () => {
  test('equals String.prototype.trim on any string (property), whitespace of every kind at either end', () => {
    const ws = fc.constantFrom(
      ' ',
      '\t',
      '\n',
      '\r',
      '\v',
      '\f',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      '\u2028',
    );
    const piece = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), ws);
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }), (parts) => {
        const s = parts.join('');
        expect(trim(s)).toBe(s.trim());
      }),
    );
  });

  test('categories and missing values see through non-ASCII whitespace too', () => {
    const col = categoricalColumn(['a', ' a', 'a\u00a0', '\ufeffa', '\u3000', 'NaN ', 'b']);
    expect([...col.counts]).toEqual([
      ['a', 4],
      ['b', 1],
    ]);
    expect(col.missing).toBe(2);
    expect(isMissing('\u00a0')).toBe(true);
    expect(numericColumn(['\u00a02.5\u2003', 3]).values).toEqual(Float64Array.of(2.5, 3));
  });
});
