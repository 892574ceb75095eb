/**
 * Every byte format of the log: encode/decode round trips and each validity
 * rule of the superblock, the segment header, the free marker and the record.
 */
import { crc32c } from '@node-rs/crc32';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../storage/device/index.js';
import { decodeFreeMarker, encodeFreeMarker, isPartialFreeMarker } from '../../wal/free-marker.js';
import { alignRecord, segmentBase, segmentDataOffset, segmentIndexNone, segmentSlotCount, segmentsOffset } from '../../wal/layout.js';
import { segmentBytesMax, segmentBytesMin } from '../../wal/limits.js';
import { readU64, writeU32, writeU64 } from '../../wal/little-endian.js';
import { checkRecord, checkRecordHeader, encodeRecordHeader, newRecordFields, RecordCheck, recordBytes, recordHeaderBytes } from '../../wal/record.js';
import { decodeSegmentHeader, encodeSegmentHeader, SegmentKindCode, type SegmentHeader } from '../../wal/segment-header.js';
import { decodeSuperblock, encodeSuperblock, isValidSegmentBytes, superblockBytes, type Superblock } from '../../wal/superblock.js';

/** Recomputes the CRC at `crcOffset` over `bytes[0, crcOffset)`, so a test can break one other rule. */
function reseal(bytes: Uint8Array, crcOffset: number): Uint8Array {
  writeU32(bytes, crcOffset, crc32c(bytes.subarray(0, crcOffset)));
  return bytes;
}

describe('little-endian helpers', () => {
  it('round-trips safe 64-bit integers and rejects values of 2^53 and more', () => {
    const b = new Uint8Array(8);
    for (const v of [0, 1, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER]) {
      writeU64(b, 0, v);
      expect(readU64(b, 0)).toBe(v);
    }
    b.fill(0);
    b[6] = 0x20; // 2^53
    expect(readU64(b, 0)).toBe(-1);
  });
});

describe('layout', () => {
  it('places segments after the two superblock pages', () => {
    expect(segmentsOffset).toBe(8192);
    expect(segmentBase(0, 65536)).toBe(8192);
    expect(segmentBase(3, 65536)).toBe(8192 + 3 * 65536);
    expect(segmentSlotCount(8192 + 2 * 65536 + 100, 65536)).toBe(2);
    expect(segmentSlotCount(4096, 65536)).toBe(0);
    expect(alignRecord(25)).toBe(32);
  });
});

describe('superblock', () => {
  const base: Superblock = { segmentBytes: 1 << 20, sequence: 7, checkpoint: undefined, tailAddress: 0, tailSequence: 0 };
  const withCheckpoint: Superblock = {
    segmentBytes: 1 << 16,
    sequence: 2 ** 40,
    checkpoint: { lsn: 12345678901, imageBytes: 3 * 65536, imageCrc: 0xdeadbeef, firstSegment: 9, segmentCount: 4, chainId: 77 },
    tailAddress: 8192 + 5 * 65536 + 128,
    tailSequence: 55,
  };

  it('round-trips with and without a checkpoint', () => {
    for (const sb of [base, withCheckpoint]) {
      const bytes = encodeSuperblock(sb);
      expect(bytes.length).toBe(superblockBytes);
      const decoded = decodeSuperblock(bytes);
      expect(isRight(decoded) && decoded.right).toEqual(sb);
    }
  });

  it('starts with its magic and version', () => {
    const bytes = encodeSuperblock(base);
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('FDBWALSB');
    expect(bytes[8]).toBe(1);
  });

  const rules: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ['magic', (b) => reseal(((b[0] = 0x41), b), 124), /magic/],
    ['version', (b) => reseal(((b[8] = 2), b), 124), /version/],
    ['CRC', (b) => ((b[20] ^= 1), b), /CRC/],
    ['segment size not a power of two', (b) => reseal((writeU32(b, 12, (1 << 20) + 8), b), 124), /segmentBytes/],
    ['segment size below the minimum', (b) => reseal((writeU32(b, 12, segmentBytesMin / 2), b), 124), /segmentBytes/],
    ['zero sequence', (b) => reseal((writeU64(b, 16, 0), b), 124), /sequence/],
    ['reserved bytes', (b) => reseal(((b[100] = 1), b), 124), /reserved/],
    ['unknown flag', (b) => reseal((writeU32(b, 24, 2), b), 124), /flags/],
    ['checkpoint fields without a checkpoint', (b) => reseal((writeU64(b, 32, 5), b), 124), /without a checkpoint/],
    ['tail address without a tail sequence', (b) => reseal((writeU64(b, 64, 8192), b), 124), /tail/],
    ['truncated', (b) => b.subarray(0, 100), /short/],
  ];
  for (const [name, damage, reason] of rules) {
    it(`is invalid on: ${name}`, () => {
      const decoded = decodeSuperblock(damage(encodeSuperblock(base)));
      expect(isLeft(decoded) && decoded.left).toMatch(reason);
    });
  }

  it('is invalid when a checkpoint has no chain', () => {
    const bytes = encodeSuperblock(withCheckpoint);
    writeU32(bytes, 28, 0);
    const decoded = decodeSuperblock(reseal(bytes, 124));
    expect(isLeft(decoded) && decoded.left).toMatch(/checkpoint descriptor/);
  });

  it('accepts segment sizes at both bounds and rejects one past each', () => {
    expect(isValidSegmentBytes(segmentBytesMin)).toBe(true);
    expect(isValidSegmentBytes(segmentBytesMax)).toBe(true);
    expect(isValidSegmentBytes(segmentBytesMin / 2)).toBe(false);
    expect(isValidSegmentBytes(segmentBytesMax * 2)).toBe(false);
    expect(isValidSegmentBytes(segmentBytesMin + 1)).toBe(false);
  });
});

