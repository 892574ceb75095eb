/**
 * The columnar cache: typed-array copies of a table's columns, so that full
 * scans of large, read-mostly tables run as loops over arrays instead of
 * visiting every row in the KV store (TPC-H's scans).
 *
 * Consistency: a cache entry is tagged with the table's data version, a
 * counter the engine increases whenever a transaction that wrote the table
 * commits. An entry is used only while its version is current, and never by
 * a transaction that has itself written the table, so a scan from the cache
 * returns exactly the rows a scan of the store would: the committed state,
 * which is also what a transaction that has not written the table sees
 * (writes are serialized through the engine). The engine assumes it is the
 * only writer of its key prefix, as it does for its in-memory catalog.
 *
 * Building: the engine builds (or extends) an entry on the first full scan
 * of a table, and after a write only on a second full scan at the same data
 * version, so a table written between every scan pays for building once at
 * most. Only the columns queries use are built. Rows are in primary-key
 * order, like the store's scan.
 *
 * Keyed reads: rows are in primary-key order, so equalities and ranges on
 * numeric primary-key columns are binary searches over the column vectors
 * (columnar-access.ts), and an ordering of a numeric column (row indexes
 * sorted by its value, built on demand by a counting sort) serves a
 * secondary index's lookups. Point and range reads of a cached table then
 * never touch the store.
 *
 * Memory: `bytes` counts what an entry holds (typed arrays exactly, strings
 * approximately); the cache bounds the sum over entries (columnar-cache.ts).
 *
 * Representation per column:
 *   f64     Float64Array, plus a Uint8Array of null flags when any is NULL
 *           (INTEGER, REAL, DATE, TIMESTAMP)
 *   bool    Uint8Array: 0, 1, or 255 for NULL (BOOLEAN)
 *   dict    Int32Array codes into a string array, -1 for NULL (TEXT with
 *           few distinct values)
 *   strings (string | null)[] (TEXT with many distinct values)
 *   blobs   (Uint8Array | null)[] (BLOB)
 */
import type { RawReader } from '../storage/kv/index.js';
import type { TableDef } from './catalog.js';
import { keyEnd } from './key-format.js';
import { RowCursor, utf8Slice } from './row-format.js';

export type ColumnVector =
  | {
      readonly kind: 'f64';
      readonly data: Float64Array;
      readonly nulls: Uint8Array | null;
      /** Smallest and largest non-NULL value (min > max when there is none). */
      readonly min: number;
      readonly max: number;
      /** Every non-NULL value is an integer. */
      readonly integral: boolean;
    }
  | { readonly kind: 'bool'; readonly data: Uint8Array; readonly hasNull: boolean }
  | { readonly kind: 'dict'; readonly codes: Int32Array; readonly dict: readonly string[]; readonly hasNull: boolean }
  | { readonly kind: 'strings'; readonly data: readonly (string | null)[] }
  | { readonly kind: 'blobs'; readonly data: readonly (Uint8Array | null)[] };

/** A TEXT column switches from dictionary codes to plain strings past this many distinct values. */
export const dictionaryValuesMax = 65_536;

/**
 * Row indexes of a cached table ordered by one numeric column: rows whose
 * value is `base + k` are `rows[starts[k] .. starts[k + 1])`, in primary-key
 * order. Rows where the column is NULL are left out (no comparison selects
 * them).
 */
export interface Ordering {
  readonly base: number;
  readonly starts: Int32Array;
  readonly rows: Int32Array;
}

/** Widest span of values (max − min + 1) an ordering covers with one bucket per value. */
export const orderingSpanMax = 1 << 24;

/** Rows sampled to estimate a column's distinct values when it cannot be counted exactly. */
export const distinctSampleRows = 16_384;

export class ColumnarTable {
  readonly columns = new Map<number, ColumnVector>();
  rowCount = 0;
  /** Bytes held by the vectors and orderings (strings estimated at two bytes per char plus overhead). */
  bytes = 0;
  /** Whether `rowCount` has been counted (a scan that reads no column still needs it). */
  private counted = false;
  private readonly orderings = new Map<number, Ordering | null>();
  private readonly distincts = new Map<number, number>();

