/**
 * The discrete-event simulator: replays a workload through the mechanism and
 * a policy on simulated time, and measures the outcome (`metrics.ts`).
 *
 * Events are arrivals, completions and lease-period boundaries; nothing
 * happens between them, so the cost is proportional to the number of events
 * and decisions, not to the simulated time. At one instant the events are
 * handled in this order: completions (a job finishing exactly at a lease end
 * finishes rather than being preempted), lease ends, arrivals (admission sees
 * the state after the first two); then one decision.
 *
 * `tickSeconds` (default 0) models a scheduler that decides in rounds: with a
 * tick, events are still handled at their own times, but decisions happen
 * only at multiples of the tick that follow an event, so slots freed between
 * ticks stay idle until the next round.
 *
 * `workEstimateError` (default 0) makes the seed matter: each job's actual
 * work is its estimate times exp(σ·z), z standard normal drawn from the
 * seeded generator. Policies and admission see only the estimate; a job runs
 * until its actual work is done. Without it the run has no randomness and
 * the seed only names the run.
 *
 * Deterministic: the same input and seed give the same result, bit for bit.
 */
import { InvalidArgumentError, OptionsViolations, seededRandom, type Random } from '../storage/device/index.js';
import type { Decision, Job, JobSpec, ClusterSpec } from './model.js';
import { resolveCluster, resolveJobs } from './model.js';
import { Mechanism, leaseAlignments, leaseSecondsDefault, leaseSecondsMax, type LeaseAlignment, type MechanismStats } from './mechanism.js';
import { computeResult, type JobTrace, type SimulationResult } from './metrics.js';
import { MinHeap } from './min-heap.js';
import type { AdmissionVerdict, PolicyView } from './policies/policy.js';
import { createPolicy, type PolicySpec } from './policies/registry.js';

/** Largest tick accepted, in seconds. */
export const tickSecondsMax = 1e9;
/** Largest work estimate error (σ of the log-normal factor) accepted. */
export const workEstimateErrorMax = 3;

export interface SimulationInput {
  readonly cluster: ClusterSpec;
  /** `{ name, ...params }`, e.g. `{ name: 'themis', f: 0.8 }`. */
  readonly policy: PolicySpec;
  readonly jobs: readonly JobSpec[];
  /** Seed of the run's randomness (a safe integer). */
  readonly seed: number;
  /** Lease period in seconds (> 0); default 600. */
  readonly leaseSeconds?: number;
  /** When leases end: 'period' (all at the period boundary) or 'staggered' (a lease after each grant); default 'period'. */
  readonly leaseAlignment?: LeaseAlignment;
  /** Decision round in seconds (≥ 0; 0 = decide at every event time); default 0. */
  readonly tickSeconds?: number;
  /** σ of the log-normal actual/estimated work factor (0..3); default 0 (estimates are exact). */
  readonly workEstimateError?: number;
}

/** The admission answer a deadline job got, with what happened. */
export interface AdmissionRecord {
  readonly id: string;
  readonly verdict: AdmissionVerdict;
  readonly predictedFinish: number;
  readonly deadline: number;
  readonly finish: number;
  readonly deadlineMet: boolean;
}

export interface SimulationStats extends MechanismStats {
  /** Event instants processed. */
  readonly instants: number;
  /** Slot-seconds held by running jobs (placement losses included). */
  readonly allocatedSlotSeconds: number;
}

export interface SimulationRun {
  readonly result: SimulationResult;
  readonly admissions: readonly AdmissionRecord[];
  readonly stats: SimulationStats;
}

export interface RunOptions {
  /** Called with every decision before it is applied (see `MechanismOptions.onDecision`). */
  readonly onDecision?: (view: PolicyView, decision: Decision, now: number) => void;
}

/** Simulates and returns the result (the shape of issue 6). Throws `FairdbError` on bad input. */
export function simulate(input: SimulationInput): SimulationResult {
  return runSimulation(input).result;
}

