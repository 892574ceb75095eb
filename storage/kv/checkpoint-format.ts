/**
 * The KV engine's checkpoint image: the whole ordered index (every key and
 * the location of its latest value in the log) plus the engine's counters,
 * so that reopening loads it and replays only the log written after it.
 * The write-ahead log stores the image, checks its CRC32C and records the LSN
 * it covers; this file defines the bytes inside.
 *
 * Image (little-endian; sections 8-byte aligned so the typed arrays can be
 * read in place):
 *
 *   OFFSET     SIZE  FIELD
 *        0        4  magic 0x4b434446 ("FDCK")
 *        4        2  format version (checkpointFormatVersion)
 *        6        2  reserved, 0
 *        8        8  entry count N (unsigned, < 2^53)
 *       16        8  total key bytes B
 *       24        8  next transaction id
 *       32        8  reserved, 0
 *       40      8·N  value addresses (float64; integers, device offsets)
 *   40+8N       4·N  value lengths (uint32)
 *   then        2·N  key lengths (uint16), padded with zeros to 8 bytes
 *   then          B  key bytes, concatenated in key order
 *
 * An image is valid iff (1) magic and version match and reserved bytes are
 * 0, (2) its length equals the size implied by N and B, (3) the key lengths
 * are in 1…keyBytesMax and sum to B, (4) keys are in strictly increasing
 * order, and (5) every address + length lies within the device.
 */
import { CorruptionError } from '../device/index.js';
import { keyBytesMax } from './key-codec.js';
import type { RawKey } from './raw.js';

export const checkpointMagic = 0x4b434446;
export const checkpointFormatVersion = 1;
const headerBytes = 40;

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** What a checkpoint holds, decoded. */
export interface CheckpointContents {
  readonly keys: RawKey[];
  readonly addresses: Float64Array;
  readonly lengths: Uint32Array;
  readonly nextTxId: number;
}

/** Source of entries for encoding: visits the index in key order. */
export type EntrySource = (visit: (key: RawKey, address: number, length: number) => void) => void;

/**
 * Encodes an index of `count` entries. `source` must visit exactly `count`
 * entries in strictly increasing key order (the tree guarantees it).
 */
export function encodeCheckpoint(count: number, source: EntrySource, nextTxId: number): Uint8Array[] {
  const addresses = new Float64Array(count);
  const lengths = new Uint32Array(count);
  const keyLengths = new Uint16Array(align8(count * 2) / 2);
  let keyBytes = Buffer.allocUnsafeSlow(Math.max(1024, count * 24));
  let keyBytesUsed = 0;
  let i = 0;
  source((key, address, length) => {
    addresses[i] = address;
    lengths[i] = length;
    keyLengths[i] = key.length;
    if (keyBytesUsed + key.length > keyBytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(keyBytes.length * 2, keyBytesUsed + key.length));
      keyBytes.copy(grown, 0, 0, keyBytesUsed);
      keyBytes = grown;
    }
    keyBytesUsed += keyBytes.write(key, keyBytesUsed, 'latin1');
    i++;
  });
  if (i !== count) throw new Error(`checkpoint source visited ${i} entries, expected ${count}`);
  const header = Buffer.alloc(headerBytes);
  header.writeUInt32LE(checkpointMagic, 0);
  header.writeUInt16LE(checkpointFormatVersion, 4);
  writeUint53(header, 8, count);
  writeUint53(header, 16, keyBytesUsed);
  writeUint53(header, 24, nextTxId);
  return [
    header,
    new Uint8Array(addresses.buffer),
    new Uint8Array(lengths.buffer),
    // Pad the lengths section to 8 bytes.
    ...(count % 2 === 1 ? [new Uint8Array(4)] : []),
    new Uint8Array(keyLengths.buffer),
    keyBytes.subarray(0, keyBytesUsed),
  ];
}

/**
 * Reads little-endian fields from an image given as consecutive chunks
 * (the log hands a large image over as views of its segments, so it is never
 * copied). Reads move forward through the image, so each cursor remembers
 * its chunk; a field that straddles two chunks is assembled in a scratch.
 */
class ChunkCursor {
  private index = 0;
  private start = 0;
  private end: number;
  private buf: Buffer;
  private readonly scratch = Buffer.alloc(8);

  constructor(
    private readonly chunks: readonly Buffer[],
    private readonly starts: readonly number[],
  ) {
    this.buf = chunks[0] as Buffer;
    this.end = this.buf.length;
  }

  f64(pos: number): number {
    return pos >= this.start && pos + 8 <= this.end ? this.buf.readDoubleLE(pos - this.start) : this.slow(pos, 8).readDoubleLE(0);
  }

  u32(pos: number): number {
    return pos >= this.start && pos + 4 <= this.end ? this.buf.readUInt32LE(pos - this.start) : this.slow(pos, 4).readUInt32LE(0);
  }

  u16(pos: number): number {
    return pos >= this.start && pos + 2 <= this.end ? this.buf.readUInt16LE(pos - this.start) : this.slow(pos, 2).readUInt16LE(0);
  }

