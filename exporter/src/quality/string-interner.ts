/**
 * Strings held once, by number, with a reference count: the label join state stores predicted classes and ground
 * truths as small integers, and a string is forgotten when its last row goes (so a stream of distinct strings does
 * not grow it past the rows held). Cost: O(1) per acquire / release (a Map lookup).
 */
export class StringInterner {
  private readonly ids = new Map<string, number>();
  private readonly strings: (string | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly free: number[] = [];

  /** The number of `s`, counting one more reference. */
  acquire(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.free.pop() ?? this.strings.length;
      this.ids.set(s, id);
      this.strings[id] = s;
      this.refs[id] = 0;
    }
    this.refs[id]++;
    return id;
  }

  /** Drops one reference to string number `id`; the last one forgets it. */
  release(id: number): void {
    if (--this.refs[id] > 0) return;
    this.ids.delete(this.strings[id]!);
    this.strings[id] = undefined;
    this.free.push(id);
  }

  get(id: number): string {
    return this.strings[id]!;
  }

  /** One more than the largest number given out so far (numbers are below it). */
  get capacity(): number {
    return this.strings.length;
  }

  /** Distinct strings held. */
  get size(): number {
    return this.ids.size;
  }
}
