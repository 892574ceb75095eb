/**
 * Hand-checkable scenarios with exact expected outcomes. Each expected value
 * is derived in the comments from the definitions in the policies' files.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation, simulate, type JobSpec, type SimulationResult } from '../../scheduler/index.js';

function schedule(result: SimulationResult): Record<string, [number, number]> {
  return Object.fromEntries(result.jobs.map((j) => [j.id, [j.start, j.finish]]));
}

describe('two tenants: one long queue, one late short job', () => {
  // One machine with 2 slots, leases of 100 s. Tenant A queues ten 1-slot
  // jobs of 100 s at t=0; tenant B submits one such job at t=10.
  const jobs: JobSpec[] = [];
  for (let k = 0; k < 10; k++) jobs.push({ id: `a${k}`, tenant: 'A', arrival: 0, slots: 1, work: 100 });
  jobs.push({ id: 'b', tenant: 'B', arrival: 10, slots: 1, work: 100 });
  const run = (name: string) => simulate({ cluster: { machines: 1, slotsPerMachine: 2 }, policy: { name }, jobs, seed: 1, leaseSeconds: 100 });

  it('fifo makes the late job wait for the whole queue', () => {
    const result = run('fifo');
    const s = schedule(result);
    // A's jobs run two at a time: [0,100) a0 a1, ..., [400,500) a8 a9; b then [500,600).
    for (let k = 0; k < 10; k++) expect(s[`a${k}`]).toEqual([Math.floor(k / 2) * 100, Math.floor(k / 2) * 100 + 100]);
    expect(s.b).toEqual([500, 600]);
    const b = result.jobs.find((j) => j.id === 'b');
    // B contends with A over its whole life (N = 2): share 1 slot, T_independent 100 s, jct 590.
    expect(b?.jct).toBe(590);
    expect(b?.rho).toBeCloseTo(5.9, 12);
    expect(result.summary.maxRho).toBeCloseTo(5.9, 12);
    expect(result.summary.makespan).toBe(600);
  });

  for (const name of ['themis', 'drf', 'deadline-fair']) {
    it(`${name} starts the late job at the first free slot`, () => {
      const result = run(name);
      const s = schedule(result);
      // At t=100 both slots free: B (nothing running, waited longest relative
      // to its share) gets one, A the other; from t=200 A has both again.
      expect(s.b).toEqual([100, 200]);
      expect(s.a2).toEqual([100, 200]);
      expect(s.a9).toEqual([500, 600]);
      const tenants = Object.fromEntries(result.tenants.map((t) => [t.tenant, t]));
      // B: T_shared 190, share 1 slot, T_independent 100.
      expect(tenants.B?.rho).toBeCloseTo(1.9, 12);
      // A: contention 1 on [0,10), 2 on [10,200), 1 on [200,600): W̄ = 790/600;
      // share = 2 / W̄; T_independent = 1000 / share = 658.33; T_shared = 600.
      expect(tenants.A?.rho).toBeCloseTo(600 / (1000 / (2 / (790 / 600))), 12);
      expect(result.summary.maxRho).toBeCloseTo(1.9, 12);
    });
  }
});

describe('deadlines', () => {
  // One slot, leases of 10 s, so EDF can preempt every 10 s.
  // J1: work 30, deadline 100; J2: work 20, deadline 40 (both at t=0);
  // J3 arrives at t=10: work 10, deadline 35.
  const jobs: JobSpec[] = [
    { id: 'J1', tenant: 'x', arrival: 0, slots: 1, work: 30, deadline: 100 },
    { id: 'J2', tenant: 'y', arrival: 0, slots: 1, work: 20, deadline: 40 },
    { id: 'J3', tenant: 'z', arrival: 10, slots: 1, work: 10, deadline: 35 },
  ];
  const run = (name: string) => runSimulation({ cluster: { machines: 1, slotsPerMachine: 1 }, policy: { name }, jobs, seed: 1, leaseSeconds: 10 });

  for (const name of ['edf', 'least-slack']) {
    it(`${name} meets a feasible deadline set completely`, () => {
      const { result, admissions, stats } = run(name);
      // J2 [0,10); at 10 J2's lease ends and J3 (deadline 35, slack 25) preempts
      // it: J3 [10,20), J2 [20,30), J1 [30,60).
      expect(schedule(result)).toEqual({ J1: [30, 60], J2: [0, 30], J3: [10, 20] });
      expect(result.summary.deadlineMisses).toBe(0);
      expect(result.jobs.every((j) => j.deadlineMet === true)).toBe(true);
      expect(stats.preemptions).toBe(1);
      // Admission: J1 alone finishes at 30; J2 goes before J1 (earlier deadline)
      // and finishes at 20; J3 at t=10 goes before J2 and finishes at 20.
      expect(admissions.map((a) => [a.id, a.verdict, a.predictedFinish])).toEqual([
        ['J1', 'accepted', 30],
        ['J2', 'accepted', 20],
        ['J3', 'accepted', 20],
      ]);
    });
  }

  it('fifo misses two of the same deadlines', () => {
    const { result } = run('fifo');
    // J1 [0,30), J2 [30,50) misses 40, J3 [50,60) misses 35.
    expect(schedule(result)).toEqual({ J1: [0, 30], J2: [30, 50], J3: [50, 60] });
    expect(result.summary.deadlineMisses).toBe(2);
  });
});

describe('admission control', () => {
  const admit = (jobs: JobSpec[], policy: Record<string, unknown> = {}) =>
    runSimulation({ cluster: { machines: 1, slotsPerMachine: 1 }, policy: { name: 'edf', ...policy }, jobs, seed: 1, leaseSeconds: 10 });

  it('flags a job that cannot finish even alone as infeasible', () => {
    const { admissions } = admit([{ id: 'x', tenant: 't', arrival: 0, slots: 1, work: 100, deadline: 50 }]);
    expect(admissions).toEqual([{ id: 'x', verdict: 'infeasible', predictedFinish: 100, deadline: 50, finish: 100, deadlineMet: false }]);
  });

  it('flags a job the backlog makes miss as infeasible, with its predicted finish', () => {
    const { admissions } = admit([
      { id: 'y', tenant: 't', arrival: 0, slots: 1, work: 100, deadline: 130 },
      { id: 'z', tenant: 'u', arrival: 0, slots: 1, work: 60, deadline: 150 },
    ]);
    // z runs after y (later deadline): 100 + 60 = 160 > 150.
    expect(admissions.map((a) => [a.id, a.verdict, a.predictedFinish])).toEqual([
      ['y', 'accepted', 100],
      ['z', 'infeasible', 160],
    ]);
  });

  it('answers at-risk for a thin margin and for displacing an accepted job', () => {
    const thin = admit([{ id: 'w', tenant: 't', arrival: 0, slots: 1, work: 50, deadline: 52 }]);
    // Slack 2 s is under the default margin, 25% of its 50 s running time.
    expect(thin.admissions[0]?.verdict).toBe('at-risk');
    const displacing = admit([
      { id: 'y', tenant: 't', arrival: 0, slots: 1, work: 100, deadline: 130 },
      { id: 'v', tenant: 'u', arrival: 0, slots: 1, work: 40, deadline: 50 },
    ]);
    // v finishes at 40, in time with slack 10 (= 25% of 40), but pushes y
    // (accepted, slack 30) to 140 > 130.
    expect(displacing.admissions.map((a) => [a.id, a.verdict, a.predictedFinish])).toEqual([
      ['y', 'accepted', 100],
      ['v', 'at-risk', 40],
    ]);
  });

  it('demotes an infeasible job so that it does not make a feasible one miss', () => {
    const jobs: JobSpec[] = [
      { id: 'x', tenant: 't', arrival: 0, slots: 1, work: 100, deadline: 50 },
      { id: 'q', tenant: 'u', arrival: 0, slots: 1, work: 20, deadline: 60 },
    ];
    const demoted = admit(jobs);
    expect(schedule(demoted.result)).toEqual({ x: [20, 120], q: [0, 20] });
    expect(demoted.result.summary.deadlineMisses).toBe(1);
    // Without demotion x (deadline 50) runs first and q misses too (EDF's domino effect).
    const plain = admit(jobs, { demoteInfeasible: false });
    expect(schedule(plain.result)).toEqual({ x: [0, 100], q: [100, 120] });
    expect(plain.result.summary.deadlineMisses).toBe(2);
  });
});

describe('mechanism details', () => {
  it('keeps progress across preemption and slows a gang spread over machines', () => {
    // Two machines of 2 slots. p needs 3 slots (must span machines, sensitivity 2:
    // rate 1.5), work 300 → 200 s.
    const result = simulate({
      cluster: { machines: 2, slotsPerMachine: 2 },
      policy: { name: 'fifo' },
      jobs: [{ id: 'p', tenant: 't', arrival: 0, slots: 3, work: 300, placementSensitivity: 2 }],
      seed: 1,
      leaseSeconds: 50,
    });
    expect(result.jobs[0]).toMatchObject({ start: 0, finish: 200 });
    // Useful work 300 slot-seconds over 4 slots × 200 s.
    expect(result.summary.utilization).toBeCloseTo(300 / 800, 12);
  });

  it('preempts at lease boundaries only, and the preempted job resumes with its progress', () => {
    // One slot, lease 30. Low-priority L (work 100) starts at 0; high-priority H
    // (work 20) arrives at 5: it waits for L's lease to end at 30, runs [30,50);
    // L resumes at 50 with 70 left and finishes at 120.
    const { result, stats } = runSimulation({
      cluster: { machines: 1, slotsPerMachine: 1 },
      policy: { name: 'priority' },
      jobs: [
        { id: 'L', tenant: 'a', arrival: 0, slots: 1, work: 100, priority: 0 },
        { id: 'H', tenant: 'b', arrival: 5, slots: 1, work: 20, priority: 5 },
      ],
      seed: 1,
      leaseSeconds: 30,
    });
    expect(schedule(result)).toEqual({ L: [0, 120], H: [30, 50] });
    expect(stats.preemptions).toBe(1);
  });

  it('runs an elastic job on as many slots as are free, up to its maximum', () => {
    const result = simulate({
      cluster: { machines: 1, slotsPerMachine: 4 },
      policy: { name: 'fifo' },
      jobs: [
        { id: 'r', tenant: 'a', arrival: 0, slots: 1, work: 100 },
        { id: 'e', tenant: 'b', arrival: 0, minSlots: 1, maxSlots: 8 - 4, work: 300 },
      ],
      seed: 1,
      leaseSeconds: 1000,
    });
    // r takes one slot; e gets the other 3 (its max is 4) and runs 100 s.
    expect(schedule(result)).toEqual({ r: [0, 100], e: [0, 100] });
  });

  it('decides in rounds with tickSeconds', () => {
    const jobs: JobSpec[] = [
      { id: 'a', tenant: 'a', arrival: 0, slots: 1, work: 15 },
      { id: 'b', tenant: 'b', arrival: 1, slots: 1, work: 10 },
    ];
    const result = simulate({ cluster: { machines: 1, slotsPerMachine: 1 }, policy: { name: 'fifo' }, jobs, seed: 1, tickSeconds: 10 });
    // a starts at 0 and ends at 15; b, waiting, starts at the next round, 20.
    expect(schedule(result)).toEqual({ a: [0, 15], b: [20, 30] });
  });
});
