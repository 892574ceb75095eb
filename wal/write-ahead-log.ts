/**
 * The write-ahead log: append, the commit protocol, checkpoints and segment
 * lifecycle over one `Device`. See index.ts for the overview, FORMAT.md for
 * the bytes, recovery.ts for opening.
 *
 * Commit protocol. `append` writes the record into the active segment at
 * once (visible, not durable). The *commit group* is everything appended
 * since the last barrier: it lies in one contiguous range of the active
 * segment, and one barrier (`persist` of that range: one flush, one fence)
 * makes all of it durable. Barriers are synchronous device calls, so at most
 * one group is ever unpersisted — the property recovery's case 4 relies on.
 * A group never spans segments: when a record does not fit, the group is
 * persisted first, then a new segment is allocated (its header persisted),
 * and the record goes there. A failed device call puts the log into a failed
 * state: waiting commits are rejected, every later call throws, and nothing
 * not persisted is ever acknowledged.
 */
import { crc32c } from '@node-rs/crc32';
import {
  AssertionError,
  ClosedError,
  CorruptionError,
  FairdbError,
  InvalidArgumentError,
  IoError,
  LimitError,
  unreachable,
  type Device,
} from '../storage/device/index.js';
import { readCheckpointChunks, readCheckpointImage, writeCheckpointChain } from './checkpoint.js';
import { segmentDataOffset, segmentsOffset, superblockOffsets } from './layout.js';
import { checkpointBytesMax, groupBytesMax, lsnMax, recordBytesMaxFor, recordTypeMax, recordTypeMin } from './limits.js';
import { nonZeroExtent, readU32 } from './little-endian.js';
import type { ResolvedWalOptions } from './options.js';
import { checkRecord, checkRecordHeader, newRecordFields, RecordCheck, recordBytes, recordHeaderBytes, writeRecordCrc, writeRecordFields } from './record.js';
import { firstLaterRecord, type ChainSegment, type LogSegment, type RecoveredLog } from './recovery.js';
import type { SegmentSpace } from './segment-space.js';
import { encodeSuperblock, superblockBytes, type Superblock } from './superblock.js';
import type { Durability, Lsn, RecordRef, RecoveryReport, SegmentInfo, Wal, WalStats } from './types.js';

/**
 * Records up to this many framed bytes are assembled in a scratch buffer and
 * written with one device call; larger ones are written in place (header,
 * payload, padding) to avoid copying them twice.
 */
const scratchBytes = 8192;

interface PendingGroup {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class WriteAheadLog implements Wal {
  readonly recovery: RecoveryReport;
  readonly durability: Durability;
  readonly segmentBytes: number;
  readonly recordBytesMax: number;

  private readonly device: Device;
  private readonly space: SegmentSpace;
  private superblock: Superblock;
  private superblockCopy: 0 | 1;
  /** Live log segments in LSN order, and the same by slot. */
  private readonly logs: LogSegment[];
  private readonly logBySlot = new Map<number, LogSegment>();
  private chain: ChainSegment[];
  /** Where the records after the checkpoint start (see replayStart). */
  private tail: { readonly segment: LogSegment; readonly offset: number } | undefined;
  private active: LogSegment | undefined;
  private activeBase = 0;
  /** Segment offset where the next record goes. */
  private appendOffset = 0;
  /** Segment offset where the unpersisted commit group starts. */
  private groupStart = 0;
  private groupBytes = 0;
  private groupRecords = 0;
  private lastLsnValue: number;
  private durableLsnValue: number;
  private checkpointLsnValue: number;
  private pending: PendingGroup | undefined;
  /** The scheduled group barrier: an immediate (groupWindowMs 0) or a timeout. */
  private groupImmediate: ReturnType<typeof setImmediate> | undefined;
  private groupTimeout: ReturnType<typeof setTimeout> | undefined;
  private cancelBackground: (() => void) | undefined;
  private closed = false;
  private failure: Error | undefined;
  private readonly settled = Promise.resolve();
  /** Scratch for assembling small records; `crcInput` is its bytes 4..23. */
  private readonly scratch = new Uint8Array(scratchBytes);
  private readonly crcInput = this.scratch.subarray(4, recordHeaderBytes);
  /** LSN of the first record of the current commit group. */
  private groupFirstLsn = 0;
  private readonly fields = newRecordFields();
  private readonly zeros = new Uint8Array(8);
  private readonly counters = {
    records: 0,
    payloadBytes: 0,
    bytesAppended: 0,
    commits: 0,
    groups: 0,
    groupRecordsTotal: 0,
    groupBytesTotal: 0,
    barriersOther: 0,
    segmentsAllocated: 0,
    segmentsFreed: 0,
    checkpoints: 0,
  };

