/**
 * The superblock: the log's root, kept in two copies (device offsets 0 and
 * 4096, see layout.ts). An update writes the copy that does not hold the
 * newest valid state and persists it, so a torn update leaves the other copy
 * intact. A copy is valid iff (1) its magic matches, (2) its version is
 * supported, (3) its CRC32C matches, and (4) its fields are consistent (below).
 * The valid copy with the highest sequence wins.
 *
 * OFFSET SIZE FIELD (little-endian)
 *      0    8 magic "FDBWALSB" (ASCII)
 *      8    4 format version = 1
 *     12    4 segmentBytes: a power of two in [64 KiB, 1 GiB]
 *     16    8 sequence: 1 for a new log, +1 per update
 *     24    4 flags: bit 0 = a checkpoint exists; other bits zero
 *     28    4 checkpoint: number of segments in its chain (>= 1), else 0
 *     32    8 checkpoint: LSN it covers (every record <= it is in the image), else 0
 *     40    8 checkpoint: image length in bytes, else 0
 *     48    4 checkpoint: image CRC32C, else 0
 *     52    4 checkpoint: index of the chain's first segment, else 0xFFFFFFFF
 *     56    8 checkpoint: chain id (sequence of the chain's first segment), else 0
 *     64    8 tail address: device offset of the first record after the
 *              checkpoint (or where it will be written), 0 = none
 *     72    8 tail segment sequence: sequence of the segment holding the tail
 *              address, 0 = none (then the records after the checkpoint start
 *              at the beginning of the log segment whose first LSN is
 *              checkpoint LSN + 1, if any)
 *     80   44 reserved, zero
 *    124    4 CRC32C of bytes 0..123
 *
 * Consistency (rule 4): reserved bytes and flags other than bit 0 are zero;
 * without a checkpoint every checkpoint field is zero (first index 0xFFFFFFFF);
 * with one, the chain has at least one segment and a non-zero chain id; the
 * tail address and tail sequence are both zero or both non-zero.
 */
import { crc32c } from '@node-rs/crc32';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { assert } from '../storage/device/index.js';
import { segmentIndexNone } from './layout.js';
import { segmentBytesMax, segmentBytesMin } from './limits.js';
import { hasMagic, isZero, magicBytes, readU32, readU64, writeU32, writeU64 } from './little-endian.js';

export const superblockMagic = magicBytes('FDBWALSB');
export const superblockVersion = 1;
/** Bytes of a superblock copy that carry data (the rest of its 4 KiB is zero). */
export const superblockBytes = 128;

const crcOffset = 124;
const flagCheckpoint = 1;

export interface CheckpointDescriptor {
  /** Every record with an LSN up to this one is reflected in the image. */
  readonly lsn: number;
  readonly imageBytes: number;
  readonly imageCrc: number;
  /** Slot index of the chain's first segment. */
  readonly firstSegment: number;
  readonly segmentCount: number;
  /** Sequence number of the chain's first segment; every chain segment carries it. */
  readonly chainId: number;
}

export interface Superblock {
  readonly segmentBytes: number;
  readonly sequence: number;
  readonly checkpoint: CheckpointDescriptor | undefined;
  /** Device offset of the first record after the checkpoint, 0 = none. */
  readonly tailAddress: number;
  /** Sequence of the segment that holds `tailAddress`, 0 = none. */
  readonly tailSequence: number;
}

/** True for a valid segment size: a power of two in [64 KiB, 1 GiB]. */
export function isValidSegmentBytes(value: number): boolean {
  return Number.isSafeInteger(value) && value >= segmentBytesMin && value <= segmentBytesMax && (value & (value - 1)) === 0;
}

export function encodeSuperblock(sb: Superblock): Uint8Array {
  assert(isValidSegmentBytes(sb.segmentBytes), 'superblock segmentBytes is valid');
  assert(Number.isSafeInteger(sb.sequence) && sb.sequence >= 1, 'superblock sequence is positive');
  assert((sb.tailAddress === 0) === (sb.tailSequence === 0), 'tail address and tail sequence are set together');
  const bytes = new Uint8Array(superblockBytes);
  bytes.set(superblockMagic, 0);
  writeU32(bytes, 8, superblockVersion);
  writeU32(bytes, 12, sb.segmentBytes);
  writeU64(bytes, 16, sb.sequence);
  const c = sb.checkpoint;
  if (c === undefined) {
    writeU32(bytes, 52, segmentIndexNone);
  } else {
    assert(c.segmentCount >= 1 && c.chainId >= 1, 'a checkpoint has a chain');
    writeU32(bytes, 24, flagCheckpoint);
    writeU32(bytes, 28, c.segmentCount);
    writeU64(bytes, 32, c.lsn);
    writeU64(bytes, 40, c.imageBytes);
    writeU32(bytes, 48, c.imageCrc);
    writeU32(bytes, 52, c.firstSegment);
    writeU64(bytes, 56, c.chainId);
  }
  writeU64(bytes, 64, sb.tailAddress);
  writeU64(bytes, 72, sb.tailSequence);
  writeU32(bytes, crcOffset, crc32c(bytes.subarray(0, crcOffset)));
  return bytes;
}

/** Decodes one superblock copy; `Left` holds why it is invalid. */
export function decodeSuperblock(bytes: Uint8Array): Either<string, Superblock> {
  if (bytes.length < superblockBytes) return left('too short');
  if (!hasMagic(bytes, 0, superblockMagic)) return left('bad magic');
  const version = readU32(bytes, 8);
  if (version !== superblockVersion) return left(`unsupported version ${version}`);
  if (readU32(bytes, crcOffset) !== crc32c(bytes.subarray(0, crcOffset))) return left('CRC mismatch');
  const segmentBytes = readU32(bytes, 12);
  if (!isValidSegmentBytes(segmentBytes)) return left(`invalid segmentBytes ${segmentBytes}`);
  const sequence = readU64(bytes, 16);
  if (sequence < 1) return left('invalid sequence');
  if (!isZero(bytes, 80, 44)) return left('reserved bytes are not zero');
  const flags = readU32(bytes, 24);
  if ((flags & ~flagCheckpoint) !== 0) return left(`unknown flags ${flags}`);
  const tailAddress = readU64(bytes, 64);
  const tailSequence = readU64(bytes, 72);
  if (tailAddress < 0 || tailSequence < 0 || (tailAddress === 0) !== (tailSequence === 0)) return left('invalid tail');
  const segmentCount = readU32(bytes, 28);
  const lsn = readU64(bytes, 32);
  const imageBytes = readU64(bytes, 40);
  const imageCrc = readU32(bytes, 48);
  const firstSegment = readU32(bytes, 52);
  const chainId = readU64(bytes, 56);
  if ((flags & flagCheckpoint) === 0) {
    if (segmentCount !== 0 || lsn !== 0 || imageBytes !== 0 || imageCrc !== 0 || firstSegment !== segmentIndexNone || chainId !== 0) {
      return left('checkpoint fields set without a checkpoint');
    }
    return right({ segmentBytes, sequence, checkpoint: undefined, tailAddress, tailSequence });
  }
  if (segmentCount < 1 || lsn < 0 || imageBytes < 0 || firstSegment === segmentIndexNone || chainId < 1) {
    return left('invalid checkpoint descriptor');
  }
  return right({
    segmentBytes,
    sequence,
    checkpoint: { lsn, imageBytes, imageCrc, firstSegment, segmentCount, chainId },
    tailAddress,
    tailSequence,
  });
}
