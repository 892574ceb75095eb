/**
 * A deep, frozen copy of a `PolicyView` made of plain objects and arrays.
 * Deciding on it must give the same decision as on the live view; because
 * everything in it is frozen, a policy that tried to change its input would
 * throw (strict mode). Tests use it to prove policies pure; it is also a
 * handy way to log the exact input of a decision.
 */
import type { Cluster, SlotId } from './model.js';
import type { JobView, PendingQueue, PolicyView, TenantView } from './policies/policy.js';
import { ArrayQueue } from './sorted-queue.js';

function copyJob(job: JobView): JobView {
  return Object.freeze({
    index: job.index,
    seq: job.seq,
    id: job.id,
    tenant: job.tenant,
    tenantIndex: job.tenantIndex,
    arrival: job.arrival,
    sizeMin: job.sizeMin,
    sizeMax: job.sizeMax,
    work: job.work,
    remaining: job.remaining,
    attained: job.attained,
    progressAt: job.progressAt,
    rate: job.rate,
    placementSensitivity: job.placementSensitivity,
    weight: job.weight,
    priority: job.priority,
    deadline: job.deadline,
    admission: job.admission,
    state: job.state,
    slots: Object.freeze(job.slots.slice()),
    previousSlots: Object.freeze(job.previousSlots.slice()),
    leaseEnd: job.leaseEnd,
    firstStart: job.firstStart,
  });
}

function frozenQueue(queue: PendingQueue, jobs: Map<number, JobView>): PendingQueue {
  const items: JobView[] = [];
  const cursor = queue.cursor();
  for (let job = cursor.next(); job !== undefined; job = cursor.next()) items.push(jobs.get(job.index) as JobView);
  return Object.freeze(new ArrayQueue(Object.freeze(items)));
}

/** Copies and freezes everything a policy can read from `view`. */
export function snapshotView(view: PolicyView): PolicyView {
  const jobs = new Map<number, JobView>();
  const all: JobView[] = [...view.running];
  const cursor = view.pending.cursor();
  for (let job = cursor.next(); job !== undefined; job = cursor.next()) all.push(job);
  for (const job of all) jobs.set(job.index, copyJob(job));
  const cluster: Cluster = Object.freeze({ ...view.cluster });
  const holders = Object.freeze(Array.from({ length: cluster.slots }, (_, s) => view.slotHolder(s as SlotId)));
  const machineFree = Object.freeze(Array.from({ length: cluster.machines }, (_, m) => view.machineFree(m)));
  const tenants: TenantView[] = view.tenants.map((t) =>
    Object.freeze({
      index: t.index,
      id: t.id,
      weight: t.weight,
      start: t.start,
      idealFinish: t.idealFinish,
      remaining: t.remaining,
      attained: t.attained,
      progressAt: t.progressAt,
      rate: t.rate,
      held: t.held,
      contentionAtStart: t.contentionAtStart,
      pending: frozenQueue(t.pending, jobs),
    }),
  );
  return Object.freeze({
    cluster,
    leaseSeconds: view.leaseSeconds,
    periodEnd: view.periodEnd,
    freeSlots: view.freeSlots,
    freeMachines: Object.freeze(view.freeMachines.slice()),
    machineFree: (machine: number) => machineFree[machine] ?? 0,
    slotHolder: (slot: SlotId) => holders[slot] ?? -1,
    job: (index: number) => jobs.get(index),
    pending: frozenQueue(view.pending, jobs),
    running: Object.freeze(view.running.map((j) => jobs.get(j.index) as JobView)),
    tenants: Object.freeze(tenants),
    admittedHeld: view.admittedHeld,
    contentionIntegral: view.contentionIntegral,
    contentionAt: view.contentionAt,
    contentionWeight: view.contentionWeight,
  });
}