  constructor(
    private readonly options: ResolvedWalOptions,
    recovered: RecoveredLog,
  ) {
    this.device = options.device;
    this.durability = options.durability;
    this.recovery = recovered.report;
    this.space = recovered.space;
    this.segmentBytes = this.space.segmentBytes;
    this.recordBytesMax = recordBytesMaxFor(this.segmentBytes);
    this.superblock = recovered.superblock;
    this.superblockCopy = recovered.superblockCopy;
    this.logs = recovered.logs;
    for (const s of this.logs) this.logBySlot.set(s.index, s);
    this.chain = recovered.chain;
    this.tail = recovered.tail;
    this.lastLsnValue = recovered.lastLsn;
    this.durableLsnValue = recovered.lastLsn;
    this.checkpointLsnValue = recovered.superblock.checkpoint?.lsn ?? 0;
    const active = recovered.active;
    if (active !== undefined) {
      this.active = active;
      this.activeBase = this.space.base(active.index);
      this.appendOffset = active.end;
      this.groupStart = active.end;
    }
  }

  get lastLsn(): Lsn {
    return this.lastLsnValue as Lsn;
  }

  get durableLsn(): Lsn {
    return this.durableLsnValue as Lsn;
  }

  get checkpointLsn(): Lsn {
    return this.checkpointLsnValue as Lsn;
  }

  // ------------------------------------------------------------------ append and commit

  append(type: number, payload: Uint8Array): RecordRef {
    this.checkUsable();
    if (!Number.isInteger(type) || type < recordTypeMin || type > recordTypeMax) {
      throw new InvalidArgumentError(`record type must be an integer from ${recordTypeMin} to ${recordTypeMax}, got ${String(type)}`);
    }
    if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('record payload must be a Uint8Array');
    const length = payload.length;
    if (length > this.recordBytesMax) throw new LimitError('record payload in bytes', this.recordBytesMax, length);
    const lsn = this.lastLsnValue + 1;
    if (lsn > lsnMax) throw new LimitError('LSN', lsnMax, lsn);
    const bytes = recordBytes(length);
    let at: number;
    try {
      if (this.active === undefined || this.appendOffset + bytes > this.segmentBytes) this.rollOver();
      if (this.appendOffset === this.groupStart) this.groupFirstLsn = lsn;
      const scratch = this.scratch;
      writeRecordFields(scratch, lsn, this.groupFirstLsn, type, length);
      at = this.activeBase + this.appendOffset;
      if (bytes <= scratchBytes) {
        // Header, payload and padding assembled in one buffer: one CRC call, one device write.
        scratch.set(payload, recordHeaderBytes);
        scratch.fill(0, recordHeaderBytes + length, bytes);
        const record = scratch.subarray(0, bytes);
        writeRecordCrc(scratch, crc32c(record.subarray(4, recordHeaderBytes + length)));
        this.device.write(at, record);
      } else {
        writeRecordCrc(scratch, crc32c(payload, crc32c(this.crcInput)));
        this.device.write(at, scratch.subarray(0, recordHeaderBytes));
        this.device.write(at + recordHeaderBytes, payload);
        const padding = bytes - recordHeaderBytes - length;
        if (padding > 0) this.device.write(at + recordHeaderBytes + length, this.zeros.subarray(0, padding));
      }
    } catch (error) {
      // A device that cannot grow (LIMIT) refuses a new segment before
      // anything is written: the log is unchanged and stays usable.
      if (error instanceof LimitError) throw error;
      throw this.fail(error);
    }
    const active = this.active as LogSegment;
    this.appendOffset += bytes;
    this.lastLsnValue = lsn;
    active.lastLsn = lsn;
    active.end = this.appendOffset;
    this.groupBytes += bytes;
    this.groupRecords++;
    const c = this.counters;
    c.records++;
    c.payloadBytes += length;
    c.bytesAppended += bytes;
    const ref: RecordRef = { lsn: lsn as Lsn, type, address: at + recordHeaderBytes, length };
    if (this.groupBytes > groupBytesMax) this.barrier();
    else if (this.durability === 'none' && this.cancelBackground === undefined) this.armBackground();
    return ref;
  }

