/**
 * Keyed reads of the columnar cache: the rows of a cached table that a
 * primary-key or secondary-index access path (plan.ts) would read from the
 * store, found without the store.
 *
 * - Primary key: the cached rows are in primary-key order, so the rows
 *   whose key starts with the equality values form one range, found by a
 *   binary search per key column within the range of the previous ones; a
 *   bound or an IN set on the next key column narrows it the same way.
 * - Secondary index: the ordering of the index's first column (columnar.ts)
 *   holds the row indexes of each value together; an equality, range or IN
 *   set on that column selects buckets. Later index columns do not narrow:
 *   the scan's filter, which holds every conjunct, checks them.
 *
 * Only numeric key columns (INTEGER, REAL, DATE, TIMESTAMP) qualify, so that
 * vector order is key order. Values are converted to the key domain exactly
 * as a store read converts them (`keyValueFor`): NULL selects nothing, and a
 * value with no numeric key form leaves the range as wide as the prefix
 * before it.
 *
 * Candidates are written into the selection vector a batch at a time, in
 * ascending row order (descending for a reverse read): vector kernels rely
 * on it (vector.ts). A read spanning several index buckets is therefore
 * sorted per batch, which is why index reads have no defined row order.
 */
import { assert } from '../storage/device/index.js';
import type { TableDef } from './catalog.js';
import type { ColumnarTable, Ordering } from './columnar.js';
import type { Getter } from './compile-expr.js';
import { keyValueFor } from './key-access.js';
import type { Access } from './plan.js';
import type { ColumnType, ValueType } from './sql-type.js';
import type { SqlValue } from './value.js';
import { vectorBatchRows, type VectorHolder } from './vector.js';

export interface ColumnarCandidates {
  /** Once per execution: binds the entry's vectors and orderings. */
  prepare(entry: ColumnarTable): void;
  /**
   * Computes this run's candidate rows and writes them into `sel` a batch at
   * a time, calling `consume(size)` after each; stops and returns false as
   * soon as `consume` does.
   */
  batches(sel: Int32Array, reverse: boolean, consume: (size: number) => boolean): boolean;
}

/** A key value with its static type, read per run. */
export interface KeyValue {
  readonly get: Getter;
  readonly type: ValueType;
}

export interface KeyBoundValue extends KeyValue {
  readonly inclusive: boolean;
}

export type SetValues = () => { values: SqlValue[]; type: ValueType[] };

function isNumericColumn(type: ColumnType | undefined): boolean {
  return type === 'INTEGER' || type === 'REAL' || type === 'DATE' || type === 'TIMESTAMP';
}

/** Whether a keyed access path can be served by the columnar cache (its narrowing key columns are numeric). */
export function columnarKeyable(table: TableDef, access: Access): boolean {
  if (access.kind === 'full') return false;
  if (access.kind === 'index') return isNumericColumn(table.storedTypes[access.index.columns[0] as number]);
  const used = Math.min(table.primaryKey.length, access.eq.length + (access.low !== undefined || access.high !== undefined || access.inSet !== undefined ? 1 : 0));
  if (used === 0) return false;
  for (let i = 0; i < used; i++) if (!isNumericColumn(table.storedTypes[table.primaryKey[i] as number])) return false;
  return true;
}