function gaussian(random: Random): number {
  // Box-Muller; 1 - float() is in (0, 1], so the logarithm is finite.
  const u = 1 - random.float();
  const v = random.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

interface Running {
  rate: number;
  since: number;
  version: number;
}

/** Simulates, returning the result with admission records and mechanism statistics. */
export function runSimulation(input: SimulationInput, options: RunOptions = {}): SimulationRun {
  if (input === null || typeof input !== 'object') throw new InvalidArgumentError('simulation input must be an object');
  const v = new OptionsViolations('simulation');
  const lease = input.leaseSeconds ?? leaseSecondsDefault;
  const tick = input.tickSeconds ?? 0;
  const alignment = input.leaseAlignment ?? 'period';
  const error = input.workEstimateError ?? 0;
  v.check(Number.isSafeInteger(input.seed), `seed must be a safe integer, got ${String(input.seed)}`);
  v.check(typeof lease === 'number' && Number.isFinite(lease) && lease > 0 && lease <= leaseSecondsMax, `leaseSeconds must be in (0, ${leaseSecondsMax}], got ${String(lease)}`);
  v.check(leaseAlignments.includes(alignment), `leaseAlignment must be one of ${leaseAlignments.join(', ')}, got ${String(alignment)}`);
  v.check(typeof tick === 'number' && Number.isFinite(tick) && tick >= 0 && tick <= tickSecondsMax, `tickSeconds must be in 0..${tickSecondsMax}, got ${String(tick)}`);
  v.check(typeof error === 'number' && Number.isFinite(error) && error >= 0 && error <= workEstimateErrorMax, `workEstimateError must be in 0..${workEstimateErrorMax}, got ${String(error)}`);
  v.throwIfAny();
  const cluster = resolveCluster(input.cluster);
  const created = createPolicy(input.policy);
  if (created._tag === 'Left') throw created.left;
  const jobs = resolveJobs(input.jobs, cluster);
  const random = seededRandom(input.seed);
  const n = jobs.length;
  const actualWork = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const job = jobs[i] as Job;
    actualWork[i] = error > 0 ? job.work * Math.exp(error * gaussian(random)) : job.work;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (jobs[a] as Job).arrival - (jobs[b] as Job).arrival || a - b);

  const mechanism = new Mechanism({ cluster, policy: created.right, leaseSeconds: lease, leaseAlignment: alignment, onDecision: options.onDecision });
  const handleOf = new Int32Array(n).fill(-1);
  const inputOf: number[] = [];
  const start = new Float64Array(n).fill(NaN);
  const finish = new Float64Array(n).fill(NaN);
  const contentionAtArrival = new Float64Array(n);
  const contentionAtFinish = new Float64Array(n);
  const remaining = Float64Array.from(actualWork);
  const running: (Running | undefined)[] = new Array(n);
  const versions = new Int32Array(n);
  const admissions: { index: number; verdict: AdmissionVerdict; predictedFinish: number }[] = [];
  const completions = new MinHeap<{ index: number; version: number }>();
  let allocatedSlotSeconds = 0;
  let instants = 0;
  let next = 0;
  let decisionAt = Infinity;

  const settle = (i: number, now: number) => {
    const run = running[i] as Running;
    remaining[i] = Math.max(0, (remaining[i] as number) - run.rate * (now - run.since));
    running[i] = undefined;
  };
  const finishJob = (i: number, now: number) => {
    const held = mechanism.job(handleOf[i] as number);
    if (held !== undefined && held.state === 'running') allocatedSlotSeconds += held.slots.length * (now - held.progressAt);
    mechanism.complete(handleOf[i] as number, now);
    finish[i] = now;
    contentionAtFinish[i] = mechanism.contentionNow();
    remaining[i] = 0;
    running[i] = undefined;
  };

  for (;;) {
    const arrivalAt = next < n ? (jobs[order[next] as number] as Job).arrival : Infinity;
    const now = Math.min(arrivalAt, completions.peekKey(), mechanism.nextLeaseEnd(), decisionAt);
    if (now === Infinity) break;
    instants++;
    let changed = false;
    while (completions.peekKey() === now) {
      const event = completions.pop() as { index: number; version: number };
      if (versions[event.index] !== event.version || running[event.index] === undefined) continue;
      finishJob(event.index, now);
      changed = true;
    }
    if (mechanism.nextLeaseEnd() <= now) {
      // Account held slot-time for the ending leases before they end.
      for (const job of mechanism.running) if (job.leaseEnd <= now) allocatedSlotSeconds += job.slots.length * (now - job.progressAt);
      const expired = mechanism.expireLeases(now);
      for (const job of expired) {
        const i = inputOf[job.index] as number;
        settle(i, now);
        versions[i] = (versions[i] as number) + 1;
        // Floating-point residue of a job that in fact finished at the lease end.
        if ((remaining[i] as number) <= 1e-9 * (actualWork[i] as number)) finishJob(i, now);
      }
      changed = true;
    }
    while (next < n && (jobs[order[next] as number] as Job).arrival === now) {
      const i = order[next++] as number;
      const { handle, admission } = mechanism.submit(jobs[i] as Job, now);
      handleOf[i] = handle;
      inputOf[handle] = i;
      contentionAtArrival[i] = mechanism.contentionNow();
      if (admission !== undefined) admissions.push({ index: i, verdict: admission.verdict, predictedFinish: admission.predictedFinish });
      changed = true;
    }
    if (tick > 0) {
      if (changed && decisionAt === Infinity) {
        const k = Math.ceil(now / tick);
        decisionAt = k * tick >= now ? k * tick : (k + 1) * tick;
      }
      if (now < decisionAt) continue;
      decisionAt = Infinity;
    }
    const started = mechanism.decide(now);
    for (const job of started) {
      const i = inputOf[job.index] as number;
      if (Number.isNaN(start[i] as number)) start[i] = now;
      const version = (versions[i] as number) + 1;
      versions[i] = version;
      running[i] = { rate: job.rate, since: now, version };
      const seconds = (remaining[i] as number) / job.rate;
      if (seconds <= job.leaseEnd - now) completions.push(now + seconds, { index: i, version });
    }
  }

  const traces: JobTrace[] = [];
  for (let i = 0; i < n; i++) {
    traces.push({
      job: jobs[i] as Job,
      work: actualWork[i] as number,
      start: start[i] as number,
      finish: finish[i] as number,
      contentionAtArrival: contentionAtArrival[i] as number,
      contentionAtFinish: contentionAtFinish[i] as number,
    });
  }
  const result = computeResult(traces, cluster.slots);
  const records: AdmissionRecord[] = admissions.map((a) => {
    const job = jobs[a.index] as Job;
    const end = finish[a.index] as number;
    return { id: job.id, verdict: a.verdict, predictedFinish: a.predictedFinish, deadline: job.deadline as number, finish: end, deadlineMet: end <= (job.deadline as number) };
  });
  return { result, admissions: records, stats: { ...mechanism.stats, instants, allocatedSlotSeconds } };
}
