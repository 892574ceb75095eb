/**
 * A classic block device over a host file, with 4 KiB pages.
 *
 * The device keeps the whole file in memory, as an mmap-ed file would, so
 * reads never make a system call: `read()` returns a view of the in-memory
 * image. `write()` copies into the image and marks the 512-byte sectors it
 * touches dirty; `flush(offset, length)` marks the dirty pages of the range
 * for write-back; `fence()` `pwrite`s every flushed page whole — adjacent
 * pages coalesced into one write per run, through one file descriptor
 * opened at open time — then fdatasyncs (`syncOnPersist`, default true).
 * A page written again between its flush and the fence is written with its
 * contents at the fence, so that write is persisted too.
 *
 * GUARANTEE: data persisted through a fence (with `syncOnPersist` and a
 * `path`) survives power loss. Nothing else is promised: dirty pages that
 * were not flushed and fenced may be lost or torn at sector granularity
 * (see `sector-tracker.ts`). Without `syncOnPersist`, persisted data
 * survives a process crash but not power loss; without `path` it lives in
 * this process only (crash images can still be taken). IMPORTANT: `close()`
 * does not persist pending writes; for them it is a crash.
 *
 * Accounting: `mediaBytesWritten` counts whole pages; `writeAmplification`
 * = media bytes / bytes the caller persisted, the latter counting the bytes
 * of flushed ranges that lie in sectors written since their last persist,
 * each sector at most once per fence (`extra.bytesPersisted`).
 * `extra.pagesWritten` counts pages written, `extra.pendingSectors` the
 * sectors written since their page was last persisted. There is no latency
 * model: `deviceTimeNs` stays 0 (the host's real I/O time is the measure).
 */
import {
  assert,
  checkRange,
  InvalidArgumentError,
  type CrashableDevice,
  type CrashImageOptions,
  type DeviceStats,
} from '../device/index.js';
import { ImageDevice } from './image-device.js';
import { checkCrashImageOptions } from './crash-choices.js';
import {
  fileDeviceSizeBytesDefault,
  fileDeviceSizeBytesMax,
  filePageBytes,
  fileSectorBytes,
  resolveFileDeviceOptions,
  type FileDeviceOptions,
} from './file-device-options.js';
import { SectorTracker } from './sector-tracker.js';

const pageShift = 12;
const sectorShift = 9;
const sectorsPerPage = filePageBytes / fileSectorBytes;
/** Bytes of page state per page: dirty-sector mask, counted-sector mask, flushed flag. */
const pageStateBytes = 3;
const pageDirty = 0;
const pageCounted = 1;
const pageFlushed = 2;

const popcount8 = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x !== 0; x >>= 1) n += x & 1;
  return n;
});

/** Bitmask of the sectors of a page that bytes `[lo, hi)` of the page touch (0 <= lo < hi <= 4096). */
function sectorMask(lo: number, hi: number): number {
  return (2 << ((hi - 1) >>> sectorShift)) - (1 << (lo >>> sectorShift));
}

/**
 * A block device over a host file (see the header comment). Guarantee: data
 * persisted through a fence, with `syncOnPersist` and a `path`, survives
 * power loss; nothing else is promised.
 */
export class FileDevice extends ImageDevice implements CrashableDevice {
  readonly kind = 'file' as const;
  readonly persistent: boolean;

  // The image's unit state per page: dirty sectors, counted sectors, flushed.
  private readonly syncOnPersist: boolean;
  private pendingSectors = 0;
  private bytesFlushed = 0;

  private pagesWritten = 0;
  private tracker: SectorTracker | undefined;

