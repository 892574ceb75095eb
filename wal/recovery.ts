/**
 * Opening a log: read the superblocks, take a census of the segment slots,
 * validate the checkpoint chain, scan the records after the checkpoint, and
 * repair what a crash left half-done. Everything read from the device is
 * validated; anything inconsistent is a `CorruptionError` with the device
 * location and the offset of the offending bytes.
 *
 * SUPERBLOCK (two copies, superblock.ts)
 *   newest valid copy                 -> use it
 *   none valid, device zero from 8192 -> format a new log ('formatted'); this
 *                                        includes a format torn by a crash
 *   none valid, otherwise             -> CorruptionError at 0
 *
 * SLOT CENSUS (per slot: header line, free-marker line, first data line)
 *   HEADER                MARKER LINE                 FIRST DATA LINE  SLOT
 *   valid log/checkpoint  zero                        any              in use
 *   valid log/checkpoint  the marker for this header  any              free interrupted: complete it
 *                         (whole, or partly written)
 *   valid log/checkpoint  anything else               any              CorruptionError
 *   valid free            any                         any              free
 *   all zero              zero                        zero             never used: free
 *   invalid               a valid marker              any              torn free header: reclaim as free
 *   invalid               zero                        zero             torn allocation: reclaim as free
 *   invalid               otherwise                   otherwise        CorruptionError
 *   A torn header is the one header write in flight at the crash, so more
 *   than one is CorruptionError; a torn slot must also hold no record newer
 *   than the end of the log (else the header damage would hide live data:
 *   CorruptionError). A slot cut short by the end of the device must be zero.
 *   Two valid headers with the same sequence are CorruptionError.
 *
 * CHECKPOINT CHAIN: the superblock's chain must be exactly `segmentCount`
 * checkpoint segments linked from its first segment, carrying its chain id,
 * LSN and consecutive positions; else CorruptionError. Other checkpoint
 * segments are orphans of an interrupted checkpoint: freed.
 *
 * LOG SEGMENTS, in sequence order, must have strictly increasing first LSNs.
 * The scan starts at the superblock's tail address when the segment there is
 * still the one the superblock names; else (it was freed, which is allowed
 * once all its records are covered by the checkpoint) at the first record of
 * the log segment whose first LSN is checkpoint + 1; with no such segment the
 * log after the checkpoint is empty.
 *
 * RECORD SCAN (p = offset being examined, last = last accepted LSN, see
 * record.ts for "well-formed"; a *later record* is a well-formed record with
 * LSN > last anywhere in the segment from p on):
 *   #  SITUATION                                                    ACTION
 *   1  well-formed record at p with LSN last + 1                    accept, continue after it
 *   2  no valid record at p; the next log segment exists, starts    continue at its first record
 *      at LSN last + 1, and no later record follows p
 *   3  no valid record at p; no next log segment; no later record   the log ends at p ('clean' if p
 *                                                                   holds zeros or a stale record,
 *                                                                   else 'torn-tail')
 *   4  as 3, but later records exist and every one of them has      the log ends at p ('torn-group'):
 *      groupFirstLsn = the group of the last accepted record or     they are the unacknowledged rest
 *      last + 1                                                     of the group in flight
 *   5  later records exist and one belongs to another group, or     CorruptionError at p
 *      (with a next log segment) any later record exists
 *   6  well-formed records with LSN <= last (stale: from the        ignored: not later records
 *      segment's previous life) 
 *   7  the next log segment starts at an LSN other than last + 1    CorruptionError (records missing)
 * Inherent limit: damage inside the last commit group looks exactly like a
 * torn write of that group (case 3 or 4) and is truncated.
 *
 * REPAIRS, each crash-safe and idempotent, before anything is appended:
 * reclaim the torn header first (so that a crash during the repairs still
 * leaves at most one invalid header); zero (and persist) every non-zero byte
 * from the end of the log to the end of its segment, so that orphans of a
 * torn group can never be mistaken for new records; complete interrupted
 * frees; free orphan checkpoint segments.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { CorruptionError, unreachable, type Device } from '../storage/device/index.js';
import { decodeFreeMarker, isPartialFreeMarker } from './free-marker.js';
import { freeMarkerBytes, freeMarkerOffset, segmentBase, segmentDataOffset, segmentHeaderBytes, segmentIndexNone, segmentsOffset, segmentSlotCount, superblockOffsets } from './layout.js';
import { checkpointBytesMax, recordBytesMaxFor } from './limits.js';
import { isZero, nonZeroExtent } from './little-endian.js';
import { checkRecord, newRecordFields, RecordCheck, type RecordFields } from './record.js';
import { decodeSegmentHeader, type SegmentHeader } from './segment-header.js';
import { SegmentSpace, type SlotState } from './segment-space.js';
import { decodeSuperblock, encodeSuperblock, superblockBytes, type Superblock } from './superblock.js';
import type { Lsn, RecoveryCase, RecoveryReport } from './types.js';

/** A live log segment. */
export interface LogSegment {
  readonly index: number;
  readonly sequence: number;
  readonly firstLsn: number;
  /** Last LSN it holds (firstLsn - 1 when empty); -1 until known (see `lsnLimit`). */
  lastLsn: number;
  /** Segment offset just past its last record; -1 until known. */
  end: number;
  /**
   * Every LSN in the segment is below this. Segments before the checkpoint
   * tail are not scanned at open; their extent is found on first use by a
   * walk bounded by this limit.
   */
  lsnLimit: number;
}

