/**
 * The payload of the KV engine's log records: a batch of entries, one batch
 * per committed transaction (or per part of a large one, or per compaction
 * step). Values are read in place from this format: the index points at the
 * value bytes inside the record, so the layout of an entry is part of the
 * durable format.
 *
 * Batch payload (little-endian):
 *
 *   OFFSET SIZE FIELD
 *        0    4 entry count N
 *        4    2 format version of the batch (batchFormatVersion)
 *        6    2 reserved, 0
 *        8    8 transaction id (unsigned, < 2^53): ties the parts of a large
 *               transaction to its commit record; unique per transaction
 *       16    … N entries, back to back (no padding)
 *
 * Entry:
 *
 *   OFFSET SIZE FIELD
 *        0    4 crc32c of entry bytes 4 .. 12+K+V (the rest of the entry)
 *        4    1 op: 1 = put, 2 = delete            (persisted: never renumber)
 *        5    1 reserved, 0
 *        6    2 key length K in bytes (1 … keyBytesMax)
 *        8    4 value length V in bytes (0 for delete)
 *       12    K key bytes (ordered-binary encoding; see key-codec.ts)
 *     12+K    V value bytes
 *
 * A batch is valid iff (1) the record holding it passed the log's CRC check,
 * (2) its version is known and its reserved bytes are 0, (3) every entry lies inside the payload, its op is
 * known, its reserved byte is 0, K is in 1…keyBytesMax and a delete has V = 0, and (4) the entries end
 * exactly at the end of the payload. The per-entry CRC lets a single value be
 * verified on read (`verifyChecksums: 'always'`) without reading the whole
 * record.
 */
import { crc32c } from '@node-rs/crc32';
import { CorruptionError } from '../device/index.js';
import { keyBytesMax } from './key-codec.js';
import type { RawKey } from './raw.js';

export const batchHeaderBytes = 16;
export const entryHeaderBytes = 12;
export const batchFormatVersion = 1;

/** Entry operations. persisted: never renumber. */
export const EntryOp = { Put: 1, Delete: 2 } as const;
export type EntryOp = (typeof EntryOp)[keyof typeof EntryOp];

/** Log record types used by the KV engine (the WAL reserves 0–15). persisted: never renumber. */
export const KvRecordType = {
  /** A whole transaction, or the last part of a large one: commits it. */
  Commit: 16,
  /** A part of a transaction too large for one record; applied only with its Commit. */
  Part: 17,
  /** Live values moved by compaction; applied like a commit. */
  Relocate: 18,
} as const;
export type KvRecordType = (typeof KvRecordType)[keyof typeof KvRecordType];

/** Bytes an entry takes in a batch. */
export function entryBytes(keyLength: number, valueLength: number): number {
  return entryHeaderBytes + keyLength + valueLength;
}

/**
 * Encodes entries into a growable buffer, in the batch format, as a
 * transaction makes its writes: the payload is complete when the
 * transaction commits and is appended to the log as it is. `reset()`, then
 * `put`/`del`, then `finish(txId)`.
 */
export class BatchWriter {
  private buffer: Buffer;
  private position = batchHeaderBytes;
  private count = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(initialBytes, 64));
  }

  reset(): void {
    this.position = batchHeaderBytes;
    this.count = 0;
  }

  /** Bytes of the payload so far, header included. */
  get bytes(): number {
    return this.position;
  }

  get entries(): number {
    return this.count;
  }

  /** Appends a put; returns the offset of the value bytes within the payload. */
  put(key: RawKey, value: Uint8Array): number {
    const start = this.reserve(entryBytes(key.length, value.length));
    const buf = this.buffer;
    buf[start + 4] = EntryOp.Put;
    buf[start + 5] = 0;
    buf.writeUInt16LE(key.length, start + 6);
    buf.writeUInt32LE(value.length, start + 8);
    buf.write(key, start + entryHeaderBytes, 'latin1');
    const valueOffset = start + entryHeaderBytes + key.length;
    buf.set(value, valueOffset);
    this.seal(start, valueOffset + value.length);
    return valueOffset;
  }

  del(key: RawKey): void {
    const start = this.reserve(entryBytes(key.length, 0));
    const buf = this.buffer;
    buf[start + 4] = EntryOp.Delete;
    buf[start + 5] = 0;
    buf.writeUInt16LE(key.length, start + 6);
    buf.writeUInt32LE(0, start + 8);
    buf.write(key, start + entryHeaderBytes, 'latin1');
    this.seal(start, start + entryHeaderBytes + key.length);
  }

  /** The value a `put` wrote at `valueOffset` (a view; valid until the next write). */
  valueAt(valueOffset: number, keyLength: number): Uint8Array {
    const length = this.buffer.readUInt32LE(valueOffset - keyLength - entryHeaderBytes + 8);
    return this.buffer.subarray(valueOffset, valueOffset + length);
  }

  /** Length of the value a `put` wrote at `valueOffset`. */
  valueLengthAt(valueOffset: number, keyLength: number): number {
    return this.buffer.readUInt32LE(valueOffset - keyLength - entryHeaderBytes + 8);
  }

  /** The finished payload; valid until the next `reset()` or write. */
  finish(txId: number): Uint8Array {
    writeBatchHeader(this.buffer, 0, this.count, txId);
    return this.buffer.subarray(0, this.position);
  }

  /**
   * Splits the payload into batches of at most `bytesMax` bytes each, at
   * entry boundaries, for a transaction too large for one log record. Each
   * piece is a complete batch (header included) with the same `txId`;
   * `pieceStarts[i]` is the payload offset where piece i's entries began, so
   * an offset in the payload maps to `offset - pieceStarts[i] +
   * batchHeaderBytes` in piece i.
   */
  split(bytesMax: number, txId: number): { pieces: Uint8Array[]; pieceStarts: number[] } {
    const pieces: Uint8Array[] = [];
    const pieceStarts: number[] = [];
    let from = batchHeaderBytes;
    let at = batchHeaderBytes;
    let count = 0;
    const cut = (): void => {
      const piece = Buffer.allocUnsafe(batchHeaderBytes + at - from);
      writeBatchHeader(piece, 0, count, txId);
      this.buffer.copy(piece, batchHeaderBytes, from, at);
      pieces.push(piece);
      pieceStarts.push(from);
      from = at;
      count = 0;
    };
    while (at < this.position) {
      const size = entryHeaderBytes + this.buffer.readUInt16LE(at + 6) + this.buffer.readUInt32LE(at + 8);
      if (count > 0 && batchHeaderBytes + at - from + size > bytesMax) cut();
      at += size;
      count++;
    }
    if (count > 0) cut();
    return { pieces, pieceStarts };
  }

  private reserve(bytes: number): number {
    const start = this.position;
    if (start + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, start + bytes));
      this.buffer.copy(grown, 0, 0, start);
      this.buffer = grown;
    }
    this.position = start + bytes;
    this.count++;
    return start;
  }

  private seal(start: number, end: number): void {
    const buf = this.buffer;
    // One CRC call over the contiguous rest of the entry.
    buf.writeUInt32LE(crc32c(buf.subarray(start + 4, end)) >>> 0, start);
  }
}