describe('segment header', () => {
  const headers: SegmentHeader[] = [
    { kind: 'log', index: 3, sequence: 41, firstLsn: 1000 },
    { kind: 'checkpoint', index: 4, sequence: 42, checkpointLsn: 999, chainId: 42, position: 0, next: 7 },
    { kind: 'checkpoint', index: 7, sequence: 43, checkpointLsn: 999, chainId: 42, position: 1, next: segmentIndexNone },
    { kind: 'free', index: 5, sequence: 44 },
  ];

  it('round-trips every kind', () => {
    for (const h of headers) {
      const decoded = decodeSegmentHeader(encodeSegmentHeader(h), h.index);
      expect(isRight(decoded) && decoded.right).toEqual(h);
    }
  });

  it('keeps its persisted kind codes', () => {
    expect(SegmentKindCode).toEqual({ log: 1, checkpoint: 2, free: 3 });
    expect(encodeSegmentHeader(headers[0] as SegmentHeader)[10]).toBe(1);
    expect(Buffer.from(encodeSegmentHeader(headers[0] as SegmentHeader).subarray(0, 8)).toString('latin1')).toBe('FDBWALSG');
  });

  const log = headers[0] as SegmentHeader;
  const rules: [string, (b: Uint8Array) => Uint8Array, RegExp, number?][] = [
    ['magic', (b) => reseal(((b[1] = 0), b), 60), /magic/],
    ['version', (b) => reseal(((b[8] = 9), b), 60), /version/],
    ['CRC', (b) => ((b[30] ^= 0x80), b), /CRC/],
    ['unknown kind', (b) => reseal(((b[10] = 4), b), 60), /kind/],
    ['reserved byte 11', (b) => reseal(((b[11] = 1), b), 60), /reserved/],
    ['reserved tail', (b) => reseal(((b[50] = 1), b), 60), /reserved/],
    ['zero sequence', (b) => reseal((writeU64(b, 16, 0), b), 60), /sequence/],
    ['log with first LSN 0', (b) => reseal((writeU64(b, 24, 0), b), 60), /log segment fields/],
    ['log with chain fields', (b) => reseal((writeU32(b, 40, 1), b), 60), /log segment fields/],
    ['wrong slot', (b) => b, /found in slot/, 4],
  ];
  for (const [name, damage, reason, slot] of rules) {
    it(`is invalid on: ${name}`, () => {
      const decoded = decodeSegmentHeader(damage(encodeSegmentHeader(log)), slot ?? log.index);
      expect(isLeft(decoded) && decoded.left).toMatch(reason);
    });
  }

  it('is invalid for a free header with a first LSN and for a chain pointing at itself', () => {
    const free = encodeSegmentHeader({ kind: 'free', index: 5, sequence: 44 });
    writeU64(free, 24, 3);
    const d1 = decodeSegmentHeader(reseal(free, 60), 5);
    expect(isLeft(d1) && d1.left).toMatch(/free segment fields/);
    const selfLoop = encodeSegmentHeader({ kind: 'checkpoint', index: 4, sequence: 42, checkpointLsn: 1, chainId: 42, position: 0, next: 4 });
    const d2 = decodeSegmentHeader(selfLoop, 4);
    expect(isLeft(d2) && d2.left).toMatch(/checkpoint segment fields/);
  });
});

