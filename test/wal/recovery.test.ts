/**
 * The recovery table, one test per case, each built by hand on a
 * MemoryDevice image: a log written through the API, then bytes changed
 * exactly where the case needs them.
 */
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { CorruptionError, FairdbError } from '../../storage/device/index.js';
import { MemoryDevice } from '../../storage/memory-device/index.js';
import { encodeFreeMarker } from '../../wal/free-marker.js';
import { freeMarkerOffset, segmentBase, segmentDataOffset, segmentIndexNone, superblockOffsets } from '../../wal/layout.js';
import { openWal, segmentBytesMin, type Lsn, type RecordRef, type Wal } from '../../wal/index.js';
import { writeU64 } from '../../wal/little-endian.js';
import { decodeSegmentHeader, encodeSegmentHeader } from '../../wal/segment-header.js';
import { encodeRecord, imageOf, memoryFrom, payloadFor, sameBytes } from './helpers.js';

const segmentBytes = segmentBytesMin;

/** A log built through the API plus the refs of its records. */
interface Built {
  readonly device: MemoryDevice;
  readonly wal: Wal;
  readonly refs: RecordRef[];
}

/** Appends groups of records: `groups[i]` records per group, one barrier per group. */
function build(groups: readonly number[], size = 100): Built {
  const device = new MemoryDevice();
  const wal = openWal({ device, segmentBytes });
  const refs: RecordRef[] = [];
  for (const count of groups) {
    for (let i = 0; i < count; i++) refs.push(wal.append(16, payloadFor(7, refs.length + 1, size)));
    wal.persistNow();
  }
  return { device, wal, refs };
}

function headerOf(ref: RecordRef): number {
  return ref.address - 24;
}

/** Reopens a copy of `image`. */
function open(image: Uint8Array): { wal: Wal; device: MemoryDevice } {
  const device = memoryFrom(image);
  return { wal: openWal({ device }), device };
}

function flip(image: Uint8Array, offset: number, mask = 0x01): void {
  image[offset] = (image[offset] as number) ^ mask;
}

function corruption(fn: () => unknown): CorruptionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CorruptionError) return error;
    throw error;
  }
  throw new Error('expected a CorruptionError');
}