  commit(): Promise<void> {
    this.checkUsable();
    this.counters.commits++;
    if (this.durableLsnValue === this.lastLsnValue) return this.settled;
    switch (this.durability) {
      case 'sync':
        try {
          this.barrier();
        } catch (error) {
          return Promise.reject(error as Error);
        }
        return this.settled;
      case 'group':
        return this.groupPromise();
      case 'none':
        if (this.cancelBackground === undefined) this.armBackground();
        return this.settled;
      default:
        return unreachable(this.durability, 'durability');
    }
  }

  persistNow(): void {
    this.checkUsable();
    this.barrier();
  }

  /** The group's shared promise; schedules its barrier on first use. */
  private groupPromise(): Promise<void> {
    if (this.pending === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A failure also surfaces on every later call, so a commit whose
      // promise nobody awaits must not crash the process as unhandled.
      promise.catch(() => undefined);
      this.pending = { promise, resolve, reject };
      const window = this.options.groupWindowMs;
      if (window === 0) this.groupImmediate = setImmediate(this.runGroup);
      else this.groupTimeout = setTimeout(this.runGroup, window);
    }
    return this.pending.promise;
  }

  private readonly runGroup = (): void => {
    this.groupImmediate = undefined;
    this.groupTimeout = undefined;
    if (this.closed || this.failure !== undefined) return;
    try {
      this.barrier();
    } catch {
      // fail() has rejected the waiting commits; every later call throws.
    }
  };

  private armBackground(): void {
    this.cancelBackground = this.options.clock.setTimer(this.options.backgroundPersistMs, this.runBackground);
  }

  private readonly runBackground = (): void => {
    this.cancelBackground = undefined;
    if (this.closed || this.failure !== undefined) return;
    try {
      this.barrier();
    } catch {
      // The log is failed; every later call throws.
    }
  };

  /** The persist barrier: makes the current group durable and releases its waiters. */
  private barrier(): void {
    const length = this.appendOffset - this.groupStart;
    if (length > 0) {
      try {
        this.device.persist(this.activeBase + this.groupStart, length);
      } catch (error) {
        throw this.fail(error);
      }
      const c = this.counters;
      c.groups++;
      c.groupRecordsTotal += this.groupRecords;
      c.groupBytesTotal += this.groupBytes;
      this.durableLsnValue = this.lastLsnValue;
      this.groupStart = this.appendOffset;
      this.groupBytes = 0;
      this.groupRecords = 0;
    }
    this.clearTimers();
    const pending = this.pending;
    if (pending !== undefined) {
      this.pending = undefined;
      pending.resolve();
    }
  }

