/**
 * Checkpoints and the segment lifecycle: the superblock switch, multi-segment
 * images, freeing and truncating segments, scanning and reading records, and
 * reopening after each.
 */
import { describe, expect, it } from 'vitest';
import { FairdbError } from '../../storage/device/index.js';
import { MemoryDevice } from '../../storage/memory-device/index.js';
import { checkpointBytesMax, openWal, segmentBytesMin, type Lsn, type Wal } from '../../wal/index.js';
import { segmentDataOffset } from '../../wal/layout.js';
import { imageOf, memoryFrom, payloadFor, sameBytes } from './helpers.js';

const segmentBytes = segmentBytesMin;
const capacity = segmentBytes - segmentDataOffset;

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof FairdbError ? error.code : `not a FairdbError: ${String(error)}`;
  }
  return undefined;
}

/** Appends records `from..to` (payload sizes vary with the LSN) and persists them. */
function fill(wal: Wal, from: number, to: number, seed = 9): void {
  for (let lsn = from; lsn <= to; lsn++) {
    const ref = wal.append(16 + (lsn % 7), payloadFor(seed, lsn, sizeOf(lsn)));
    expect(ref.lsn).toBe(lsn);
  }
  wal.persistNow();
}

function sizeOf(lsn: number): number {
  return (lsn * 131) % 3000;
}

function reopen(device: MemoryDevice): { wal: Wal; device: MemoryDevice } {
  const copy = memoryFrom(imageOf(device));
  return { wal: openWal({ device: copy }), device: copy };
}

