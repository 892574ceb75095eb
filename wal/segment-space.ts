/**
 * The segment slots of a log's device: which slot holds what, the free list,
 * the sequence counter, and the two crash-safe header transitions.
 *
 * Allocation (free or never-used slot -> log/checkpoint):
 *   1. if the free-marker line or the first data line of the slot is not
 *      zero, zero both and persist (the slot stays `free` meanwhile);
 *   2. write the new header with a fresh sequence and persist it.
 *   Only then is anything written into the segment. A crash in step 2 leaves
 *   an invalid header over a zero marker line and a zero first data line,
 *   which recovery recognizes as a torn allocation (nothing can be lost: no
 *   record was written).
 *
 * Freeing (log/checkpoint -> free):
 *   1. write the free marker (free-marker.ts) and persist it;
 *   2. write a `free` header with a fresh sequence and persist it.
 *   A crash in step 1 leaves a valid header over a (partial) marker, a crash
 *   in step 2 an invalid header over a valid marker; recovery completes the
 *   free in both cases.
 *
 * Every header write takes the next sequence, so at most one header write is
 * ever unpersisted and its sequence is one more than the highest valid one.
 */
import { assert, LimitError, type Device } from '../storage/device/index.js';
import { encodeFreeMarker } from './free-marker.js';
import { freeMarkerBytes, freeMarkerOffset, segmentBase, segmentDataOffset, segmentHeaderBytes, segmentSlotCount } from './layout.js';
import { segmentCountMax } from './limits.js';
import { isZero } from './little-endian.js';
import { encodeSegmentHeader, type SegmentHeader } from './segment-header.js';

/** What a slot holds, as far as the log is concerned. */
export type SlotState = 'log' | 'checkpoint' | 'free';

/** Bytes zeroed before a reused slot gets a new header: the marker line and the first data line. */
const allocationClearBytes = segmentDataOffset + 64 - freeMarkerOffset;

/** A header write in flight: distinct kinds without the slot's sequence, which the space assigns. */
export type NewSegmentHeader =
  | { readonly kind: 'log'; readonly firstLsn: number }
  | { readonly kind: 'checkpoint'; readonly checkpointLsn: number; readonly chainId: number; readonly position: number; readonly next: number };

export class SegmentSpace {
  private readonly states: SlotState[];
  /** Free slot indices, ascending: allocation reuses the lowest first. */
  private readonly freeSlots: number[];
  private sequence: number;
  /** Persist barriers issued (allocations and frees), for statistics. */
  barriers = 0;

  constructor(
    private readonly device: Device,
    readonly segmentBytes: number,
    states: readonly SlotState[],
    sequence: number,
  ) {
    this.states = [...states];
    this.freeSlots = [];
    for (let i = 0; i < this.states.length; i++) if (this.states[i] === 'free') this.freeSlots.push(i);
    this.sequence = sequence;
  }

  /** Number of slots the device holds. */
  get slotCount(): number {
    return this.states.length;
  }

  /** The highest sequence written so far. */
  get lastSequence(): number {
    return this.sequence;
  }

  state(index: number): SlotState | undefined {
    return this.states[index];
  }

  count(state: SlotState): number {
    let n = 0;
    for (const s of this.states) if (s === state) n++;
    return n;
  }

  base(index: number): number {
    return segmentBase(index, this.segmentBytes);
  }

  /**
   * Picks `count` slots for new segments (lowest free slots first, then new
   * slots at the end of the device, which grows) without writing anything.
   * The caller must `writeNewHeader` each of them before using it.
   */
  reserve(count: number): number[] {
    assert(Number.isInteger(count) && count >= 1, 'reserve at least one slot');
    const reused = Math.min(count, this.freeSlots.length);
    const picked = this.freeSlots.slice(0, reused);
    let next = this.states.length;
    while (picked.length < count) {
      if (next >= segmentCountMax) throw new LimitError('segment slots', segmentCountMax, next + 1);
      picked.push(next++);
    }
    if (next > this.states.length) {
      // May throw LIMIT (the device cannot grow): nothing has changed yet.
      this.device.grow(segmentBase(next, this.segmentBytes));
      const slots = segmentSlotCount(this.device.sizeBytes, this.segmentBytes);
      assert(slots >= next, 'the device grew to hold the new slots');
      // Slots beyond `next` (from the device's size granularity) are never used: free.
      for (let i = this.states.length; i < slots; i++) {
        this.states.push('free');
        if (i >= next) this.freeSlots.push(i);
      }
    }
    this.freeSlots.splice(0, reused);
    for (const index of picked) this.states[index] = 'free';
    return picked;
  }

  /**
   * Allocation steps 1 and 2 (see the file comment) for a slot returned by
   * `reserve`. Returns the new segment's sequence.
   */
  writeNewHeader(index: number, header: NewSegmentHeader): number {
    assert(this.states[index] === 'free', `slot ${index} is free before allocation`);
    const base = this.base(index);
    if (!isZero(this.device.read(base + freeMarkerOffset, allocationClearBytes), 0, allocationClearBytes)) {
      this.device.write(base + freeMarkerOffset, new Uint8Array(allocationClearBytes));
      this.device.persist(base + freeMarkerOffset, allocationClearBytes);
      this.barriers++;
    }
    const sequence = ++this.sequence;
    const full: SegmentHeader = header.kind === 'log' ? { ...header, index, sequence } : { ...header, index, sequence };
    this.device.write(base, encodeSegmentHeader(full));
    this.device.persist(base, segmentHeaderBytes);
    this.barriers++;
    this.states[index] = header.kind;
    return sequence;
  }

  /** Reserves one slot and allocates it. Returns its index and sequence. */
  allocate(header: NewSegmentHeader): { index: number; sequence: number } {
    const [index] = this.reserve(1) as [number];
    return { index, sequence: this.writeNewHeader(index, header) };
  }

  /**
   * Freeing steps 1 and 2 (see the file comment) for the log or checkpoint
   * segment in slot `index` whose header carries `sequence`.
   */
  free(index: number, sequence: number): void {
    assert(this.states[index] === 'log' || this.states[index] === 'checkpoint', `slot ${index} is in use before it is freed`);
    this.writeFree(index, sequence);
  }

  /**
   * Writes the marker (for the header of `sequence`, 0 = none) and a `free`
   * header into slot `index`: used by `free` and by recovery to complete an
   * interrupted free or to reclaim a torn header.
   */
  writeFree(index: number, sequence: number): void {
    const base = this.base(index);
    if (sequence > 0) {
      this.device.write(base + freeMarkerOffset, encodeFreeMarker(index, sequence));
      this.device.persist(base + freeMarkerOffset, freeMarkerBytes);
      this.barriers++;
    }
    const freeSequence = ++this.sequence;
    this.device.write(base, encodeSegmentHeader({ kind: 'free', index, sequence: freeSequence }));
    this.device.persist(base, segmentHeaderBytes);
    this.barriers++;
    this.markFree(index);
  }

  private markFree(index: number): void {
    this.states[index] = 'free';
    const slots = this.freeSlots;
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((slots[mid] as number) < index) lo = mid + 1;
      else hi = mid;
    }
    if (slots[lo] !== index) slots.splice(lo, 0, index);
  }
}
