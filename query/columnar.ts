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

export class ColumnarTable {
  readonly columns = new Map<number, ColumnVector>();
  rowCount = 0;
  /** Whether `rowCount` has been counted (a scan that reads no column still needs it). */
  private counted = false;

  constructor(
    readonly table: TableDef,
    /** The table data version the entry reflects. */
    readonly version: number,
  ) {}

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
    }
    this.rowCount = n;
    this.counted = true;
    missing.forEach((c, i) => this.columns.set(c, (builders[i] as Builder).finish(n)));
  }
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