  /** Persists the current group, then allocates a new active segment. */
  private rollOver(): void {
    this.barrier();
    const firstLsn = this.lastLsnValue + 1;
    const { index, sequence } = this.space.allocate({ kind: 'log', firstLsn });
    const segment: LogSegment = { index, sequence, firstLsn, lastLsn: firstLsn - 1, end: segmentDataOffset, lsnLimit: 0 };
    this.logs.push(segment);
    this.logBySlot.set(index, segment);
    this.active = segment;
    this.activeBase = this.space.base(index);
    this.appendOffset = segmentDataOffset;
    this.groupStart = segmentDataOffset;
    this.counters.segmentsAllocated++;
  }

  private clearTimers(): void {
    if (this.groupImmediate !== undefined) {
      clearImmediate(this.groupImmediate);
      this.groupImmediate = undefined;
    }
    if (this.groupTimeout !== undefined) {
      clearTimeout(this.groupTimeout);
      this.groupTimeout = undefined;
    }
    if (this.cancelBackground !== undefined) {
      this.cancelBackground();
      this.cancelBackground = undefined;
    }
  }

  /** Enters the failed state (once) and returns the error every later call throws. */
  private fail(error: unknown): Error {
    if (this.failure === undefined) {
      this.failure = error instanceof FairdbError || error instanceof AssertionError ? error : new IoError('write-ahead log device call failed', error);
      this.clearTimers();
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(this.failure);
    }
    return this.failure;
  }

  private checkUsable(): void {
    if (this.closed) throw new ClosedError('write-ahead log');
    if (this.failure !== undefined) throw this.failure;
  }

  // ------------------------------------------------------------------ reading

  replay(visit: (ref: RecordRef, payload: Uint8Array) => void): void {
    this.checkUsable();
    const start = this.replayStart();
    if (start === undefined) return;
    const last = this.lastLsnValue;
    let expected = this.checkpointLsnValue + 1;
    let i = this.logs.indexOf(start.segment);
    let pos = start.offset;
    while (expected <= last) {
      const segment = this.logs[i];
      if (segment === undefined) {
        throw new CorruptionError(this.device.location, 0, `records ${expected}..${last} are missing from the log`);
      }
      if (pos === segmentDataOffset && segment.firstLsn !== expected) {
        throw new CorruptionError(this.device.location, this.space.base(segment.index), `log segment ${segment.index} starts at LSN ${segment.firstLsn}, expected ${expected}`);
      }
      expected = this.walk(segment, pos, expected, true, visit);
      i++;
      pos = segmentDataOffset;
    }
  }

  readRecord(address: number, verify: boolean): { ref: RecordRef; payload: Uint8Array } {
    this.checkUsable();
    if (!Number.isSafeInteger(address) || address < segmentsOffset) throw new InvalidArgumentError(`no log record starts at address ${String(address)}`);
    const slot = Math.floor((address - segmentsOffset) / this.segmentBytes);
    const segment = this.logBySlot.get(slot);
    if (segment === undefined) throw new InvalidArgumentError(`address ${address} is not in a live log segment`);
    this.ensureExtent(segment);
    const base = this.space.base(slot);
    const pos = address - base - recordHeaderBytes;
    if (pos < segmentDataOffset || pos % 8 !== 0 || pos + recordHeaderBytes > segment.end) {
      throw new InvalidArgumentError(`no log record starts at address ${address}`);
    }
    const header = this.device.read(base + pos, recordHeaderBytes);
    const f = this.fields;
    const check = checkRecordHeader(header, 0, segment.end - pos, this.recordBytesMax, segment.firstLsn, f);
    if (check !== RecordCheck.wellFormed || f.lsn > segment.lastLsn) {
      throw new CorruptionError(this.device.location, base + pos, `no valid record header at address ${address}`);
    }
    const payload = this.device.read(address, f.length);
    if (verify && crc32c(payload, crc32c(header.subarray(4, recordHeaderBytes))) !== readU32(header, 0)) {
      throw new CorruptionError(this.device.location, base + pos, `record ${f.lsn} fails its CRC`);
    }
    return { ref: { lsn: f.lsn as Lsn, type: f.type, address, length: f.length }, payload };
  }

