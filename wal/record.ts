/**
 * Log record framing. Records live in the data area of log segments (see
 * layout.ts), start at 8-byte aligned offsets, never span segments, and are
 * followed by zero padding up to the next 8-byte boundary.
 *
 * OFFSET SIZE FIELD (little-endian)
 *      0    4 CRC32C of bytes 4..23 followed by the payload
 *      4    4 payload length n in bytes
 *      8    8 LSN (1 .. 2^53 - 1): record sequence number, consecutive across segments
 *     16    4 group offset: LSN - groupFirstLsn, where groupFirstLsn is the LSN
 *              of the first record of the commit group this record belongs to
 *     20    1 type: 0-15 reserved for the log, 16-255 for the caller
 *     21    3 reserved, zero
 *     24    n payload
 *   24+n  pad zero padding to a multiple of 8 bytes (not covered by the CRC)
 *
 * A record at segment offset p is *well-formed* iff (1) its reserved bytes
 * are zero, (2) 0 < LSN < 2^53 and group offset < LSN, (3) n is at most the
 * log's record limit and 24 + n fits between p and the end of the segment,
 * and (4) its CRC matches. It is *valid* iff it is well-formed and its LSN is
 * the next one expected (see recovery.ts for what recovery does otherwise).
 * An all-zero header is never well-formed (its LSN is 0), so zeroed space
 * ends a segment's records.
 */
import { crc32c } from '@node-rs/crc32';
import { readU32, readU64, readU8 } from './little-endian.js';

export const recordHeaderBytes = 24;

/** Result of `checkRecord`. */
export const RecordCheck = {
  /** Well-formed (CRC included); `out` holds its fields. */
  wellFormed: 0,
  /** The header is all zeros, or there is no room for a header: the end of the records. */
  end: 1,
  /** Anything else: bad bounds, reserved bytes, LSN below the minimum asked for, or CRC. */
  malformed: 2,
} as const;
export type RecordCheck = (typeof RecordCheck)[keyof typeof RecordCheck];

/** The fields of a well-formed record (reused across calls: copy what you keep). */
export interface RecordFields {
  lsn: number;
  groupFirstLsn: number;
  type: number;
  /** Payload bytes. */
  length: number;
  /** Bytes the record occupies, padding included. */
  bytes: number;
}

export function newRecordFields(): RecordFields {
  return { lsn: 0, groupFirstLsn: 0, type: 0, length: 0, bytes: 0 };
}

/**
 * Checks the record at `view[pos]` whose segment ends at `view[end]`.
 * Records with an LSN below `lsnMin` are reported malformed before their CRC
 * is computed, which keeps scans over stale or random bytes cheap.
 */
export function checkRecord(view: Uint8Array, pos: number, end: number, payloadBytesMax: number, lsnMin: number, out: RecordFields): RecordCheck {
  const check = checkRecordHeader(view, pos, end, payloadBytesMax, lsnMin, out);
  if (check !== RecordCheck.wellFormed) return check;
  return recordCrcMatches(view, pos, out.length) ? RecordCheck.wellFormed : RecordCheck.malformed;
}

/**
 * `checkRecord` without the CRC (rules 1–3 only): for reading a record whose
 * integrity the caller does not ask to verify.
 */
export function checkRecordHeader(view: Uint8Array, pos: number, end: number, payloadBytesMax: number, lsnMin: number, out: RecordFields): RecordCheck {
  if (pos + recordHeaderBytes > end) return RecordCheck.end;
  // The LSN first: zeros, stale records and random bytes fail here, cheaply.
  const lsn = readU64(view, pos + 8);
  if (lsn < 1) return isZeroHeader(view, pos) ? RecordCheck.end : RecordCheck.malformed;
  if (lsn < lsnMin) return RecordCheck.malformed;
  if (view[pos + 21] !== 0 || view[pos + 22] !== 0 || view[pos + 23] !== 0) return RecordCheck.malformed;
  const groupOffset = readU32(view, pos + 16);
  if (groupOffset >= lsn) return RecordCheck.malformed;
  const length = readU32(view, pos + 4);
  if (length > payloadBytesMax || pos + recordHeaderBytes + length > end) return RecordCheck.malformed;
  out.lsn = lsn;
  out.groupFirstLsn = lsn - groupOffset;
  out.type = readU8(view, pos + 20);
  out.length = length;
  out.bytes = recordBytes(length);
  return RecordCheck.wellFormed;
}

/** True when the CRC of the record at `view[pos]` with an `length`-byte payload matches. */
export function recordCrcMatches(view: Uint8Array, pos: number, length: number): boolean {
  const payloadStart = pos + recordHeaderBytes;
  const crc = crc32c(view.subarray(payloadStart, payloadStart + length), crc32c(view.subarray(pos + 4, payloadStart)));
  return crc === readU32(view, pos);
}

/** Bytes a record with an `length`-byte payload occupies, padding included. */
export function recordBytes(length: number): number {
  return (recordHeaderBytes + length + 7) & ~7;
}

function isZeroHeader(view: Uint8Array, pos: number): boolean {
  for (let i = 0; i < recordHeaderBytes; i++) if (view[pos + i] !== 0) return false;
  return true;
}

/**
 * Writes a record header (CRC included) into `target[0, 24)`. `crcInput`
 * must be the view `target[4, 24)` (kept by the caller so the hot path does
 * not allocate it per record).
 */
export function encodeRecordHeader(
  target: Uint8Array,
  crcInput: Uint8Array,
  fields: { readonly lsn: number; readonly groupFirstLsn: number; readonly type: number },
  payload: Uint8Array,
): void {
  writeRecordFields(target, fields.lsn, fields.groupFirstLsn, fields.type, payload.length);
  writeRecordCrc(target, crc32c(payload, crc32c(crcInput)));
}

/** Writes header bytes 4..23 (everything but the CRC) into `target[0, 24)`. */
export function writeRecordFields(target: Uint8Array, lsn: number, groupFirstLsn: number, type: number, length: number): void {
  target[4] = length & 0xff;
  target[5] = (length >>> 8) & 0xff;
  target[6] = (length >>> 16) & 0xff;
  target[7] = (length >>> 24) & 0xff;
  const low = lsn >>> 0;
  const high = Math.floor(lsn / 0x1_0000_0000);
  target[8] = low & 0xff;
  target[9] = (low >>> 8) & 0xff;
  target[10] = (low >>> 16) & 0xff;
  target[11] = (low >>> 24) & 0xff;
  target[12] = high & 0xff;
  target[13] = (high >>> 8) & 0xff;
  target[14] = (high >>> 16) & 0xff;
  target[15] = (high >>> 24) & 0xff;
  const groupOffset = lsn - groupFirstLsn;
  target[16] = groupOffset & 0xff;
  target[17] = (groupOffset >>> 8) & 0xff;
  target[18] = (groupOffset >>> 16) & 0xff;
  target[19] = (groupOffset >>> 24) & 0xff;
  target[20] = type;
  target[21] = 0;
  target[22] = 0;
  target[23] = 0;
}

/** Writes the CRC (header bytes 0..3). */
export function writeRecordCrc(target: Uint8Array, crc: number): void {
  target[0] = crc & 0xff;
  target[1] = (crc >>> 8) & 0xff;
  target[2] = (crc >>> 16) & 0xff;
  target[3] = (crc >>> 24) & 0xff;
}
