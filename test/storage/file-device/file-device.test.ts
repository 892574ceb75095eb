import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssertionError, FairdbError, seededRandom } from '../../../storage/device/index.js';
import { fileDeviceSizeBytesMax, openFileDevice, tornCutBytesEnumerated, type FileDevice } from '../../../storage/file-device/index.js';
import { codeOf } from '../../helpers.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-file-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const filled = (length: number, value: number) => new Uint8Array(length).fill(value);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('file device: visibility and persistence', () => {
  it('reads its own writes at once and reopens with exactly the persisted state', () => {
    const file = path.join(dir, 'dev.blk');
    const d = openFileDevice({ path: file, sizeBytes: 10_000 });
    expect(d.sizeBytes).toBe(12_288);
    expect(d.persistent).toBe(true);
    d.write(100, filled(100, 1));
    expect([...d.read(99, 3)]).toEqual([0, 1, 1]);
    d.persist(100, 100);
    d.write(5000, filled(10, 2)); // never flushed
    d.write(9000, filled(10, 3));
    d.flush(9000, 10); // flushed, never fenced
    d.close();
    expect(fs.statSync(file).size).toBe(12_288);
    const again = openFileDevice({ path: file });
    expect(again.sizeBytes).toBe(12_288);
    expect([...again.read(100, 100)]).toEqual([...filled(100, 1)]);
    expect([...again.read(5000, 10)]).toEqual([...filled(10, 0)]);
    expect([...again.read(9000, 10)]).toEqual([...filled(10, 0)]);
    again.close();
  });

  it('fdatasyncs at every fence that wrote pages, unless syncOnPersist is off', () => {
    const synced = openFileDevice({ path: path.join(dir, 'a.blk'), sizeBytes: 8192 });
    synced.write(0, filled(8, 1));
    synced.persist(0, 8);
    synced.fence(); // nothing flushed
    expect(synced.stats().hostSyncs).toBe(2); // the new file's size, then one fence
    synced.close();
    const unsynced = openFileDevice({ path: path.join(dir, 'b.blk'), sizeBytes: 8192, syncOnPersist: false });
    unsynced.write(0, filled(8, 1));
    unsynced.persist(0, 8);
    expect(unsynced.stats().hostSyncs).toBe(0);
    expect(unsynced.stats().hostWrites).toBe(1);
    unsynced.close();
    expect(fs.readFileSync(path.join(dir, 'b.blk'))[0]).toBe(1);
  });

  it('persists a page rewritten between flush and fence with its contents at the fence', () => {
    const file = path.join(dir, 'dev.blk');
    const d = openFileDevice({ path: file, sizeBytes: 4096 });
    d.write(0, filled(8, 1));
    d.flush(0, 8);
    d.write(8, filled(8, 2));
    d.fence();
    expect(d.pendingUnits()).toBe(0);
    d.close();
    expect([...fs.readFileSync(file).subarray(0, 16)]).toEqual([...filled(8, 1), ...filled(8, 2)]);
  });

  it('grows with zeros and extends the file', () => {
    const file = path.join(dir, 'dev.blk');
    const d = openFileDevice({ path: file, sizeBytes: 4096 });
    d.write(0, filled(4, 9));
    d.persist(0, 4);
    d.grow(5000);
    expect(d.sizeBytes).toBe(8192);
    expect(fs.statSync(file).size).toBe(8192);
    expect(d.read(4096, 4096).every((b) => b === 0)).toBe(true);
    d.write(8000, filled(4, 8));
    d.persist(8000, 4);
    expect(() => d.grow(fileDeviceSizeBytesMax + 1)).toThrow(/over the limit/);
    expect(() => d.grow(1.5)).toThrow(AssertionError);
    d.close();
    const again = openFileDevice({ path: file });
    expect([...again.read(8000, 4)]).toEqual([8, 8, 8, 8]);
    expect([...again.read(0, 4)]).toEqual([9, 9, 9, 9]);
    again.close();
  });

  it('reopens an image and sizes by it', () => {
    const d = openFileDevice({ sizeBytes: 8192, trackCrashStates: true });
    d.write(4096, filled(4, 5));
    d.persist(4096, 4);
    const [image] = [...d.crashImages({ mode: 'enumerate', limit: 1 })];
    d.close();
    const again = openFileDevice({ image: image! });
    expect(again.sizeBytes).toBe(8192);
    expect(again.persistent).toBe(false);
    expect([...again.read(4096, 4)]).toEqual([5, 5, 5, 5]);
    again.close();
  });
});