/** First index in [lo, hi) whose value is >= v (hi when none). */
export function lowerBound(data: Float64Array, lo: number, hi: number, v: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((data[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in [lo, hi) whose value is > v (hi when none). */
export function upperBound(data: Float64Array, lo: number, hi: number, v: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((data[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A key value converted to a number of the column's key domain: null selects nothing, undefined does not narrow. */
function numericKey(type: ColumnType, v: SqlValue, t: ValueType): number | null | undefined {
  const k = keyValueFor(type, v, t);
  if (k === null) return null;
  return typeof k === 'number' ? k : undefined;
}

/** Candidate ranges [starts[i], ends[i]) of one run; reused across runs. */
class Ranges {
  starts = new Int32Array(16);
  ends = new Int32Array(16);
  count = 0;
  /** True when the ranges together are not in ascending row order (index buckets). */
  unordered = false;

  reset(): void {
    this.count = 0;
    this.unordered = false;
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      starts.set(this.starts);
      this.starts = starts;
      const ends = new Int32Array(this.count * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  /**
   * Writes the rows of the ranges into `sel` in batches; `map` turns a
   * position into a row (identity for primary-key ranges, the ordering's
   * rows for index buckets).
   */
  emit(sel: Int32Array, reverse: boolean, map: Int32Array | undefined, consume: (size: number) => boolean): boolean {
    let size = 0;
    const unordered = this.unordered;
    if (!reverse) {
      for (let r = 0; r < this.count; r++) {
        const end = this.ends[r] as number;
        for (let p = this.starts[r] as number; p < end; p++) {
          sel[size++] = map === undefined ? p : (map[p] as number);
          if (size === vectorBatchRows) {
            if (unordered) sel.sort();
            size = 0;
            if (!consume(vectorBatchRows)) return false;
          }
        }
      }
    } else {
      for (let r = this.count - 1; r >= 0; r--) {
        const start = this.starts[r] as number;
        for (let p = (this.ends[r] as number) - 1; p >= start; p--) {
          sel[size++] = map === undefined ? p : (map[p] as number);
          if (size === vectorBatchRows) {
            if (unordered) sel.sort();
            size = 0;
            if (!consume(vectorBatchRows)) return false;
          }
        }
      }
    }
    if (size === 0) return true;
    if (unordered) sel.subarray(0, size).sort();
    return consume(size);
  }
}

/**
 * Candidates of a primary-key read: `keyHolders[i]` holds the vector of key
 * column i, for the equality columns and the one after them when a bound or
 * set narrows it.
 */
export function primaryCandidates(
  keyHolders: readonly VectorHolder[],
  types: readonly ColumnType[],
  eq: readonly KeyValue[],
  low: KeyBoundValue | undefined,
  high: KeyBoundValue | undefined,
  setValues: SetValues | undefined,
): ColumnarCandidates {
  let data: Float64Array[] = [];
  let rows = 0;
  const ranges = new Ranges();
  const keys: number[] = [];
  return {
    prepare(entry) {
      data = keyHolders.map((h) => {
        const v = h.vector;
        assert(v !== undefined && v.kind === 'f64', 'numeric key columns are f64 vectors');
        return v.data;
      });
      rows = entry.rowCount;
    },
    batches(sel, reverse, consume) {
      ranges.reset();
      let lo = 0;
      let hi = rows;
      let narrowing = true;
      for (let i = 0; i < eq.length && narrowing; i++) {
        const e = eq[i] as KeyValue;
        const v = numericKey(types[i] as ColumnType, e.get(), e.type);
        if (v === null) return true;
        if (v === undefined) {
          narrowing = false;
          break;
        }
        const column = data[i] as Float64Array;
        lo = lowerBound(column, lo, hi, v);
        hi = upperBound(column, lo, hi, v);
      }
      const next = data[eq.length];
      const nextType = types[eq.length];
      if (narrowing && next !== undefined && nextType !== undefined) {
        if (setValues !== undefined) {
          const { values, type } = setValues();
          keys.length = 0;
          let whole = false;
          for (let i = 0; i < values.length; i++) {
            const v = numericKey(nextType, values[i] as SqlValue, type[i] as ValueType);
            if (v === null) continue;
            if (v === undefined) {
              whole = true;
              break;
            }
            keys.push(v);
          }
          if (!whole) {
            keys.sort((a, b) => a - b);
            for (let i = 0; i < keys.length; i++) {
              const k = keys[i] as number;
              if (i > 0 && k === keys[i - 1]) continue;
              const start = lowerBound(next, lo, hi, k);
              ranges.add(start, upperBound(next, start, hi, k));
            }
            return ranges.emit(sel, reverse, undefined, consume);
          }
        } else {
          if (low !== undefined) {
            const v = numericKey(nextType, low.get(), low.type);
            if (v === null) return true;
            if (v !== undefined) lo = low.inclusive ? lowerBound(next, lo, hi, v) : upperBound(next, lo, hi, v);
          }
          if (high !== undefined) {
            const v = numericKey(nextType, high.get(), high.type);
            if (v === null) return true;
            if (v !== undefined) hi = high.inclusive ? upperBound(next, lo, hi, v) : lowerBound(next, lo, hi, v);
          }
        }
      }
      ranges.add(lo, hi);
      return ranges.emit(sel, reverse, undefined, consume);
    },
  };
}

/**
 * Candidates of a secondary-index read through the ordering of the index's
 * first column: an equality (or an IN set, or bounds) on that column
 * selects its buckets.
 */
export function indexCandidates(
  column: number,
  type: ColumnType,
  eq: KeyValue | undefined,
  low: KeyBoundValue | undefined,
  high: KeyBoundValue | undefined,
  setValues: SetValues | undefined,
): ColumnarCandidates {
  let ordering: Ordering | undefined;
  const ranges = new Ranges();
  const keys: number[] = [];
  /** Adds the bucket of integral value v, if the ordering has one. */
  const bucket = (o: Ordering, v: number): void => {
    if (!Number.isInteger(v)) return;
    const k = v - o.base;
    if (k < 0 || k >= o.starts.length - 1) return;
    ranges.add(o.starts[k] as number, o.starts[k + 1] as number);
  };
  return {
    prepare(entry) {
      ordering = entry.ordering(column);
      assert(ordering !== undefined, 'the engine builds the orderings a variant reads');
    },
    batches(sel, reverse, consume) {
      const o = ordering as Ordering;
      ranges.reset();
      if (eq !== undefined) {
        const v = numericKey(type, eq.get(), eq.type);
        if (v === null) return true;
        if (v === undefined) ranges.add(0, o.rows.length);
        else bucket(o, v);
        ranges.unordered = v === undefined;
        return ranges.emit(sel, reverse, o.rows, consume);
      }
      if (setValues !== undefined) {
        const { values, type: types } = setValues();
        keys.length = 0;
        for (let i = 0; i < values.length; i++) {
          const v = numericKey(type, values[i] as SqlValue, types[i] as ValueType);
          if (v === null) continue;
          if (v === undefined) {
            keys.length = 0;
            ranges.add(0, o.rows.length);
            break;
          }
          keys.push(v);
        }
        keys.sort((a, b) => a - b);
        for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) bucket(o, keys[i] as number);
        ranges.unordered = ranges.count > 1 || keys.length === 0;
        return ranges.emit(sel, reverse, o.rows, consume);
      }
      // Bounds: the buckets of the integers in [first, last].
      let first = o.base;
      let last = o.base + o.starts.length - 2;
      if (low !== undefined) {
        const v = numericKey(type, low.get(), low.type);
        if (v === null) return true;
        if (v !== undefined) first = Math.max(first, low.inclusive ? Math.ceil(v) : Math.floor(v) + 1);
      }
      if (high !== undefined) {
        const v = numericKey(type, high.get(), high.type);
        if (v === null) return true;
        if (v !== undefined) last = Math.min(last, high.inclusive ? Math.floor(v) : Math.ceil(v) - 1);
      }
      if (first > last) return true;
      ranges.add(o.starts[first - o.base] as number, o.starts[last - o.base + 1] as number);
      ranges.unordered = first !== last;
      return ranges.emit(sel, reverse, o.rows, consume);
    },
  };
}
