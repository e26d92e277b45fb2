import fc from 'fast-check';
import { categoricalColumn, isMissing, numericColumn, parseNumber, trim } from './missing';

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

describe('parseNumber', () => {
  test('decimal and exponent literals, infinities in any case; nothing else Number() would take', () => {
    expect(
      [' 2.5 ', '-0.5', '+.5', '5.', '1e3', '1E-3', 'inf', '-Infinity', '+INF'].map(parseNumber),
    ).toEqual([2.5, -0.5, 0.5, 5, 1000, 0.001, Infinity, -Infinity, Infinity]);
    for (const s of ['', ' ', '0x1f', '0b11', '1_000', '2,5', 'e3', '.', '1e', 'nan', 'Infinityx'])
      expect(parseNumber(s)).toBeNaN();
  });

  test('agrees with the definition on arbitrary strings (property)', () => {
    const definition = (s0: string): number => {
      const s = s0.trim();
      const lower = s.toLowerCase();
      if (['inf', '+inf', 'infinity', '+infinity'].includes(lower)) return Infinity;
      if (['-inf', '-infinity'].includes(lower)) return -Infinity;
      return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : Number.NaN;
    };
    const numberish = fc.stringMatching(/^\s?[+-]?\d{0,3}\.?\d{0,3}([eE][+-]?\d{0,2})?\s?$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), numberish, fc.constantFrom('inf', ' -INF ', 'Infinity')), (s) => {
        expect(Object.is(parseNumber(s), definition(s))).toBe(true);
      }),
    );
  });
});