/** A segment of the current checkpoint's chain. */
export interface ChainSegment {
  readonly index: number;
  readonly sequence: number;
}

export interface RecoveredLog {
  readonly device: Device;
  readonly superblock: Superblock;
  readonly superblockCopy: 0 | 1;
  readonly space: SegmentSpace;
  /** Live log segments in sequence (= LSN) order. */
  readonly logs: LogSegment[];
  readonly chain: ChainSegment[];
  /** Where the records after the checkpoint start, if a segment holds them. */
  readonly tail: { readonly segment: LogSegment; readonly offset: number } | undefined;
  /** The segment appends continue in (the end of the log), if any. */
  readonly active: LogSegment | undefined;
  readonly lastLsn: number;
  readonly report: RecoveryReport;
}

/** How a slot was found (see the census table above). */
type Finding =
  | { readonly kind: 'log'; readonly header: Extract<SegmentHeader, { kind: 'log' }> }
  | { readonly kind: 'checkpoint'; readonly header: Extract<SegmentHeader, { kind: 'checkpoint' }> }
  | { readonly kind: 'free'; readonly sequence: number }
  | { readonly kind: 'never-used' }
  | { readonly kind: 'freeing'; readonly sequence: number }
  | { readonly kind: 'torn' };

/** Bytes of a slot the census reads: header, marker line, first data line. */
const censusBytes = segmentDataOffset + 64;