  constructor(
    readonly table: TableDef,
    /** The table data version the entry reflects. */
    readonly version: number,
  ) {}

  /** Whether every one of `columns` is built (and the rows counted). */
  has(columns: Iterable<number>): boolean {
    if (!this.counted) return false;
    for (const c of columns) if (!this.columns.has(c)) return false;
    return true;
  }

  /** Bytes the vectors of `columns` not built yet would take, estimated before building them. */
  missingBytes(columns: Iterable<number>, rows: number): number {
    let bytes = 0;
    for (const c of columns) if (!this.columns.has(c)) bytes += estimateVectorBytes(this.table, c, rows);
    return bytes;
  }

  /** Builds the missing ones of `columns` (stored column indexes) with one scan of the table. */
  ensure(reader: RawReader, columns: readonly number[]): void {
    const missing = columns.filter((c) => !this.columns.has(c));
    if (missing.length === 0 && this.counted) return;
    const table = this.table;
    const cursor = new RowCursor(table.layout, `table ${table.name}`);
    const builders = missing.map((c) => newBuilder(table, c, cursor));
    let n = 0;
    reader.scanRaw({ start: table.rowPrefix, end: table.rowPrefix + keyEnd }, (_key, buffer, offset, length) => {
      cursor.set(buffer, offset, length);
      for (let i = 0; i < builders.length; i++) (builders[i] as Builder).add(n);
      n++;
    });
    if (this.columns.size > 0 && n !== this.rowCount) {
      // The table changed under a current version: a programmer error in the
      // version bookkeeping; rebuild everything rather than mix states.
      this.columns.clear();
      this.orderings.clear();
      this.distincts.clear();
      this.bytes = 0;
    }
    this.rowCount = n;
    this.counted = true;
    missing.forEach((c, i) => {
      const vector = (builders[i] as Builder).finish(n);
      this.columns.set(c, vector);
      this.bytes += vectorBytes(vector);
    });
  }

  /** Whether the ordering of `column` has been tried (built, or found impossible). */
  hasOrdering(column: number): boolean {
    return this.orderings.has(column);
  }

  /**
   * The ordering of numeric column `column` (which must be built), built on
   * first use; undefined when the column is not integral or its values span
   * more than `orderingSpanMax` (or four times the rows): such a column is
   * not served by keyed columnar reads.
   */
  ordering(column: number): Ordering | undefined {
    const known = this.orderings.get(column);
    if (known !== undefined) return known ?? undefined;
    const v = this.columns.get(column);
    let built: Ordering | null = null;
    if (v !== undefined && v.kind === 'f64' && v.integral && v.max >= v.min) {
      const span = v.max - v.min + 1;
      if (span <= orderingSpanMax && span <= 4 * this.rowCount + 1024) built = countingOrder(v.data, v.nulls, v.min, span);
    }
    this.orderings.set(column, built);
    if (built !== null) this.bytes += built.starts.byteLength + built.rows.byteLength;
    return built ?? undefined;
  }

  /**
   * Distinct non-NULL values of a built column: exact for dictionary-coded
   * text, booleans and integers in a narrow span; otherwise estimated from
   * an evenly spread sample of `distinctSampleRows` rows. Undefined when the
   * column is not built.
   */
  distinct(column: number): number | undefined {
    const known = this.distincts.get(column);
    if (known !== undefined) return known;
    const v = this.columns.get(column);
    if (v === undefined) return undefined;
    const n = distinctOf(v, this.rowCount);
    this.distincts.set(column, n);
    return n;
  }
}

