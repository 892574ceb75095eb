/**
 * A scratch model of the free slots during one decision, with placement.
 * Policies allocate through it; it never touches the view, and `build()`
 * turns what was allocated into a `Decision`.
 *
 * Placement strategies:
 * - `packed` (placement-aware): a job first gets back the exact slots it held
 *   before its lease ended, if they are all still free (a renewal, no
 *   migration) and they run it no slower than a fresh placement would: a
 *   gang that had to be spread over machines or racks on a busy cluster is
 *   consolidated at a lease boundary once a better placement is free,
 *   instead of being renewed on its spread slots for its whole life.
 *   Otherwise a gang that fits on one machine goes to the machine
 *   with the fewest free slots that still fits it (best fit, which keeps big
 *   holes for big gangs); a bigger gang goes to the rack with the fewest free
 *   slots that fits it, on that rack's emptiest machines first (fewest
 *   machines spanned); failing that, to the emptiest machines anywhere.
 * - `first-free` (placement-unaware, as classic cluster managers): the
 *   lowest-numbered free slots, except that a renewal also keeps its slots.
 *
 * Machines are kept in buckets by free-slot count (doubly linked lists in
 * typed arrays), so a best-fit lookup costs at most `slotsPerMachine` bucket
 * probes whatever the cluster size.
 */
import { assert } from '../../storage/device/index.js';
import type { Cluster, Decision, SlotId } from '../model.js';
import { placementSlowdown } from '../placement.js';
import type { JobView, PolicyView } from './policy.js';

export type PlacementStrategy = 'packed' | 'first-free';
export const placementStrategies: readonly PlacementStrategy[] = ['packed', 'first-free'];

/** Slots a job would get, with the resulting slowdown and progress rate. */
export interface SlotPlan {
  readonly slots: readonly SlotId[];
  /** Placement slowdown factor (≥ 1). */
  readonly slowdown: number;
  /** Progress rate in slot-seconds per second: `slots.length / slowdown`. */
  readonly rate: number;
}

export class DecisionBuilder {
  private freeCount: number;
  private readonly cluster: Cluster;
  private readonly machineFree: Int32Array;
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly rackFree: Float64Array | undefined;
  private taken: Set<number>;
  private allocations: Map<number, readonly SlotId[]>;
  private order: number[];
  /** A job's entry in `order`, while it is allocated. */
  private position: Map<number, number>;
  private firstFreeMachine: number;
  /** Increases with every commit, so callers can tell when a plan went stale. */
  version = 0;

  constructor(
    private readonly view: PolicyView,
    readonly strategy: PlacementStrategy,
    from?: DecisionBuilder,
  ) {
    this.cluster = view.cluster;
    if (from !== undefined) {
      this.freeCount = from.freeCount;
      this.machineFree = from.machineFree.slice();
      this.head = from.head.slice();
      this.next = from.next.slice();
      this.prev = from.prev.slice();
      this.rackFree = from.rackFree?.slice();
      this.taken = new Set(from.taken);
      this.allocations = new Map(from.allocations);
      this.order = from.order.slice();
      this.position = new Map(from.position);
      this.firstFreeMachine = from.firstFreeMachine;
      this.version = from.version;
      return;
    }
    const { machines, slotsPerMachine, racks } = this.cluster;
    this.freeCount = view.freeSlots;
    this.machineFree = new Int32Array(machines);
    this.head = new Int32Array(slotsPerMachine + 1).fill(-1);
    this.next = new Int32Array(machines);
    this.prev = new Int32Array(machines);
    this.rackFree = racks > 1 ? new Float64Array(racks) : undefined;
    this.taken = new Set();
    this.allocations = new Map();
    this.order = [];
    this.position = new Map();
    this.firstFreeMachine = 0;
    for (const m of view.freeMachines) {
      const free = view.machineFree(m);
      assert(free > 0 && free <= slotsPerMachine, 'a free machine has free slots');
      this.machineFree[m] = free;
      this.link(m, free);
      if (this.rackFree !== undefined) (this.rackFree[Math.floor(m / this.cluster.machinesPerRack)] as number) += free;
    }
  }

  /** An independent copy, for what-if allocations (auctions). */
  clone(): DecisionBuilder {
    return new DecisionBuilder(this.view, this.strategy, this);
  }