  segments(options?: { readonly exact?: boolean }): readonly SegmentInfo[] {
    this.checkUsable();
    const exact = options?.exact ?? true;
    const out: SegmentInfo[] = [];
    for (const s of this.logs) {
      if (exact) this.ensureExtent(s);
      const known = s.end >= 0;
      out.push({
        index: s.index,
        base: this.space.base(s.index),
        firstLsn: s.firstLsn as Lsn,
        // Not yet walked: every LSN of the segment is below its limit.
        lastLsn: (known ? s.lastLsn : s.lsnLimit - 1) as Lsn,
        usedBytes: known ? s.end - segmentDataOffset : NaN,
        active: s === this.active,
      });
    }
    return out;
  }


  scanSegment(index: number, visit: (ref: RecordRef, payload: Uint8Array) => void): void {
    this.checkUsable();
    const segment = Number.isInteger(index) ? this.logBySlot.get(index) : undefined;
    if (segment === undefined) throw new InvalidArgumentError(`segment ${String(index)} is not a live log segment`);
    this.ensureExtent(segment);
    this.walk(segment, segmentDataOffset, segment.firstLsn, true, visit);
  }

  /**
   * Visits (when `visit` is given) the records of `segment` from offset
   * `pos`, expected to start at LSN `expected`, up to the segment's known
   * end, verifying each. Returns the LSN after the last one.
   */
  private walk(segment: LogSegment, pos: number, expected: number, verify: boolean, visit?: (ref: RecordRef, payload: Uint8Array) => void): number {
    const base = this.space.base(segment.index);
    const end = segment.end;
    const view = this.device.read(base, end);
    const f = this.fields;
    while (pos < end) {
      const check = verify ? checkRecord(view, pos, end, this.recordBytesMax, expected, f) : checkRecordHeader(view, pos, end, this.recordBytesMax, expected, f);
      if (check !== RecordCheck.wellFormed || f.lsn !== expected) {
        throw new CorruptionError(this.device.location, base + pos, `log record ${expected} in segment ${segment.index} is not valid`);
      }
      if (visit !== undefined) {
        const address = base + pos + recordHeaderBytes;
        visit({ lsn: f.lsn as Lsn, type: f.type, address, length: f.length }, view.subarray(pos + recordHeaderBytes, pos + recordHeaderBytes + f.length));
      }
      pos += f.bytes;
      expected++;
    }
    return expected;
  }

  /**
   * Finds the extent of a segment recovery did not scan (one wholly covered
   * by the checkpoint at open): its records up to the first one whose header
   * is not valid, below its LSN limit. Only headers are checked here, so the
   * first `segments()` call after opening a large log does not CRC every
   * byte of it; payload CRCs are verified when records are read
   * (`scanSegment`, `readRecord` with `verify`). Such a segment was complete
   * when the next one was started, so a well-formed record (CRC included)
   * after that point means damage.
   */
  private ensureExtent(segment: LogSegment): void {
    if (segment.end >= 0) return;
    const base = this.space.base(segment.index);
    const view = this.device.read(base, this.segmentBytes);
    const f = this.fields;
    let pos = segmentDataOffset;
    let expected = segment.firstLsn;
    while (expected < segment.lsnLimit) {
      if (checkRecordHeader(view, pos, this.segmentBytes, this.recordBytesMax, expected, f) !== RecordCheck.wellFormed || f.lsn !== expected) break;
      pos += f.bytes;
      expected++;
    }
    if (pos === segmentDataOffset) {
      throw new CorruptionError(this.device.location, base + pos, `log segment ${segment.index} holds no valid record`);
    }
    const extent = nonZeroExtent(view, pos, this.segmentBytes);
    for (let p = pos; p >= 0; p += 8) {
      p = firstLaterRecord(view, p, this.segmentBytes, this.recordBytesMax, expected, f, extent);
      if (p < 0) break;
      if (f.lsn < segment.lsnLimit) {
        throw new CorruptionError(this.device.location, base + pos, `invalid record in log segment ${segment.index} followed by a valid record (LSN ${f.lsn}) at offset ${base + p}`);
      }
    }
    segment.lastLsn = expected - 1;
    segment.end = pos;
  }