  constructor(options: FileDeviceOptions = {}) {
    const o = resolveFileDeviceOptions(options);
    // An existing file is paged in on first access, as through the page cache (see DeviceImage).
    super(o.path ?? 'file device (no backing file)', 'file device', {
      path: o.path,
      image: o.image,
      sizeBytes: o.sizeBytes,
      sizeBytesDefault: fileDeviceSizeBytesDefault,
      sizeBytesMax: fileDeviceSizeBytesMax,
      granuleBytes: filePageBytes,
      unitShift: pageShift,
      stateBytes: pageStateBytes,
      sync: o.syncOnPersist,
    });
    this.persistent = o.path !== undefined;
    this.syncOnPersist = o.syncOnPersist;
    this.tracker = o.trackCrashStates ? new SectorTracker() : undefined;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.closed) throw this.closedError();
    if (!((offset >>> 0) === offset && (length >>> 0) === length && offset + length <= this.image.size)) checkRange(this, offset, length);
    if (this.image.loaded !== undefined) this.image.pageIn(offset, length);
    this.c.reads++;
    this.c.bytesRead += length;
    return this.image.buffer.subarray(offset, offset + length);
  }

  write(offset: number, bytes: Uint8Array): void {
    if (this.closed) throw this.closedError();
    const length = bytes.length;
    if (!((offset >>> 0) === offset && offset + length <= this.image.size)) checkRange(this, offset, length);
    this.c.writes++;
    this.c.bytesWritten += length;
    if (length === 0) return;
    if (this.image.loaded !== undefined) this.image.pageIn(offset, length);
    if (this.tracker !== undefined) this.tracker.recordWrite(this.image.buffer, offset, length);
    this.image.buffer.set(bytes, offset);
    const state = this.image.state;
    const end = offset + length;
    const first = offset >>> pageShift;
    const last = (end - 1) >>> pageShift;
    for (let page = first; page <= last; page++) {
      const pageStart = page * filePageBytes;
      const mask = sectorMask(page === first ? offset - pageStart : 0, page === last ? end - pageStart : filePageBytes);
      const i = page * pageStateBytes;
      const before = state[i + pageDirty] as number;
      const after = before | mask;
      if (after !== before) {
        state[i + pageDirty] = after;
        this.pendingSectors += popcount8[after ^ before] as number;
      }
    }
  }

  flush(offset: number, length: number): void {
    if (this.closed) throw this.closedError();
    if (!((offset >>> 0) === offset && (length >>> 0) === length && offset + length <= this.image.size)) checkRange(this, offset, length);
    this.c.flushes++;
    if (length === 0) return;
    const state = this.image.state;
    const end = offset + length;
    const first = offset >>> pageShift;
    const last = (end - 1) >>> pageShift;
    for (let page = first; page <= last; page++) {
      const i = page * pageStateBytes;
      const dirty = state[i + pageDirty] as number;
      if (dirty === 0) continue;
      if (state[i + pageFlushed] === 0) {
        state[i + pageFlushed] = 1;
        this.pushFlushed(page);
      }
      const pageStart = page * filePageBytes;
      const lo = page === first ? offset - pageStart : 0;
      const hi = page === last ? end - pageStart : filePageBytes;
      const fresh = dirty & sectorMask(lo, hi) & ~(state[i + pageCounted] as number);
      if (fresh === 0) continue;
      state[i + pageCounted] = (state[i + pageCounted] as number) | fresh;
      let bytes = (popcount8[fresh] as number) * fileSectorBytes;
      if ((fresh & (1 << (lo >>> sectorShift))) !== 0) bytes -= lo & (fileSectorBytes - 1);
      if ((fresh & (1 << ((hi - 1) >>> sectorShift))) !== 0) bytes -= (fileSectorBytes - (hi & (fileSectorBytes - 1))) & (fileSectorBytes - 1);
      this.bytesFlushed += bytes;
    }
  }

  fence(): void {
    if (this.closed) throw this.closedError();
    this.c.fences++;
    const n = this.flushedCount;
    if (n === 0) return;
    const pages = this.flushedUnits;
    if (!this.flushedSorted) pages.subarray(0, n).sort();
    // Host I/O first: if it fails, every flushed page stays flushed and
    // dirty, so nothing is reported durable that is not.
    if (this.file !== undefined) {
      let runStart = pages[0] as number;
      let previous = runStart;
      for (let k = 1; k <= n; k++) {
        const page = k < n ? (pages[k] as number) : -1;
        if (page === previous + 1) {
          previous = page;
          continue;
        }
        const start = runStart * filePageBytes;
        this.file.write(this.image.buffer, start, (previous + 1) * filePageBytes - start);
        this.c.hostWrites++;
        runStart = page;
        previous = page;
      }
      if (this.syncOnPersist) {
        this.file.sync();
        this.c.hostSyncs++;
      }
    }
    const state = this.image.state;
    for (let k = 0; k < n; k++) {
      const page = pages[k] as number;
      const i = page * pageStateBytes;
      const dirty = state[i + pageDirty] as number;
      this.pendingSectors -= popcount8[dirty] as number;
      if (this.tracker !== undefined) this.tracker.persisted(page, dirty, sectorsPerPage);
      state[i + pageDirty] = 0;
      state[i + pageCounted] = 0;
      state[i + pageFlushed] = 0;
    }
    this.flushedCount = 0;
    this.flushedSorted = true;
    this.pagesWritten += n;
    this.c.mediaBytesWritten += n * filePageBytes;
    this.c.bytesPersisted += this.bytesFlushed;
    this.bytesFlushed = 0;
  }


  protected released(): void {
    this.tracker = undefined;
  }

  stats(): DeviceStats {
    // No latency model: the host's real I/O time is the measure.
    return this.c.stats(this.kind, this.image.size, 0, { pagesWritten: this.pagesWritten, pendingSectors: this.pendingSectors });
  }


  /** Sectors written since their page was last persisted. */
  pendingUnits(): number {
    if (this.closed) throw this.closedError();
    assert(this.tracker === undefined || this.tracker.size === this.pendingSectors, 'sector tracker and page state agree on pending sectors');
    return this.pendingSectors;
  }

  /**
   * Every image a power failure now could leave (`enumerate`: each pending
   * sector old, new or torn at its middle, distinct images only, the
   * persisted image first; `LIMIT` over `limit`), or `count` images drawn
   * with `seededRandom(seed)` (`sample`: tears cut anywhere on an 8-byte
   * boundary). Fresh full-device copies; the state is captured when this
   * is called. Needs `trackCrashStates: true` (INVALID_ARGUMENT otherwise).
   */
  crashImages(options: CrashImageOptions): Iterable<Uint8Array> {
    if (this.closed) throw this.closedError();
    checkCrashImageOptions(options);
    if (this.tracker === undefined) {
      throw new InvalidArgumentError(`crash images of ${this.location} need the device to be opened with trackCrashStates: true`);
    }
    this.image.pageInAll();
    return this.tracker.images(this.image.buffer, this.image.size, options);
  }


}

/** Opens (or creates) a file device; see `FileDeviceOptions`. */
export function openFileDevice(options: FileDeviceOptions = {}): FileDevice {
  return new FileDevice(options);
}
