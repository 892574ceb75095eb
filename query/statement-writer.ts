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
  /** Changed keys in order, for scans. */
  private readonly sorted: RawKey[] = [];

  constructor(private readonly base: RawWriter) {}

  getRaw(key: RawKey): Uint8Array | undefined {
    const change = this.changes.get(key);
    if (change !== undefined) return change ?? undefined;
    return this.base.getRaw(key);
  }

  private note(key: RawKey): void {
    if (this.changes.has(key)) return;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as RawKey) < key) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, key);
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
    if (this.sorted.length === 0) return this.base.scanRaw(range, visit);
    const reverse = range.reverse === true;
    const limit = range.limit ?? Infinity;
    // Changed keys within the range, in visiting order.
    const inRange = this.sorted.filter((k) =>
      reverse ? (range.start === undefined || k <= range.start) && (range.end === undefined || k > range.end) : (range.start === undefined || k >= range.start) && (range.end === undefined || k < range.end),
    );
    if (reverse) inRange.reverse();
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
    for (const key of this.sorted) {
      const value = this.changes.get(key);
      if (value === null) this.base.delRaw(key);
      else if (value !== undefined) this.base.putRaw(key, value);
    }
    this.changes.clear();
    this.sorted.length = 0;
  }
}
