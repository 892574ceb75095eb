/**
 * An emulated Intel Optane DC persistent-memory device.
 *
 * The whole device is one in-memory `Buffer`, as a DAX mapping of a PMEM
 * namespace would be: `read()` returns a zero-copy view (`subarray`) and
 * `write()` copies into the buffer, visible to every reader at once. Like a
 * CPU store to PMEM, a write is not durable yet: it sits in the (emulated)
 * cache. Durability comes only from `flush(offset, length)` — clwb of the
 * 64-byte cache lines of the range — followed by `fence()` — sfence, which
 * waits until every flushed line has reached the media. `persist()` is both.
 *
 * Host persistence. At a fence, every flushed line that was written since
 * it was last persisted is written to the backing file (App Direct mode with
 * a `path` only), adjacent lines coalesced into one positioned write per
 * run, through one file descriptor opened at open time; with `fsync: true`
 * the fence then fdatasyncs the file. Lines written but not flushed are not
 * written to the file: a process crash loses them, as a power failure loses
 * them on PMEM without eADR. A line written again between its flush and the
 * fence is written to the file with its contents at the fence (hardware may
 * also write back any later contents, by eviction); the crash model keeps
 * the words written after the flush pending (see `crash-tracker.ts`).
 *
 * GUARANTEES, exactly:
 * - `appdirect` without `fsync`: data persisted by a fence survives a process
 *   crash (kill -9) and `close()`; it does NOT survive an OS crash or power
 *   loss (it may still be in the host's page cache).
 * - `appdirect` with `fsync`: data persisted by a fence survives power loss.
 * - `appdirect` without `path`: persisted data lives in this process only;
 *   it survives nothing but can be captured as crash images.
 * - `memory` mode (Optane Memory Mode): volatile by design; nothing survives
 *   close or a crash, and the backing file is never opened, created, read or
 *   written.
 * - Nothing is promised for data that was not persisted. IMPORTANT: `close()`
 *   does not persist pending writes; closing is, for them, a crash.
 *
 * Failure atomicity: an aligned 8-byte word. After a power failure a word
 * holds either its persisted value or one of the values written to it since;
 * words are independent (`crashImages()` enumerates or samples exactly that).
 *
 * Accounting. The media writes 256-byte XPLines through a write-combining
 * buffer: at each fence, every distinct XPLine touched by the lines being
 * persisted costs one 256-byte media write (`mediaBytesWritten`,
 * `extra.xplinesWritten`). `writeAmplification` = media bytes / bytes the
 * caller persisted, where the latter counts the bytes of flushed ranges that
 * lie in words written since their last persist, each word at most once per
 * fence (`extra.bytesPersisted`). `extra.linesFlushed` counts lines written
 * back, `extra.pendingWords` the words written since their last persist.
 * Emulated time (`deviceTimeNs`) follows the latency model: a read costs its
 * latency (sequential when it starts where the previous read ended) plus
 * bytes / read bandwidth; a fence costs its media bytes / write bandwidth
 * plus `fenceNs`; writes and flushes cost nothing by themselves.
 *
 * Cost. The commit path (a small write, then persist) allocates nothing:
 * line state is a typed array with four bytes per line (bitmask of dirty
 * words, words rewritten after a flush, words already counted, flushed
 * flag) plus a typed list of flushed lines. A read is a bounds check, the
 * counters and a `subarray`.
 */
import {
  assert,
  checkRange,
  InvalidArgumentError,
  type CrashableDevice,
  type CrashImageOptions,
  type DeviceStats,
} from '../device/index.js';
import { checkCrashImageOptions, ImageDevice } from '../file-device/index.js';
import { CrashTracker, lineCounted, lineDirty, lineFlushed, lineRewritten } from './crash-tracker.js';
import { DelayInjector } from './delay-injector.js';
import { nsPerByte } from './latency-model.js';
import {
  pmemSizeBytesDefault,
  pmemSizeBytesMax,
  pmemSizeGranuleBytes,
  resolvePmemOptions,
  type PmemDeviceOptions,
  type PmemMode,
  type ResolvedPmemOptions,
} from './pmem-options.js';

