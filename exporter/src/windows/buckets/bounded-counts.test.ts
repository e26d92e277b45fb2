import fc from 'fast-check';
import {
  addCount,
  countsEntries,
  createBoundedCounts,
  mergeCountsInto,
  totalCount,
  trimCounts,
} from './bounded-counts';

describe('bounded counts (bottom-k by hash, exact counts)', () => {
  it('end in the same state whatever the order and the split of the stream, and keep the total exact', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 0, max: 40 }).map((i) => `v${i}`),
          { maxLength: 300 },
        ),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 12 }),
        (values, parts, capacity) => {
          const whole = createBoundedCounts(capacity);
          for (const v of values) addCount(whole, v);
          // The same values dealt into five parts (by `parts`), each folded alone, merged in reverse order.
          const split = Array.from({ length: 5 }, () => createBoundedCounts(capacity));
          values.forEach((v, i) => addCount(split[parts[i % Math.max(1, parts.length)] ?? 0], v));
          const merged = createBoundedCounts(capacity);
          for (const p of split.reverse()) mergeCountsInto(merged, p);
          expect(countsEntries(merged)).toEqual(countsEntries(whole));
          expect(merged.other).toBe(whole.other);
          expect(totalCount(merged)).toBe(values.length);
          // Tracked counts are exact.
          for (const [v, n] of countsEntries(whole)) expect(n).toBe(values.filter((x) => x === v).length);
          expect(whole.counts.size).toBe(Math.min(capacity, new Set(values).size));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('merged untrimmed and trimmed once, equal merging with a trim each time: counts, other and Map order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.integer({ min: 0, max: 60 }).map((i) => `v${i}`),
            { maxLength: 80 },
          ),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 12 }),
        (parts, capacity) => {
          const states = parts.map((values) => {
            const c = createBoundedCounts(capacity);
            for (const v of values) addCount(c, v);
            return c;
          });
          const eachTime = createBoundedCounts(capacity);
          for (const s of states) mergeCountsInto(eachTime, s);
          const once = createBoundedCounts(capacity);
          for (const s of states) mergeCountsInto(once, s, { trim: false });
          trimCounts(once);
          expect([...once.counts.entries()]).toEqual([...eachTime.counts.entries()]);
          expect(once.other).toBe(eachTime.other);
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
