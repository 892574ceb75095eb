/**
 * Scheduling overhead per job with a long queue: the live scheduler's
 * in-memory work for one job — its entry into the mechanism, the policy's
 * decision that starts it (through the live gate), its lease in the lease
 * heap, and its completion — measured with `queued` jobs waiting on a full
 * pool, for each policy. Storage and handlers are not included (they are in
 * the claim+complete rows of the comparison).
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
    const mechanism = new Mechanism({ cluster: poolCluster(options.slots), policy: gatedPolicy(created.right, openGate(options.slots)), leaseSeconds: 600 });
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
    rows.push({ policy: name, queued: mechanism.pending.size, slots: options.slots, usPerJob: us });
  }
  return rows;
}
