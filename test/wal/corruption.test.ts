/**
 * Damage at seeded random places: bit flips, truncation and appended garbage
 * in a log image, and random bytes fed to every reader. The only acceptable
 * outcomes are CORRUPTION or a clean tail truncation (per the recovery
 * table): every record and checkpoint the damaged log still returns must be
 * exactly one that was written, and nothing may crash, hang or throw
 * anything but a FairdbError. Each failure message names the seed and trial.
 */
import { crc32c } from '@node-rs/crc32';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { FairdbError, seededRandom } from '../../storage/device/index.js';
import { MemoryDevice } from '../../storage/memory-device/index.js';
import { decodeFreeMarker, isPartialFreeMarker } from '../../wal/free-marker.js';
import { openWal, segmentBytesMin, type Lsn, type Wal } from '../../wal/index.js';
import { segmentsOffset, superblockOffsets } from '../../wal/layout.js';
import { writeU32 } from '../../wal/little-endian.js';
import { checkRecord, newRecordFields } from '../../wal/record.js';
import { decodeSegmentHeader } from '../../wal/segment-header.js';
import { decodeSuperblock, encodeSuperblock } from '../../wal/superblock.js';
import { imageOf, payloadFor, sameBytes } from './helpers.js';

const soak = process.env.FAIRDB_SOAK !== undefined;
const trials = soak ? 3000 : 150;
const seed = 4242;
/** Per-test timeout: these loops are long under FAIRDB_SOAK and on a busy machine. */
const timeoutMs = soak ? 1_800_000 : 60_000;

interface Written {
  readonly image: Uint8Array;
  readonly records: Map<number, { type: number; payload: Uint8Array }>;
  readonly checkpoints: Map<number, Uint8Array>;
  readonly lastLsn: number;
}

/** A log with several segments, two checkpoints (the first freed), a truncation and a tail of groups. */
function writeLog(): Written {
  const random = seededRandom(seed);
  const device = new MemoryDevice({ sizeBytes: 16384 });
  const wal = openWal({ device, segmentBytes: segmentBytesMin });
  const records = new Map<number, { type: number; payload: Uint8Array }>();
  const checkpoints = new Map<number, Uint8Array>();
  const appendGroup = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const lsn = wal.lastLsn + 1;
      const type = random.int(16, 255);
      const payload = payloadFor(seed, lsn, random.chance(0.1) ? random.int(5000, 20000) : random.int(0, 700));
      records.set(lsn, { type, payload });
      wal.append(type, payload);
    }
    wal.persistNow();
  };
  for (let g = 0; g < 60; g++) appendGroup(random.int(1, 5));
  for (const lsn of [Math.floor(wal.lastLsn / 3), Math.floor(wal.lastLsn / 2)]) {
    const image = payloadFor(seed + 1, lsn, 70_000);
    checkpoints.set(lsn, image);
    wal.writeCheckpoint(lsn as Lsn, [image]);
  }
  wal.truncate();
  for (let g = 0; g < 40; g++) appendGroup(random.int(1, 5));
  return { image: imageOf(device), records, checkpoints, lastLsn: wal.lastLsn };
}

type Outcome = 'corruption' | 'intact' | 'truncated';

/**
 * Opens a damaged image and reads everything back. Returns the outcome or
 * throws (failing the test) when anything is wrong.
 */
