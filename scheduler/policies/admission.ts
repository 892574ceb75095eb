/**
 * Admission control for deadline policies: predicts when a new deadline job
 * would finish given the current backlog and the capacity it competes for,
 * by list-scheduling the jobs that would run before it.
 *
 * The prediction, for a candidate with priority key k (its policy's queue
 * key, taken as if admitted):
 * 1. The pool holds `capacity` slots. Slots free now (up to the pool's
 *    unheld part) are available now; the rest of the pool's unheld part is
 *    taken to come back at the end of the lease period (when jobs outside
 *    the pool lose their leases).
 * 2. A competing running job ahead of the candidate (key < k) keeps its
 *    slots until its estimated finish; one behind it keeps them until the
 *    earlier of its finish and the end of the lease period (the policy
 *    preempts it there).
 * 3. Competing pending jobs ahead of the candidate, then the candidate, are
 *    list-scheduled in key order: each starts when enough slots have been
 *    released (never before the job before it: no backfilling, which makes
 *    the prediction slightly pessimistic), runs on `min(sizeMax, capacity)`
 *    slots at its placement-aware rate, and releases them when done.
 * 4. Scheduling continues through up to `admissionLookaheadMax` competing
 *    jobs behind the candidate, to see whether admitting it would push a job
 *    accepted earlier past its deadline.
 *
 * Verdict: `infeasible` if the predicted finish is after the deadline;
 * `at-risk` if it is in time but with less slack than `riskMarginFraction`
 * of the job's running time, or by displacing an accepted job; `accepted`
 * otherwise. Future arrivals with earlier deadlines are unknown, which is
 * what the margin is for.
 */
import type { JobView, PolicyView, AdmissionAnswer, QueueKey } from './policy.js';
import { remainingAt } from './fair-share.js';
import { MinHeap } from '../min-heap.js';

/** Most competing jobs behind the candidate examined for displacement. */
export const admissionLookaheadMax = 2048;

export interface AdmissionModel {
  /** The policy's priority key of a job, taken as admitted. */
  keyOf(job: JobView): QueueKey;
  /** Whether a job competes for the pool the candidate needs. */
  competes(job: JobView): boolean;
  /** Slots of the pool. */
  readonly capacity: number;
  /** Slots of the pool held now by competing running jobs. */
  readonly held: number;
  /** Fraction of the job's running time that must remain as slack for `accepted`. */
  readonly riskMarginFraction: number;
}

function before(a: QueueKey, aSeq: number, b: QueueKey, bSeq: number): boolean {
  if (a[0] !== b[0]) return a[0] < b[0];
  if (a[1] !== b[1]) return a[1] < b[1];
  return aSeq < bSeq;
}

/** Slots the job would run on in the pool, and its running time from `remaining`. */
function shape(view: PolicyView, job: JobView, capacity: number, remaining: number): { slots: number; seconds: number } {
  const slots = Math.min(job.sizeMax, capacity);
  if (slots < job.sizeMin) return { slots: Infinity, seconds: Infinity };
  const slowdown = slots > view.cluster.slotsPerMachine ? job.placementSensitivity : 1;
  return { slots, seconds: (remaining * slowdown) / slots };
}

export function predictAdmission(view: PolicyView, candidate: JobView, now: number, model: AdmissionModel): AdmissionAnswer {
  const deadline = candidate.deadline ?? Infinity;
  const capacity = model.capacity;
  let available = Math.max(0, Math.min(view.freeSlots, capacity - model.held));
  // The pool's unheld slots that are not free now come back at the period end.
  const returning = capacity - model.held - available;
  const candidateKey = model.keyOf(candidate);
  // The release timeline of running jobs is built only if the free slots do
  // not suffice (in linear time), so admission on a cluster with room costs
  // only the walk over the jobs ahead.
  let releases: MinHeap<number> | undefined;
  // Releases of the jobs scheduled before the timeline was needed.
  const keys: number[] = [];
  const counts: number[] = [];
  const timeline = (): MinHeap<number> => {
    if (returning > 0) {
      keys.push(view.periodEnd);
      counts.push(returning);
    }
    for (const job of view.running) {
      if (!model.competes(job)) continue;
      const finish = job.rate > 0 ? now + remainingAt(job, now) / job.rate : Infinity;
      const ahead = before(model.keyOf(job), job.seq, candidateKey, candidate.seq);
      keys.push(ahead ? finish : Math.min(finish, view.periodEnd));
      counts.push(job.slots.length);
    }
    return MinHeap.from(keys, counts);
  };
  let time = now;
  const schedule = (slots: number, seconds: number): number => {
    if (!Number.isFinite(slots)) return Infinity;
    while (available < slots) {
      releases ??= timeline();
      if (releases.size === 0) return Infinity;
      time = Math.max(time, releases.peekKey());
      available += releases.pop() as number;
    }
    available -= slots;
    const finish = time + seconds;
    if (releases === undefined) {
      keys.push(finish);
      counts.push(slots);
    } else releases.push(finish, slots);
    return finish;
  };
  const cursor = view.pending.cursor();
  let job = cursor.next();
  for (; job !== undefined; job = cursor.next()) {
    if (!model.competes(job)) continue;
    if (!before(model.keyOf(job), job.seq, candidateKey, candidate.seq)) break;
    const { slots, seconds } = shape(view, job, capacity, job.remaining);
    schedule(slots, seconds);
  }
  const own = shape(view, candidate, capacity, candidate.remaining);
  const predictedFinish = schedule(own.slots, own.seconds);
  if (predictedFinish > deadline) return { verdict: 'infeasible', predictedFinish };
  let displaces = false;
  for (let examined = 0; job !== undefined && examined < admissionLookaheadMax && !displaces; job = cursor.next()) {
    if (!model.competes(job)) continue;
    examined++;
    const { slots, seconds } = shape(view, job, capacity, job.remaining);
    const finish = schedule(slots, seconds);
    if (job.admission === 'accepted' && job.deadline !== undefined && finish > job.deadline) displaces = true;
  }
  const slack = deadline - predictedFinish;
  if (displaces || slack < model.riskMarginFraction * own.seconds) return { verdict: 'at-risk', predictedFinish };
  return { verdict: 'accepted', predictedFinish };
}
