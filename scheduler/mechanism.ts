/**
 * The scheduling mechanism: everything around a policy that is not a
 * decision. It is shared by the simulator and the live job system; both
 * drive it with times they own (simulated seconds, or the injected clock).
 *
 * - State: active jobs (pending or running), tenants, slot ownership, the
 *   pending queues in the policy's order (global and per tenant), the
 *   running set, and the contention integral (∫ total weight of active
 *   tenants dt) that the finish-time-fair arithmetic needs.
 * - Leases: time is cut into lease periods of `leaseSeconds`; every running
 *   job's lease ends at the end of the period it started in, so at each
 *   period boundary the whole cluster is re-decided (Themis' "every lease
 *   period"). With `leaseAlignment: 'staggered'` a lease instead lasts
 *   `leaseSeconds` from its grant, so leases granted at different times end
 *   at different times and slots come back for re-decision all along,
 *   instead of all at once: a tenant that arrives while the cluster is
 *   fully leased waits for the next lease end, not for the next period
 *   boundary (which matters to apps whose jobs are shorter than a lease).
 *   `expireLeases(now)` ends them: each job's progress is kept
 *   (remaining work and attained service), its slots are freed and it is
 *   pending again, remembering its slots so a renewal can keep them.
 * - Preemption happens only there: a policy allocates free slots only, so a
 *   running job keeps its slots until its lease ends. A job that is not
 *   re-allocated at the boundary is preempted; one re-allocated elsewhere is
 *   migrated; one re-allocated the same slots is renewed (no interruption).
 * - Progress: a running job progresses at `slots / slowdown` slot-seconds per
 *   second (`placement.ts`); remaining work and attained service are
 *   accounted lazily, at state changes, so the cost of time passing is zero.
 * - Elastic jobs get a slot count in `minSlots..maxSlots` when allocated and
 *   keep it for the lease.
 * - Admission: a deadline job submitted under a policy with `admit` gets its
 *   answer before it is queued, and the answer is kept on the job (policies
 *   order by it).
 *
 * The mechanism is the `PolicyView` policies read. IMPORTANT: it must not be
 * changed while a policy runs (the queues' cursors would be invalidated);
 * every mutating method asserts that no decision is in progress.
 */
import { assert } from '../storage/device/index.js';
import { decisionViolations } from './decision-check.js';
import type { Cluster, Decision, Job, JobId, SlotId, TenantId } from './model.js';
import { progressRate } from './placement.js';
import { contentionIntegralAt, contentionMean, fairShare, idealAfter, type IdealFluid } from './policies/fair-share.js';
import type { AdmissionAnswer, AdmissionVerdict, JobState, JobView, Policy, PolicyView, TenantView } from './policies/policy.js';
import { BlockQueue } from './sorted-queue.js';

/** Default lease period: 10 minutes. */
export const leaseSecondsDefault = 600;
/** Longest lease period accepted, in seconds. */
export const leaseSecondsMax = 1e9;

/** When leases end: at the end of the lease period (all together), or `leaseSeconds` after each grant. */
export type LeaseAlignment = 'period' | 'staggered';
export const leaseAlignments: readonly LeaseAlignment[] = ['period', 'staggered'];

export interface MechanismOptions {
  readonly cluster: Cluster;
  readonly policy: Policy;
  /** Lease period in seconds (> 0); default `leaseSecondsDefault` (600). */
  readonly leaseSeconds?: number;
  /** When leases end (see the file comment); default 'period'. */
  readonly leaseAlignment?: LeaseAlignment;
  /**
   * Called with every decision before it is applied (tests check it against
   * the view here); must not change anything.
   */
  readonly onDecision?: (view: PolicyView, decision: Decision, now: number) => void;
}

class JobRecord implements JobView {
  queueKey1 = 0;
  queueKey2 = 0;
  remaining: number;
  attained = 0;
  progressAt: number;
  rate = 0;
  admission: AdmissionVerdict | undefined = undefined;
  state: JobState = 'pending';
  slots: SlotId[] = [];
  previousSlots: SlotId[] = [];
  leaseEnd = NaN;
  firstStart = NaN;
  runningPos = -1;

