/**
 * Property tests over random small workloads, for every policy: decisions
 * are valid (no slot double-allocated, capacity never exceeded, only pending
 * jobs, sizes within bounds), work-conserving, pure (the same decision on a
 * deep-frozen copy of the view), jobs never start before arrival nor finish
 * faster than perfect placement allows; and the whole run is deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPolicy,
  decisionViolations,
  policyNames,
  runSimulation,
  snapshotView,
  workConservationViolations,
  type Decision,
  type JobSpec,
  type PolicyView,
  type SimulationInput,
} from '../../scheduler/index.js';

const soak = process.env.FAIRDB_SOAK !== undefined;
const runs = soak ? 400 : 40;

const jobArbitrary = fc.record({
  tenant: fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor'),
  arrival: fc.integer({ min: 0, max: 400 }),
  shape: fc.oneof(fc.record({ slots: fc.integer({ min: 1, max: 6 }) }), fc.record({ minSlots: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 0, max: 3 }) })),
  work: fc.integer({ min: 1, max: 600 }),
  placementSensitivity: fc.constantFrom(1, 1.5, 3),
  priority: fc.integer({ min: -2, max: 2 }),
  deadlineSlack: fc.option(fc.integer({ min: 1, max: 800 }), { nil: undefined }),
});

const inputArbitrary = fc.record({
  machines: fc.integer({ min: 1, max: 4 }),
  slotsPerMachine: fc.integer({ min: 1, max: 4 }),
  racks: fc.integer({ min: 1, max: 2 }),
  lease: fc.constantFrom(7, 30, 100, 1000),
  tick: fc.constantFrom(0, 0, 0, 5),
  alignment: fc.constantFrom('period' as const, 'period' as const, 'staggered' as const),
  policy: fc.constantFrom(...policyNames),
  jobs: fc.array(jobArbitrary, { minLength: 1, maxLength: 30 }),
});

function toInput(raw: fc.infer<typeof inputArbitrary>): SimulationInput {
  const slots = raw.machines * raw.slotsPerMachine;
  const jobs: JobSpec[] = raw.jobs.map((j, k) => {
    const base = { id: `j${k}`, tenant: j.tenant, arrival: j.arrival, work: j.work, placementSensitivity: j.placementSensitivity, priority: j.priority };
    const deadline = j.deadlineSlack === undefined ? {} : { deadline: j.arrival + j.deadlineSlack };
    if ('slots' in j.shape) return { ...base, ...deadline, slots: Math.min(j.shape.slots, slots) };
    const min = Math.min(j.shape.minSlots, slots);
    return { ...base, ...deadline, minSlots: min, maxSlots: Math.min(min + j.shape.extra, slots) };
  });
  return {
    cluster: { machines: raw.machines, slotsPerMachine: raw.slotsPerMachine, racks: Math.min(raw.racks, raw.machines) },
    policy: { name: raw.policy },
    jobs,
    seed: 7,
    leaseSeconds: raw.lease,
    leaseAlignment: raw.alignment,
    tickSeconds: raw.tick,
  };
}

/** Checks every decision of a run; returns the problems found. */
function checkRun(input: SimulationInput): string[] {
  const problems: string[] = [];
  const created = createPolicy(input.policy);
  if (created._tag === 'Left') throw created.left;
  const policy = created.right;
  const onDecision = (view: PolicyView, decision: Decision, now: number) => {
    const where = `t=${now}`;
    for (const p of decisionViolations(view, decision)) problems.push(`${where}: ${p}`);
    for (const p of workConservationViolations(view, decision)) problems.push(`${where}: not work-conserving: ${p}`);
    // Capacity and exclusivity of what is already running.
    const held = new Set<number>();
    let heldCount = 0;
    for (const job of view.running) {
      for (const slot of job.slots) {
        if (held.has(slot)) problems.push(`${where}: slot ${slot} held twice`);
        held.add(slot);
        heldCount++;
      }
    }
    if (heldCount + view.freeSlots !== view.cluster.slots) problems.push(`${where}: ${heldCount} held + ${view.freeSlots} free != ${view.cluster.slots}`);
    // Purity: the same decision on a deep-frozen copy (a write would throw).
    const frozen = snapshotView(view);
    const again = policy.decide(frozen, now);
    if (again._tag === 'Left') problems.push(`${where}: frozen view: ${again.left.message}`);
    else if (JSON.stringify(again.right) !== JSON.stringify(decision)) problems.push(`${where}: decision differs on a frozen copy of the view`);
    for (const t of view.tenants) if (t.pending.size < 0 || t.held < 0) problems.push(`${where}: bad tenant accounting`);
  };
  const { result } = runSimulation(input, { onDecision });
  const bySpec = new Map(input.jobs.map((j) => [String(j.id), j]));
  for (const job of result.jobs) {
    const spec = bySpec.get(job.id) as JobSpec;
    if (!(job.start >= job.arrival)) problems.push(`job ${job.id} starts at ${job.start} before arriving at ${job.arrival}`);
    const fastest = spec.work / (spec.maxSlots ?? spec.slots ?? 1);
    if (!(job.finish - job.start >= fastest - 1e-6 * fastest)) problems.push(`job ${job.id} ran ${job.finish - job.start} s, faster than ${fastest}`);
    if (!Number.isFinite(job.rho) || job.rho <= 0) problems.push(`job ${job.id} has rho ${job.rho}`);
  }
  return problems;
}

describe('scheduler properties (every policy, random workloads)', () => {
  it('valid, work-conserving, pure decisions; sane job timelines', () => {
    fc.assert(
      fc.property(inputArbitrary, (raw) => {
        const input = toInput(raw);
        const problems = checkRun(input);
        if (problems.length > 0) throw new Error(`${input.policy.name}: ${problems.slice(0, 5).join('\n')}\ninput: ${JSON.stringify(input)}`);
      }),
      { numRuns: runs, seed: 20261123 },
    );
  });

  it('is deterministic: the same input and seed give the same result', () => {
    fc.assert(
      fc.property(inputArbitrary, fc.integer({ min: 0, max: 1000 }), (raw, seed) => {
        const input = { ...toInput(raw), seed, workEstimateError: 0.5 };
        const first = runSimulation(input);
        const second = runSimulation(input);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      { numRuns: soak ? 100 : 15, seed: 99 },
    );
  });

  it('uses the seed when estimates are inexact', () => {
    const jobs: JobSpec[] = Array.from({ length: 20 }, (_, k) => ({ id: k, tenant: `t${k % 3}`, arrival: k * 10, slots: 1, work: 100 }));
    const run = (seed: number) => runSimulation({ cluster: { machines: 1, slotsPerMachine: 2 }, policy: { name: 'themis' }, jobs, seed, workEstimateError: 0.5 }).result;
    expect(JSON.stringify(run(1))).toBe(JSON.stringify(run(1)));
    expect(JSON.stringify(run(1))).not.toBe(JSON.stringify(run(2)));
  });
});