describe('free marker', () => {
  it('round-trips and is bound to its slot', () => {
    const m = encodeFreeMarker(6, 123);
    expect(decodeFreeMarker(m, 6)).toBe(123);
    expect(decodeFreeMarker(m, 7)).toBe(-1);
    const bad = Uint8Array.from(m);
    bad[17] ^= 1;
    expect(decodeFreeMarker(bad, 6)).toBe(-1);
    const reserved = Uint8Array.from(m);
    reserved[30] = 1;
    expect(decodeFreeMarker(reseal(reserved, 60), 6)).toBe(-1);
  });

  it('recognizes every torn write of itself over zeros, and nothing else', () => {
    const m = encodeFreeMarker(2, 99);
    const random = seededRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      const line = new Uint8Array(64);
      let any = false;
      for (let w = 0; w < 8; w++) {
        if (random.chance(0.5)) {
          line.set(m.subarray(w * 8, w * 8 + 8), w * 8);
          any ||= m.subarray(w * 8, w * 8 + 8).some((x) => x !== 0);
        }
      }
      expect(isPartialFreeMarker(line, 2, 99)).toBe(any);
    }
    expect(isPartialFreeMarker(m, 2, 98)).toBe(false);
    const foreign = Uint8Array.from(m);
    foreign[40] = 7;
    expect(isPartialFreeMarker(foreign, 2, 99)).toBe(false);
  });
});

describe('record', () => {
  function record(lsn: number, groupFirstLsn: number, type: number, payload: Uint8Array, room = 0): Uint8Array {
    const bytes = new Uint8Array(recordBytes(payload.length) + room);
    encodeRecordHeader(bytes, bytes.subarray(4, 24), { lsn, groupFirstLsn, type }, payload);
    bytes.set(payload, recordHeaderBytes);
    return bytes;
  }
  const payload = Uint8Array.from({ length: 37 }, (_, i) => i * 7);

  it('round-trips its fields; the CRC covers header and payload', () => {
    const bytes = record(2 ** 40 + 5, 2 ** 40 + 1, 200, payload);
    const out = newRecordFields();
    expect(checkRecord(bytes, 0, bytes.length, 1000, 1, out)).toBe(RecordCheck.wellFormed);
    expect(out).toEqual({ lsn: 2 ** 40 + 5, groupFirstLsn: 2 ** 40 + 1, type: 200, length: 37, bytes: 64 });
    expect(bytes.length % 8).toBe(0);
    const crc = crc32c(Buffer.concat([bytes.subarray(4, 24), payload]));
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(crc);
  });

  it('pads to 8 bytes', () => {
    expect(recordBytes(0)).toBe(24);
    expect(recordBytes(1)).toBe(32);
    expect(recordBytes(8)).toBe(32);
    expect(recordBytes(9)).toBe(40);
  });

  it('reports an all-zero header or no room as the end', () => {
    const out = newRecordFields();
    expect(checkRecord(new Uint8Array(64), 0, 64, 1000, 1, out)).toBe(RecordCheck.end);
    const bytes = record(1, 1, 16, payload);
    expect(checkRecord(bytes, 48, bytes.length, 1000, 1, out)).toBe(RecordCheck.end);
  });

  const rules: [string, (b: Uint8Array) => void, number?, number?][] = [
    ['CRC of the header', (b) => (b[20] ^= 1)],
    ['CRC of the payload', (b) => (b[30] ^= 4)],
    ['CRC itself', (b) => (b[0] ^= 1)],
    ['reserved bytes', (b) => (b[22] = 1)],
    ['LSN zero', (b) => writeU64(b, 8, 0)],
    ['LSN of 2^53', (b) => writeU32(b, 12, 0x20_0000)],
    ['group offset >= LSN', (b) => writeU32(b, 16, 9)],
    ['length over the limit', () => undefined, 36],
    ['length past the segment end', (b) => writeU32(b, 4, 1000)],
    ['LSN below the minimum asked for', () => undefined, undefined, 10],
  ];
  for (const [name, damage, limit, lsnMin] of rules) {
    it(`is malformed on: ${name}`, () => {
      const bytes = record(9, 7, 16, payload);
      damage(bytes);
      expect(checkRecord(bytes, 0, bytes.length, limit ?? 1000, lsnMin ?? 1, newRecordFields())).toBe(RecordCheck.malformed);
    });
  }

  it('accepts a payload at the limit and rejects one past it', () => {
    const bytes = record(3, 3, 16, payload);
    expect(checkRecord(bytes, 0, bytes.length, 37, 1, newRecordFields())).toBe(RecordCheck.wellFormed);
    expect(checkRecord(bytes, 0, bytes.length, 36, 1, newRecordFields())).toBe(RecordCheck.malformed);
  });

  it('checks the header alone without the CRC', () => {
    const bytes = record(3, 3, 16, payload);
    bytes[30] ^= 1;
    expect(checkRecordHeader(bytes, 0, bytes.length, 1000, 1, newRecordFields())).toBe(RecordCheck.wellFormed);
    expect(checkRecord(bytes, 0, bytes.length, 1000, 1, newRecordFields())).toBe(RecordCheck.malformed);
  });
});
