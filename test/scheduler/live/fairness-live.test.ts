/**
 * Fairness live: three tenants with different backlogs on a fixed pool of
 * slots, run by real handlers on fake time, against `simulate` with the same
 * policy on the same jobs. The live scheduler drives the simulator's own
 * mechanism and policy code, so the outcome must be the same:
 *
 * Tolerance: the completion order is identical, every job's start and
 * finish agree within 1 ms (the clock's resolution), and every tenant's rho
 * agrees within 1e-6 relative. The lease period is longer than the run, so
 * the simulator's preemption at lease boundaries (which live jobs do not
 * have) never comes into play.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type JobSpec } from '../../../scheduler/index.js';
import { poolCluster } from '../../../scheduler/live/index.js';
import { seededRandom } from '../../../storage/device/index.js';
import { openDb } from './helpers.js';

interface Planned {
  readonly tenant: string;
  readonly arrival: number;
  readonly work: number;
  readonly slots: number;
}

/** Runs `plan` live; returns the live report and the jobs as the simulator takes them. */
async function runLive(policy: string, slots: number, plan: readonly Planned[]) {
  const { db, clock } = openDb();
  const periodSeconds = 1e6;
  db.scheduler.configure({ policy, slots, periodSeconds });
  const t0 = clock.now();
  const finishes: number[] = [];
  const order: string[] = [];
  db.worker('train', async (ctx) => {
    // A job runs for its work over its slots (placement does not slow live jobs).
    const ms = (ctx.job.work / ctx.job.slots) * 1000;
    finishes.push(clock.now() + ms);
    await new Promise<void>((resolve) => clock.setTimer(ms, resolve));
    order.push(ctx.job.id);
  }, { concurrency: slots });
  const arrivals = plan.map((p, i) => ({ ...p, i })).sort((a, b) => a.arrival - b.arrival || a.i - b.i);
  const ids: string[] = new Array(plan.length);
  let next = 0;
  await db.scheduler.idle();
  for (;;) {
    while (next < arrivals.length && t0 + (arrivals[next] as Planned).arrival * 1000 <= clock.now()) {
      const a = arrivals[next++]!;
      ids[a.i] = db.jobs.submit({ tenant: a.tenant, kind: 'train', work: a.work, slots: a.slots });
    }
    await db.scheduler.idle();
    const pending = finishes.filter((f) => f > clock.now());
    const nextArrival = next < arrivals.length ? t0 + (arrivals[next] as Planned).arrival * 1000 : Infinity;
    const at = Math.min(nextArrival, ...pending);
    if (at === Infinity) break;
    clock.set(at);
    await db.scheduler.idle();
  }
  const specs: JobSpec[] = plan.map((p, i) => ({ id: ids[i] as string, tenant: p.tenant, arrival: p.arrival, work: p.work, slots: p.slots }));
  return { report: db.scheduler.report(), order, specs, periodSeconds, stats: db.scheduler.stats() };
}

function backlogs(seed: number): Planned[] {
  const random = seededRandom(seed);
  const plan: Planned[] = [];
  // Three tenants: a long backlog of short jobs, a medium one, and a few long
  // jobs that arrive later (arrivals avoid whole seconds, so they never tie
  // with completions, whose order at one instant the simulator fixes).
  for (let i = 0; i < 24; i++) plan.push({ tenant: 'analytics', arrival: 0, work: random.int(1, 4), slots: 1 });
  for (let i = 0; i < 10; i++) plan.push({ tenant: 'training', arrival: 0, work: random.int(4, 12), slots: random.pick([1, 2]) });
  for (let i = 0; i < 4; i++) plan.push({ tenant: 'adhoc', arrival: 6.5 + i, work: random.int(2, 8), slots: 1 });
  return plan;
}

describe('fairness live', () => {
  for (const policy of ['themis', 'drf', 'fifo', 'las'] as const) {
    it(`matches simulate on the same jobs (${policy}): completion order, start and finish times, per-tenant rho`, async () => {
      const seed = 5;
      const slots = 4;
      const plan = backlogs(seed);
      const live = await runLive(policy, slots, plan);
      const cluster = poolCluster(slots);
      const sim = simulate({ cluster: { machines: cluster.machines, slotsPerMachine: cluster.slotsPerMachine }, policy: { name: policy }, jobs: live.specs, seed, leaseSeconds: live.periodSeconds });
      const message = `policy ${policy}, seed ${seed}`;
      expect(live.report.jobs.length, message).toBe(plan.length);
      const liveById = new Map(live.report.jobs.map((j) => [j.id, j]));
      for (const s of sim.jobs) {
        const l = liveById.get(s.id)!;
        expect(Math.abs(l.start - s.start), `${message}: start of job ${s.id}`).toBeLessThanOrEqual(0.001);
        expect(Math.abs(l.finish - s.finish), `${message}: finish of job ${s.id}`).toBeLessThanOrEqual(0.001);
      }
      const simOrder = [...sim.jobs].sort((a, b) => a.finish - b.finish || Number(a.id) - Number(b.id)).map((j) => j.id);
      const liveOrder = [...live.report.jobs].sort((a, b) => a.finish - b.finish || Number(a.id) - Number(b.id)).map((j) => j.id);
      expect(liveOrder, message).toEqual(simOrder);
      const simRho = new Map(sim.tenants.map((t) => [t.tenant, t.rho]));
      for (const t of live.report.tenants) {
        const expected = simRho.get(t.tenant)!;
        expect(Math.abs(t.rho - expected) / expected, `${message}: rho of ${t.tenant} live ${t.rho} vs simulated ${expected}`).toBeLessThanOrEqual(1e-6);
      }
      // The tenants did get different rho (the workload is not trivially fair).
      expect(new Set(live.report.tenants.map((t) => t.rho.toFixed(3))).size, message).toBeGreaterThan(1);
    });
  }
});