function replayed(wal: Wal, seed = 9): number[] {
  const lsns: number[] = [];
  wal.replay((ref, payload) => {
    expect(sameBytes(payload, payloadFor(seed, ref.lsn, sizeOf(ref.lsn)))).toBe(true);
    lsns.push(ref.lsn);
  });
  return lsns;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

describe('checkpoints', () => {
  it('switches the superblock copy, frees the previous chain, and replays only the tail', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    expect(wal.readCheckpoint()).toBeUndefined();
    fill(wal, 1, 100);
    wal.writeCheckpoint(60 as Lsn, [payloadFor(1, 60, 500)]);
    expect(wal.checkpointLsn).toBe(60);
    expect(wal.stats().segmentsCheckpoint).toBe(1);
    const a = reopen(device);
    expect(a.wal.recovery.superblockCopy).toBe(1);
    expect(a.wal.recovery.checkpointLsn).toBe(60);
    expect(sameBytes(a.wal.readCheckpoint()?.image ?? new Uint8Array(), payloadFor(1, 60, 500))).toBe(true);
    expect(replayed(a.wal)).toEqual(range(61, 100));

    const free = wal.stats().segmentsFree;
    wal.writeCheckpoint(100 as Lsn, [payloadFor(1, 100, 10)]);
    // The new chain took a free slot; the old chain's slot was freed.
    expect(wal.stats().segmentsCheckpoint).toBe(1);
    expect(wal.stats().segmentsFree).toBe(free);
    const b = reopen(device);
    expect(b.wal.recovery.superblockCopy).toBe(0);
    expect(b.wal.readCheckpoint()?.lsn).toBe(100);
    expect(replayed(b.wal)).toEqual([]);
    fill(b.wal, 101, 120);
    expect(replayed(b.wal)).toEqual(range(101, 120));
  });

  it('stores images larger than a segment, given in chunks that straddle segments', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    fill(wal, 1, 10);
    const whole = payloadFor(2, 0, 2 * capacity + 1234);
    const chunks = [whole.subarray(0, 100), whole.subarray(100, 100), whole.subarray(100, capacity + 7), whole.subarray(capacity + 7)];
    wal.writeCheckpoint(10 as Lsn, chunks);
    expect(wal.stats().segmentsCheckpoint).toBe(3);
    const { wal: again } = reopen(device);
    const checkpoint = again.readCheckpoint();
    expect(checkpoint?.lsn).toBe(10);
    expect(sameBytes(checkpoint?.image ?? new Uint8Array(), whole)).toBe(true);
  });

  it('accepts an empty image and a checkpoint at LSN 0 of an empty log', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    wal.writeCheckpoint(0 as Lsn, []);
    const { wal: again } = reopen(device);
    expect(again.readCheckpoint()).toEqual({ lsn: 0, image: new Uint8Array(0) });
    fill(again, 1, 5);
    expect(replayed(again)).toEqual(range(1, 5));
  });

  it('validates the LSN and the image, and limits the image to checkpointBytesMax', () => {
    const wal = openWal({ device: new MemoryDevice(), segmentBytes });
    fill(wal, 1, 10);
    wal.writeCheckpoint(5 as Lsn, []);
    expect(errorCode(() => wal.writeCheckpoint(4 as Lsn, []))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => wal.writeCheckpoint(11 as Lsn, []))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => wal.writeCheckpoint(6 as Lsn, ['x' as unknown as Uint8Array]))).toBe('INVALID_ARGUMENT');
    // One byte past the limit, without allocating it: the same 64 MiB chunk repeated.
    const chunk = new Uint8Array(64 * 1024 * 1024);
    const over = [...Array.from({ length: checkpointBytesMax / chunk.length }, () => chunk), new Uint8Array(1)];
    expect(errorCode(() => wal.writeCheckpoint(6 as Lsn, over))).toBe('LIMIT');
    expect(wal.checkpointLsn).toBe(5);
  });

  it.skipIf(!process.env.FAIRDB_SOAK)('accepts an image of exactly checkpointBytesMax', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes: 256 * 1024 * 1024 });
    const chunk = new Uint8Array(64 * 1024 * 1024).fill(3);
    wal.writeCheckpoint(0 as Lsn, Array.from({ length: checkpointBytesMax / chunk.length }, () => chunk));
    expect(wal.readCheckpoint()?.image.length).toBe(checkpointBytesMax);
  }, 600_000);

  it('makes the records it covers durable first', () => {
    const wal = openWal({ device: new MemoryDevice(), segmentBytes });
    wal.append(16, new Uint8Array(5));
    wal.append(16, new Uint8Array(5));
    expect(wal.durableLsn).toBe(0);
    wal.writeCheckpoint(1 as Lsn, []);
    expect(wal.durableLsn).toBe(2);
  });

  it('detects a damaged image', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    fill(wal, 1, 3);
    wal.writeCheckpoint(3 as Lsn, [payloadFor(3, 3, 1000)]);
    const { wal: again, device: copy } = reopen(device);
    const chainSlot = wal.stats().segmentsLog; // the chain took the slot after the log segment(s)
    const byte = 8192 + chainSlot * segmentBytes + segmentDataOffset + 500;
    copy.write(byte, new Uint8Array([copy.read(byte, 1)[0]! ^ 0x10]));
    expect(errorCode(() => again.readCheckpoint())).toBe('CORRUPTION');
  });
});