  /**
   * Takes over the state of `from`, a clone of this builder that went on
   * allocating (a what-if that is kept). IMPORTANT: `from` must not be used
   * afterwards; its sets are shared, not copied.
   */
  absorb(from: DecisionBuilder): void {
    assert(from.view === this.view && from.strategy === this.strategy, 'a builder absorbs its own clone');
    this.freeCount = from.freeCount;
    this.machineFree.set(from.machineFree);
    this.head.set(from.head);
    this.next.set(from.next);
    this.prev.set(from.prev);
    if (this.rackFree !== undefined && from.rackFree !== undefined) this.rackFree.set(from.rackFree);
    this.taken = from.taken;
    this.allocations = from.allocations;
    this.order = from.order;
    this.position = from.position;
    this.firstFreeMachine = Math.min(this.firstFreeMachine, from.firstFreeMachine);
    this.version = from.version + 1;
  }

  /** Takes back the slots allocated to the job in this decision. */
  release(job: JobView): void {
    const slots = this.allocations.get(job.index);
    assert(slots !== undefined, 'only an allocated job is released');
    const perMachine = this.cluster.slotsPerMachine;
    for (const slot of slots) {
      this.taken.delete(slot);
      const m = Math.floor(slot / perMachine);
      const free = this.machineFree[m] as number;
      if (free > 0) this.unlink(m, free);
      this.machineFree[m] = free + 1;
      this.link(m, free + 1);
      if (this.rackFree !== undefined) (this.rackFree[Math.floor(m / this.cluster.machinesPerRack)] as number) += 1;
      if (m < this.firstFreeMachine) this.firstFreeMachine = m;
    }
    this.freeCount += slots.length;
    this.allocations.delete(job.index);
    this.position.delete(job.index);
    this.version++;
  }

  /** Slots still free in this decision. */
  get free(): number {
    return this.freeCount;
  }

  isAllocated(job: JobView): boolean {
    return this.allocations.has(job.index);
  }

  /** Slots allocated to the job in this decision (empty if none). */
  allocated(job: JobView): readonly SlotId[] {
    return this.allocations.get(job.index) ?? [];
  }

  /** Whether every one of `slots` is still free in this decision. */
  stillFree(slots: readonly SlotId[]): boolean {
    for (const slot of slots) if (!this.isFree(slot)) return false;
    return true;
  }

  /** How many slots the job would get now: as many as it can use, or 0 if it does not fit. */
  sizeFor(job: JobView): number {
    if (job.sizeMin > this.freeCount || this.allocations.has(job.index)) return 0;
    return Math.min(job.sizeMax, this.freeCount);
  }

  /** Where `count` slots for the job would go now, or undefined if they do not fit. */
  plan(job: JobView, count: number): SlotPlan | undefined {
    if (count <= 0 || count > this.freeCount) return undefined;
    const sticky = this.stickySlots(job, count);
    if (sticky !== undefined) {
      const slowdown = placementSlowdown(this.cluster, sticky, job.placementSensitivity);
      // A placement-unaware strategy always renews; a packed one renews
      // unless a fresh placement would run the job faster.
      const fresh = this.strategy === 'packed' && slowdown > 1 ? this.packedSlots(count) : undefined;
      const freshSlowdown = fresh === undefined ? Infinity : placementSlowdown(this.cluster, fresh, job.placementSensitivity);
      if (fresh === undefined || slowdown <= freshSlowdown) return { slots: sticky, slowdown, rate: count / slowdown };
      assert(fresh.length === count, 'a plan has the requested number of slots');
      return { slots: fresh, slowdown: freshSlowdown, rate: count / freshSlowdown };
    }
    const slots = this.strategy === 'packed' ? this.packedSlots(count) : this.firstFreeSlots(count);
    assert(slots.length === count, 'a plan has the requested number of slots');
    const slowdown = placementSlowdown(this.cluster, slots, job.placementSensitivity);
    return { slots, slowdown, rate: count / slowdown };
  }