/** CPU cache line: the unit of flush. */
export const pmemLineBytes = 64;
/** Optane media write unit (XPLine). */
export const pmemXplineBytes = 256;
/** Failure-atomic unit. */
export const pmemWordBytes = 8;

const lineShift = 6;
const linesPerXplineShift = 2;
/** Bytes of line state per line (see the header comment). */
const lineStateBytes = 4;

/** Set bits of every byte value, for the 8-bit word masks. */
const popcount8 = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x !== 0; x >>= 1) n += x & 1;
  return n;
});

/** Bitmask of the words of a line that bytes `[lo, hi)` of the line touch (0 <= lo < hi <= 64). */
function wordMask(lo: number, hi: number): number {
  return (2 << ((hi - 1) >>> 3)) - (1 << (lo >>> 3));
}

/**
 * An emulated Optane DC PMEM device (see the header comment for the model).
 *
 * Guarantees: in `appdirect` mode, data persisted by `flush` + `fence`
 * survives a process crash (kill -9) and `close()`, and with `fsync: true`
 * also an OS crash or power loss; without a `path` it lives in this process
 * only. `memory` mode survives nothing. Unpersisted writes are never
 * promised, and `close()` does not persist them.
 */
export class PmemDevice extends ImageDevice implements CrashableDevice {
  readonly kind = 'pmem' as const;
  readonly persistent: boolean;
  readonly mode: PmemMode;

  // The image's unit state per cache line: dirty, counted, flushed (which
  // guards the flushed-line list), rewritten.
  private readonly fsync: boolean;

  private pendingWords = 0;
  /** Caller bytes counted by flushes since the last fence; moved to `bytesPersisted` by it. */
  private bytesFlushed = 0;

  private linesFlushed = 0;
  private xplinesWritten = 0;
  private deviceTimeNs = 0;


  private lastReadEnd = -1;
  private readonly readRandomNs: number;
  private readonly readSequentialNs: number;
  private readonly readNsPerByte: number;
  private readonly writeNsPerByte: number;
  private readonly fenceNs: number;
  private readonly delay: DelayInjector | undefined;
  private tracker: CrashTracker | undefined;

  constructor(options: PmemDeviceOptions = {}) {
    const o: ResolvedPmemOptions = resolvePmemOptions(options);
    // An existing file is paged in on first access (see DeviceImage).
    super(o.mode === 'memory' ? `${o.path ?? 'pmem'} (memory mode)` : o.path ?? 'pmem (no backing file)', 'pmem device', {
      path: o.mode === 'appdirect' ? o.path : undefined,
      image: o.image,
      sizeBytes: o.sizeBytes,
      sizeBytesDefault: pmemSizeBytesDefault,
      sizeBytesMax: pmemSizeBytesMax,
      granuleBytes: pmemSizeGranuleBytes,
      unitShift: lineShift,
      stateBytes: lineStateBytes,
      sync: o.fsync,
    });
    this.mode = o.mode;
    this.fsync = o.fsync;
    this.persistent = o.mode === 'appdirect' && o.path !== undefined;
    this.readRandomNs = o.latency.readRandomNs;
    this.readSequentialNs = o.latency.readSequentialNs;
    this.readNsPerByte = nsPerByte(o.latency.readBytesPerSecond);
    this.writeNsPerByte = nsPerByte(o.latency.writeBytesPerSecond);
    this.fenceNs = o.latency.fenceNs;
    this.delay = o.injectDelay ? new DelayInjector() : undefined;
    // Memory mode needs no history: its only crash image is all zeros.
    this.tracker = o.trackCrashStates && o.mode === 'appdirect' ? new CrashTracker() : undefined;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.closed) throw this.closedError();
    if (!((offset >>> 0) === offset && (length >>> 0) === length && offset + length <= this.image.size)) checkRange(this, offset, length);
    if (this.image.loaded !== undefined) this.image.pageIn(offset, length);
    this.c.reads++;
    this.c.bytesRead += length;
    const ns = (offset === this.lastReadEnd ? this.readSequentialNs : this.readRandomNs) + length * this.readNsPerByte;
    this.lastReadEnd = offset + length;
    this.deviceTimeNs += ns;
    if (this.delay !== undefined) this.delay.charge(ns);
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
    if (this.tracker !== undefined) this.tracker.recordWrite(this.image.buffer, offset, bytes, this.image.state);
    this.image.buffer.set(bytes, offset);