  constructor(
    readonly index: number,
    readonly seq: number,
    readonly tenantIndex: number,
    private readonly job: Job,
    now: number,
  ) {
    this.remaining = job.work;
    this.progressAt = now;
  }

  get id(): JobId {
    return this.job.id;
  }
  get tenant(): TenantId {
    return this.job.tenant;
  }
  get arrival(): number {
    return this.job.arrival;
  }
  get sizeMin(): number {
    return this.job.sizeMin;
  }
  get sizeMax(): number {
    return this.job.sizeMax;
  }
  get work(): number {
    return this.job.work;
  }
  get placementSensitivity(): number {
    return this.job.placementSensitivity;
  }
  get weight(): number {
    return this.job.weight;
  }
  get priority(): number {
    return this.job.priority;
  }
  get deadline(): number | undefined {
    return this.job.deadline;
  }
}

class TenantRecord implements TenantView {
  ideal: IdealFluid;
  remaining = 0;
  attained = 0;
  progressAt: number;
  rate = 0;
  held = 0;
  contentionAtStart: number;
  readonly pending = new BlockQueue<JobRecord>();
  activeJobs = 0;
  activePos = -1;

  constructor(
    readonly index: number,
    readonly id: TenantId,
    readonly weight: number,
    readonly start: number,
    contentionAtStart: number,
  ) {
    this.ideal = { queue: start, bound: start };
    this.progressAt = start;
    this.contentionAtStart = contentionAtStart;
  }

  get idealFinish(): number {
    return Math.max(this.ideal.queue, this.ideal.bound);
  }

  settle(now: number): void {
    const dt = now - this.progressAt;
    if (dt <= 0) return;
    this.remaining = Math.max(0, this.remaining - this.rate * dt);
    this.attained += this.held * dt;
    this.progressAt = now;
  }
}

export interface MechanismStats {
  /** Calls of the policy's `decide`. */
  decisions: number;
  /** Allocations applied. */
  allocations: number;
  /** Leases that ended without the job being re-allocated at once. */
  preemptions: number;
  /** Leases that ended with the job re-allocated other slots at once. */
  migrations: number;
  /** Leases that ended with the job re-allocated the same slots. */
  renewals: number;
}

export class Mechanism implements PolicyView {
  readonly cluster: Cluster;
  readonly leaseSeconds: number;
  readonly leaseAlignment: LeaseAlignment;
  readonly policy: Policy;
  readonly stats: MechanismStats = { decisions: 0, allocations: 0, preemptions: 0, migrations: 0, renewals: 0 };

  freeSlots: number;
  readonly freeMachines: number[] = [];
  readonly pending = new BlockQueue<JobRecord>();
  readonly running: JobRecord[] = [];
  readonly tenants: TenantRecord[] = [];
  admittedHeld = 0;
  contentionIntegral = 0;
  contentionAt = 0;
  contentionWeight = 0;

  private readonly slotOwner: Int32Array;
  private readonly machineFreeCount: Int32Array;
  private readonly freeMachinePos: Int32Array;
  private readonly jobs: (JobRecord | undefined)[] = [];
  private readonly freeHandles: number[] = [];
  private readonly tenantsById = new Map<string, TenantRecord>();
  private readonly allTenants: TenantRecord[] = [];
  private readonly leaseEnds = new Map<number, number>();
  private readonly onDecision: MechanismOptions['onDecision'];
  /** Jobs whose lease ended since the last decision (for preemption statistics). */
  private expiredNow: JobRecord[] = [];
  private now = 0;
  private seq = 0;
  private deciding = false;