describe('file device: accounting', () => {
  it('writes whole pages: a 100-byte persist costs 4 KiB', () => {
    const d = openFileDevice({ sizeBytes: 65_536 });
    d.write(10, filled(100, 1));
    d.persist(10, 100);
    const s = d.stats();
    expect(s.mediaBytesWritten).toBe(4096);
    expect(s.extra['bytesPersisted']).toBe(100);
    expect(s.writeAmplification).toBeCloseTo(40.96, 12);
    expect(s.extra['pagesWritten']).toBe(1);
    expect(s.hostWrites).toBe(0); // no backing file
    expect(s.deviceTimeNs).toBe(0);
    d.close();
  });

  it('coalesces adjacent pages into one host write and counts separate runs', () => {
    const d = openFileDevice({ path: path.join(dir, 'dev.blk'), sizeBytes: 65_536, syncOnPersist: false });
    d.write(4090, filled(12, 1)); // pages 0 and 1
    d.write(5 * 4096, filled(8, 1)); // page 5
    d.flush(5 * 4096, 8); // out of order
    d.flush(4090, 12);
    d.fence();
    const s = d.stats();
    expect(s.hostWrites).toBe(2);
    expect(s.mediaBytesWritten).toBe(3 * 4096);
    expect(s.extra['bytesPersisted']).toBe(20);
    d.close();
  });

  it('counts pending sectors and persists nothing on flush alone', () => {
    const d = openFileDevice({ sizeBytes: 8192 });
    d.write(500, filled(20, 1)); // sectors 0 and 1
    d.write(4096, filled(1, 1)); // sector 8
    expect(d.pendingUnits()).toBe(3);
    d.flush(0, 8192);
    expect(d.stats().mediaBytesWritten).toBe(0);
    expect(d.pendingUnits()).toBe(3);
    d.fence();
    expect(d.pendingUnits()).toBe(0);
    expect(d.stats().extra['pendingSectors']).toBe(0);
    d.close();
  });
});

describe('file device: crash model', () => {
  function pendingSectorsDevice(k: number): FileDevice {
    const d = openFileDevice({ sizeBytes: 16_384, trackCrashStates: true });
    d.write(0, filled(16_384, 0x11));
    d.persist(0, 16_384);
    // k pending sectors, fully rewritten (so torn differs from old and new).
    for (let i = 0; i < k; i++) d.write(i * 2 * 512, filled(512, 0x20 + i));
    return d;
  }

  it('enumerates 3^k images for k fully rewritten sectors, the persisted image first', () => {
    for (const k of [0, 1, 2, 4]) {
      const d = pendingSectorsDevice(k);
      expect(d.pendingUnits()).toBe(k);
      const images = [...d.crashImages({ mode: 'enumerate', limit: 3 ** k })];
      expect(images).toHaveLength(3 ** k);
      expect(new Set(images.map(hex)).size).toBe(3 ** k);
      expect(images[0]!.every((b) => b === 0x11)).toBe(true);
      for (const image of images) {
        let bad: string | undefined;
        for (let sector = 0; sector < 32 && bad === undefined; sector++) {
          const bytes = hex(image.subarray(sector * 512, sector * 512 + 512));
          const i = sector / 2;
          const old = filled(512, 0x11);
          if (sector % 2 === 0 && i < k) {
            const next = filled(512, 0x20 + i);
            const torn = old.slice();
            torn.set(next.subarray(0, tornCutBytesEnumerated), 0);
            if (![hex(old), hex(next), hex(torn)].includes(bytes)) bad = `k ${k}: sector ${sector} is neither old, new nor torn`;
          } else if (bytes !== hex(old)) {
            bad = `k ${k}: persisted sector ${sector} changed`;
          }
        }
        expect(bad).toBeUndefined();
      }
      d.close();
    }
    const d = pendingSectorsDevice(5);
    expect(codeOf(() => d.crashImages({ mode: 'enumerate', limit: 242 }))).toBe('LIMIT');
    d.close();
  });

  it('lists only distinct states: a sector changed only after its middle cannot tear differently', () => {
    const d = openFileDevice({ sizeBytes: 4096, trackCrashStates: true });
    d.write(300, filled(10, 1)); // bytes 300..309 of sector 0: torn at 256 equals old
    const images = [...d.crashImages({ mode: 'enumerate', limit: 10 })];
    expect(images).toHaveLength(2);
    d.close();
  });

  it('samples sectors old, new or torn at an 8-byte boundary, reproducibly from the seed', () => {
    const d = pendingSectorsDevice(6);
    const sample = [...d.crashImages({ mode: 'sample', seed: 5, count: 60 })];
    expect(sample).toHaveLength(60);
    const cuts = new Set<number>();
    for (const image of sample) {
      for (let i = 0; i < 6; i++) {
        const bytes = image.subarray(i * 1024, i * 1024 + 512);
        // New bytes form a prefix; the cut is a multiple of 8.
        let cut = 0;
        while (cut < 512 && bytes[cut] === 0x20 + i) cut++;
        expect(bytes.subarray(cut).every((b) => b === 0x11), `seed 5 sector ${i * 2}`).toBe(true);
        expect(cut % 8).toBe(0);
        cuts.add(cut);
      }
    }
    expect(cuts.has(0)).toBe(true);
    expect(cuts.has(512)).toBe(true);
    expect(cuts.size).toBeGreaterThan(10); // torn cuts are spread, not one mid-point
    const again = [...d.crashImages({ mode: 'sample', seed: 5, count: 60 })];
    expect(again.map(hex)).toEqual(sample.map(hex));
    d.close();
  });

  it('agrees with a seeded random workload: persisted bytes never change, pending sectors are tracked', () => {
    const seed = 4242;
    const random = seededRandom(seed);
    const d = openFileDevice({ sizeBytes: 16_384, trackCrashStates: true });
    const persisted = new Uint8Array(16_384);
    const current = new Uint8Array(16_384);
    const flushedPages = new Set<number>();
    const dirtyPages = new Set<number>();
    for (let step = 0; step < 300; step++) {
      const op = random.int(0, 9);
      if (op < 6) {
        const offset = random.int(0, 16_000);
        const bytes = random.fill(new Uint8Array(random.int(1, 300)));
        d.write(offset, bytes);
        current.set(bytes, offset);
        for (let p = Math.floor(offset / 4096); p <= Math.floor((offset + bytes.length - 1) / 4096); p++) dirtyPages.add(p);
      } else if (op < 8) {
        const offset = random.int(0, 16_000);
        const length = random.int(1, 384);
        d.flush(offset, length);
        for (let p = Math.floor(offset / 4096); p <= Math.floor((offset + length - 1) / 4096); p++) {
          if (dirtyPages.has(p)) flushedPages.add(p);
        }
      } else {
        d.fence();
        for (const p of flushedPages) {
          persisted.set(current.subarray(p * 4096, p * 4096 + 4096), p * 4096);
          dirtyPages.delete(p);
        }
        flushedPages.clear();
      }
      let pending = 0;
      for (let s = 0; s < 32; s++) {
        const a = persisted.subarray(s * 512, s * 512 + 512);
        const b = current.subarray(s * 512, s * 512 + 512);
        if (hex(a) !== hex(b)) pending++;
      }
      // Sectors rewritten with equal bytes are pending too: at least the differing ones.
      expect(d.pendingUnits(), `seed ${seed} step ${step}`).toBeGreaterThanOrEqual(pending);
      if (step % 25 === 0) {
        const [first] = [...d.crashImages({ mode: 'sample', seed: step, count: 1 })];
        // The first enumerated image is the persisted state (only the first is built).
        if (d.pendingUnits() <= 12) {
          const allOld = d.crashImages({ mode: 'enumerate', limit: 3 ** 12 })[Symbol.iterator]().next().value as Uint8Array;
          expect(hex(allOld), `seed ${seed} step ${step}`).toBe(hex(persisted));
        }
        for (let s = 0; s < 32; s++) {
          const a = persisted.subarray(s * 512, s * 512 + 512);
          const b = current.subarray(s * 512, s * 512 + 512);
          if (hex(a) === hex(b)) expect(hex(first!.subarray(s * 512, s * 512 + 512)), `seed ${seed} step ${step} sector ${s}`).toBe(hex(a));
        }
      }
    }
    d.close();
  });

  it('requires trackCrashStates', () => {
    const d = openFileDevice({ sizeBytes: 4096 });
    expect(codeOf(() => d.crashImages({ mode: 'sample', seed: 1, count: 1 }))).toBe('INVALID_ARGUMENT');
    d.close();
  });
});

