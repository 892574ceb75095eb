import { describe, expect, it } from 'vitest';
import { generateWorkload, rhoLowerBounds, rhoLowerBoundsAnyPolicy, runSimulation, workloadPresets, type JobSpec } from './helpers.js';

describe('rho lower bounds', () => {
  it('hand-checked: a tenant alone is at its bound; a tenant whose long job waits is above it', () => {
    const cluster = { machines: 1, slotsPerMachine: 2 };
    // Tenant a: one 2-slot job of 200 slot-seconds (critical path 100 s).
    // Tenant b arrives at 0 with a 1-slot job of 300 slot-seconds (critical path 300 s).
    const jobs: JobSpec[] = [
      { id: 'a1', tenant: 'a', arrival: 0, slots: 2, work: 200 },
      { id: 'b1', tenant: 'b', arrival: 0, slots: 1, work: 300 },
    ];
    const anyPolicy = rhoLowerBoundsAnyPolicy({ cluster, jobs });
    // Any policy: each tenant's share is at least 2 / 2 = 1 slot, so
    // T_independent ≤ 200 s for a (critical 100 s: bound 0.5) and 300 s for b (bound 1).
    expect(anyPolicy.tenants).toEqual([
      { tenant: 'a', critical: 100, independent: 200, bound: 0.5 },
      { tenant: 'b', critical: 300, independent: 300, bound: 1 },
    ]);
    expect(anyPolicy.max).toBe(1);
    const run = runSimulation({ cluster, policy: { name: 'fifo' }, jobs, seed: 1 });
    // fifo runs a first (0..100), then b (100..400): b's rho is 400 / 300.
    const rho = new Map(run.result.tenants.map((t) => [t.tenant, t.rho]));
    expect(rho.get('b')).toBeCloseTo(4 / 3, 12);
    const inRun = rhoLowerBounds({ cluster, jobs }, run.result);
    const b = inRun.tenants.find((t) => t.tenant === 'b');
    expect(b?.bound).toBeCloseTo(1, 12);
    expect(inRun.max).toBeCloseTo(1, 12);
    expect(rhoLowerBounds({ cluster, jobs: [] }, { jobs: [], tenants: [], summary: run.result.summary }).max).toBe(0);
  });

  it('never exceeds the rho any policy reaches on generated workloads', () => {
    const cluster = { machines: 8, slotsPerMachine: 4, racks: 2 };
    for (const seed of [1, 2]) {
      for (const preset of ['searches', 'themis-apps'] as const) {
        const jobs = generateWorkload({ seed, cluster, jobs: 150, tenants: 5, load: 1.2, ...workloadPresets[preset] });
        const anyPolicy = new Map(rhoLowerBoundsAnyPolicy({ cluster, jobs }).tenants.map((t) => [t.tenant, t.bound]));
        for (const name of ['fifo', 'las', 'themis']) {
          const run = runSimulation({ cluster, policy: { name }, jobs, seed, leaseSeconds: 300 });
          const inRun = new Map(rhoLowerBounds({ cluster, jobs }, run.result).tenants.map((t) => [t.tenant, t.bound]));
          const message = `seed ${seed}, ${preset}, ${name}`;
          expect(inRun.size, message).toBe(run.result.tenants.length);
          for (const t of run.result.tenants) {
            const bound = inRun.get(t.tenant) as number;
            expect(bound, `${message}, tenant ${t.tenant}`).toBeLessThanOrEqual(t.rho * (1 + 1e-9));
            expect(anyPolicy.get(t.tenant) as number, `${message}, tenant ${t.tenant}`).toBeLessThanOrEqual(bound * (1 + 1e-9));
          }
        }
      }
    }
  });
});
