/**
 * The row format: how one table row is stored as a KV value, designed so
 * that the executor reads only the columns a query uses, straight from the
 * store's bytes, without decoding the row.
 *
 * All integers little-endian. For a table with C columns of which V are
 * TEXT or BLOB:
 *
 *   OFFSET        SIZE  FIELD
 *   0             1     format version (rowFormatVersion = 1)
 *   1             B     null bitmap, B = ceil(C / 8): bit (i & 7) of byte
 *                       1 + (i >> 3) is set iff column i is NULL
 *   1+B           F     fixed slots in column order: 8 bytes (float64) for
 *                       INTEGER, REAL, DATE (days) and TIMESTAMP (ms);
 *                       1 byte (0 or 1) for BOOLEAN; a NULL keeps its
 *                       zeroed slot, so slot offsets depend on the schema only
 *   1+B+F         4·V   end table: for each TEXT/BLOB column in column
 *                       order, the u32 offset (from the row start) just past
 *                       its bytes; it starts where the previous one ends
 *                       (the first at 1+B+F+4·V); NULL and '' have length 0
 *   1+B+F+4·V     ...   the bytes: TEXT as UTF-8, BLOB as is
 *
 * There is no magic number per row: the key space identifies rows (see
 * key-format.ts) and the version byte is checked on every read. A row is
 * valid iff (1) its version byte is 1, (2) it is at least 1+B+F+4·V bytes
 * long, and (3) each TEXT/BLOB column read lies within the row (start ≤ end
 * ≤ row length); violations raise CORRUPTION, never an out-of-bounds read.
 * Tables have no ALTER TABLE, so a table's layout never changes; a future
 * schema change would bump the version byte.
 */
import { assert, CorruptionError, LimitError } from '../storage/device/index.js';
import type { ColumnType } from './sql-type.js';
import type { SqlValue } from './value.js';

export const rowFormatVersion = 1;

/** Largest encoded row, in bytes. */
export const rowBytesMax = 16 * 1024 * 1024;

export type SlotKind = 'f64' | 'bool' | 'var';

export interface RowLayout {
  readonly columnCount: number;
  readonly nullBytes: number;
  readonly kinds: readonly SlotKind[];
  /** For fixed columns: byte offset of the slot from the row start; for var columns: offset of its end-table entry. */
  readonly slots: readonly number[];
  /** For var columns: offset of the previous var column's end-table entry, or -1 for the first (which starts at varBase). */
  readonly previousEnd: readonly number[];
  /** Offset of the first variable byte (= the minimum row length). */
  readonly varBase: number;
  readonly varCount: number;
}

export function slotKindOf(type: ColumnType): SlotKind {
  switch (type) {
    case 'INTEGER':
    case 'REAL':
    case 'DATE':
    case 'TIMESTAMP':
      return 'f64';
    case 'BOOLEAN':
      return 'bool';
    case 'TEXT':
    case 'BLOB':
      return 'var';
  }
}

export function rowLayout(types: readonly ColumnType[]): RowLayout {
  const columnCount = types.length;
  const nullBytes = (columnCount + 7) >> 3;
  const kinds = types.map(slotKindOf);
  const slots: number[] = new Array(columnCount).fill(0);
  const previousEnd: number[] = new Array(columnCount).fill(-1);
  let at = 1 + nullBytes;
  for (let i = 0; i < columnCount; i++) {
    if (kinds[i] === 'f64') {
      slots[i] = at;
      at += 8;
    } else if (kinds[i] === 'bool') {
      slots[i] = at;
      at += 1;
    }
  }
  let previous = -1;
  let varCount = 0;
  for (let i = 0; i < columnCount; i++) {
    if (kinds[i] !== 'var') continue;
    slots[i] = at;
    previousEnd[i] = previous;
    previous = at;
    at += 4;
    varCount++;
  }
  return { columnCount, nullBytes, kinds, slots, previousEnd, varBase: at, varCount };
}

/**
 * Encodes rows into a reused scratch buffer. The returned bytes are valid
 * until the next `encode` call; the KV store copies what it keeps.
 */