  constructor(options: MechanismOptions) {
    const lease = options.leaseSeconds ?? leaseSecondsDefault;
    assert(Number.isFinite(lease) && lease > 0 && lease <= leaseSecondsMax, 'leaseSeconds is validated by the caller');
    this.cluster = options.cluster;
    this.policy = options.policy;
    this.leaseSeconds = lease;
    this.leaseAlignment = options.leaseAlignment ?? 'period';
    assert(leaseAlignments.includes(this.leaseAlignment), 'leaseAlignment is validated by the caller');
    this.onDecision = options.onDecision;
    const { machines, slotsPerMachine, slots } = this.cluster;
    this.slotOwner = new Int32Array(slots).fill(-1);
    this.machineFreeCount = new Int32Array(machines).fill(slotsPerMachine);
    this.freeMachinePos = new Int32Array(machines);
    for (let m = 0; m < machines; m++) {
      this.freeMachinePos[m] = m;
      this.freeMachines.push(m);
    }
    this.freeSlots = slots;
  }

  // ---- PolicyView ----

  get periodEnd(): number {
    if (this.leaseAlignment === 'period') return this.boundaryAfter(this.now);
    // Staggered: the next time leased slots come back, at the latest a lease from now.
    return Math.min(this.nextLeaseEnd(), this.now + this.leaseSeconds);
  }

  machineFree(machine: number): number {
    return this.machineFreeCount[machine] ?? 0;
  }

  slotHolder(slot: SlotId): number {
    return this.slotOwner[slot] ?? -1;
  }

  job(index: number): JobView | undefined {
    return this.jobs[index];
  }

  // ---- driving ----

  /** The time the mechanism was last driven to. */
  get time(): number {
    return this.now;
  }

  /** The contention integral now (see `PolicyView.contentionIntegral`). */
  contentionNow(): number {
    return contentionIntegralAt(this, this.now);
  }

  /** The earliest lease end among running jobs (Infinity if none run). */
  nextLeaseEnd(): number {
    let min = Infinity;
    for (const end of this.leaseEnds.keys()) if (end < min) min = end;
    return min;
  }

  /**
   * Submits a job arriving at `now`. Returns its handle and, for a deadline
   * job under a policy with admission control, the admission answer.
   */
  submit(job: Job, now: number): { handle: number; admission: AdmissionAnswer | undefined } {
    this.advanceTo(now);
    let tenant = this.tenantsById.get(job.tenant);
    if (tenant === undefined) {
      tenant = new TenantRecord(this.allTenants.length, job.tenant, job.weight, now, this.contentionIntegral);
      this.allTenants.push(tenant);
      this.tenantsById.set(job.tenant, tenant);
    }
    if (tenant.activePos < 0) this.activate(tenant, now);
    const handle = this.freeHandles.length > 0 ? (this.freeHandles.pop() as number) : this.jobs.length;
    const record = new JobRecord(handle, this.seq++, tenant.index, job, now);
    let admission: AdmissionAnswer | undefined;
    if (job.deadline !== undefined && this.policy.admit !== undefined) {
      admission = this.policy.admit(this, record, now);
      record.admission = admission.verdict;
    }
    this.jobs[handle] = record;
    tenant.settle(now);
    tenant.remaining += job.work;
    tenant.activeJobs++;
    const share = fairShare(this.cluster.slots, tenant.weight, contentionMean(this, tenant, now));
    tenant.ideal = idealAfter(tenant.ideal, now, job.work, job.sizeMax, share);
    this.enqueue(record);
    return { handle, admission };
  }

  /**
   * Ends every lease that ends at or before `now` (`now` must be that end:
   * progress is accounted to it). The jobs become pending, progress kept.
   */
  expireLeases(now: number): readonly JobView[] {
    this.advanceTo(now);
    const expired: JobRecord[] = [];
    for (const record of this.running) if (record.leaseEnd <= now) expired.push(record);
    for (const record of expired) {
      const slots = record.slots;
      this.stop(record, now);
      record.previousSlots = slots;
      this.enqueue(record);
    }
    for (const record of expired) this.expiredNow.push(record);
    return expired;
  }