describe('segments, free and truncate', () => {
  it('reports segments, frees the ones the checkpoint covers, and reuses their slots', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    fill(wal, 1, 200);
    const segments = wal.segments();
    expect(segments.length).toBeGreaterThan(3);
    for (let i = 1; i < segments.length; i++) expect(segments[i]!.firstLsn).toBe(segments[i - 1]!.lastLsn + 1);
    expect(segments.at(-1)!.active).toBe(true);
    const second = segments[1]!;
    expect(errorCode(() => wal.freeSegment(second.index))).toBe('INVALID_ARGUMENT');
    wal.writeCheckpoint(second.lastLsn, []);
    expect(errorCode(() => wal.freeSegment(segments[2]!.index))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => wal.freeSegment(segments.at(-1)!.index))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => wal.freeSegment(9999))).toBe('INVALID_ARGUMENT');
    wal.freeSegment(second.index);
    expect(errorCode(() => wal.freeSegment(second.index))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => wal.readRecord(second.base + segmentDataOffset + 24, false))).toBe('INVALID_ARGUMENT');
    expect(wal.truncate()).toBe(1);
    expect(wal.segments().map((s) => s.index)).toEqual(segments.slice(2).map((s) => s.index));
    // The lowest free slot is reused first.
    const lowest = Math.min(segments[0]!.index, second.index);
    fill(wal, 201, 400);
    expect(wal.segments().some((s) => s.index === lowest && s.firstLsn > 200)).toBe(true);
    const { wal: again } = reopen(device);
    expect(again.recovery.case).toBe('clean');
    expect(replayed(again)).toEqual(range(second.lastLsn + 1, 400));
  });

  it('finds the extent of segments recovery did not scan', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    fill(wal, 1, 150);
    wal.writeCheckpoint(150 as Lsn, []);
    fill(wal, 151, 160);
    const before = wal.segments();
    const { wal: again } = reopen(device);
    expect(again.recovery.segmentsScanned).toBe(1);
    expect(again.segments()).toEqual(before);
    expect(again.truncate()).toBe(before.length - 1);
    expect(replayed(again)).toEqual(range(151, 160));
  });

  it('reports damage in segments recovery did not scan when they are first used', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    fill(wal, 1, 150);
    const first = wal.segments()[0]!;
    const addresses = new Map<number, number>();
    wal.scanSegment(first.index, (ref) => void addresses.set(ref.lsn, ref.address));
    wal.writeCheckpoint(150 as Lsn, []);
    const image = imageOf(device);
    // A damaged payload: the extent is still found; reading the record fails its CRC.
    const payloadDamaged = Uint8Array.from(image);
    const victim = addresses.get(first.firstLsn + 3)!;
    payloadDamaged[victim] = payloadDamaged[victim]! ^ 1;
    const a = openWal({ device: memoryFrom(payloadDamaged) });
    expect(a.segments()[0]).toEqual(first);
    expect(errorCode(() => a.scanSegment(first.index, () => undefined))).toBe('CORRUPTION');
    // A damaged header followed by valid records: refused when the segment is first used.
    const headerDamaged = Uint8Array.from(image);
    headerDamaged[addresses.get(first.firstLsn + 3)! - 24 + 9] ^= 1;
    const b = openWal({ device: memoryFrom(headerDamaged) });
    expect(errorCode(() => b.segments())).toBe('CORRUPTION');
  });

  it('recovers when the segment named by the checkpoint tail has been freed', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    fill(wal, 1, 100);
    const tailSegment = wal.segments().at(-1)!;
    // The tail is the end of the active segment; then a roll-over makes it freeable.
    wal.writeCheckpoint(100 as Lsn, []);
    wal.append(16, new Uint8Array(wal.recordBytesMax));
    wal.persistNow();
    expect(wal.segments().at(-1)!.index).not.toBe(tailSegment.index);
    expect(wal.truncate()).toBeGreaterThan(0);
    const { wal: again } = reopen(device);
    const seen: number[] = [];
    again.replay((ref) => seen.push(ref.lsn));
    expect(seen).toEqual([101]);
  });

  it('scans one segment in order, CRC-verified', () => {
    const device = new MemoryDevice();
    const wal = openWal({ device, segmentBytes });
    fill(wal, 1, 80);
    const first = wal.segments()[0]!;
    const lsns: number[] = [];
    wal.scanSegment(first.index, (ref, payload) => {
      expect(sameBytes(payload, payloadFor(9, ref.lsn, sizeOf(ref.lsn)))).toBe(true);
      lsns.push(ref.lsn);
    });
    expect(lsns).toEqual(range(first.firstLsn, first.lastLsn));
    expect(errorCode(() => wal.scanSegment(12345, () => undefined))).toBe('INVALID_ARGUMENT');
    // Damage a payload byte in the middle of the segment.
    let victim = 0;
    wal.scanSegment(first.index, (ref) => {
      if (ref.lsn === 5) victim = ref.address;
    });
    device.write(victim, new Uint8Array([device.read(victim, 1)[0]! ^ 1]));
    expect(errorCode(() => wal.scanSegment(first.index, () => undefined))).toBe('CORRUPTION');
    expect(errorCode(() => wal.readRecord(victim, true))).toBe('CORRUPTION');
    expect(wal.readRecord(victim, false).ref.lsn).toBe(5);
    expect(errorCode(() => wal.readRecord(victim + 8, false))).toBe('CORRUPTION');
    expect(errorCode(() => wal.readRecord(victim + 3, false))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => wal.readRecord(-1, false))).toBe('INVALID_ARGUMENT');
  });
});