export function recoverLog(device: Device, formatSegmentBytes: number): RecoveredLog {
  const location = device.location;
  const chosen = chooseSuperblock(device);
  if (chosen === undefined) return formatLog(device, formatSegmentBytes);
  const { superblock: sb, copy } = chosen;
  const segmentBytes = sb.segmentBytes;
  const recordBytesMax = recordBytesMaxFor(segmentBytes);
  const slotCount = segmentSlotCount(device.sizeBytes, segmentBytes);
  checkPartialSlot(device, slotCount, segmentBytes);

  // ---- Census.
  const findings: Finding[] = [];
  const sequences = new Map<number, number>();
  let maxSequence = 0;
  let tornSlots = 0;
  for (let index = 0; index < slotCount; index++) {
    const finding = classifySlot(device, index, segmentBytes);
    findings.push(finding);
    const sequence = findingSequence(finding);
    if (sequence > 0) {
      const other = sequences.get(sequence);
      if (other !== undefined) {
        throw new CorruptionError(location, segmentBase(index, segmentBytes), `segments ${other} and ${index} carry the same sequence ${sequence}`);
      }
      sequences.set(sequence, index);
      maxSequence = Math.max(maxSequence, sequence);
    }
    if (finding.kind === 'torn' && ++tornSlots > 1) {
      throw new CorruptionError(location, segmentBase(index, segmentBytes), 'more than one segment header is invalid; only one header write can be torn by a crash');
    }
  }

  // ---- Checkpoint chain.
  const chain: ChainSegment[] = [];
  const checkpoint = sb.checkpoint;
  const checkpointLsn = checkpoint?.lsn ?? 0;
  if (checkpoint !== undefined) {
    if (checkpoint.imageBytes > checkpointBytesMax) {
      throw new CorruptionError(location, superblockOffsets[copy], `checkpoint image of ${checkpoint.imageBytes} bytes is over the limit of ${checkpointBytesMax}`);
    }
    const capacity = segmentBytes - segmentDataOffset;
    if (checkpoint.segmentCount !== Math.max(1, Math.ceil(checkpoint.imageBytes / capacity))) {
      throw new CorruptionError(location, superblockOffsets[copy], 'checkpoint segment count does not match its image length');
    }
    let index = checkpoint.firstSegment;
    for (let position = 0; position < checkpoint.segmentCount; position++) {
      const finding = index < slotCount ? findings[index] : undefined;
      const where = index < slotCount ? segmentBase(index, segmentBytes) : superblockOffsets[copy];
      if (finding === undefined || finding.kind !== 'checkpoint') {
        throw new CorruptionError(location, where, `checkpoint segment ${position} (slot ${index}) is missing`);
      }
      const h = finding.header;
      const last = position === checkpoint.segmentCount - 1;
      if (h.chainId !== checkpoint.chainId || h.position !== position || h.checkpointLsn !== checkpoint.lsn || (last ? h.next !== segmentIndexNone : h.next === segmentIndexNone)) {
        throw new CorruptionError(location, where, `checkpoint segment ${position} (slot ${index}) does not belong to the superblock's checkpoint`);
      }
      chain.push({ index, sequence: h.sequence });
      index = h.next;
    }
  }
  const inChain = new Set(chain.map((c) => c.index));

  // ---- Log segments in sequence order.
  const logs: LogSegment[] = [];
  for (const f of findings) {
    if (f.kind === 'log') logs.push({ index: f.header.index, sequence: f.header.sequence, firstLsn: f.header.firstLsn, lastLsn: -1, end: -1, lsnLimit: 0 });
  }
  logs.sort((a, b) => a.sequence - b.sequence);
  for (let i = 1; i < logs.length; i++) {
    const prev = logs[i - 1] as LogSegment;
    const seg = logs[i] as LogSegment;
    if (seg.firstLsn <= prev.firstLsn) {
      throw new CorruptionError(location, segmentBase(seg.index, segmentBytes), `log segment ${seg.index} starts at LSN ${seg.firstLsn}, not after segment ${prev.index} (LSN ${prev.firstLsn})`);
    }
  }

  // ---- Where the records after the checkpoint start.
  let startPosition = -1;
  let start = -1;
  if (sb.tailSequence !== 0) {
    const slot = Math.floor((sb.tailAddress - segmentsOffset) / segmentBytes);
    const offset = sb.tailAddress - segmentBase(slot, segmentBytes);
    const i = logs.findIndex((s) => s.index === slot);
    if (i >= 0 && (logs[i] as LogSegment).sequence === sb.tailSequence) {
      if (offset < segmentDataOffset || offset > segmentBytes || offset % 8 !== 0 || (logs[i] as LogSegment).firstLsn > checkpointLsn + 1) {
        throw new CorruptionError(location, superblockOffsets[copy], `the superblock's tail address ${sb.tailAddress} is not a record position of its segment`);
      }
      start = i;
      startPosition = offset;
    }
  }
  if (start < 0) {
    start = logs.findIndex((s) => s.firstLsn > checkpointLsn);
    if (start >= 0) {
      const seg = logs[start] as LogSegment;
      if (seg.firstLsn !== checkpointLsn + 1) {
        throw new CorruptionError(location, segmentBase(seg.index, segmentBytes), `records ${checkpointLsn + 1}..${seg.firstLsn - 1} are missing before log segment ${seg.index}`);
      }
      startPosition = segmentDataOffset;
    }
  }
  // Segments before the start hold only records the checkpoint covers.
  for (let i = 0; i < (start < 0 ? logs.length : start); i++) {
    const next = logs[i + 1];
    (logs[i] as LogSegment).lsnLimit = Math.min(next === undefined ? Infinity : next.firstLsn, checkpointLsn + 1);
  }

  // ---- Record scan.
  const fields = newRecordFields();
  let last = checkpointLsn;
  let lastGroup = -1;
  let recordsScanned = 0;
  let segmentsScanned = 0;
  let recoveryCase: RecoveryCase = 'clean';
  let detail = 'no log records after the checkpoint';
  let active: LogSegment | undefined;
  let endPosition = 0;
  if (start >= 0) {
    let i = start;
    let pos = startPosition;
    for (;;) {
      const seg = logs[i] as LogSegment;
      const base = segmentBase(seg.index, segmentBytes);
      const view = device.read(base, segmentBytes);
      segmentsScanned++;
      let check: RecordCheck;
      for (;;) {
        check = checkRecord(view, pos, segmentBytes, recordBytesMax, last + 1, fields);
        if (check !== RecordCheck.wellFormed || fields.lsn !== last + 1) break; // not case 1
        last = fields.lsn;
        lastGroup = fields.groupFirstLsn;
        recordsScanned++;
        pos += fields.bytes;
      }
      seg.lastLsn = last;
      seg.end = pos;
      const next = logs[i + 1];
      if (next !== undefined) {
        if (next.firstLsn !== last + 1) {
          // Case 7.
          throw new CorruptionError(location, base + pos, `log segment ${seg.index} ends at LSN ${last} but the next one (${next.index}) starts at LSN ${next.firstLsn}`);
        }
        const later = firstLaterRecord(view, pos, segmentBytes, recordBytesMax, last + 1, fields);
        if (later >= 0) {
          // Case 5: a later record in a segment that is complete (a newer segment exists).
          throw new CorruptionError(location, base + pos, `invalid record in log segment ${seg.index} followed by a valid record (LSN ${fields.lsn}) at offset ${base + later}`);
        }
        // Case 2.
        i++;
        pos = segmentDataOffset;
        continue;
      }
      // The last log segment: cases 3, 4 and 5.
      let foreign = -1;
      let laterCount = 0;
      const extent = nonZeroExtent(view, pos, segmentBytes);
      for (let p = pos; p >= 0; ) {
        p = firstLaterRecord(view, p, segmentBytes, recordBytesMax, last + 1, fields, extent);
        if (p < 0) break;
        laterCount++;
        if (fields.groupFirstLsn !== last + 1 && fields.groupFirstLsn !== lastGroup) {
          foreign = p;
          break;
        }
        p += 8;
      }
      if (foreign >= 0) {
        throw new CorruptionError(
          location,
          base + pos,
          `invalid record in log segment ${seg.index} followed by a valid record of another commit group (LSN ${fields.lsn}, group ${fields.groupFirstLsn}) at offset ${base + foreign}`,
        );
      }
      if (laterCount > 0) {
        recoveryCase = 'torn-group';
        detail = `the log ends at LSN ${last}: an invalid record at offset ${base + pos} is followed only by ${laterCount} record(s) of the unacknowledged commit group in flight`;
      } else if (check === RecordCheck.end || isStale(view, pos, segmentBytes, recordBytesMax, fields)) {
        recoveryCase = 'clean';
        detail = `the log ends cleanly at LSN ${last}`;
      } else {
        recoveryCase = 'torn-tail';
        detail = `the log ends at LSN ${last}: the bytes at offset ${base + pos} are not a valid record (a write torn by the crash, or leftovers of the segment's previous life) and nothing valid follows`;
      }
      active = seg;
      endPosition = pos;
      break;
    }
  }

  // ---- Torn slots must not hide live records.
  for (let index = 0; index < slotCount; index++) {
    if ((findings[index] as Finding).kind !== 'torn') continue;
    const base = segmentBase(index, segmentBytes);
    const view = device.read(base, segmentBytes);
    const later = firstLaterRecord(view, segmentDataOffset, segmentBytes, recordBytesMax, last + 1, fields);
    if (later >= 0) {
      throw new CorruptionError(location, base, `segment ${index} has an invalid header but holds a record (LSN ${fields.lsn}) after the end of the log`);
    }
  }

  // ---- Repairs. A torn header is reclaimed before any other header is
  // written, so that a crash during the repairs still leaves at most one
  // invalid header (the one being written then).
  const states: SlotState[] = findings.map((f) => (f.kind === 'log' ? 'log' : f.kind === 'checkpoint' ? 'checkpoint' : 'free'));
  // Slots freed below count as in use until their free header is written.
  for (let index = 0; index < slotCount; index++) {
    const f = findings[index] as Finding;
    if (f.kind === 'freeing' || (f.kind === 'checkpoint' && !inChain.has(index))) states[index] = 'checkpoint';
  }
  const space = new SegmentSpace(device, segmentBytes, states, maxSequence);
  let tornHeadersReclaimed = 0;
  for (let index = 0; index < slotCount; index++) {
    if ((findings[index] as Finding).kind !== 'torn') continue;
    space.writeFree(index, 0);
    tornHeadersReclaimed++;
  }
  let bytesTruncated = 0;
  if (active !== undefined) {
    const base = segmentBase(active.index, segmentBytes);
    const view = device.read(base, segmentBytes);
    const extent = nonZeroExtent(view, endPosition, segmentBytes);
    if (extent > endPosition) {
      bytesTruncated = extent - endPosition;
      zeroRange(device, base + endPosition, bytesTruncated);
      device.persist(base + endPosition, bytesTruncated);
    }
  }
  let freesCompleted = 0;
  let orphanCheckpointSegmentsFreed = 0;
  for (let index = 0; index < slotCount; index++) {
    const f = findings[index] as Finding;
    if (f.kind === 'freeing') {
      space.free(index, f.sequence);
      freesCompleted++;
    } else if (f.kind === 'checkpoint' && !inChain.has(index)) {
      space.free(index, f.header.sequence);
      orphanCheckpointSegmentsFreed++;
    }
  }

  const tail = start < 0 ? undefined : { segment: logs[start] as LogSegment, offset: startPosition };
  return {
    device,
    superblock: sb,
    superblockCopy: copy,
    space,
    logs,
    chain,
    tail,
    active,
    lastLsn: last,
    report: {
      case: recoveryCase,
      recordsScanned,
      segmentsScanned,
      bytesTruncated,
      endAddress: active === undefined ? 0 : segmentBase(active.index, segmentBytes) + endPosition,
      lastLsn: last as Lsn,
      checkpointLsn: checkpointLsn as Lsn,
      superblockCopy: copy,
      freesCompleted,
      tornHeadersReclaimed,
      orphanCheckpointSegmentsFreed,
      detail,
    },
  };
}