  /**
   * Asks the policy for a decision at `now` and applies it. Returns the jobs
   * started. Throws the policy's error if it returns one.
   */
  decide(now: number): readonly JobView[] {
    this.advanceTo(now);
    // Leases ended since the last decision (in decision rounds, possibly
    // before now), of jobs still active.
    const expired = this.expiredNow.filter((r) => this.jobs[r.index] === r);
    this.expiredNow = [];
    const started: JobRecord[] = [];
    if (this.freeSlots > 0 && this.pending.size > 0 && this.pending.fitMin() <= this.freeSlots) {
      this.deciding = true;
      let decision: Decision;
      try {
        const result = this.policy.decide(this, now);
        if (result._tag === 'Left') throw result.left;
        decision = result.right;
        this.onDecision?.(this, decision, now);
        const problems = decisionViolations(this, decision);
        assert(problems.length === 0, `policy ${this.policy.name} returned an invalid decision: ${problems.slice(0, 5).join('; ')}`);
      } finally {
        this.deciding = false;
      }
      this.stats.decisions++;
      for (const allocation of decision.allocations) {
        const record = this.jobs[allocation.job] as JobRecord;
        this.start(record, allocation.slots.slice(), now);
        started.push(record);
      }
    }
    for (const record of expired) {
      if (record.state !== 'running') this.stats.preemptions++;
      else if (sameSlots(record.slots, record.previousSlots)) this.stats.renewals++;
      else this.stats.migrations++;
    }
    return started;
  }

  /** The job finished all its work at `now`; it leaves the scheduler. */
  complete(handle: number, now: number): void {
    this.remove(handle, now);
  }

  /** Cancels an active job at `now` (pending or running); it leaves the scheduler. */
  cancel(handle: number, now: number): void {
    this.remove(handle, now);
  }

  // ---- internals ----

  private advanceTo(now: number): void {
    assert(!this.deciding, 'the mechanism is not changed during a decision');
    assert(now >= this.now, `time does not go backwards (${now} < ${this.now})`);
    this.contentionIntegral += this.contentionWeight * (now - this.contentionAt);
    this.contentionAt = now;
    this.now = now;
  }

  /** The first lease-period boundary strictly after `t`. */
  private boundaryAfter(t: number): number {
    const lease = this.leaseSeconds;
    let k = Math.floor(t / lease) + 1;
    while (k * lease <= t) k++;
    while (k > 1 && (k - 1) * lease > t) k--;
    return k * lease;
  }

  private activate(tenant: TenantRecord, now: number): void {
    tenant.activePos = this.tenants.length;
    this.tenants.push(tenant);
    this.contentionWeight += tenant.weight;
    tenant.settle(now);
    tenant.progressAt = now;
  }

  private deactivate(tenant: TenantRecord): void {
    const last = this.tenants.pop() as TenantRecord;
    if (last !== tenant) {
      this.tenants[tenant.activePos] = last;
      last.activePos = tenant.activePos;
    }
    tenant.activePos = -1;
    this.contentionWeight -= tenant.weight;
    if (this.tenants.length === 0) this.contentionWeight = 0;
  }

  private enqueue(record: JobRecord): void {
    record.state = 'pending';
    const key = this.policy.queueKey(record);
    record.queueKey1 = key[0];
    record.queueKey2 = key[1];
    this.pending.insert(record);
    (this.allTenants[record.tenantIndex] as TenantRecord).pending.insert(record);
  }

  private dequeue(record: JobRecord): void {
    const removed = this.pending.remove(record);
    assert(removed, 'a pending job is in the global queue');
    const removedFromTenant = (this.allTenants[record.tenantIndex] as TenantRecord).pending.remove(record);
    assert(removedFromTenant, 'a pending job is in its tenant queue');
  }

  private isAdmitted(record: JobRecord): boolean {
    return record.deadline !== undefined && record.admission === 'accepted';
  }