  /** Where the records after the current checkpoint start, if any segment holds them. */
  private replayStart(): { readonly segment: LogSegment; readonly offset: number } | undefined {
    const tail = this.tail;
    if (tail !== undefined && this.logBySlot.get(tail.segment.index) === tail.segment) return tail;
    const segment = this.logs.find((s) => s.end >= 0 && s.firstLsn > this.checkpointLsnValue);
    return segment === undefined ? undefined : { segment, offset: segmentDataOffset };
  }

  // ------------------------------------------------------------------ checkpoints and segments

  writeCheckpoint(lsn: Lsn, image: readonly Uint8Array[]): void {
    this.checkUsable();
    if (!Number.isSafeInteger(lsn) || lsn < this.checkpointLsnValue || lsn > this.lastLsnValue) {
      throw new InvalidArgumentError(`checkpoint LSN must be from ${this.checkpointLsnValue} (the current checkpoint) to ${this.lastLsnValue} (the last LSN), got ${String(lsn)}`);
    }
    if (!Array.isArray(image) || !image.every((chunk) => chunk instanceof Uint8Array)) {
      throw new InvalidArgumentError('checkpoint image must be an array of Uint8Array chunks');
    }
    let imageBytes = 0;
    for (const chunk of image) imageBytes += chunk.length;
    if (imageBytes > checkpointBytesMax) throw new LimitError('checkpoint image in bytes', checkpointBytesMax, imageBytes);
    if (lsn > this.durableLsnValue) this.barrier();
    const tail = this.tailFor(lsn);
    try {
      const { descriptor, chain } = writeCheckpointChain(this.device, this.space, lsn, image, imageBytes);
      const superblock: Superblock = {
        segmentBytes: this.segmentBytes,
        sequence: this.superblock.sequence + 1,
        checkpoint: descriptor,
        tailAddress: tail === undefined ? 0 : this.space.base(tail.segment.index) + tail.offset,
        tailSequence: tail === undefined ? 0 : tail.segment.sequence,
      };
      const copy = this.superblockCopy === 0 ? 1 : 0;
      this.device.write(superblockOffsets[copy], encodeSuperblock(superblock));
      this.device.persist(superblockOffsets[copy], superblockBytes);
      this.superblock = superblock;
      this.superblockCopy = copy;
      const previous = this.chain;
      this.chain = chain;
      this.checkpointLsnValue = lsn;
      this.tail = tail;
      this.counters.checkpoints++;
      // The image's fence (when it has bytes) and the superblock's.
      this.counters.barriersOther += imageBytes > 0 ? 2 : 1;
      for (const s of previous) {
        this.space.free(s.index, s.sequence);
        this.counters.segmentsFreed++;
      }
    } catch (error) {
      // LIMIT comes from growing the device for the chain, before anything is written.
      if (error instanceof LimitError) throw error;
      throw this.fail(error);
    }
  }

  /** The position of record `lsn + 1`, or of the end of the log when `lsn` is the last LSN. */
  private tailFor(lsn: number): { readonly segment: LogSegment; readonly offset: number } | undefined {
    if (lsn === this.lastLsnValue) return this.active === undefined ? undefined : { segment: this.active, offset: this.appendOffset };
    const target = lsn + 1;
    const segment = this.logs.find((s) => s.end >= 0 && s.firstLsn <= target && target <= s.lastLsn);
    if (segment === undefined) throw new CorruptionError(this.device.location, 0, `record ${target} is in no log segment`);
    const base = this.space.base(segment.index);
    const view = this.device.read(base, segment.end);
    const f = this.fields;
    let pos = segmentDataOffset;
    for (let expected = segment.firstLsn; expected < target; expected++) {
      if (checkRecordHeader(view, pos, segment.end, this.recordBytesMax, expected, f) !== RecordCheck.wellFormed || f.lsn !== expected) {
        throw new CorruptionError(this.device.location, base + pos, `log record ${expected} in segment ${segment.index} is not valid`);
      }
      pos += f.bytes;
    }
    return { segment, offset: pos };
  }