function replayLsns(wal: Wal): number[] {
  const out: number[] = [];
  wal.replay((ref, payload) => {
    expect(sameBytes(payload, payloadFor(7, ref.lsn, ref.length))).toBe(true);
    out.push(ref.lsn);
  });
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function headerSequence(image: Uint8Array, slot: number): number {
  const base = segmentBase(slot, segmentBytes);
  const decoded = decodeSegmentHeader(image.subarray(base, base + 64), slot);
  if (!isRight(decoded)) throw new Error(`slot ${slot} has no valid header`);
  return decoded.right.sequence;
}

describe('record scan cases', () => {
  it('cases 1 and 3: valid records up to zeros end the log cleanly', () => {
    const { device } = build([3, 2]);
    const { wal } = open(imageOf(device));
    expect(wal.recovery).toMatchObject({ case: 'clean', recordsScanned: 5, segmentsScanned: 1, bytesTruncated: 0, lastLsn: 5 });
    expect(replayLsns(wal)).toEqual(range(1, 5));
  });

  it('case 2: the end of a segment continues at the next one', () => {
    const { device, refs } = build([100, 100, 100], 1000);
    const { wal } = open(imageOf(device));
    expect(wal.recovery.segmentsScanned).toBeGreaterThan(3);
    expect(wal.recovery.case).toBe('clean');
    expect(replayLsns(wal)).toEqual(range(1, refs.length));
  });

  it('case 3: a torn last record is truncated and its bytes zeroed', () => {
    const { device, refs } = build([3, 1]);
    const image = imageOf(device);
    const last = refs[3] as RecordRef;
    flip(image, last.address + 10);
    const { wal, device: reopened } = open(image);
    expect(wal.recovery).toMatchObject({ case: 'torn-tail', lastLsn: 3, recordsScanned: 3 });
    // The record's bytes up to its last non-zero byte (its padding is already zero).
    expect(wal.recovery.bytesTruncated).toBe(24 + 100);
    expect(wal.recovery.endAddress).toBe(headerOf(last));
    expect(reopened.read(headerOf(last), 128).every((b) => b === 0)).toBe(true);
    expect(wal.append(16, payloadFor(7, 4, 100)).lsn).toBe(4);
  });

  it('case 4: later records of the group in flight are truncated with the torn one', () => {
    const { device, refs } = build([5, 3]);
    const image = imageOf(device);
    flip(image, (refs[6] as RecordRef).address + 3);
    const { wal, device: reopened } = open(image);
    expect(wal.recovery).toMatchObject({ case: 'torn-group', lastLsn: 6 });
    // Record 8 (an orphan of the torn group) is gone from the device.
    expect(reopened.read(headerOf(refs[7] as RecordRef), 24).every((b) => b === 0)).toBe(true);
    expect(replayLsns(wal)).toEqual(range(1, 6));
  });

  it('case 4: the first record of the group in flight torn, later ones intact', () => {
    const { device, refs } = build([5, 3]);
    const image = imageOf(device);
    flip(image, headerOf(refs[5] as RecordRef) + 1);
    const { wal } = open(image);
    expect(wal.recovery).toMatchObject({ case: 'torn-group', lastLsn: 5 });
  });

  it('case 5: an invalid record followed by a record of another group is corruption at its offset', () => {
    const { device, refs } = build([5, 3]);
    const image = imageOf(device);
    flip(image, (refs[2] as RecordRef).address);
    const error = corruption(() => open(image));
    expect(error.code).toBe('CORRUPTION');
    expect(error.offset).toBe(headerOf(refs[2] as RecordRef));
    expect(error.file).toBe('memory');
  });

  it('case 5: a later record with an unrelated group after a torn tail is corruption', () => {
    const { device, refs } = build([2, 1]);
    const image = imageOf(device);
    const last = refs[2] as RecordRef;
    flip(image, last.address);
    // A well-formed record 5 of group 5, two slots after the torn record 3.
    image.set(encodeRecord(5, 5, 16, payloadFor(7, 5, 16)), headerOf(last) + 256);
    expect(corruption(() => open(image)).offset).toBe(headerOf(last));
  });

  it('case 5: any later record after the end of a complete segment is corruption', () => {
    const { device, wal: original } = build([100, 100], 1000);
    const first = original.segments()[0]!;
    const image = imageOf(device);
    const end = first.base + segmentDataOffset + first.usedBytes;
    image.set(encodeRecord(first.lastLsn + 5, first.lastLsn + 5, 16, new Uint8Array(8)), end + 64);
    expect(corruption(() => open(image)).offset).toBe(end);
  });

  it('case 6: stale records after the end are not later records', () => {
    const { device, refs } = build([4]);
    const image = imageOf(device);
    const end = headerOf(refs[3] as RecordRef) + 128;
    const stale = encodeRecord(2, 1, 16, payloadFor(7, 2, 100));
    image.set(stale, end);
    image.set(stale, end + 1024);
    const { wal, device: reopened } = open(image);
    expect(wal.recovery).toMatchObject({ case: 'clean', lastLsn: 4 });
    expect(wal.recovery.bytesTruncated).toBe(1024 + 24 + 100);
    expect(reopened.read(end, 2048).every((b) => b === 0)).toBe(true);
  });

  it('case 7: a next segment that does not start at the expected LSN is corruption', () => {
    const { device, wal: original } = build([100, 100], 1000);
    const second = original.segments()[1]!;
    const image = imageOf(device);
    const sequence = headerSequence(image, second.index);
    image.set(encodeSegmentHeader({ kind: 'log', index: second.index, sequence, firstLsn: second.firstLsn + 1 }), second.base);
    expect(corruption(() => open(image)).message).toMatch(/starts at LSN/);
  });
});

describe('superblock', () => {
  it('formats an all-zero device, and a device whose format was torn', () => {
    expect(openWal({ device: new MemoryDevice(), segmentBytes }).recovery.case).toBe('formatted');
    const torn = new Uint8Array(1 << 20);
    torn.fill(0x5a, 0, 60);
    const { wal } = open(torn);
    expect(wal.recovery.case).toBe('formatted');
    expect(wal.segmentBytes).toBe(16 * 1024 * 1024);
  });

  it('refuses a device with data but no valid superblock', () => {
    const { device } = build([3]);
    const image = imageOf(device);
    flip(image, 20);
    expect(corruption(() => open(image)).offset).toBe(0);
  });

  it('falls back to the older copy when the newest is damaged; the newer chain becomes an orphan', () => {
    const { device, wal } = build([10]);
    wal.writeCheckpoint(10 as Lsn, [new Uint8Array(100)]);
    const image = imageOf(device);
    flip(image, superblockOffsets[1] + 40);
    const { wal: again } = open(image);
    expect(again.recovery).toMatchObject({ superblockCopy: 0, checkpointLsn: 0, orphanCheckpointSegmentsFreed: 1 });
    expect(again.readCheckpoint()).toBeUndefined();
    expect(replayLsns(again)).toEqual(range(1, 10));
  });

  it('refuses a checkpoint chain that does not match the superblock', () => {
    const { device, wal } = build([10]);
    wal.writeCheckpoint(10 as Lsn, [new Uint8Array(100)]);
    const image = imageOf(device);
    const slot = 1;
    const sequence = headerSequence(image, slot);
    image.set(encodeSegmentHeader({ kind: 'checkpoint', index: slot, sequence, checkpointLsn: 10, chainId: sequence + 1, position: 0, next: segmentIndexNone }), segmentBase(slot, segmentBytes));
    expect(corruption(() => open(image)).message).toMatch(/does not belong/);
  });
});

describe('slot census', () => {
  /** A log of three segments with a checkpoint covering the first. */
  function threeSegments(): { image: Uint8Array; first: number; sequence: number } {
    const { device, wal } = build([60, 60, 60], 1000);
    const first = wal.segments()[0]!;
    wal.writeCheckpoint(first.lastLsn, []);
    const image = imageOf(device);
    return { image, first: first.index, sequence: headerSequence(image, first.index) };
  }

  it('completes a free interrupted after its marker was persisted', () => {
    const { image, first, sequence } = threeSegments();
    image.set(encodeFreeMarker(first, sequence), segmentBase(first, segmentBytes) + freeMarkerOffset);
    const { wal } = open(image);
    expect(wal.recovery.freesCompleted).toBe(1);
    expect(wal.segments().some((s) => s.index === first)).toBe(false);
  });

  it('completes a free interrupted while its marker was being written', () => {
    const { image, first, sequence } = threeSegments();
    const marker = encodeFreeMarker(first, sequence);
    const base = segmentBase(first, segmentBytes) + freeMarkerOffset;
    image.set(marker.subarray(8, 24), base + 8);
    expect(open(image).wal.recovery.freesCompleted).toBe(1);
  });

  it('reclaims a torn free header (valid marker under an invalid header)', () => {
    const { image, first, sequence } = threeSegments();
    const base = segmentBase(first, segmentBytes);
    image.set(encodeFreeMarker(first, sequence), base + freeMarkerOffset);
    const free = encodeSegmentHeader({ kind: 'free', index: first, sequence: 999 });
    image.set(free.subarray(0, 16), base + 16);
    const { wal } = open(image);
    expect(wal.recovery.tornHeadersReclaimed).toBe(1);
    expect(wal.segments().some((s) => s.index === first)).toBe(false);
  });

  it('reclaims a torn allocation (invalid header over zeros)', () => {
    const { device, wal } = build([5]);
    const image = imageOf(device);
    const slot = wal.stats().segmentsLog + 2;
    const header = encodeSegmentHeader({ kind: 'log', index: slot, sequence: 50, firstLsn: 6 });
    image.set(header.subarray(0, 24), segmentBase(slot, segmentBytes));
    const { wal: again } = open(image);
    expect(again.recovery.tornHeadersReclaimed).toBe(1);
    expect(again.lastLsn).toBe(5);
  });

  it('refuses two torn headers: only one header write can be in flight', () => {
    const { device } = build([5]);
    const image = imageOf(device);
    for (const slot of [3, 4]) image.set(encodeSegmentHeader({ kind: 'free', index: slot, sequence: 70 + slot }).subarray(0, 24), segmentBase(slot, segmentBytes));
    expect(corruption(() => open(image)).offset).toBe(segmentBase(4, segmentBytes));
  });

  it('refuses an invalid header over a segment in use', () => {
    const { device } = build([5]);
    const image = imageOf(device);
    flip(image, segmentBase(0, segmentBytes) + 20);
    expect(corruption(() => open(image)).offset).toBe(segmentBase(0, segmentBytes));
  });

  it('refuses a torn header over a slot that holds a record after the end of the log', () => {
    const { device } = build([5]);
    const image = imageOf(device);
    const slot = 3;
    image.set(encodeSegmentHeader({ kind: 'log', index: slot, sequence: 60, firstLsn: 6 }).subarray(0, 24), segmentBase(slot, segmentBytes));
    image.set(encodeRecord(6, 6, 16, new Uint8Array(40)), segmentBase(slot, segmentBytes) + 4096);
    expect(corruption(() => open(image)).message).toMatch(/after the end of the log/);
  });

  it('refuses a non-zero free-marker line under a segment in use', () => {
    const { image, first } = threeSegments();
    image[segmentBase(first, segmentBytes) + freeMarkerOffset + 3] = 0x77;
    expect(corruption(() => open(image)).offset).toBe(segmentBase(first, segmentBytes) + freeMarkerOffset);
  });

  it('frees orphan checkpoint segments', () => {
    const { device } = build([5]);
    const image = imageOf(device);
    const slot = 2;
    image.set(encodeSegmentHeader({ kind: 'checkpoint', index: slot, sequence: 40, checkpointLsn: 5, chainId: 40, position: 0, next: segmentIndexNone }), segmentBase(slot, segmentBytes));
    image.fill(9, segmentBase(slot, segmentBytes) + segmentDataOffset, segmentBase(slot, segmentBytes) + 1000);
    const { wal, device: reopened } = open(image);
    expect(wal.recovery.orphanCheckpointSegmentsFreed).toBe(1);
    const after = decodeSegmentHeader(reopened.read(segmentBase(slot, segmentBytes), 64), slot);
    expect(isRight(after) && after.right.kind).toBe('free');
  });

  it('refuses two headers with the same sequence', () => {
    const { device } = build([5]);
    const image = imageOf(device);
    const sequence = headerSequence(image, 0);
    image.set(encodeSegmentHeader({ kind: 'free', index: 3, sequence }), segmentBase(3, segmentBytes));
    expect(corruption(() => open(image)).message).toMatch(/same sequence/);
  });

  it('refuses a device that ends inside a segment in use', () => {
    const { device } = build([300], 1000);
    const image = imageOf(device).subarray(0, segmentBase(3, segmentBytes) + 8192);
    const cut = new MemoryDevice({ image, sizeBytes: 4096 });
    expect(cut.sizeBytes).toBe(image.length);
    expect(corruption(() => openWal({ device: cut })).message).toMatch(/ends inside segment 3/);
  });

  it('finds the sequence counter above every header after reopening', () => {
    const { device, wal } = build([100, 100], 1000);
    const first = wal.segments()[0]!;
    wal.writeCheckpoint(first.lastLsn, []);
    wal.truncate();
    const { wal: again, device: reopened } = open(imageOf(device));
    for (let i = 0; i < 300; i++) again.append(16, payloadFor(7, 201 + i, 1000));
    again.persistNow();
    // Every slot decodes with a distinct sequence.
    const sequences = new Set<number>();
    for (let slot = 0; slot < 15; slot++) {
      const d = decodeSegmentHeader(reopened.read(segmentBase(slot, segmentBytes), 64), slot);
      if (isRight(d)) {
        expect(sequences.has(d.right.sequence)).toBe(false);
        sequences.add(d.right.sequence);
      }
    }
    expect(open(imageOf(reopened)).wal.lastLsn).toBe(500);
  });

  it('never mistakes a zero LSN field for a record', () => {
    const { device, refs } = build([3]);
    const image = imageOf(device);
    writeU64(image, headerOf(refs[2] as RecordRef) + 8, 0);
    expect(open(image).wal.recovery).toMatchObject({ case: 'torn-tail', lastLsn: 2 });
  });
});

it('every error on a damaged device is a FairdbError with code CORRUPTION', () => {
  const { device } = build([5]);
  const image = imageOf(device);
  flip(image, segmentBase(0, segmentBytes) + 5);
  try {
    open(image);
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(FairdbError);
    expect((error as FairdbError).code).toBe('CORRUPTION');
  }
});
