import { left, right } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { Mechanism, PolicyError, createPolicy, resolveCluster, resolveJobs, runSimulation, type Policy, type SlotId } from './helpers.js';

const cluster = resolveCluster({ machines: 2, slotsPerMachine: 2 });

function policy(name: string): Policy {
  const created = createPolicy({ name });
  if (created._tag === 'Left') throw created.left;
  return created.right;
}

describe('Mechanism (driven directly, as the live scheduler will)', () => {
  it('submits, decides, expires leases at period ends, completes and cancels', () => {
    const m = new Mechanism({ cluster, policy: policy('fifo'), leaseSeconds: 60 });
    const jobs = resolveJobs(
      [
        { id: 'a', tenant: 't', arrival: 0, slots: 2, work: 1000 },
        { id: 'b', tenant: 'u', arrival: 0, slots: 2, work: 1000 },
        { id: 'c', tenant: 'u', arrival: 0, slots: 1, work: 1000 },
      ],
      cluster,
    );
    const handles = jobs.map((j) => m.submit(j, 0).handle);
    expect(m.tenants.map((t) => t.id)).toEqual(['t', 'u']);
    expect(m.contentionWeight).toBe(2);
    const started = m.decide(0);
    expect(started.map((j) => j.id)).toEqual(['a', 'b']);
    expect(m.freeSlots).toBe(0);
    expect(m.nextLeaseEnd()).toBe(60);
    expect(m.job(handles[0] as number)?.leaseEnd).toBe(60);
    // Progress is accounted when the lease ends: 60 s at 2 slots.
    const expired = m.expireLeases(60);
    expect(expired.map((j) => [j.id, j.remaining, j.attained])).toEqual([
      ['a', 880, 120],
      ['b', 880, 120],
    ]);
    expect(m.decide(60).map((j) => j.id)).toEqual(['a', 'b']);
    expect(m.stats.renewals).toBe(2);
    m.cancel(handles[1] as number, 70);
    expect(m.freeSlots).toBe(2);
    expect(m.decide(70).map((j) => j.id)).toEqual(['c']);
    m.complete(handles[0] as number, 80);
    m.complete(handles[2] as number, 90);
    expect(m.tenants).toEqual([]);
    expect(m.contentionWeight).toBe(0);
    // ∫ W dt: 2 tenants on [0, 80) (t's last job ends at 80), then u alone until 90.
    expect(m.contentionNow()).toBe(170);
    // Handles are reused once free.
    const again = m.submit(resolveJobs([{ id: 'd', tenant: 'v', arrival: 95, slots: 1, work: 1 }], cluster)[0]!, 95);
    expect(handles).toContain(again.handle);
  });

  it('staggered leases last a lease from their grant; period leases end together', () => {
    const specs = [
      { id: 'a', tenant: 't', arrival: 0, slots: 2, work: 1000 },
      { id: 'b', tenant: 'u', arrival: 30, slots: 2, work: 1000 },
    ];
    const ends = (leaseAlignment: 'period' | 'staggered') => {
      const m = new Mechanism({ cluster, policy: policy('fifo'), leaseSeconds: 60, leaseAlignment });
      const [a, b] = resolveJobs(specs, cluster);
      m.submit(a!, 0);
      m.decide(0);
      m.submit(b!, 30);
      const started = m.decide(30);
      expect(started.map((j) => j.id)).toEqual(['b']);
      const periodEnd = m.periodEnd;
      const leaseEndB = started[0]?.leaseEnd;
      const expired = m.expireLeases(60).map((j) => j.id);
      return { periodEnd, expired, next: m.nextLeaseEnd(), leaseEndB };
    };
    expect(ends('period')).toEqual({ periodEnd: 60, expired: ['a', 'b'], next: Infinity, leaseEndB: 60 });
    // Staggered: b's lease ends 60 s after its grant at 30; the view's period
    // end is the next lease end.
    expect(ends('staggered')).toEqual({ periodEnd: 60, expired: ['a'], next: 90, leaseEndB: 90 });
    const idle = new Mechanism({ cluster, policy: policy('fifo'), leaseSeconds: 60, leaseAlignment: 'staggered' });
    expect(idle.periodEnd).toBe(60);
    const jobs = [{ id: 'a', tenant: 't', arrival: 0, slots: 1, work: 1 }];
    expect(() => runSimulation({ cluster, policy: { name: 'fifo' }, jobs, seed: 1, leaseSeconds: 0, leaseAlignment: 'aligned' as never })).toThrow(
      /leaseSeconds must be.*leaseAlignment must be one of period, staggered/,
    );
  });

  it('answers admission on submit for deadline policies only', () => {
    const job = resolveJobs([{ id: 'x', tenant: 't', arrival: 0, slots: 1, work: 100, deadline: 50 }], cluster)[0]!;
    expect(new Mechanism({ cluster, policy: policy('edf') }).submit(job, 0).admission).toEqual({ verdict: 'infeasible', predictedFinish: 100 });
    expect(new Mechanism({ cluster, policy: policy('fifo') }).submit(job, 0).admission).toBeUndefined();
  });

  it('refuses time going backwards, and a policy error or an invalid decision', () => {
    const m = new Mechanism({ cluster, policy: policy('fifo') });
    m.submit(resolveJobs([{ id: 'x', tenant: 't', arrival: 5, slots: 1, work: 1 }], cluster)[0]!, 5);
    expect(() => m.decide(4)).toThrow(/time does not go backwards/);
    const failing: Policy = { name: 'failing', params: {}, queueKey: () => [0, 0], decide: () => left(new PolicyError('failing', 'no')) };
    const f = new Mechanism({ cluster, policy: failing });
    f.submit(resolveJobs([{ id: 'x', tenant: 't', arrival: 0, slots: 1, work: 1 }], cluster)[0]!, 0);
    expect(() => f.decide(0)).toThrow(PolicyError);
    const greedy: Policy = {
      name: 'greedy',
      params: {},
      queueKey: () => [0, 0],
      decide: (view) => right({ allocations: [{ job: view.pending.cursor().next()!.index, slots: [0, 0] as SlotId[] }] }),
    };
    const g = new Mechanism({ cluster, policy: greedy });
    g.submit(resolveJobs([{ id: 'x', tenant: 't', arrival: 0, minSlots: 1, maxSlots: 2, work: 1 }], cluster)[0]!, 0);
    expect(() => g.decide(0)).toThrow(/invalid decision: slot 0 is allocated twice/);
  });
});