/** Row indexes sorted by an integral column with a counting sort (stable: primary-key order within a value). */
function countingOrder(data: Float64Array, nulls: Uint8Array | null, base: number, span: number): Ordering {
  const starts = new Int32Array(span + 1);
  const n = data.length;
  let present = 0;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    starts[(data[i] as number) - base + 1]++;
    present++;
  }
  for (let k = 0; k < span; k++) starts[k + 1] = (starts[k + 1] as number) + (starts[k] as number);
  const rows = new Int32Array(present);
  const fill = starts.slice(0, span);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const k = (data[i] as number) - base;
    rows[fill[k] as number] = i;
    fill[k]++;
  }
  return { base, starts, rows };
}

function distinctOf(v: ColumnVector, rows: number): number {
  switch (v.kind) {
    case 'dict':
      return v.dict.length;
    case 'bool': {
      let zero = false;
      let one = false;
      for (let i = 0; i < v.data.length && !(zero && one); i++) {
        if (v.data[i] === 0) zero = true;
        else if (v.data[i] === 1) one = true;
      }
      return (zero ? 1 : 0) + (one ? 1 : 0);
    }
    case 'f64': {
      if (v.max < v.min) return 0;
      const span = v.max - v.min + 1;
      if (v.integral && span <= orderingSpanMax) {
        const seen = new Uint8Array(span);
        let count = 0;
        for (let i = 0; i < rows; i++) {
          if (v.nulls !== null && v.nulls[i] === 1) continue;
          const k = (v.data[i] as number) - v.min;
          if (seen[k] === 0) {
            seen[k] = 1;
            count++;
          }
        }
        return count;
      }
      return sampledDistinct(rows, (i) => (v.nulls !== null && v.nulls[i] === 1 ? undefined : v.data[i]));
    }
    case 'strings':
      return sampledDistinct(rows, (i) => v.data[i] ?? undefined);
    case 'blobs':
      return sampledDistinct(rows, (i) => {
        const b = v.data[i];
        return b === null || b === undefined ? undefined : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
      });
  }
}

/**
 * Distinct values of `rows` values estimated from an evenly spread sample,
 * with the GEE estimator of Charikar et al. ("Towards estimation error
 * guarantees for distinct values", PODS 2000): values seen once in the
 * sample stand for sqrt(rows / sample) values each, the others for one.
 */
function sampledDistinct(rows: number, valueAt: (row: number) => number | string | undefined): number {
  if (rows === 0) return 0;
  const sample = Math.min(rows, distinctSampleRows);
  const step = rows / sample;
  const counts = new Map<number | string, number>();
  let taken = 0;
  for (let s = 0; s < sample; s++) {
    const v = valueAt(Math.floor(s * step));
    if (v === undefined) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    taken++;
  }
  if (taken === 0) return 0;
  let once = 0;
  for (const c of counts.values()) if (c === 1) once++;
  if (sample === rows) return counts.size;
  const estimate = Math.sqrt(rows / sample) * once + (counts.size - once);
  return Math.max(counts.size, Math.min(Math.round(estimate), Math.round((rows * taken) / sample)));
}

/** Bytes a vector holds (strings: two bytes per char and 16 bytes of overhead each, an estimate). */
function vectorBytes(v: ColumnVector): number {
  switch (v.kind) {
    case 'f64':
      return v.data.byteLength + (v.nulls?.byteLength ?? 0);
    case 'bool':
      return v.data.byteLength;
    case 'dict': {
      let bytes = v.codes.byteLength;
      for (const s of v.dict) bytes += 16 + 2 * s.length;
      return bytes;
    }
    case 'strings': {
      let bytes = 8 * v.data.length;
      for (const s of v.data) if (s !== null) bytes += 16 + 2 * s.length;
      return bytes;
    }
    case 'blobs': {
      let bytes = 8 * v.data.length;
      for (const b of v.data) if (b !== null) bytes += 64 + b.byteLength;
      return bytes;
    }
  }
}

/** The bytes a column's vector will take for `rows` rows, before building it (text: 8 bytes a row). */
function estimateVectorBytes(table: TableDef, column: number, rows: number): number {
  const kind = table.layout.kinds[column];
  if (kind === 'f64') return 8 * rows;
  if (kind === 'bool') return rows;
  return 8 * rows;
}

interface Builder {
  add(row: number): void;
  finish(rows: number): ColumnVector;
}