  latin1(pos: number, length: number): string {
    if (pos >= this.start && pos + length <= this.end) return this.buf.toString('latin1', pos - this.start, pos - this.start + length);
    this.moveTo(pos);
    if (pos + length <= this.end) return this.buf.toString('latin1', pos - this.start, pos - this.start + length);
    return this.gather(pos, Buffer.allocUnsafe(length)).toString('latin1');
  }

  /** Moves to the chunk holding `pos`; if the field still straddles chunks, gathers it. */
  private slow(pos: number, size: number): Buffer {
    this.moveTo(pos);
    if (pos + size <= this.end) return this.buf.subarray(pos - this.start, pos - this.start + size);
    return this.gather(pos, this.scratch.subarray(0, size));
  }

  private moveTo(pos: number): void {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.starts[mid] as number) <= pos) lo = mid;
      else hi = mid - 1;
    }
    this.index = lo;
    this.buf = this.chunks[lo] as Buffer;
    this.start = this.starts[lo] as number;
    this.end = this.start + this.buf.length;
  }

  private gather(pos: number, into: Buffer): Buffer {
    let filled = 0;
    let i = this.index;
    while (filled < into.length) {
      const chunk = this.chunks[i] as Buffer;
      const from = pos + filled - (this.starts[i] as number);
      const n = Math.min(chunk.length - from, into.length - filled);
      chunk.copy(into, filled, from, from + n);
      filled += n;
      i++;
    }
    return into;
  }
}

/** Decodes and validates an image; `where` names the device for errors. */
export function decodeCheckpoint(image: Uint8Array | readonly Uint8Array[], where: { file: string; offset: number }, deviceBytes: number): CheckpointContents {
  const fail = (at: number, why: string): never => {
    throw new CorruptionError(where.file, where.offset + at, `invalid checkpoint image: ${why}`);
  };
  const chunks = (image instanceof Uint8Array ? [image] : image)
    .filter((c) => c.length > 0)
    .map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  const starts: number[] = [];
  let imageBytes = 0;
  for (const c of chunks) {
    starts.push(imageBytes);
    imageBytes += c.length;
  }
  if (imageBytes < headerBytes) fail(0, `${imageBytes} bytes is shorter than the header`);
  const header = new ChunkCursor(chunks, starts);
  if (header.u32(0) !== checkpointMagic) fail(0, 'bad magic');
  const version = header.u16(4);
  if (version !== checkpointFormatVersion) fail(4, `unknown format version ${version}`);
  if (header.u16(6) !== 0 || header.u32(32) !== 0 || header.u32(36) !== 0) fail(6, 'reserved bytes are not zero');
  const count = header.u32(8) + Math.min(header.u32(12), 0x1fffff) * 4294967296;
  const keyBytes = header.u32(16) + Math.min(header.u32(20), 0x1fffff) * 4294967296;
  const nextTxId = header.u32(24) + Math.min(header.u32(28), 0x1fffff) * 4294967296;
  const addressesAt = headerBytes;
  const lengthsAt = addressesAt + 8 * count;
  const keyLengthsAt = lengthsAt + align8(4 * count);
  const keysAt = keyLengthsAt + align8(2 * count);
  if (count > imageBytes / 14 || keysAt + keyBytes !== imageBytes) {
    fail(8, `length ${imageBytes} does not match ${count} entries with ${keyBytes} key bytes`);
  }
  // The arrays are copied out: the index must not alias device memory that
  // the next checkpoint frees.
  const addresses = new Float64Array(count);
  const lengths = new Uint32Array(count);
  const keys: RawKey[] = new Array(count);
  const addressCursor = new ChunkCursor(chunks, starts);
  const lengthCursor = new ChunkCursor(chunks, starts);
  const keyLengthCursor = new ChunkCursor(chunks, starts);
  const keyCursor = new ChunkCursor(chunks, starts);
  let keyAt = keysAt;
  let previous: RawKey | undefined;
  for (let i = 0; i < count; i++) {
    const address = addressCursor.f64(addressesAt + 8 * i);
    const length = lengthCursor.u32(lengthsAt + 4 * i);
    const keyLength = keyLengthCursor.u16(keyLengthsAt + 2 * i);
    if (!Number.isSafeInteger(address) || address < 0 || address + length > deviceBytes) {
      fail(addressesAt + 8 * i, `entry ${i} points outside the device`);
    }
    if (keyLength === 0 || keyLength > keyBytesMax || keyAt + keyLength > keysAt + keyBytes) {
      fail(keyLengthsAt + 2 * i, `entry ${i} has a bad key length ${keyLength}`);
    }
    const key = keyCursor.latin1(keyAt, keyLength);
    if (previous !== undefined && !(previous < key)) fail(keyAt, `entry ${i} is out of key order`);
    addresses[i] = address;
    lengths[i] = length;
    keys[i] = key;
    previous = key;
    keyAt += keyLength;
  }
  if (keyAt !== keysAt + keyBytes) fail(keyLengthsAt, 'key lengths do not add up to the key bytes');
  return { keys, addresses, lengths, nextTxId };
}

function writeUint53(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32LE(value % 4294967296, offset);
  buf.writeUInt32LE(Math.floor(value / 4294967296), offset + 4);
}