  private start(record: JobRecord, slots: SlotId[], now: number): void {
    assert(record.state === 'pending', 'only pending jobs start');
    const tenant = this.allTenants[record.tenantIndex] as TenantRecord;
    tenant.settle(now);
    this.dequeue(record);
    const perMachine = this.cluster.slotsPerMachine;
    for (const slot of slots) {
      assert(this.slotOwner[slot] === -1, 'an allocated slot is free');
      this.slotOwner[slot] = record.index;
      const m = Math.floor(slot / perMachine);
      const free = (this.machineFreeCount[m] as number) - 1;
      this.machineFreeCount[m] = free;
      if (free === 0) this.removeFreeMachine(m);
    }
    this.freeSlots -= slots.length;
    record.state = 'running';
    record.slots = slots;
    record.rate = progressRate(this.cluster, slots, record.placementSensitivity);
    record.progressAt = now;
    record.leaseEnd = this.leaseAlignment === 'period' ? this.boundaryAfter(now) : now + this.leaseSeconds;
    this.leaseEnds.set(record.leaseEnd, (this.leaseEnds.get(record.leaseEnd) ?? 0) + 1);
    if (Number.isNaN(record.firstStart)) record.firstStart = now;
    record.runningPos = this.running.length;
    this.running.push(record);
    tenant.rate += record.rate;
    tenant.held += slots.length;
    if (this.isAdmitted(record)) this.admittedHeld += slots.length;
    this.stats.allocations++;
  }

  /** Takes a running job off its slots at `now`, progress accounted. */
  private stop(record: JobRecord, now: number): void {
    assert(record.state === 'running', 'only running jobs stop');
    const tenant = this.allTenants[record.tenantIndex] as TenantRecord;
    tenant.settle(now);
    const dt = now - record.progressAt;
    record.remaining = Math.max(0, record.remaining - record.rate * dt);
    record.attained += record.slots.length * dt;
    record.progressAt = now;
    const perMachine = this.cluster.slotsPerMachine;
    for (const slot of record.slots) {
      this.slotOwner[slot] = -1;
      const m = Math.floor(slot / perMachine);
      const free = (this.machineFreeCount[m] as number) + 1;
      this.machineFreeCount[m] = free;
      if (free === 1) this.addFreeMachine(m);
    }
    this.freeSlots += record.slots.length;
    const count = (this.leaseEnds.get(record.leaseEnd) as number) - 1;
    if (count === 0) this.leaseEnds.delete(record.leaseEnd);
    else this.leaseEnds.set(record.leaseEnd, count);
    const last = this.running.pop() as JobRecord;
    if (last !== record) {
      this.running[record.runningPos] = last;
      last.runningPos = record.runningPos;
    }
    record.runningPos = -1;
    tenant.rate -= record.rate;
    tenant.held -= record.slots.length;
    if (tenant.held === 0) tenant.rate = 0;
    if (this.isAdmitted(record)) this.admittedHeld -= record.slots.length;
    record.rate = 0;
    record.slots = [];
    record.leaseEnd = NaN;
  }

  private remove(handle: number, now: number): void {
    this.advanceTo(now);
    const record = this.jobs[handle];
    assert(record !== undefined, `job handle ${handle} is active`);
    if (record.state === 'running') this.stop(record, now);
    else this.dequeue(record);
    const tenant = this.allTenants[record.tenantIndex] as TenantRecord;
    tenant.settle(now);
    tenant.remaining = Math.max(0, tenant.remaining - record.remaining);
    tenant.activeJobs--;
    if (tenant.activeJobs === 0) {
      tenant.remaining = 0;
      this.deactivate(tenant);
    }
    this.jobs[handle] = undefined;
    this.freeHandles.push(handle);
  }

  private addFreeMachine(m: number): void {
    this.freeMachinePos[m] = this.freeMachines.length;
    this.freeMachines.push(m);
  }

  private removeFreeMachine(m: number): void {
    const pos = this.freeMachinePos[m] as number;
    const last = this.freeMachines.pop() as number;
    if (last !== m) {
      this.freeMachines[pos] = last;
      this.freeMachinePos[last] = pos;
    }
  }
}

function sameSlots(a: readonly SlotId[], b: readonly SlotId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
