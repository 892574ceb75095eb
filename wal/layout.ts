/**
 * Where everything lives on the log's device. All offsets are bytes; every
 * multi-byte integer on the device is little-endian.
 *
 * Device layout:
 *
 *   OFFSET                       SIZE          CONTENTS
 *        0                       4096          superblock copy 0 (128 bytes used, rest zero)
 *     4096                       4096          superblock copy 1 (128 bytes used, rest zero)
 *     8192 + i * segmentBytes    segmentBytes  segment slot i (i = 0, 1, ...)
 *
 * The two superblock copies sit in different 4 KiB pages so that a torn page
 * write on a block device can damage at most one of them.
 *
 * Segment layout (every segment, whatever its kind):
 *
 *   OFFSET  SIZE                 CONTENTS
 *        0    64                 segment header (segment-header.ts)
 *       64    64                 free-marker line (free-marker.ts): zero while the
 *                                segment is in use; a marker once it is being freed
 *      128    segmentBytes - 128 data: log records (record.ts), or checkpoint image bytes
 *
 * A segment's bytes are never shared with another segment: records and image
 * bytes never span segments.
 */

/** Bytes reserved for each superblock copy. */
export const superblockSlotBytes = 4096;
/** Device offsets of the two superblock copies. */
export const superblockOffsets: readonly [number, number] = [0, superblockSlotBytes];
/** Device offset of segment slot 0: everything before it belongs to the superblocks. */
export const segmentsOffset = 2 * superblockSlotBytes;

/** Segment-relative offset and size of the segment header. */
export const segmentHeaderOffset = 0;
export const segmentHeaderBytes = 64;
/** Segment-relative offset and size of the free-marker line. */
export const freeMarkerOffset = 64;
export const freeMarkerBytes = 64;
/** Segment-relative offset of the first record or image byte. */
export const segmentDataOffset = 128;
/** Records start at 8-byte aligned segment offsets. */
export const recordAlignBytes = 8;
/** "No segment" in 32-bit segment-index fields. */
export const segmentIndexNone = 0xffff_ffff;

/** Device offset of segment slot `index`. */
export function segmentBase(index: number, segmentBytes: number): number {
  return segmentsOffset + index * segmentBytes;
}

/** Number of whole segment slots a device of `sizeBytes` holds. */
export function segmentSlotCount(sizeBytes: number, segmentBytes: number): number {
  return sizeBytes <= segmentsOffset ? 0 : Math.floor((sizeBytes - segmentsOffset) / segmentBytes);
}

/** `bytes` rounded up to the record alignment. */
export function alignRecord(bytes: number): number {
  return Math.ceil(bytes / recordAlignBytes) * recordAlignBytes;
}
