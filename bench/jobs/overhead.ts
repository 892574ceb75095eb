/**
 * Scheduling overhead per job with a long queue: the live scheduler's
 * in-memory work for one job — its entry into the mechanism, the policy's
 * decision that starts it (through the live gate), its lease in the lease
 * heap, and its completion — measured with `queued` jobs waiting on a full
 * pool, for each policy. Storage and handlers are not included (they are in
 * the claim+complete rows of the comparison).
 *
 * Admission control (edf, least-slack, deadline-fair) is measured apart: the
 * live scheduler answers a deadline submission once (`predictAdmission`
 * walks the jobs ahead of it in the queue, so it grows with the queue) and
 * reuses that answer when the job enters the mechanism, which is what the
 * per-job figure does too.
 */
import { Mechanism } from '../../scheduler/mechanism.js';
import { MinHeap } from '../../scheduler/min-heap.js';
import { createPolicy, type PolicyName } from '../../scheduler/policies/registry.js';
import type { Job, JobId, TenantId } from '../../scheduler/model.js';
import { gatedPolicy, type Gate } from '../../scheduler/live/gated-policy.js';
import { poolCluster } from '../../scheduler/live/config.js';
import { seededRandom } from '../../storage/device/index.js';

export interface OverheadOptions {
  readonly queued: number;
  readonly slots: number;
  readonly cycles: number;
  readonly policies: readonly PolicyName[];
  readonly seed: number;
}

export interface OverheadRow {
  readonly policy: string;
  readonly queued: number;
  readonly slots: number;
  /** Mean microseconds per job: submit + decide + lease + complete. */
  readonly usPerJob: number;
  /** Mean microseconds of one admission answer for a deadline job, for policies with admission control. */
  readonly admissionUs: number | undefined;
}

/** A gate that lets every job start (one kind, room for all): the live fast path. */
function openGate(slots: number): Gate {
  return {
    begin: () => undefined,
    filtering: () => false,
    capacity: () => slots,
    eligible: () => true,
    eligibleCount: (t) => t.pending.size,
    take: () => true,
  };
}

export function measureSchedulingOverhead(options: OverheadOptions): OverheadRow[] {
  const rows: OverheadRow[] = [];
  for (const name of options.policies) {
    const created = createPolicy({ name });
    if (created._tag === 'Left') throw created.left;
    const policy = created.right;
    const gated = gatedPolicy(policy, openGate(options.slots));
    // As live: the answer given at submission is reused at entry.
    const live = policy.admit === undefined ? gated : { ...gated, admit: (_v: unknown, job: { deadline: number | undefined }) => ({ verdict: 'accepted' as const, predictedFinish: job.deadline as number }) };
    const mechanism = new Mechanism({ cluster: poolCluster(options.slots), policy: live, leaseSeconds: 600 });
    const random = seededRandom(options.seed);
    const leases = new MinHeap<number>();
    const running: number[] = [];
    let seq = 0;
    let now = 0;
    const submit = () => {
      const id = seq++;
      const job: Job = {
        id: String(id) as JobId,
        tenant: `t${random.int(0, 7)}` as TenantId,
        arrival: now,
        sizeMin: 1,
        sizeMax: 1,
        work: random.int(1, 100),
        placementSensitivity: 1,
        weight: 1,
        priority: random.int(0, 3),
        deadline: name === 'edf' || name === 'least-slack' ? now + random.int(100, 10_000) : undefined,
      };
      return mechanism.submit(job, now).handle;
    };
    const start = () => {
      for (const view of mechanism.decide(now)) {
        running.push(view.index);
        leases.push(now + 30, view.index);
      }
    };
    for (let i = 0; i < options.queued + options.slots; i++) submit();
    start();
    const cycle = () => {
      now += 0.001;
      // One job ends (its lease entry goes), one arrives, the freed slot is decided.
      const k = random.int(0, running.length - 1);
      const handle = running[k] as number;
      running[k] = running[running.length - 1] as number;
      running.pop();
      mechanism.complete(handle, now);
      leases.pop();
      submit();
      start();
    };
    for (let i = 0; i < Math.min(1000, options.cycles); i++) cycle();
    const t0 = performance.now();
    for (let i = 0; i < options.cycles; i++) cycle();
    const us = ((performance.now() - t0) * 1000) / options.cycles;
    let admissionUs: number | undefined;
    if (policy.admit !== undefined) {
      const probes = 200;
      const t1 = performance.now();
      for (let i = 0; i < probes; i++) {
        const deadline = now + random.int(100, 10_000);
        const probe = {
          index: -1, seq: Number.MAX_SAFE_INTEGER, id: 'probe' as JobId, tenant: 't0' as TenantId, tenantIndex: -1, arrival: now, sizeMin: 1, sizeMax: 1,
          work: 50, remaining: 50, attained: 0, progressAt: now, rate: 0, placementSensitivity: 1, weight: 1, priority: 0, deadline,
          admission: undefined, state: 'pending' as const, slots: [], previousSlots: [], leaseEnd: NaN, firstStart: NaN,
        };
        policy.admit(mechanism, probe, now);
      }
      admissionUs = ((performance.now() - t1) * 1000) / probes;
    }
    rows.push({ policy: name, queued: mechanism.pending.size, slots: options.slots, usPerJob: us, admissionUs });
  }
  return rows;
}