function judge(image: Uint8Array, written: Written, where: string): Outcome {
  const device = new MemoryDevice({ image, sizeBytes: 4096 });
  let wal: Wal;
  try {
    wal = openWal({ device });
  } catch (error) {
    if (error instanceof FairdbError && error.code === 'CORRUPTION') return 'corruption';
    throw new Error(`${where}: open threw ${String(error)}`);
  }
  try {
    const checkpoint = wal.readCheckpoint();
    const from = checkpoint?.lsn ?? 0;
    if (checkpoint !== undefined) {
      const expected = written.checkpoints.get(checkpoint.lsn);
      if (expected === undefined || !sameBytes(expected, checkpoint.image)) throw new Error(`${where}: checkpoint ${checkpoint.lsn} was not written`);
    }
    let next = from + 1;
    wal.replay((ref, payload) => {
      const record = written.records.get(ref.lsn);
      if (ref.lsn !== next || record === undefined || record.type !== ref.type || !sameBytes(record.payload, payload)) {
        throw new Error(`${where}: replay returned a wrong record ${ref.lsn}`);
      }
      next++;
    });
    for (const segment of wal.segments()) {
      wal.scanSegment(segment.index, (ref, payload) => {
        const record = written.records.get(ref.lsn);
        if (record === undefined || !sameBytes(record.payload, payload)) throw new Error(`${where}: scan returned a wrong record ${ref.lsn}`);
      });
    }
    // The damaged log must still take appends and reopen.
    wal.append(16, new Uint8Array(10));
    wal.persistNow();
    return next - 1 === written.lastLsn ? 'intact' : 'truncated';
  } catch (error) {
    if (error instanceof FairdbError && error.code === 'CORRUPTION') return 'corruption';
    throw error instanceof Error && error.message.startsWith(where) ? error : new Error(`${where}: ${String(error)}`);
  }
}

function tally(outcomes: Outcome[]): Record<Outcome, number> {
  const t = { corruption: 0, intact: 0, truncated: 0 };
  for (const o of outcomes) t[o]++;
  return t;
}

describe('damage at random offsets', () => {
  const written = writeLog();
  const used = written.image.length;

  it('bit flips are detected or truncated cleanly, never misread', () => {
    const random = seededRandom(seed + 10);
    const outcomes: Outcome[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const image = Uint8Array.from(written.image);
      const flips = random.int(1, 3);
      for (let f = 0; f < flips; f++) {
        const offset = random.chance(0.2) ? random.int(0, segmentsOffset - 1) : random.int(0, used - 1);
        image[offset] = (image[offset] as number) ^ (1 << random.int(0, 7));
      }
      outcomes.push(judge(image, written, `bit flip seed ${seed + 10} trial ${trial}`));
    }
    const t = tally(outcomes);
    console.log(`corruption: ${trials} bit-flip trials: ${t.corruption} CORRUPTION, ${t.truncated} tail truncations, ${t.intact} unaffected`);
    expect(t.corruption).toBeGreaterThan(0);
  }, timeoutMs);

  it('truncation at a random length is detected or truncated cleanly', () => {
    const random = seededRandom(seed + 20);
    const outcomes: Outcome[] = [];
    for (let trial = 0; trial < trials / 3; trial++) {
      const image = written.image.slice(0, random.int(0, used));
      outcomes.push(judge(image, written, `truncation seed ${seed + 20} trial ${trial}`));
    }
    const t = tally(outcomes);
    console.log(`corruption: ${outcomes.length} truncations: ${t.corruption} CORRUPTION, ${t.truncated} tail truncations, ${t.intact} unaffected`);
    expect(t.corruption + t.truncated).toBeGreaterThan(0);
  }, timeoutMs);

  it('garbage appended after the log is refused or harmless', () => {
    const random = seededRandom(seed + 30);
    const outcomes: Outcome[] = [];
    for (let trial = 0; trial < trials / 3; trial++) {
      const garbage = random.fill(new Uint8Array(random.int(1, 3 * segmentBytesMin)));
      const image = new Uint8Array(used + garbage.length);
      image.set(written.image);
      image.set(garbage, used);
      outcomes.push(judge(image, written, `garbage seed ${seed + 30} trial ${trial}`));
    }
    const t = tally(outcomes);
    console.log(`corruption: ${outcomes.length} garbage appends: ${t.corruption} CORRUPTION, ${t.truncated} tail truncations, ${t.intact} unaffected`);
    expect(t.truncated).toBe(0);
  }, timeoutMs);

  it('random bytes written over random ranges are detected or truncated cleanly', () => {
    const random = seededRandom(seed + 40);
    const outcomes: Outcome[] = [];
    for (let trial = 0; trial < trials / 3; trial++) {
      const image = Uint8Array.from(written.image);
      const length = random.int(1, 512);
      const offset = random.int(0, used - length);
      image.set(random.fill(new Uint8Array(length)), offset);
      outcomes.push(judge(image, written, `overwrite seed ${seed + 40} trial ${trial}`));
    }
    const t = tally(outcomes);
    console.log(`corruption: ${outcomes.length} random overwrites: ${t.corruption} CORRUPTION, ${t.truncated} tail truncations, ${t.intact} unaffected`);
    expect(t.corruption).toBeGreaterThan(0);
  }, timeoutMs);
});