export class RowEncoder {
  // A plain Uint8Array, never a Buffer: stores that copy values with
  // `slice()` must get a copy, and Buffer#slice would alias the scratch.
  private scratch = new Uint8Array(256);
  private view = new DataView(this.scratch.buffer);
  private readonly encoder = new TextEncoder();

  constructor(private readonly layout: RowLayout) {}

  private ensure(bytes: number): void {
    if (bytes <= this.scratch.length) return;
    let size = this.scratch.length;
    while (size < bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.scratch);
    this.scratch = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * Encodes `values` (one per column, already converted to the column
   * types: numbers for fixed columns, strings for TEXT, Uint8Array for
   * BLOB). Throws LIMIT when the row exceeds `rowBytesMax`.
   */
  encode(values: readonly SqlValue[]): Uint8Array {
    const layout = this.layout;
    assert(values.length === layout.columnCount, 'one value per column');
    this.ensure(layout.varBase);
    const s = this.scratch;
    s.fill(0, 0, layout.varBase);
    s[0] = rowFormatVersion;
    let end = layout.varBase;
    for (let i = 0; i < layout.columnCount; i++) {
      const v = values[i] as SqlValue;
      const kind = layout.kinds[i] as SlotKind;
      const slot = layout.slots[i] as number;
      if (v === null) {
        this.scratch[1 + (i >> 3)] = (this.scratch[1 + (i >> 3)] as number) | (1 << (i & 7));
        if (kind === 'var') this.view.setUint32(slot, end, true);
        continue;
      }
      if (kind === 'f64') {
        assert(typeof v === 'number', 'fixed columns hold numbers');
        this.view.setFloat64(slot, v, true);
      } else if (kind === 'bool') {
        assert(v === 0 || v === 1, 'BOOLEAN columns hold 0 or 1');
        this.scratch[slot] = v;
      } else if (typeof v === 'string') {
        // Short ASCII text: copy the char codes (cheaper than the encoder's call).
        if (v.length <= 64 && end + v.length <= rowBytesMax) {
          this.ensure(end + v.length);
          const bytes = this.scratch;
          let ascii = true;
          for (let k = 0; k < v.length; k++) {
            const c = v.charCodeAt(k);
            if (c >= 0x80) {
              ascii = false;
              break;
            }
            bytes[end + k] = c;
          }
          if (ascii) {
            end += v.length;
            this.view.setUint32(slot, end, true);
            continue;
          }
        }
        // UTF-8 takes at most 3 bytes per UTF-16 unit.
        const worst = end + v.length * 3;
        if (worst > rowBytesMax && end + Buffer.byteLength(v, 'utf8') > rowBytesMax) {
          throw new LimitError('row length in bytes', rowBytesMax, end + Buffer.byteLength(v, 'utf8'));
        }
        this.ensure(Math.min(worst, rowBytesMax));
        const written = this.encoder.encodeInto(v, this.scratch.subarray(end)).written;
        end += written;
        this.view.setUint32(slot, end, true);
      } else {
        assert(v instanceof Uint8Array, 'var columns hold strings or bytes');
        if (end + v.length > rowBytesMax) throw new LimitError('row length in bytes', rowBytesMax, end + v.length);
        this.ensure(end + v.length);
        this.scratch.set(v, end);
        end += v.length;
        this.view.setUint32(slot, end, true);
      }
    }
    return this.scratch.subarray(0, end);
  }
}

/** Buffers at least this large are taken to be shared store memory worth a cached DataView. */
const sharedBufferBytesMin = 64 * 1024;

/**
 * The current row of a scan: where its bytes are and how to read them.
 * Column readers compiled by the executor read `u8`, `view` and `pos`
 * directly. `set` makes the row readable without allocating: rows inside a
 * large shared store buffer are read in place through a DataView cached per
 * buffer; rows in small private buffers (the in-memory model store) are
 * copied into a scratch buffer that has a permanent DataView.
 */
export class RowCursor {
  /** Bytes that hold the current row at `pos`. */
  u8: Uint8Array;
  view: DataView;
  /** Offset of the current row in `u8`/`view`. */
  pos = 0;
  /** Length of the current row. */
  length = 0;
  /** Increases with every `set`: identifies the current row for per-row caches. */
  seq = 0;
  private cachedBuffer: ArrayBufferLike | null = null;
  private cachedU8: Uint8Array;
  private cachedView: DataView;
  private scratch = new Uint8Array(1024);
  private scratchView = new DataView(this.scratch.buffer);