describe('file device: options and lifecycle', () => {
  it('reports every option violation at once', () => {
    try {
      openFileDevice({ path: 7, image: 'x', sizeBytes: -5, syncOnPersist: 'no', trackCrashStates: 1, fsync: true } as never);
      expect.unreachable();
    } catch (error) {
      expect((error as FairdbError).code).toBe('INVALID_ARGUMENT');
      const message = (error as Error).message;
      for (const part of [
        'unknown option "fsync"',
        'path must be a non-empty string',
        'image must be a Uint8Array',
        'path and image are exclusive',
        'sizeBytes must be an integer',
        'syncOnPersist must be a boolean',
        'trackCrashStates must be a boolean',
      ]) {
        expect(message).toContain(part);
      }
    }
    expect(codeOf(() => openFileDevice({ sizeBytes: fileDeviceSizeBytesMax + 1 }))).toBe('INVALID_ARGUMENT');
    expect(openFileDevice({ sizeBytes: 1 }).sizeBytes).toBe(4096);
  });

  it('refuses every call but close and stats after close', () => {
    const d = openFileDevice({ path: path.join(dir, 'dev.blk'), sizeBytes: 4096, trackCrashStates: true });
    d.close();
    d.close();
    for (const call of [
      () => d.read(0, 1),
      () => d.write(0, filled(1, 1)),
      () => d.flush(0, 1),
      () => d.fence(),
      () => d.persist(0, 1),
      () => d.grow(8192),
      () => d.pendingUnits(),
      () => d.crashImages({ mode: 'enumerate', limit: 1 }),
    ]) {
      expect(codeOf(call)).toBe('CLOSED');
    }
    expect(d.stats().kind).toBe('file');
  });

  it('reports a path that cannot be a file as IO', () => {
    expect(codeOf(() => openFileDevice({ path: dir }))).toBe('IO');
  });
});