describe('fuzzing the readers', () => {
  it('every decoder takes random bytes without throwing', () => {
    const random = seededRandom(seed + 50);
    const out = newRecordFields();
    for (let trial = 0; trial < (soak ? 200_000 : 20_000); trial++) {
      const bytes = random.fill(new Uint8Array(random.int(0, 160)));
      decodeSuperblock(bytes);
      decodeSegmentHeader(bytes, random.int(0, 10));
      decodeFreeMarker(bytes, random.int(0, 10));
      if (bytes.length >= 64) isPartialFreeMarker(bytes, 1, random.int(1, 100));
      checkRecord(bytes, random.int(0, 16) * 8, bytes.length, 1 << 20, random.int(0, 3), out);
    }
  }, timeoutMs);

  it('random devices and superblocks with valid CRCs but random fields are refused, never crash', () => {
    const random = seededRandom(seed + 60);
    const written = writeLog();
    const outcomes: Outcome[] = [];
    for (let trial = 0; trial < (soak ? 5000 : 300); trial++) {
      const where = `superblock fuzz seed ${seed + 60} trial ${trial}`;
      const image = Uint8Array.from(written.image);
      const copy = random.int(0, 1);
      const sb = image.subarray(superblockOffsets[copy], superblockOffsets[copy] + 128);
      // Randomize a few fields, keep the magic and version, re-seal the CRC.
      for (let k = random.int(1, 4); k > 0; k--) sb[random.int(12, 79)] = random.int(0, 255);
      writeU32(sb, 124, crc32c(sb.subarray(0, 124)));
      if (random.chance(0.2)) image.fill(0, superblockOffsets[1 - copy], superblockOffsets[1 - copy] + 128);
      outcomes.push(judge(image, written, where));
    }
    const t = tally(outcomes);
    console.log(`corruption: ${outcomes.length} superblocks with random fields: ${t.corruption} CORRUPTION, ${t.truncated} truncated, ${t.intact} unaffected`);
    expect(t.corruption).toBeGreaterThan(0);
    for (let trial = 0; trial < 50; trial++) {
      const image = seededRandom(trial).fill(new Uint8Array(segmentsOffset + 2 * segmentBytesMin));
      expect(judge(image, written, `random device trial ${trial}`)).toBe('corruption');
    }
  }, timeoutMs);

  it('a superblock naming a huge checkpoint is corruption, not an allocation failure', () => {
    const written = writeLog();
    const image = Uint8Array.from(written.image);
    const copies = superblockOffsets.map((offset) => decodeSuperblock(image.subarray(offset, offset + 128)));
    const sequence = (i: number): number => {
      const d = copies[i]!;
      return isRight(d) ? d.right.sequence : 0;
    };
    const newest = sequence(0) > sequence(1) ? 0 : 1;
    const decoded = copies[newest]!;
    if (!isRight(decoded) || decoded.right.checkpoint === undefined) throw new Error('the log has a checkpoint');
    const sb = decoded.right;
    image.set(encodeSuperblock({ ...sb, checkpoint: { ...(sb.checkpoint as NonNullable<typeof sb.checkpoint>), imageBytes: 2 ** 50 } }), superblockOffsets[newest]);
    expect(judge(image, written, 'huge checkpoint')).toBe('corruption');
  }, timeoutMs);
});