  constructor(
    readonly layout: RowLayout,
    /** Names the table in corruption errors. */
    readonly location: string,
  ) {
    this.u8 = this.scratch;
    this.view = this.scratchView;
    this.cachedU8 = this.scratch;
    this.cachedView = this.scratchView;
  }

  set(buffer: Uint8Array, offset: number, length: number): void {
    const ab = buffer.buffer;
    if (ab === this.cachedBuffer) {
      this.u8 = this.cachedU8;
      this.view = this.cachedView;
      this.pos = buffer.byteOffset + offset;
    } else if (ab.byteLength >= sharedBufferBytesMin) {
      this.cachedBuffer = ab;
      this.cachedU8 = new Uint8Array(ab);
      this.cachedView = new DataView(ab);
      this.u8 = this.cachedU8;
      this.view = this.cachedView;
      this.pos = buffer.byteOffset + offset;
    } else {
      if (length > this.scratch.length) {
        let size = this.scratch.length;
        while (size < length) size *= 2;
        this.scratch = new Uint8Array(size);
        this.scratchView = new DataView(this.scratch.buffer);
      }
      if (offset === 0 && length === buffer.length) this.scratch.set(buffer);
      else this.scratch.set(buffer.subarray(offset, offset + length));
      this.u8 = this.scratch;
      this.view = this.scratchView;
      this.pos = 0;
    }
    this.length = length;
    this.seq++;
    if (length < this.layout.varBase || this.u8[this.pos] !== rowFormatVersion) {
      throw new CorruptionError(this.location, 0, length < this.layout.varBase ? `row of ${length} bytes is shorter than its ${this.layout.varBase}-byte header` : `unknown row format version ${this.u8[this.pos]}`);
    }
  }

  isNull(column: number): boolean {
    return ((this.u8[this.pos + 1 + (column >> 3)] as number) & (1 << (column & 7))) !== 0;
  }

  /** Start of a var column's bytes (absolute in `u8`); validates the range. */
  varStart(column: number): number {
    const previous = this.layout.previousEnd[column] as number;
    return this.pos + (previous < 0 ? this.layout.varBase : this.view.getUint32(this.pos + previous, true));
  }

  varEnd(column: number): number {
    const start = this.varStart(column);
    const end = this.pos + this.view.getUint32(this.pos + (this.layout.slots[column] as number), true);
    if (end < start || end > this.pos + this.length) {
      throw new CorruptionError(this.location, end - this.pos, `column ${column} bytes [${start - this.pos}, ${end - this.pos}) lie outside the ${this.length}-byte row`);
    }
    return end;
  }

  /** The value of a column in the engine's run-time representation. */
  value(column: number): SqlValue {
    if (this.isNull(column)) return null;
    const kind = this.layout.kinds[column] as SlotKind;
    const slot = this.layout.slots[column] as number;
    if (kind === 'f64') return this.view.getFloat64(this.pos + slot, true);
    if (kind === 'bool') return this.u8[this.pos + slot] as number;
    return this.text(column);
  }

  text(column: number): string {
    const end = this.varEnd(column);
    return utf8Slice(this.u8, this.varStart(column), end);
  }

  blob(column: number): Uint8Array {
    const end = this.varEnd(column);
    return this.u8.slice(this.varStart(column), end);
  }
}

const bufferUtf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice;

/** UTF-8 text of `bytes[start, end)` without copying the bytes first. */
export function utf8Slice(bytes: Uint8Array, start: number, end: number): string {
  return bufferUtf8Slice.call(bytes, start, end);
}