    const state = this.image.state;
    const end = offset + length;
    const first = offset >>> lineShift;
    const last = (end - 1) >>> lineShift;
    for (let line = first; line <= last; line++) {
      const lineStart = line * pmemLineBytes;
      const mask = wordMask(line === first ? offset - lineStart : 0, line === last ? end - lineStart : pmemLineBytes);
      const i = line * lineStateBytes;
      const before = state[i + lineDirty] as number;
      const after = before | mask;
      if (after !== before) {
        state[i + lineDirty] = after;
        this.pendingWords += popcount8[after ^ before] as number;
      }
      if (state[i + lineFlushed] !== 0) state[i + lineRewritten] = (state[i + lineRewritten] as number) | mask;
    }
  }

  flush(offset: number, length: number): void {
    if (this.closed) throw this.closedError();
    if (!((offset >>> 0) === offset && (length >>> 0) === length && offset + length <= this.image.size)) checkRange(this, offset, length);
    this.c.flushes++;
    if (length === 0) return;
    const state = this.image.state;
    const end = offset + length;
    const first = offset >>> lineShift;
    const last = (end - 1) >>> lineShift;
    for (let line = first; line <= last; line++) {
      const i = line * lineStateBytes;
      const dirty = state[i + lineDirty] as number;
      if (dirty === 0) continue;
      if (state[i + lineFlushed] === 0) {
        state[i + lineFlushed] = 1;
        this.pushFlushed(line);
      } else if (state[i + lineRewritten] !== 0) {
        // clwb again: this write-back captures the rewritten words too.
        if (this.tracker !== undefined) this.tracker.reflushLine(line, state[i + lineRewritten] as number);
        state[i + lineRewritten] = 0;
      }
      const lineStart = line * pmemLineBytes;
      const lo = line === first ? offset - lineStart : 0;
      const hi = line === last ? end - lineStart : pmemLineBytes;
      const fresh = dirty & wordMask(lo, hi) & ~(state[i + lineCounted] as number);
      if (fresh === 0) continue;
      state[i + lineCounted] = (state[i + lineCounted] as number) | fresh;
      // Whole words, minus the parts of the edge words outside the range.
      let bytes = (popcount8[fresh] as number) * pmemWordBytes;
      if ((fresh & (1 << (lo >>> 3))) !== 0) bytes -= lo & 7;
      if ((fresh & (1 << ((hi - 1) >>> 3))) !== 0) bytes -= (8 - (hi & 7)) & 7;
      this.bytesFlushed += bytes;
    }
  }

  fence(): void {
    if (this.closed) throw this.closedError();
    this.c.fences++;
    const n = this.flushedCount;
    let xplines = 0;
    if (n > 0) {
      const lines = this.flushedUnits;
      if (!this.flushedSorted) lines.subarray(0, n).sort();
      // Host I/O first: if it fails, the line state is untouched and every
      // flushed line stays flushed, so nothing is reported durable that is not.
      if (this.file !== undefined) {
        let runStart = lines[0] as number;
        let previous = runStart;
        for (let k = 1; k <= n; k++) {
          const line = k < n ? (lines[k] as number) : -1;
          if (line === previous + 1) {
            previous = line;
            continue;
          }
          const start = runStart * pmemLineBytes;
          this.file.write(this.image.buffer, start, (previous + 1) * pmemLineBytes - start);
          this.c.hostWrites++;
          runStart = line;
          previous = line;
        }
        if (this.fsync) {
          this.file.sync();
          this.c.hostSyncs++;
        }
      }
      const state = this.image.state;
      const tracker = this.tracker;
      let lastXpline = -1;
      for (let k = 0; k < n; k++) {
        const line = lines[k] as number;
        const xpline = line >>> linesPerXplineShift;
        if (xpline !== lastXpline) {
          xplines++;
          lastXpline = xpline;
        }
        const i = line * lineStateBytes;
        const rewritten = state[i + lineRewritten] as number;
        const persisted = (state[i + lineDirty] as number) & ~rewritten;
        this.pendingWords -= popcount8[persisted] as number;
        if (tracker !== undefined) tracker.fenceLine(line, persisted, rewritten);
        state[i + lineDirty] = rewritten;
        state[i + lineRewritten] = 0;
        state[i + lineCounted] = 0;
        state[i + lineFlushed] = 0;
      }
      this.flushedCount = 0;
      this.flushedSorted = true;
      this.linesFlushed += n;
      this.xplinesWritten += xplines;
      this.c.mediaBytesWritten += xplines * pmemXplineBytes;
      this.c.bytesPersisted += this.bytesFlushed;
      this.bytesFlushed = 0;
    }
    const ns = xplines * pmemXplineBytes * this.writeNsPerByte + this.fenceNs;
    this.deviceTimeNs += ns;
    if (this.delay !== undefined) this.delay.charge(ns);
  }


  protected released(): void {
    this.tracker = undefined;
  }

  stats(): DeviceStats {
    return this.c.stats(this.kind, this.image.size, this.deviceTimeNs, {
      linesFlushed: this.linesFlushed,
      xplinesWritten: this.xplinesWritten,
      pendingWords: this.pendingWords,
    });
  }


  /** Words written since their last persist. */
  pendingUnits(): number {
    if (this.closed) throw this.closedError();
    assert(this.tracker === undefined || this.tracker.size === this.pendingWords, 'crash tracker and line state agree on pending words');
    return this.pendingWords;
  }

  /**
   * Every image a power failure now could leave (`enumerate`, the
   * all-persisted image first; `LIMIT` when there are more than `limit`), or
   * `count` images drawn with `seededRandom(seed)`, each pending word picking
   * one of its candidate values uniformly (`sample`). Images are fresh
   * full-device copies; the state is captured when this is called. Needs
   * `trackCrashStates: true` (INVALID_ARGUMENT otherwise), except in memory
   * mode, whose only crash image is all zeros.
   */
  crashImages(options: CrashImageOptions): Iterable<Uint8Array> {
    if (this.closed) throw this.closedError();
    checkCrashImageOptions(options);
    if (this.mode === 'memory') {
      const size = this.image.size;
      const count = options.mode === 'enumerate' ? 1 : options.count;
      return (function* () {
        for (let k = 0; k < count; k++) yield new Uint8Array(size);
      })();
    }
    if (this.tracker === undefined) {
      throw new InvalidArgumentError(`crash images of ${this.location} need the device to be opened with trackCrashStates: true`);
    }
    this.image.pageInAll();
    return this.tracker.images(this.image.buffer, this.image.size, options);
  }


}

/**
 * Opens (or creates) an emulated persistent-memory device; see
 * `PmemDeviceOptions`. In `appdirect` mode with a `path`, persisted data
 * survives a process crash, and with `fsync: true` power loss; `memory`
 * mode is volatile. Throws INVALID_ARGUMENT (every violation listed), LIMIT
 * (an existing file over 4 GiB) or IO.
 */
export function openPmemDevice(options: PmemDeviceOptions = {}): PmemDevice {
  return new PmemDevice(options);
}