/** The newest valid superblock copy, undefined for a device to format, or CorruptionError. */
function chooseSuperblock(device: Device): { superblock: Superblock; copy: 0 | 1 } | undefined {
  const reasons: string[] = [];
  let best: { superblock: Superblock; copy: 0 | 1 } | undefined;
  for (const copy of [0, 1] as const) {
    const offset = superblockOffsets[copy];
    if (offset + superblockBytes > device.sizeBytes) {
      reasons.push(`copy ${copy}: beyond the end of the device`);
      continue;
    }
    const decoded = decodeSuperblock(device.read(offset, superblockBytes));
    if (isLeft(decoded)) {
      reasons.push(`copy ${copy}: ${decoded.left}`);
      continue;
    }
    const sb = decoded.right;
    if (best !== undefined && best.superblock.segmentBytes !== sb.segmentBytes) {
      throw new CorruptionError(device.location, offset, 'the two superblock copies disagree on the segment size');
    }
    if (best === undefined || sb.sequence > best.superblock.sequence) best = { superblock: sb, copy };
  }
  if (best !== undefined) return best;
  if (isDeviceZeroFrom(device, segmentsOffset)) return undefined;
  throw new CorruptionError(device.location, 0, `no valid superblock (${reasons.join('; ')}) on a device that holds data`);
}

