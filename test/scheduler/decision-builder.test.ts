import { describe, expect, it } from 'vitest';
import { DecisionBuilder, Mechanism, createPolicy, resolveCluster, resolveJobs, type JobView } from './helpers.js';

function view(machines: number, slotsPerMachine: number, racks: number, sizes: number[]) {
  const cluster = resolveCluster({ machines, slotsPerMachine, racks });
  const policy = createPolicy({ name: 'fifo' });
  if (policy._tag === 'Left') throw policy.left;
  const m = new Mechanism({ cluster, policy: policy.right });
  const jobs = resolveJobs(sizes.map((slots, k) => ({ id: k, tenant: 't', arrival: 0, slots, work: 10, placementSensitivity: 2 })), cluster);
  for (const job of jobs) m.submit(job, 0);
  const pending: JobView[] = [];
  const cursor = m.pending.cursor();
  for (let job = cursor.next(); job !== undefined; job = cursor.next()) pending.push(job);
  return { m, pending };
}

describe('DecisionBuilder', () => {
  it('packs best-fit on one machine, then within a rack, then across racks', () => {
    const { m, pending } = view(4, 4, 2, [3, 2, 4, 6]);
    const b = new DecisionBuilder(m, 'packed');
    const [a, c, d, e] = pending as [JobView, JobView, JobView, JobView];
    const first = b.allocate(a);
    const machineOf = (slot: number) => Math.floor(slot / 4);
    expect(new Set(first?.slots.map(machineOf)).size).toBe(1);
    // Best fit: the first machine has 1 free slot left, the others 4; the
    // 2-slot gang goes on one machine.
    const second = b.allocate(c);
    expect(second?.slowdown).toBe(1);
    expect(second?.slots.map(machineOf)).not.toContain(machineOf(first?.slots[0] as number));
    expect(b.allocate(d)?.slowdown).toBe(1);
    // 6 slots cannot fit one machine; they span machines (of one rack if possible).
    const spread = b.allocate(e);
    expect(spread?.slots.length).toBe(6);
    expect(b.free).toBe(16 - 15);
    expect(b.build().allocations.map((x) => x.job)).toEqual([a.index, c.index, d.index, e.index]);
  });

  it('first-free takes the lowest-numbered free slots', () => {
    const { m, pending } = view(2, 4, 1, [2, 3]);
    const b = new DecisionBuilder(m, 'first-free');
    expect(b.allocate(pending[0] as JobView)?.slots).toEqual([0, 1]);
    const plan = b.allocate(pending[1] as JobView);
    expect(plan?.slots).toEqual([2, 3, 4]);
    expect(plan?.slowdown).toBe(2);
  });

  it('absorbs a clone and releases allocations, keeping the latest order', () => {
    const { m, pending } = view(1, 4, 1, [1, 1, 1]);
    const [x, y, z] = pending as [JobView, JobView, JobView];
    const b = new DecisionBuilder(m, 'packed');
    const scratch = b.clone();
    scratch.allocate(x);
    scratch.allocate(y);
    expect(b.free).toBe(4);
    b.absorb(scratch);
    expect(b.free).toBe(2);
    b.release(x);
    expect(b.free).toBe(3);
    expect(b.isAllocated(x)).toBe(false);
    b.allocate(z);
    b.allocate(x);
    expect(b.build().allocations.map((a) => a.job)).toEqual([y.index, z.index, x.index]);
    expect(new Set(b.build().allocations.flatMap((a) => a.slots)).size).toBe(3);
  });

  describe('renewal at a lease boundary (packed)', () => {
    // Two machines of 4 slots: two 3-slot blockers leave one free slot on
    // each, so a 2-slot sensitive gang has to span both machines.
    function spreadGang(blockerWork: number) {
      const cluster = resolveCluster({ machines: 2, slotsPerMachine: 4, racks: 1 });
      const policy = createPolicy({ name: 'fifo', placement: 'packed' });
      if (policy._tag === 'Left') throw policy.left;
      const m = new Mechanism({ cluster, policy: policy.right, leaseSeconds: 600 });
      const specs = [
        { id: 'b1', tenant: 't', arrival: 0, slots: 3, work: blockerWork },
        { id: 'b2', tenant: 't', arrival: 0, slots: 3, work: 1e6 },
        { id: 'g', tenant: 't', arrival: 0, slots: 2, work: 1e6, placementSensitivity: 2 },
      ];
      const handles = resolveJobs(specs, cluster).map((job) => m.submit(job, 0).handle);
      m.decide(0);
      const gang = m.job(handles[2] as number) as JobView;
      const machines = (slots: readonly number[]) => new Set(slots.map((slot) => Math.floor(slot / 4)));
      expect(machines(gang.slots).size).toBe(2);
      return { m, handles, gang, machines };
    }

    it('consolidates a spread gang once a better placement is free', () => {
      const { m, handles, gang, machines } = spreadGang(300);
      m.complete(handles[0] as number, 300);
      m.expireLeases(600);
      m.decide(600);
      expect(gang.state).toBe('running');
      expect(machines(gang.slots).size).toBe(1);
      expect(gang.rate).toBe(2);
      expect(m.stats.migrations).toBe(1);
    });

    it('renews a spread gang on its slots when nothing better is free', () => {
      const { m, gang } = spreadGang(1e6);
      const before = gang.slots.slice();
      m.expireLeases(600);
      m.decide(600);
      expect(gang.slots).toEqual(before);
      expect(gang.rate).toBe(1);
    });
  });
});
