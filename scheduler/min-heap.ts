/**
 * A binary min-heap of values by a numeric key, ties broken by insertion
 * order so that runs are deterministic. Used for simulator events and
 * admission's slot-release timeline.
 */
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly values: T[] = [];
  private seq = 0;

  get size(): number {
    return this.keys.length;
  }

  /** A heap of `keys[i]` → `values[i]` built in linear time (ties in index order). */
  static from<T>(keys: readonly number[], values: readonly T[]): MinHeap<T> {
    const heap = new MinHeap<T>();
    for (let i = 0; i < keys.length; i++) {
      heap.keys.push(keys[i] as number);
      heap.seqs.push(heap.seq++);
      heap.values.push(values[i] as T);
    }
    for (let i = (keys.length >> 1) - 1; i >= 0; i--) heap.siftDown(i);
    return heap;
  }

  push(key: number, value: T): void {
    let i = this.keys.length;
    this.keys.push(key);
    this.seqs.push(this.seq++);
    this.values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The smallest key (Infinity when empty). */
  peekKey(): number {
    return this.keys.length === 0 ? Infinity : (this.keys[0] as number);
  }

  peek(): T | undefined {
    return this.values[0];
  }

  /** Removes and returns the value with the smallest key. */
  pop(): T | undefined {
    const n = this.keys.length;
    if (n === 0) return undefined;
    const top = this.values[0] as T;
    this.swap(0, n - 1);
    this.keys.pop();
    this.seqs.pop();
    this.values.pop();
    this.siftDown(0);
    return top;
  }

  private siftDown(i: number): void {
    const size = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < size && this.less(l, smallest)) smallest = l;
      if (r < size && this.less(r, smallest)) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a] as number;
    const kb = this.keys[b] as number;
    return ka < kb || (ka === kb && (this.seqs[a] as number) < (this.seqs[b] as number));
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a] as number;
    this.keys[a] = this.keys[b] as number;
    this.keys[b] = k;
    const s = this.seqs[a] as number;
    this.seqs[a] = this.seqs[b] as number;
    this.seqs[b] = s;
    const v = this.values[a] as T;
    this.values[a] = this.values[b] as T;
    this.values[b] = v;
  }
}
