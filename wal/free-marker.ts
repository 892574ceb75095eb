/**
 * The free marker: written into the second 64-byte line of a segment (see
 * layout.ts) and persisted *before* the segment's `free` header, so that a
 * crash in the middle of freeing is told apart from corruption.
 *
 * That line is zero for the whole life of a segment in use (records and
 * checkpoint bytes start after it; allocating a reused slot zeroes it before
 * writing the new header). So at recovery:
 * - a valid log/checkpoint header with a non-zero marker line whose every
 *   non-zero byte matches the marker expected for that header is a free that
 *   was interrupted: it is completed;
 * - an invalid header over a valid marker is a torn `free` header (or a torn
 *   allocation of a freed slot): the slot is free;
 * - any other non-zero marker line under a valid log/checkpoint header is
 *   corruption.
 *
 * OFFSET SIZE FIELD (little-endian)
 *      0    8 magic "FDBWALFM" (ASCII)
 *      8    4 format version = 1
 *     12    4 segment index
 *     16    8 sequence of the header being freed
 *     24   36 reserved, zero
 *     60    4 CRC32C of bytes 0..59
 *
 * A marker is valid iff magic, version and CRC match, the reserved bytes are
 * zero and the index is the slot it was read from.
 */
import { crc32c } from '@node-rs/crc32';
import { freeMarkerBytes } from './layout.js';
import { hasMagic, isZero, magicBytes, readU32, readU64, writeU32, writeU64 } from './little-endian.js';

export const freeMarkerMagic = magicBytes('FDBWALFM');
export const freeMarkerVersion = 1;
const crcOffset = 60;

export function encodeFreeMarker(index: number, sequence: number): Uint8Array {
  const bytes = new Uint8Array(freeMarkerBytes);
  bytes.set(freeMarkerMagic, 0);
  writeU32(bytes, 8, freeMarkerVersion);
  writeU32(bytes, 12, index);
  writeU64(bytes, 16, sequence);
  writeU32(bytes, crcOffset, crc32c(bytes.subarray(0, crcOffset)));
  return bytes;
}

/** The sequence of the header the marker frees, or -1 when it is not a valid marker for slot `index`. */
export function decodeFreeMarker(bytes: Uint8Array, index: number): number {
  if (bytes.length < freeMarkerBytes) return -1;
  if (!hasMagic(bytes, 0, freeMarkerMagic)) return -1;
  if (readU32(bytes, 8) !== freeMarkerVersion) return -1;
  if (readU32(bytes, crcOffset) !== crc32c(bytes.subarray(0, crcOffset))) return -1;
  if (readU32(bytes, 12) !== index || !isZero(bytes, 24, 36)) return -1;
  const sequence = readU64(bytes, 16);
  return sequence >= 1 ? sequence : -1;
}

/**
 * True when `line` is what a torn write of the marker for (`index`,
 * `sequence`) over a zero line can leave: at least one byte written, and
 * every non-zero byte equal to the marker's byte at that place. Holds for
 * any write granularity (8-byte words, sectors, bytes).
 */
export function isPartialFreeMarker(line: Uint8Array, index: number, sequence: number): boolean {
  const expected = encodeFreeMarker(index, sequence);
  let written = false;
  for (let i = 0; i < freeMarkerBytes; i++) {
    const b = line[i] as number;
    if (b === 0) continue;
    if (b !== expected[i]) return false;
    written = true;
  }
  return written;
}