function formatLog(device: Device, segmentBytes: number): RecoveredLog {
  if (device.sizeBytes < segmentsOffset) device.grow(segmentsOffset);
  const superblock: Superblock = { segmentBytes, sequence: 1, checkpoint: undefined, tailAddress: 0, tailSequence: 0 };
  device.write(superblockOffsets[0], encodeSuperblock(superblock));
  device.persist(superblockOffsets[0], superblockBytes);
  const slots = segmentSlotCount(device.sizeBytes, segmentBytes);
  const space = new SegmentSpace(device, segmentBytes, new Array<SlotState>(slots).fill('free'), 0);
  return {
    device,
    superblock,
    superblockCopy: 0,
    space,
    logs: [],
    chain: [],
    tail: undefined,
    active: undefined,
    lastLsn: 0,
    report: {
      case: 'formatted',
      recordsScanned: 0,
      segmentsScanned: 0,
      bytesTruncated: 0,
      endAddress: 0,
      lastLsn: 0 as Lsn,
      checkpointLsn: 0 as Lsn,
      superblockCopy: 0,
      freesCompleted: 0,
      tornHeadersReclaimed: 0,
      orphanCheckpointSegmentsFreed: 0,
      detail: `formatted a new log with ${segmentBytes}-byte segments`,
    },
  };
}

