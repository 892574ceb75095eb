/**
 * A reference implementation of `RawKvStore` held entirely in JS memory:
 * a sorted array of keys and a Map of values, copied on snapshot. It is the
 * oracle for model-based tests of the real engine and a stand-in backend for
 * layers above the KV engine in their own tests. Simple over fast: a snapshot
 * copies the whole store.
 */
import { assert, FairdbError } from '../device/index.js';
import type { RawKey, RawKvStore, RawRange, RawSnapshot, RawTransaction, RawVisitor, RawWriter } from './raw.js';

class SortedMap {
  constructor(
    readonly keys: RawKey[] = [],
    readonly values: Map<RawKey, Uint8Array> = new Map(),
  ) {}

  clone(): SortedMap {
    return new SortedMap(this.keys.slice(), new Map(this.values));
  }

  get(key: RawKey): Uint8Array | undefined {
    return this.values.get(key);
  }

  put(key: RawKey, value: Uint8Array): void {
    if (!this.values.has(key)) this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.values.set(key, value);
  }

  del(key: RawKey): boolean {
    if (!this.values.delete(key)) return false;
    const i = lowerBound(this.keys, key);
    assert(this.keys[i] === key, 'model keys and values agree');
    this.keys.splice(i, 1);
    return true;
  }

  scan(range: RawRange, visit: RawVisitor): number {
    const limit = range.limit ?? Infinity;
    let count = 0;
    if (!range.reverse) {
      let i = range.start === undefined ? 0 : lowerBound(this.keys, range.start);
      for (; i < this.keys.length && count < limit; i++) {
        const key = this.keys[i] as RawKey;
        if (range.end !== undefined && key >= range.end) break;
        const value = this.values.get(key) as Uint8Array;
        count++;
        if (visit(key, value, 0, value.length) === false) break;
      }
    } else {
      // Reverse: from `start` (inclusive) down to `end` (exclusive).
      let i = range.start === undefined ? this.keys.length - 1 : upperBound(this.keys, range.start) - 1;
      for (; i >= 0 && count < limit; i--) {
        const key = this.keys[i] as RawKey;
        if (range.end !== undefined && key <= range.end) break;
        const value = this.values.get(key) as Uint8Array;
        count++;
        if (visit(key, value, 0, value.length) === false) break;
      }
    }
    return count;
  }
}

function lowerBound(keys: readonly RawKey[], key: RawKey): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as RawKey) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(keys: readonly RawKey[], key: RawKey): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as RawKey) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class ModelReader implements RawSnapshot {
  constructor(protected readonly data: SortedMap) {}
  getRaw(key: RawKey): Uint8Array | undefined {
    return this.data.get(key);
  }
  scanRaw(range: RawRange, visit: RawVisitor): number {
    return this.data.scan(range, visit);
  }
  release(): void {}
}

class ModelWriter extends ModelReader implements RawWriter {
  putRaw(key: RawKey, value: Uint8Array): void {
    // Uint8Array.prototype.slice copies; Buffer.prototype.slice would return a view.
    this.data.put(key, Uint8Array.prototype.slice.call(value));
  }
  delRaw(key: RawKey): boolean {
    return this.data.del(key);
  }
}

/** The in-memory reference store. */
export class ModelKvStore implements RawKvStore {
  private data = new SortedMap();
  private inTransaction = false;

  getRaw(key: RawKey): Uint8Array | undefined {
    return this.data.get(key);
  }

  scanRaw(range: RawRange, visit: RawVisitor): number {
    return this.data.scan(range, visit);
  }

  transactionSync<T>(fn: (tx: RawWriter) => T): T {
    const tx = this.begin();
    try {
      const result = fn(tx);
      void tx.commit();
      return result;
    } finally {
      if (tx.open) tx.rollback();
    }
  }

  begin(): RawTransaction {
    if (this.inTransaction) throw new FairdbError('CONFLICT', 'a write transaction is already open');
    this.inTransaction = true;
    const working = this.data.clone();
    const writer = new ModelWriter(working);
    let open = true;
    const finish = (): void => {
      assert(open, 'transaction is open');
      open = false;
      this.inTransaction = false;
    };
    return {
      getRaw: (key) => writer.getRaw(key),
      scanRaw: (range, visit) => writer.scanRaw(range, visit),
      putRaw: (key, value) => writer.putRaw(key, value),
      delRaw: (key) => writer.delRaw(key),
      commit: async () => {
        finish();
        this.data = working;
      },
      rollback: () => finish(),
      get open() {
        return open;
      },
    };
  }

  async transaction<T>(fn: (tx: RawWriter) => T): Promise<T> {
    return this.transactionSync(fn);
  }

  snapshotRaw(): RawSnapshot {
    return new ModelReader(this.data.clone());
  }

  /** Number of keys (for tests). */
  get size(): number {
    return this.data.keys.length;
  }
}
