/**
 * The Kafka sink's partitioner keeps Partitioners.DefaultPartitioner's placement (murmur2 of the key, as the
 * Java client places keys) while remembering it per topic, key and partition count.
 */
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { CachedKeyPartitioner } from '../../src/sinks/kafka';

const partitionsOf = (n: number, leader = 0): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader,
    partitionErrorCode: 0,
    replicas: [leader],
    isr: [leader],
  }));

const args = (topic: string, partitions: number, key: string | null): PartitionerArgs => ({
  topic,
  partitionMetadata: partitionsOf(partitions),
  message: { key, value: '{}' },
});

describe('CachedKeyPartitioner', () => {
  it('places every key on the partition the default partitioner picks, for several partition counts', () => {
    const reference = Partitioners.DefaultPartitioner();
    const cached = CachedKeyPartitioner();
    const keys = [
      'iris',
      'wine',
      'unknown',
      'fraud-v2',
      'ünïcode',
      ...Array.from({ length: 200 }, (_, i) => `m${i}`),
    ];
    for (const partitions of [1, 2, 3, 7, 12]) {
      for (const key of keys) {
        const expected = reference(args('t', partitions, key));
        // Twice: the first answer is computed, the second comes from the cache.
        expect(cached(args('t', partitions, key))).toBe(expected);
        expect(cached(args('t', partitions, key))).toBe(expected);
      }
    }
  });

  it('places a key again when the topic gains partitions', () => {
    const reference = Partitioners.DefaultPartitioner();
    const cached = CachedKeyPartitioner();
    // A key that moves when the topic grows from 1 to 5 partitions (murmur2 % 5 ≠ 0).
    const key = ['iris', 'wine', 'a', 'b', 'c'].find((k) => reference(args('t', 5, k)) !== 0)!;
    expect(cached(args('t', 1, key))).toBe(0);
    expect(cached(args('t', 5, key))).toBe(reference(args('t', 5, key)));
  });

  it('keeps topics apart and honours an explicit partition', () => {
    const cached = CachedKeyPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    expect(cached(args('a', 1, 'iris'))).toBe(0);
    expect(cached(args('b', 9, 'iris'))).toBe(reference(args('b', 9, 'iris')));
    expect(cached({ ...args('b', 9, 'iris'), message: { key: 'iris', value: '{}', partition: 4 } })).toBe(4);
  });

  it('spreads messages without a key over the partitions (round robin, as the default partitioner)', () => {
    const cached = CachedKeyPartitioner();
    const seen = new Set(Array.from({ length: 6 }, () => cached(args('t', 3, null))));
    expect(seen).toEqual(new Set([0, 1, 2]));
  });
});
