/**
 * The segment header: the first 64-byte line of every segment slot (see
 * layout.ts). A new segment's header is persisted before anything is written
 * into the segment; freeing a segment persists a valid `free` header (after
 * its free marker, see free-marker.ts). Every header write takes a fresh,
 * strictly increasing sequence number.
 *
 * OFFSET SIZE FIELD (little-endian)
 *      0    8 magic "FDBWALSG" (ASCII)
 *      8    2 format version = 1
 *     10    1 kind: 1 = log, 2 = checkpoint, 3 = free (SegmentKind)
 *     11    1 reserved, zero
 *     12    4 segment index: the slot this header belongs to
 *     16    8 sequence (>= 1)
 *     24    8 log: first LSN it holds (>= 1); checkpoint: the checkpoint's LSN; free: 0
 *     32    8 checkpoint: chain id (sequence of the chain's first segment); else 0
 *     40    4 checkpoint: position in the chain (0 = first); else 0
 *     44    4 checkpoint: index of the next segment of the chain,
 *              0xFFFFFFFF = last; else 0
 *     48   12 reserved, zero
 *     60    4 CRC32C of bytes 0..59
 *
 * A header is valid iff (1) magic, version and CRC match, (2) the kind is
 * known, (3) the segment index is the slot it was read from, (4) the
 * sequence is positive, and (5) the kind-specific fields and the reserved
 * bytes are as above.
 */
import { crc32c } from '@node-rs/crc32';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { assert, unreachable } from '../storage/device/index.js';
import { segmentHeaderBytes, segmentIndexNone } from './layout.js';
import { hasMagic, isZero, magicBytes, readU16, readU32, readU64, readU8, writeU16, writeU32, writeU64, writeU8 } from './little-endian.js';

export const segmentMagic = magicBytes('FDBWALSG');
export const segmentVersion = 1;

/** Segment kinds as stored on the device. persisted: never renumber. */
export const SegmentKindCode = {
  log: 1,
  checkpoint: 2,
  free: 3,
} as const;

export type SegmentKind = keyof typeof SegmentKindCode;

const crcOffset = 60;

export type SegmentHeader =
  | { readonly kind: 'log'; readonly index: number; readonly sequence: number; readonly firstLsn: number }
  | {
      readonly kind: 'checkpoint';
      readonly index: number;
      readonly sequence: number;
      readonly checkpointLsn: number;
      readonly chainId: number;
      readonly position: number;
      /** Slot of the next chain segment, or 0xFFFFFFFF for the last. */
      readonly next: number;
    }
  | { readonly kind: 'free'; readonly index: number; readonly sequence: number };

export function encodeSegmentHeader(header: SegmentHeader): Uint8Array {
  assert(Number.isSafeInteger(header.sequence) && header.sequence >= 1, 'segment sequence is positive');
  assert(Number.isInteger(header.index) && header.index >= 0 && header.index < segmentIndexNone, 'segment index is in range');
  const bytes = new Uint8Array(segmentHeaderBytes);
  bytes.set(segmentMagic, 0);
  writeU16(bytes, 8, segmentVersion);
  writeU8(bytes, 10, SegmentKindCode[header.kind]);
  writeU32(bytes, 12, header.index);
  writeU64(bytes, 16, header.sequence);
  switch (header.kind) {
    case 'log':
      assert(header.firstLsn >= 1, 'a log segment starts at a positive LSN');
      writeU64(bytes, 24, header.firstLsn);
      break;
    case 'checkpoint':
      assert(header.chainId >= 1, 'a checkpoint chain id is positive');
      writeU64(bytes, 24, header.checkpointLsn);
      writeU64(bytes, 32, header.chainId);
      writeU32(bytes, 40, header.position);
      writeU32(bytes, 44, header.next);
      break;
    case 'free':
      break;
    default:
      unreachable(header, 'segment header');
  }
  writeU32(bytes, crcOffset, crc32c(bytes.subarray(0, crcOffset)));
  return bytes;
}

/** Decodes the header read from slot `index`; `Left` holds why it is invalid. */
export function decodeSegmentHeader(bytes: Uint8Array, index: number): Either<string, SegmentHeader> {
  if (bytes.length < segmentHeaderBytes) return left('too short');
  if (!hasMagic(bytes, 0, segmentMagic)) return left('bad magic');
  const version = readU16(bytes, 8);
  if (version !== segmentVersion) return left(`unsupported version ${version}`);
  if (readU32(bytes, crcOffset) !== crc32c(bytes.subarray(0, crcOffset))) return left('CRC mismatch');
  if (readU8(bytes, 11) !== 0 || !isZero(bytes, 48, 12)) return left('reserved bytes are not zero');
  const slot = readU32(bytes, 12);
  if (slot !== index) return left(`header of slot ${slot} found in slot ${index}`);
  const sequence = readU64(bytes, 16);
  if (sequence < 1) return left('invalid sequence');
  const tag = readU64(bytes, 24);
  const chainId = readU64(bytes, 32);
  const position = readU32(bytes, 40);
  const next = readU32(bytes, 44);
  const code = readU8(bytes, 10);
  switch (code) {
    case SegmentKindCode.log:
      if (tag < 1 || chainId !== 0 || position !== 0 || next !== 0) return left('invalid log segment fields');
      return right({ kind: 'log', index, sequence, firstLsn: tag });
    case SegmentKindCode.checkpoint:
      if (tag < 0 || chainId < 1 || next === index) return left('invalid checkpoint segment fields');
      return right({ kind: 'checkpoint', index, sequence, checkpointLsn: tag, chainId, position, next });
    case SegmentKindCode.free:
      if (tag !== 0 || chainId !== 0 || position !== 0 || next !== 0) return left('invalid free segment fields');
      return right({ kind: 'free', index, sequence });
    default:
      return left(`unknown segment kind ${code}`);
  }
}
