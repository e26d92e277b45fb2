import fc from 'fast-check';
import { HashSlotIndex } from './hash-slot-index';
import { KEY_HASH_SPACE, keyHash } from './key-hash';

describe('HashSlotIndex', () => {
  it('answers like a Map through any sequence of sets and deletes (growing, and shifting runs back)', () => {
    // Few distinct hashes with shared low bits, so runs are long and deletions move entries across the wrap.
    const hash = fc.integer({ min: 0, max: 63 }).map((i) => (i % 8) * 2 ** 40 + Math.floor(i / 8) * 16);
    const op = fc.tuple(fc.boolean(), hash, fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new HashSlotIndex(4);
        const model = new Map<number, number>();
        for (const [isSet, h, slot] of ops) {
          if (isSet) {
            index.set(h, slot);
            model.set(h, slot);
          } else {
            index.delete(h);
            model.delete(h);
          }
          expect(index.size).toBe(model.size);
        }
        for (let i = 0; i < 64; i++) {
          const h = (i % 8) * 2 ** 40 + Math.floor(i / 8) * 16;
          expect(index.get(h)).toBe(model.get(h) ?? -1);
        }
      }),
    );
  });

  it('holds 200,000 key hashes and forgets the deleted ones', () => {
    const index = new HashSlotIndex();
    const n = 200_000;
    const hashes = new Float64Array(n);
    for (let i = 0; i < n; i++) index.set((hashes[i] = keyHash(`req-${i}\u00000`)), i);
    expect(index.size).toBe(n);
    for (let i = 0; i < n; i += 2) index.delete(hashes[i]);
    expect(index.size).toBe(n / 2);
    for (let i = 0; i < n; i += 1001) expect(index.get(hashes[i])).toBe(i % 2 === 0 ? -1 : i);
  });
});

describe('keyHash', () => {
  it('is an integer in [0, 2^52), the same for the same key', () => {
    for (const key of ['', 'a', 'req-1\u00000', 'é漢字🙂', 'x'.repeat(1000)]) {
      const h = keyHash(key);
      expect(Number.isInteger(h) && h >= 0 && h < KEY_HASH_SPACE).toBe(true);
      expect(keyHash(key)).toBe(h);
    }
    expect(keyHash('req-1\u00000')).not.toBe(keyHash('req-1\u00001'));
  });

  it('spreads keys uniformly: the share below any power-of-two threshold is that fraction (chi-square over 64 cells)', () => {
    const n = 200_000;
    const cells = new Array<number>(64).fill(0);
    for (let i = 0; i < n; i++) cells[Math.floor(keyHash(`req-${i}\u0000${i % 3}`) / 2 ** 46)]++;
    const expected = n / 64;
    const chi2 = cells.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 63 degrees of freedom: P(chi2 > 110) ≈ 1.6e-4.
    expect(chi2).toBeLessThan(110);
  });
});
