/**
 * Each policy's documented guarantee, checked at every decision of runs on
 * generated (Themis-like) workloads, and the outcome-level guarantees:
 * themis' fairness against the baselines, EDF and least-slack meeting every
 * deadline of feasible workloads, admission answers confirmed by the run.
 */
import { describe, expect, it } from 'vitest';
import {
  generateWorkload,
  isAdmitted,
  lasQueue,
  remainingAt,
  runSimulation,
  type Decision,
  type JobView,
  type PolicyView,
  type WorkloadOptions,
} from '../../scheduler/index.js';

const soak = process.env.FAIRDB_SOAK !== undefined;
const seeds = soak ? [1, 2, 3, 4, 5, 6, 7, 8] : [1, 2];
const cluster = { machines: 4, slotsPerMachine: 4, racks: 2 };

function workload(seed: number, extra: WorkloadOptions = {}) {
  return generateWorkload({ seed, jobs: soak ? 600 : 150, tenants: 6, cluster, load: 1.1, deadlineFraction: 0.3, elasticFraction: 0.2, ...extra });
}

function allocatedCounts(decision: Decision): Map<number, number> {
  return new Map(decision.allocations.map((a) => [a.job, a.slots.length]));
}

function pendingInOrder(view: PolicyView): JobView[] {
  const out: JobView[] = [];
  const cursor = view.pending.cursor();
  for (let job = cursor.next(); job !== undefined; job = cursor.next()) out.push(job);
  return out;
}

type Key = (job: JobView) => [number, number];

/** The documented order of each order-based policy, computed independently. */
const documentedKeys: Record<string, Key> = {
  fifo: (j) => [j.arrival, 0],
  priority: (j) => [-j.priority, j.arrival],
  las: (j) => [lasQueue([3600, 28800], j.attained), j.arrival],
  edf: (j) => [j.deadline !== undefined && j.admission !== 'infeasible' ? j.deadline : Infinity, j.arrival],
  'least-slack': (j) => [j.deadline !== undefined && j.admission !== 'infeasible' ? j.deadline - j.remaining / j.sizeMax : Infinity, j.arrival],
};

