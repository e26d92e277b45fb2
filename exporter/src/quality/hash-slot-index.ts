/**
 * An index from 52-bit key hashes (key-hash.ts) to slot numbers, for the label join state: open addressing with
 * linear probing in two typed arrays (a Float64Array of hashes, −1 for empty, and an Int32Array of slots), so one
 * entry costs 12 bytes of table at a load ≤ 1/2 (24–48 bytes per entry) and no object per key. Deletion shifts the
 * following entries back (Knuth, TAOCP vol. 3, 6.4, Algorithm R), so no tombstones accumulate.
 * Cost: O(1) expected per operation (the hashes are uniform); the table doubles when half full.
 */
const EMPTY = -1;

export class HashSlotIndex {
  private hashes: Float64Array;
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.hashes = new Float64Array(capacity).fill(EMPTY);
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the two arrays. */
  get bytes(): number {
    return this.hashes.byteLength + this.slots.byteLength;
  }

  /** The slot of `hash`, or −1. */
  get(hash: number): number {
    const hashes = this.hashes;
    for (let i = (hash >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const h = hashes[i];
      if (h === hash) return this.slots[i];
      if (h === EMPTY) return -1;
    }
  }

  /** Sets the slot of `hash` (adds it, or replaces its slot). */
  set(hash: number, slot: number): void {
    if ((this.count + 1) * 2 > this.hashes.length) this.grow();
    const hashes = this.hashes;
    for (let i = (hash >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const h = hashes[i];
      if (h === hash) {
        this.slots[i] = slot;
        return;
      }
      if (h === EMPTY) {
        hashes[i] = hash;
        this.slots[i] = slot;
        this.count++;
        return;
      }
    }
  }

  /** Removes `hash` (no-op when absent). */
  delete(hash: number): void {
    const hashes = this.hashes;
    const mask = this.mask;
    let i = (hash >>> 0) & mask;
    for (; ; i = (i + 1) & mask) {
      const h = hashes[i];
      if (h === hash) break;
      if (h === EMPTY) return;
    }
    this.count--;
    // Algorithm R: move back every following entry of the run whose home is not between the hole and itself.
    for (let j = (i + 1) & mask; hashes[j] !== EMPTY; j = (j + 1) & mask) {
      const home = (hashes[j] >>> 0) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      hashes[i] = hashes[j];
      this.slots[i] = this.slots[j];
      i = j;
    }
    hashes[i] = EMPTY;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldSlots = this.slots;
    this.hashes = new Float64Array(oldHashes.length * 2).fill(EMPTY);
    this.slots = new Int32Array(oldHashes.length * 2);
    this.mask = this.hashes.length - 1;
    this.count = 0;
    for (let i = 0; i < oldHashes.length; i++)
      if (oldHashes[i] !== EMPTY) this.set(oldHashes[i], oldSlots[i]);
  }
}