  readCheckpoint(): { lsn: Lsn; image: Uint8Array } | undefined {
    this.checkUsable();
    const descriptor = this.superblock.checkpoint;
    if (descriptor === undefined) return undefined;
    return { lsn: descriptor.lsn as Lsn, image: readCheckpointImage(this.device, this.segmentBytes, descriptor, this.chain) };
  }

  readCheckpointChunks(): { lsn: Lsn; chunks: Uint8Array[] } | undefined {
    this.checkUsable();
    const descriptor = this.superblock.checkpoint;
    if (descriptor === undefined) return undefined;
    return { lsn: descriptor.lsn as Lsn, chunks: readCheckpointChunks(this.device, this.segmentBytes, descriptor, this.chain) };
  }

  freeSegment(index: number): void {
    this.checkUsable();
    const segment = Number.isInteger(index) ? this.logBySlot.get(index) : undefined;
    if (segment === undefined) throw new InvalidArgumentError(`segment ${String(index)} is not a live log segment`);
    if (segment === this.active) throw new InvalidArgumentError(`segment ${index} is the active segment`);
    // A segment never scanned lies wholly before the checkpoint tail found at open.
    if (segment.end >= 0 && segment.lastLsn > this.checkpointLsnValue) {
      throw new InvalidArgumentError(`segment ${index} holds records up to LSN ${segment.lastLsn}, after the checkpoint (LSN ${this.checkpointLsnValue})`);
    }
    try {
      this.space.free(index, segment.sequence);
    } catch (error) {
      throw this.fail(error);
    }
    this.logs.splice(this.logs.indexOf(segment), 1);
    this.logBySlot.delete(index);
    this.counters.segmentsFreed++;
  }

  truncate(): number {
    this.checkUsable();
    let freed = 0;
    for (const segment of [...this.logs]) {
      if (segment === this.active) continue;
      if (segment.end >= 0 && segment.lastLsn > this.checkpointLsnValue) continue;
      this.freeSegment(segment.index);
      freed++;
    }
    return freed;
  }

  // ------------------------------------------------------------------ lifecycle

  stats(): WalStats {
    const c = this.counters;
    return {
      records: c.records,
      payloadBytes: c.payloadBytes,
      bytesAppended: c.bytesAppended,
      commits: c.commits,
      groups: c.groups,
      groupRecordsMean: c.groups === 0 ? 0 : c.groupRecordsTotal / c.groups,
      groupBytesMean: c.groups === 0 ? 0 : c.groupBytesTotal / c.groups,
      barriers: c.groups + this.space.barriers + c.barriersOther,
      segmentsAllocated: c.segmentsAllocated,
      segmentsFreed: c.segmentsFreed,
      checkpoints: c.checkpoints,
      segmentsLog: this.logs.length,
      segmentsCheckpoint: this.chain.length,
      segmentsFree: this.space.slotCount - this.logs.length - this.chain.length,
      segmentBytes: this.segmentBytes,
      lastLsn: this.lastLsnValue as Lsn,
      durableLsn: this.durableLsnValue as Lsn,
      checkpointLsn: this.checkpointLsnValue as Lsn,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    let error: unknown;
    if (this.failure === undefined) {
      try {
        this.barrier();
      } catch (e) {
        error = e;
      }
    }
    this.clearTimers();
    this.closed = true;
    try {
      this.device.close();
    } catch (e) {
      error ??= e;
    }
    if (error !== undefined) throw error;
  }
}