function writeBatchHeader(buf: Buffer, at: number, count: number, txId: number): void {
  buf.writeUInt32LE(count, at);
  buf.writeUInt16LE(batchFormatVersion, at + 4);
  buf.writeUInt16LE(0, at + 6);
  buf.writeUInt32LE(txId % 4294967296, at + 8);
  buf.writeUInt32LE(Math.floor(txId / 4294967296), at + 12);
}

/** One entry as seen by `readBatch`; fields are overwritten for each entry. */
export interface EntryView {
  op: EntryOp;
  key: RawKey;
  /** Offset of the value within the payload (meaningful for puts). */
  valueOffset: number;
  valueLength: number;
}

/**
 * Validates a batch and visits its entries in order. `where` locates the
 * payload for error messages (file and device offset of the payload).
 * Throws `CorruptionError` on any violation of the validity rules above.
 */
/** The transaction id of a batch (call after `readBatch` validated it). */
export function batchTxId(payload: Uint8Array): number {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return view.getUint32(8, true) + view.getUint32(12, true) * 4294967296;
}

export function readBatch(payload: Uint8Array, where: { file: string; offset: number }, visit: (entry: EntryView) => void): number {
  const fail = (at: number, why: string): never => {
    throw new CorruptionError(where.file, where.offset + at, `invalid KV batch: ${why}`);
  };
  if (payload.length < batchHeaderBytes) fail(0, `payload of ${payload.length} bytes is shorter than its header`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = view.getUint32(0, true);
  const version = view.getUint16(4, true);
  if (version !== batchFormatVersion) fail(4, `unknown batch format version ${version}`);
  if (view.getUint16(6, true) !== 0) fail(6, 'reserved bytes are not zero');
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const entry: EntryView = { op: EntryOp.Put, key: '', valueOffset: 0, valueLength: 0 };
  let position = batchHeaderBytes;
  for (let i = 0; i < count; i++) {
    if (position + entryHeaderBytes > payload.length) fail(position, `entry ${i} of ${count} runs past the payload`);
    const op = payload[position + 4] as EntryOp;
    const keyLength = view.getUint16(position + 6, true);
    const valueLength = view.getUint32(position + 8, true);
    if (op !== EntryOp.Put && op !== EntryOp.Delete) fail(position + 4, `unknown entry op ${op}`);
    if (payload[position + 5] !== 0) fail(position + 5, 'entry reserved byte is not zero');
    if (keyLength === 0 || keyLength > keyBytesMax) fail(position + 6, `key length ${keyLength} out of bounds`);
    if (op === EntryOp.Delete && valueLength !== 0) fail(position + 8, 'a delete carries a value');
    const end = position + entryHeaderBytes + keyLength + valueLength;
    if (end > payload.length) fail(position, `entry ${i} of ${count} runs past the payload`);
    entry.op = op;
    entry.key = bytes.toString('latin1', position + entryHeaderBytes, position + entryHeaderBytes + keyLength);
    entry.valueOffset = position + entryHeaderBytes + keyLength;
    entry.valueLength = valueLength;
    visit(entry);
    position = end;
  }
  if (position !== payload.length) fail(position, `${payload.length - position} bytes after the last entry`);
  return count;
}

/**
 * Verifies the CRC of the entry whose value starts at `valueOffset` of
 * `bytes` (the device view around it), given the key length.
 */
export function entryChecksumMatches(bytes: Uint8Array, valueOffset: number, keyLength: number, valueLength: number): boolean {
  const start = valueOffset - keyLength - entryHeaderBytes;
  if (start < 0) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(start + 6, true) !== keyLength || view.getUint32(start + 8, true) !== valueLength) return false;
  return crc32c(bytes.subarray(start + 4, valueOffset + valueLength)) >>> 0 === view.getUint32(start, true);
}