function newBuilder(table: TableDef, column: number, cursor: RowCursor): Builder {
  const layout = table.layout;
  const kind = layout.kinds[column];
  const type = table.storedTypes[column];
  const nullByte = 1 + (column >> 3);
  const nullBit = 1 << (column & 7);
  const slot = layout.slots[column] as number;
  if (kind === 'f64') {
    let data = new Float64Array(1024);
    let nulls: Uint8Array | null = null;
    return {
      add(row) {
        if (row >= data.length) {
          const next = new Float64Array(data.length * 2);
          next.set(data);
          data = next;
          if (nulls !== null) {
            const nn = new Uint8Array(data.length);
            nn.set(nulls);
            nulls = nn;
          }
        }
        if (((cursor.u8[cursor.pos + nullByte] as number) & nullBit) !== 0) {
          if (nulls === null) nulls = new Uint8Array(data.length);
          nulls[row] = 1;
          data[row] = 0;
        } else {
          data[row] = cursor.view.getFloat64(cursor.pos + slot, true);
        }
      },
      finish(rows) {
        const out = data.slice(0, rows);
        const flags = nulls === null ? null : nulls.slice(0, rows);
        let min = Infinity;
        let max = -Infinity;
        let integral = true;
        for (let i = 0; i < rows; i++) {
          if (flags !== null && flags[i] === 1) continue;
          const v = out[i] as number;
          if (v < min) min = v;
          if (v > max) max = v;
          if (integral && !Number.isInteger(v)) integral = false;
        }
        return { kind: 'f64', data: out, nulls: flags, min, max, integral };
      },
    };
  }
  if (kind === 'bool') {
    let data = new Uint8Array(1024);
    let hasNull = false;
    return {
      add(row) {
        if (row >= data.length) {
          const next = new Uint8Array(data.length * 2);
          next.set(data);
          data = next;
        }
        if (((cursor.u8[cursor.pos + nullByte] as number) & nullBit) !== 0) {
          data[row] = 255;
          hasNull = true;
        } else {
          data[row] = cursor.u8[cursor.pos + slot] as number;
        }
      },
      finish(rows) {
        return { kind: 'bool', data: data.slice(0, rows), hasNull };
      },
    };
  }
  if (type === 'BLOB') {
    const data: (Uint8Array | null)[] = [];
    return {
      add() {
        data.push(cursor.isNull(column) ? null : cursor.blob(column));
      },
      finish() {
        return { kind: 'blobs', data };
      },
    };
  }
  // TEXT: dictionary codes while the dictionary stays small.
  let codes: Int32Array | null = new Int32Array(1024);
  const dict: string[] = [];
  const lookup = new Map<string, number>();
  let strings: (string | null)[] | null = null;
  let hasNull = false;
  return {
    add(row) {
      const value = cursor.isNull(column) ? null : utf8Slice(cursor.u8, cursor.varStart(column), cursor.varEnd(column));
      if (strings !== null) {
        strings.push(value);
        return;
      }
      let c = codes as Int32Array;
      if (row >= c.length) {
        const next = new Int32Array(c.length * 2);
        next.set(c);
        c = next;
        codes = next;
      }
      if (value === null) {
        c[row] = -1;
        hasNull = true;
        return;
      }
      let code = lookup.get(value);
      if (code === undefined) {
        if (dict.length >= dictionaryValuesMax) {
          // Too many distinct values: switch to plain strings.
          strings = [];
          for (let i = 0; i < row; i++) {
            const k = c[i] as number;
            strings.push(k < 0 ? null : (dict[k] as string));
          }
          strings.push(value);
          codes = null;
          lookup.clear();
          return;
        }
        code = dict.length;
        dict.push(value);
        lookup.set(value, code);
      }
      c[row] = code;
    },
    finish(rows) {
      if (strings !== null) return { kind: 'strings', data: strings };
      return { kind: 'dict', codes: (codes as Int32Array).slice(0, rows), dict, hasNull };
    },
  };
}
