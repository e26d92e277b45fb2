import { mulberry32 } from './reservoir';

/**
 * The rows a reference profile fits multivariate drift on: a uniform random sample of at most `capacity` rows
 * (Algorithm R, as {@link Reservoir}, seeded with mulberry32), each row keeping the numbers of the columns that may
 * be numerical (NaN for missing or not a number). Both builders draw the same slots for the same seed and row
 * count, so the streaming (`baseline import`) and the in-memory builder fit the same model on the same rows.
 * Memory: capacity × columns × 8 bytes at most (a column that turns out categorical is dropped); an infinite
 * capacity keeps every row (columns grow by doubling).
 */
export class RowReservoir {
  private seen = 0;
  /** Slots every kept column has room for. */
  private room: number;
  private readonly random: () => number;
  /** Column j's numbers by slot; null for a column that is not kept. */
  readonly columns: (Float64Array | null)[];

  constructor(
    readonly capacity: number,
    columns: number,
    seed: number,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`RowReservoir: capacity must be ≥ 1, got ${capacity}`);
    this.random = mulberry32(seed);
    this.room = Math.min(capacity, 1024);
    this.columns = Array.from({ length: columns }, () => new Float64Array(this.room));
  }

  /** Offers the next row: the slot its values go to ({@link set}), or −1 when it is not sampled. */
  offer(): number {
    this.seen++;
    if (this.seen <= this.capacity) {
      this.ensureRoom(this.seen);
      return this.seen - 1;
    }
    const j = Math.floor(this.random() * this.seen);
    return j < this.capacity ? j : -1;
  }

  set(slot: number, column: number, value: number): void {
    const c = this.columns[column];
    if (c) c[slot] = value;
  }

  /** Stops keeping a column (it turned out not numerical). */
  drop(column: number): void {
    this.columns[column] = null;
  }

  /** Rows offered. */
  get count(): number {
    return this.seen;
  }

  /** Rows held: min(count, capacity). */
  get size(): number {
    return Math.min(this.seen, this.capacity);
  }

  /** True while every offered row is held. */
  get complete(): boolean {
    return this.seen <= this.capacity;
  }

  /** Column j's held values (a view), or null when it is not kept. */
  column(j: number): Float64Array | null {
    return this.columns[j]?.subarray(0, this.size) ?? null;
  }

  private ensureRoom(n: number): void {
    if (n <= this.room) return;
    this.room = Math.min(this.capacity, Math.max(n, this.room * 2));
    for (let j = 0; j < this.columns.length; j++) {
      const c = this.columns[j];
      if (!c) continue;
      const grown = new Float64Array(this.room);
      grown.set(c);
      this.columns[j] = grown;
    }
  }
}

/**
 * The row indexes a {@link RowReservoir} of this capacity and seed holds after `rows` rows, by slot: what the
 * in-memory builder reads its fitting rows from. Null when rows ≤ capacity: every row, in order.
 */
export function reservoirRowIndexes(rows: number, capacity: number, seed: number): Uint32Array | null {
  if (rows <= capacity) return null;
  const r = new RowReservoir(capacity, 0, seed);
  const out = new Uint32Array(capacity);
  for (let i = 0; i < rows; i++) {
    const slot = r.offer();
    if (slot >= 0) out[slot] = i;
  }
  return out;
}