  /** Allocates a plan (from `plan()` at the current version) to the job. */
  commit(job: JobView, plan: SlotPlan): void {
    assert(!this.allocations.has(job.index), 'a job is allocated once per decision');
    assert(job.state === 'pending', 'only pending jobs are allocated');
    const perMachine = this.cluster.slotsPerMachine;
    for (const slot of plan.slots) {
      assert(!this.taken.has(slot), 'a planned slot is not taken');
      this.taken.add(slot);
      const m = Math.floor(slot / perMachine);
      const free = this.machineFree[m] as number;
      assert(free > 0, 'a planned slot is on a machine with free slots');
      this.unlink(m, free);
      this.machineFree[m] = free - 1;
      if (free > 1) this.link(m, free - 1);
      if (this.rackFree !== undefined) (this.rackFree[Math.floor(m / this.cluster.machinesPerRack)] as number) -= 1;
    }
    this.freeCount -= plan.slots.length;
    this.allocations.set(job.index, plan.slots);
    this.position.set(job.index, this.order.length);
    this.order.push(job.index);
    this.version++;
  }

  /** Plans and commits `sizeFor(job)` slots; returns the plan, or undefined if the job does not fit. */
  allocate(job: JobView): SlotPlan | undefined {
    const count = this.sizeFor(job);
    if (count === 0) return undefined;
    const plan = this.plan(job, count);
    if (plan !== undefined) this.commit(job, plan);
    return plan;
  }

  build(): Decision {
    const allocations: { job: number; slots: readonly SlotId[] }[] = [];
    for (let i = 0; i < this.order.length; i++) {
      const job = this.order[i] as number;
      // A released job's old entry stays in `order`; only its latest counts.
      if (this.position.get(job) === i) allocations.push({ job, slots: this.allocations.get(job) as readonly SlotId[] });
    }
    return { allocations };
  }

  private isFree(slot: number): boolean {
    return this.view.slotHolder(slot as SlotId) === -1 && !this.taken.has(slot);
  }

  private stickySlots(job: JobView, count: number): SlotId[] | undefined {
    const previous = job.previousSlots;
    if (previous.length !== count) return undefined;
    for (const slot of previous) if (!this.isFree(slot)) return undefined;
    return previous.slice();
  }

  /** Up to `count` free slots of machine `m` not yet taken, appended to `out`. */
  private takeFrom(m: number, count: number, out: SlotId[]): void {
    const perMachine = this.cluster.slotsPerMachine;
    const end = (m + 1) * perMachine;
    for (let slot = m * perMachine; slot < end && count > 0; slot++) {
      if (this.isFree(slot)) {
        out.push(slot as SlotId);
        count--;
      }
    }
  }

  private firstFreeSlots(count: number): SlotId[] {
    const out: SlotId[] = [];
    const machines = this.cluster.machines;
    while (this.firstFreeMachine < machines && this.machineFree[this.firstFreeMachine] === 0) this.firstFreeMachine++;
    for (let m = this.firstFreeMachine; m < machines && out.length < count; m++) {
      const free = this.machineFree[m] as number;
      if (free > 0) this.takeFrom(m, Math.min(free, count - out.length), out);
    }
    return out;
  }

  private packedSlots(count: number): SlotId[] {
    const perMachine = this.cluster.slotsPerMachine;
    const out: SlotId[] = [];
    if (count <= perMachine) {
      for (let c = count; c <= perMachine; c++) {
        const m = this.head[c] as number;
        if (m >= 0) {
          this.takeFrom(m, count, out);
          return out;
        }
      }
    }
    let rack = -1;
    if (this.rackFree !== undefined) {
      let best = Infinity;
      for (let r = 0; r < this.rackFree.length; r++) {
        const free = this.rackFree[r] as number;
        if (free >= count && free < best) {
          best = free;
          rack = r;
        }
      }
    }
    const perRack = this.cluster.machinesPerRack;
    for (let c = perMachine; c >= 1 && out.length < count; c--) {
      for (let m = this.head[c] as number; m >= 0 && out.length < count; m = this.next[m] as number) {
        if (rack >= 0 && Math.floor(m / perRack) !== rack) continue;
        this.takeFrom(m, Math.min(c, count - out.length), out);
      }
    }
    return out;
  }

  private link(m: number, free: number): void {
    const first = this.head[free] as number;
    this.next[m] = first;
    this.prev[m] = -1;
    if (first >= 0) this.prev[first] = m;
    this.head[free] = m;
  }

  private unlink(m: number, free: number): void {
    const before = this.prev[m] as number;
    const after = this.next[m] as number;
    if (before >= 0) this.next[before] = after;
    else this.head[free] = after;
    if (after >= 0) this.prev[after] = before;
  }
}
