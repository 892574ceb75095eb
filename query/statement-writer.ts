/**
 * Statement atomicity inside an explicit transaction: a statement's writes
 * go to this overlay first and reach the transaction only when the
 * statement succeeds, so a statement that fails half-way (a constraint
 * violated by its tenth row) leaves the transaction as it was — as SQLite's
 * statement journal does. Reads through the overlay see the statement's own
 * writes (constraint checks need them).
 *
 * Autocommit statements do not need it: their KV transaction rolls back as
 * a whole.
 */
import type { RawKey, RawRange, RawVisitor, RawWriter } from '../storage/kv/index.js';

export class StatementWriter implements RawWriter {
  private readonly changes = new Map<RawKey, Uint8Array | null>();
  /**
   * Changed keys in order, for scans and the flush, and the keys changed
   * since it was last brought up to date (in change order). A statement
   * that writes n keys without scanning sorts once (n log n); inserting
   * each key into the ordered list as it came would move n²/4 elements.
   */
  private sorted: RawKey[] = [];
  private readonly pending: RawKey[] = [];

  constructor(private readonly base: RawWriter) {}

  getRaw(key: RawKey): Uint8Array | undefined {
    const change = this.changes.get(key);
    if (change !== undefined) return change ?? undefined;
    return this.base.getRaw(key);
  }

  private note(key: RawKey): void {
    if (!this.changes.has(key)) this.pending.push(key);
  }

  /** Every changed key in order: the pending keys sorted and merged into the ordered list. */
  private ordered(): readonly RawKey[] {
    const pending = this.pending;
    if (pending.length === 0) return this.sorted;
    pending.sort();
    const old = this.sorted;
    if (old.length === 0) {
      this.sorted = pending.slice();
    } else {
      const merged = new Array<RawKey>(old.length + pending.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < old.length && j < pending.length) merged[k++] = (old[i] as RawKey) < (pending[j] as RawKey) ? (old[i++] as RawKey) : (pending[j++] as RawKey);
      while (i < old.length) merged[k++] = old[i++] as RawKey;
      while (j < pending.length) merged[k++] = pending[j++] as RawKey;
      this.sorted = merged;
    }
    pending.length = 0;
    return this.sorted;
  }

  putRaw(key: RawKey, value: Uint8Array): void {
    this.note(key);
    // Copy: callers reuse their buffers (and Buffer#slice would alias).
    this.changes.set(key, new Uint8Array(value));
  }

  delRaw(key: RawKey): boolean {
    const existed = this.getRaw(key) !== undefined;
    this.note(key);
    this.changes.set(key, null);
    return existed;
  }

  /** Visits the base entries merged with this statement's changes, in key order. */
  scanRaw(range: RawRange, visit: RawVisitor): number {
    if (this.changes.size === 0) return this.base.scanRaw(range, visit);
    const reverse = range.reverse === true;
    const limit = range.limit ?? Infinity;
    // Changed keys within the range, in visiting order (a copy: the visitor may write).
    const keys = this.ordered();
    let inRange: RawKey[];
    if (!reverse) {
      const from = range.start === undefined ? 0 : firstAtLeast(keys, range.start, false);
      const to = range.end === undefined ? keys.length : firstAtLeast(keys, range.end, false);
      inRange = keys.slice(from, Math.max(from, to));
    } else {
      // A reverse range visits keys <= start and > end, from the top.
      const from = range.end === undefined ? 0 : firstAtLeast(keys, range.end, true);
      const to = range.start === undefined ? keys.length : firstAtLeast(keys, range.start, true);
      inRange = keys.slice(from, Math.max(from, to)).reverse();
    }
    let next = 0;
    let count = 0;
    let stopped = false;
    const before = (a: RawKey, b: RawKey) => (reverse ? a > b : a < b);
    const emitChange = (key: RawKey): boolean => {
      const value = this.changes.get(key);
      if (value === null || value === undefined) return true;
      count++;
      if (visit(key, value, 0, value.length) === false || count >= limit) {
        stopped = true;
        return false;
      }
      return true;
    };
    if (limit <= 0) return 0;
    this.base.scanRaw({ start: range.start, end: range.end, reverse: range.reverse }, (key, buffer, offset, length) => {
      while (next < inRange.length && before(inRange[next] as RawKey, key)) {
        if (!emitChange(inRange[next++] as RawKey)) return false;
      }
      if (next < inRange.length && inRange[next] === key) {
        next++;
        return emitChange(key);
      }
      count++;
      if (visit(key, buffer, offset, length) === false || count >= limit) {
        stopped = true;
        return false;
      }
      return true;
    });
    while (!stopped && next < inRange.length) emitChange(inRange[next++] as RawKey);
    return count;
  }

  /** Applies every change to the underlying writer. */
  flush(): void {
    // In key order: the store's index takes ordered keys best.
    for (const key of this.ordered()) {
      const value = this.changes.get(key);
      if (value === null) this.base.delRaw(key);
      else if (value !== undefined) this.base.putRaw(key, value);
    }
    this.changes.clear();
    this.sorted = [];
  }
}

/** The index of the first key in `keys` (ordered) that is >= `bound`, or > `bound` when `after`. */
function firstAtLeast(keys: readonly RawKey[], bound: RawKey, after: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as RawKey;
    if (k < bound || (after && k === bound)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