/** Classifies one slot per the census table. */
function classifySlot(device: Device, index: number, segmentBytes: number): Finding {
  const base = segmentBase(index, segmentBytes);
  const bytes = device.read(base, censusBytes);
  const decoded = decodeSegmentHeader(bytes.subarray(0, segmentHeaderBytes), index);
  const marker = bytes.subarray(freeMarkerOffset, freeMarkerOffset + freeMarkerBytes);
  const markerZero = isZero(marker, 0, freeMarkerBytes);
  if (isLeft(decoded)) {
    if (isZero(bytes, 0, censusBytes)) return { kind: 'never-used' };
    if (decodeFreeMarker(marker, index) > 0) return { kind: 'torn' };
    if (markerZero && isZero(bytes, segmentDataOffset, censusBytes - segmentDataOffset)) return { kind: 'torn' };
    throw new CorruptionError(device.location, base, `invalid header of segment ${index} (${decoded.left}) over a segment that is in use`);
  }
  const header = decoded.right;
  switch (header.kind) {
    case 'free':
      return { kind: 'free', sequence: header.sequence };
    case 'log':
    case 'checkpoint':
      if (markerZero) return header.kind === 'log' ? { kind: 'log', header } : { kind: 'checkpoint', header };
      if (isPartialFreeMarker(marker, index, header.sequence)) return { kind: 'freeing', sequence: header.sequence };
      throw new CorruptionError(device.location, base + freeMarkerOffset, `segment ${index} is in use but its free-marker line is not zero`);
    default:
      return unreachable(header, 'segment header');
  }
}

function findingSequence(f: Finding): number {
  switch (f.kind) {
    case 'log':
    case 'checkpoint':
      return f.header.sequence;
    case 'free':
    case 'freeing':
      return f.sequence;
    case 'never-used':
    case 'torn':
      return 0;
    default:
      return unreachable(f, 'slot finding');
  }
}

/** The bytes after the last whole slot must be zero: anything else is a segment cut short. */
function checkPartialSlot(device: Device, slotCount: number, segmentBytes: number): void {
  const base = segmentBase(slotCount, segmentBytes);
  const length = Math.min(device.sizeBytes - base, censusBytes);
  if (length <= 0) return;
  if (!isZero(device.read(base, length), 0, length)) {
    throw new CorruptionError(device.location, base, `the device ends inside segment ${slotCount}`);
  }
}

/**
 * The offset of the first well-formed record with LSN >= `lsnMin` at an
 * 8-byte aligned offset in `[from, end)`, or -1. `out` holds its fields.
 * `extent` is `nonZeroExtent(view, from', end)` for some `from' <= from`
 * (computed here when not given): no record starts in the zeros past it, as
 * a record's LSN is at least 1; a caller that searches one view repeatedly
 * computes it once.
 */
export function firstLaterRecord(view: Uint8Array, from: number, end: number, recordBytesMax: number, lsnMin: number, out: RecordFields, extent = nonZeroExtent(view, from, end)): number {
  for (let p = from; p < extent && p + 24 <= end; p += 8) {
    if (checkRecord(view, p, end, recordBytesMax, lsnMin, out) === RecordCheck.wellFormed) return p;
  }
  return -1;
}

/** True when the record at `pos` is well-formed but older than the log's end (case 6). */
function isStale(view: Uint8Array, pos: number, end: number, recordBytesMax: number, out: RecordFields): boolean {
  return checkRecord(view, pos, end, recordBytesMax, 1, out) === RecordCheck.wellFormed;
}

function isDeviceZeroFrom(device: Device, offset: number): boolean {
  const chunk = 1 << 24;
  for (let p = offset; p < device.sizeBytes; p += chunk) {
    const length = Math.min(chunk, device.sizeBytes - p);
    if (!isZero(device.read(p, length), 0, length)) return false;
  }
  return true;
}

/** Writes zeros over `[offset, offset + length)` in bounded chunks. */
export function zeroRange(device: Device, offset: number, length: number): void {
  const chunk = Math.min(length, 1 << 20);
  const zeros = new Uint8Array(chunk);
  for (let p = 0; p < length; p += chunk) device.write(offset + p, zeros.subarray(0, Math.min(chunk, length - p)));
}