function compareKeys(a: [number, number], b: [number, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

describe('order-based policies: first fit in the documented order at every decision', () => {
  for (const [name, key] of Object.entries(documentedKeys)) {
    it(name, () => {
      for (const seed of seeds) {
        const problems: string[] = [];
        runSimulation(
          { cluster, policy: { name }, jobs: workload(seed), seed, leaseSeconds: 600 },
          {
            onDecision(view, decision, now) {
              const queue = pendingInOrder(view);
              for (let k = 1; k < queue.length; k++) {
                const c = compareKeys(key(queue[k - 1] as JobView), key(queue[k] as JobView));
                if (c > 0 || (c === 0 && (queue[k - 1] as JobView).seq > (queue[k] as JobView).seq)) problems.push(`t=${now}: queue out of order at ${k}`);
              }
              const counts = allocatedCounts(decision);
              let free = view.freeSlots;
              let expected = 0;
              for (const job of queue) {
                if (job.sizeMin <= free) {
                  const count = Math.min(job.sizeMax, free);
                  if (counts.get(job.index) !== count) problems.push(`t=${now}: ${job.id} should get ${count} slots, got ${counts.get(job.index) ?? 0}`);
                  free -= count;
                  expected++;
                }
              }
              if (counts.size !== expected) problems.push(`t=${now}: ${counts.size} allocations, first fit makes ${expected}`);
            },
          },
        );
        expect(problems.slice(0, 5), `seed ${seed}`).toEqual([]);
      }
    });
  }

  it('fifo with single-slot jobs starts jobs in arrival order and never preempts', () => {
    for (const seed of seeds) {
      const jobs = workload(seed, { slotChoices: [1], slotWeights: [1], elasticFraction: 0 });
      const { result, stats } = runSimulation({ cluster, policy: { name: 'fifo' }, jobs, seed });
      const starts = result.jobs.slice().sort((a, b) => a.arrival - b.arrival || Number(a.id.slice(1)) - Number(b.id.slice(1)));
      for (let k = 1; k < starts.length; k++) expect((starts[k] as { start: number }).start, `seed ${seed}`).toBeGreaterThanOrEqual((starts[k - 1] as { start: number }).start);
      expect(stats.preemptions, `seed ${seed}`).toBe(0);
    }
  });
});

describe('drf: progressive filling by weighted share', () => {
  it('gives each grant to the tenant with the smallest weighted share that has a fitting job', () => {
    for (const seed of seeds) {
      const problems: string[] = [];
      const jobs = workload(seed).map((j) => ({ ...j, weight: j.tenant === 't1' ? 3 : 1 }));
      runSimulation(
        { cluster, policy: { name: 'drf' }, jobs, seed },
        {
          onDecision(view, decision, now) {
            const states = view.tenants
              .filter((t) => t.pending.size > 0)
              .map((t) => ({ t, held: t.held, attained: t.attained + t.held * (now - t.progressAt), cursor: t.pending.cursor() }));
            const expected = new Map<number, number>();
            let free = view.freeSlots;
            while (free > 0 && states.length > 0) {
              states.sort((a, b) => a.held / a.t.weight - b.held / b.t.weight || a.attained / a.t.weight - b.attained / b.t.weight || a.t.index - b.t.index);
              const top = states[0] as (typeof states)[number];
              const job = top.cursor.next(free);
              if (job === undefined) {
                states.shift();
                continue;
              }
              const count = Math.min(job.sizeMax, free);
              expected.set(job.index, count);
              top.held += count;
              free -= count;
            }
            const got = allocatedCounts(decision);
            if (JSON.stringify([...got].sort()) !== JSON.stringify([...expected].sort())) problems.push(`t=${now}: drf allocations differ from progressive filling`);
          },
        },
      );
      expect(problems.slice(0, 3), `seed ${seed}`).toEqual([]);
    }
  });
});

describe('deadline-fair: reservations first', () => {
  it('allocates accepted deadline jobs in deadline order before anything else, up to the pool', () => {
    for (const seed of seeds) {
      const problems: string[] = [];
      runSimulation(
        { cluster, policy: { name: 'deadline-fair' }, jobs: workload(seed, { deadlineFraction: 0.5 }), seed },
        {
          onDecision(view, decision, now) {
            let room = Math.floor(0.5 * view.cluster.slots) - view.admittedHeld;
            let free = view.freeSlots;
            const expected: [number, number][] = [];
            for (const job of pendingInOrder(view)) {
              if (!isAdmitted(job) || room <= 0 || free <= 0) break;
              if (job.sizeMin > Math.min(room, free)) continue;
              const count = Math.min(job.sizeMax, room, free);
              expected.push([job.index, count]);
              room -= count;
              free -= count;
            }
            const head = decision.allocations.slice(0, expected.length).map((a) => [a.job, a.slots.length]);
            if (JSON.stringify(head) !== JSON.stringify(expected)) problems.push(`t=${now}: reserved allocations ${JSON.stringify(head)} != ${JSON.stringify(expected)}`);
          },
        },
      );
      expect(problems.slice(0, 3), `seed ${seed}`).toEqual([]);
    }
  });
});

describe('themis', () => {
  it('offers to the worst-off tenant first (f = 1: a single bidder)', () => {
    for (const seed of seeds) {
      const problems: string[] = [];
      runSimulation(
        { cluster, policy: { name: 'themis', f: 1 }, jobs: workload(seed, { deadlineFraction: 0 }), seed },
        {
          onDecision(view, decision, now) {
            // A tenant with nothing running and pending work has rho = ∞: if
            // there is one, the first grant must go to such a tenant.
            const starving = view.tenants.filter((t) => t.pending.size > 0 && t.rate === 0 && remainingAt(t, now) > 0 && t.pending.fitMin() <= view.freeSlots);
            const first = decision.allocations[0];
            if (starving.length === 0 || first === undefined) return;
            const tenant = view.job(first.job)?.tenantIndex;
            if (!starving.some((t) => t.index === tenant)) problems.push(`t=${now}: first grant to tenant ${tenant}, not to one with nothing running`);
          },
        },
      );
      expect(problems.slice(0, 3), `seed ${seed}`).toEqual([]);
    }
  });

  it('has a lower worst rho than fifo, drf and las on generated workloads', () => {
    const big = { machines: 8, slotsPerMachine: 8 };
    for (const seed of soak ? [1, 2, 3, 4, 5] : [1, 2, 4]) {
      const jobs = generateWorkload({ seed, jobs: 400, tenants: 8, cluster: big });
      const maxRho = (name: string) => runSimulation({ cluster: big, policy: { name }, jobs, seed }).result.summary.maxRho;
      const themis = maxRho('themis');
      for (const baseline of ['fifo', 'drf', 'las']) expect(themis, `seed ${seed} vs ${baseline}`).toBeLessThanOrEqual(maxRho(baseline));
    }
  });
});

describe('deadline policies', () => {
  const feasible = (seed: number) =>
    generateWorkload({ seed, jobs: 300, tenants: 6, cluster, load: 0.3, deadlineFraction: 1, slotChoices: [1], slotWeights: [1], deadlineSlackRange: [3, 6], deadlineGraceSeconds: 1200 });

  for (const name of ['edf', 'least-slack', 'deadline-fair']) {
    it(`${name} meets every deadline of feasible workloads`, () => {
      for (const seed of seeds) {
        const { result, admissions } = runSimulation({ cluster, policy: { name }, jobs: feasible(seed), seed, leaseSeconds: 600 });
        expect(result.summary.deadlineMisses, `seed ${seed}`).toBe(0);
        expect(admissions.every((a) => a.verdict === 'accepted'), `seed ${seed}`).toBe(true);
      }
    });
  }

  it('edf and least-slack miss fewer deadlines than every other policy under overload', () => {
    for (const seed of seeds) {
      const jobs = workload(seed, { load: 1.5, deadlineFraction: 0.5, elasticFraction: 0 });
      const misses = (name: string) => runSimulation({ cluster, policy: { name }, jobs, seed }).result.summary.deadlineMisses;
      const edf = misses('edf');
      const lsf = misses('least-slack');
      for (const other of ['fifo', 'priority', 'drf', 'las', 'themis']) {
        const m = misses(other);
        expect(edf, `seed ${seed}: edf vs ${other}`).toBeLessThan(m);
        expect(lsf, `seed ${seed}: least-slack vs ${other}`).toBeLessThan(m);
      }
    }
  });

  it('admission answers are confirmed by the run at least 95% of the time', () => {
    let confirmed = 0;
    let answered = 0;
    for (const seed of soak ? [1, 2, 3, 4, 5, 6, 7, 8] : [1, 2, 3]) {
      const jobs = generateWorkload({ seed, jobs: 300, tenants: 6, cluster, load: 0.8, deadlineFraction: 0.5 });
      for (const name of ['edf', 'least-slack', 'deadline-fair']) {
        const { admissions } = runSimulation({ cluster, policy: { name }, jobs, seed });
        for (const a of admissions) {
          if (a.verdict === 'at-risk') continue;
          answered++;
          if ((a.verdict === 'accepted') === a.deadlineMet) confirmed++;
        }
      }
    }
    expect(answered).toBeGreaterThan(50);
    expect(confirmed / answered).toBeGreaterThanOrEqual(0.95);
  });
});
