/**
 * Checkpoint images on the device: a chain of `checkpoint` segments (see
 * segment-header.ts), each holding up to `segmentBytes - 128` image bytes in
 * its data area, in chain order. The superblock (superblock.ts) names the
 * chain's first segment, its length, the image length and CRC32C; each
 * segment header names the next one. Writing a chain never touches the
 * current checkpoint: the superblock switch that follows is the commit point.
 */
import { crc32c } from '@node-rs/crc32';
import { assert, CorruptionError, type Device } from '../storage/device/index.js';
import { segmentBase, segmentDataOffset, segmentIndexNone } from './layout.js';
import type { ChainSegment } from './recovery.js';
import type { SegmentSpace } from './segment-space.js';
import type { CheckpointDescriptor } from './superblock.js';

/** Image bytes one checkpoint segment holds. */
export function checkpointCapacity(segmentBytes: number): number {
  return segmentBytes - segmentDataOffset;
}

/** Segments a chain for an image of `imageBytes` needs (at least one, even for an empty image). */
export function checkpointSegmentCount(imageBytes: number, segmentBytes: number): number {
  return Math.max(1, Math.ceil(imageBytes / checkpointCapacity(segmentBytes)));
}

/**
 * Writes and persists a new chain holding the concatenation of `image`
 * (`imageBytes` in total) for a checkpoint at `lsn`. Each segment's header
 * is persisted before its bytes are written; the bytes of every segment are
 * then flushed and made durable with one fence.
 */
export function writeCheckpointChain(
  device: Device,
  space: SegmentSpace,
  lsn: number,
  image: readonly Uint8Array[],
  imageBytes: number,
): { descriptor: CheckpointDescriptor; chain: ChainSegment[] } {
  const segmentBytes = space.segmentBytes;
  const capacity = checkpointCapacity(segmentBytes);
  const count = checkpointSegmentCount(imageBytes, segmentBytes);
  let imageCrc = 0;
  for (const chunk of image) imageCrc = crc32c(chunk, imageCrc);
  const indices = space.reserve(count);
  const chainId = space.lastSequence + 1;
  const chain: ChainSegment[] = [];
  let chunkIndex = 0;
  let chunkOffset = 0;
  let written = 0;
  const filled: number[] = [];
  for (let k = 0; k < count; k++) {
    const index = indices[k] as number;
    const next = k + 1 < count ? (indices[k + 1] as number) : segmentIndexNone;
    const sequence = space.writeNewHeader(index, { kind: 'checkpoint', checkpointLsn: lsn, chainId, position: k, next });
    if (k === 0) assert(sequence === chainId, 'the chain id is the sequence of its first segment');
    chain.push({ index, sequence });
    const dataStart = space.base(index) + segmentDataOffset;
    const target = Math.min(capacity, imageBytes - written);
    let fill = 0;
    while (fill < target) {
      const chunk = image[chunkIndex] as Uint8Array;
      const take = Math.min(chunk.length - chunkOffset, target - fill);
      if (take > 0) device.write(dataStart + fill, chunk.subarray(chunkOffset, chunkOffset + take));
      fill += take;
      chunkOffset += take;
      if (chunkOffset === chunk.length) {
        chunkIndex++;
        chunkOffset = 0;
      }
    }
    written += fill;
    filled.push(fill);
  }
  assert(written === imageBytes, 'the whole image was written');
  let flushed = false;
  for (let k = 0; k < count; k++) {
    const fill = filled[k] as number;
    if (fill === 0) continue;
    device.flush(space.base(indices[k] as number) + segmentDataOffset, fill);
    flushed = true;
  }
  if (flushed) device.fence();
  return {
    descriptor: { lsn, imageBytes, imageCrc, firstSegment: indices[0] as number, segmentCount: count, chainId },
    chain,
  };
}

/** Reads the image of `descriptor` from `chain` into a new buffer and verifies its CRC. */
export function readCheckpointImage(device: Device, segmentBytes: number, descriptor: CheckpointDescriptor, chain: readonly ChainSegment[]): Uint8Array {
  const chunks = readCheckpointChunks(device, segmentBytes, descriptor, chain);
  const image = new Uint8Array(descriptor.imageBytes);
  let at = 0;
  for (const chunk of chunks) {
    image.set(chunk, at);
    at += chunk.length;
  }
  return image;
}

/**
 * The image as views of the device, one per segment of the chain, in order,
 * after checking its length and CRC: no copy of a large image.
 * IMPORTANT: the views alias device memory; copy what outlives the next
 * checkpoint (which frees these segments).
 */
export function readCheckpointChunks(device: Device, segmentBytes: number, descriptor: CheckpointDescriptor, chain: readonly ChainSegment[]): Uint8Array[] {
  const capacity = checkpointCapacity(segmentBytes);
  const chunks: Uint8Array[] = [];
  let read = 0;
  let crc = 0;
  for (const segment of chain) {
    const length = Math.min(capacity, descriptor.imageBytes - read);
    if (length <= 0) break;
    const chunk = device.read(segmentDataOffset + segmentBase(segment.index, segmentBytes), length);
    crc = crc32c(chunk, crc);
    chunks.push(chunk);
    read += length;
  }
  const first = chain[0];
  assert(first !== undefined, 'a checkpoint has a chain');
  if (read !== descriptor.imageBytes || crc >>> 0 !== descriptor.imageCrc >>> 0) {
    throw new CorruptionError(device.location, segmentBase(first.index, segmentBytes) + segmentDataOffset, `checkpoint image at LSN ${descriptor.lsn} fails its CRC`);
  }
  return chunks;
}
