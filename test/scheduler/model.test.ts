import { describe, expect, it } from 'vitest';
import {
  BlockQueueForTests,
  clusterSlotsMax,
  createPolicy,
  idLengthMax,
  machinesMax,
  placementSlowdown,
  policyNames,
  resolveCluster,
  resolveJobs,
  slotsPerMachineMax,
  type SlotId,
} from './helpers.js';
import { FairdbError, seededRandom } from '../../storage/device/index.js';

function errorOf(fn: () => unknown): FairdbError {
  try {
    fn();
  } catch (error) {
    return error as FairdbError;
  }
  throw new Error('expected an error');
}

describe('cluster', () => {
  it('resolves racks and reports every violation at once', () => {
    expect(resolveCluster({ machines: 10, slotsPerMachine: 4, racks: 3 })).toEqual({ machines: 10, slotsPerMachine: 4, racks: 3, machinesPerRack: 4, slots: 40 });
    const e = errorOf(() => resolveCluster({ machines: 0, slotsPerMachine: 1.5, racks: -1 }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/machines must be/);
    expect(e.message).toMatch(/slotsPerMachine must be/);
    expect(e.message).toMatch(/racks must be/);
  });

  it('accepts the limits and rejects one past them', () => {
    expect(resolveCluster({ machines: machinesMax, slotsPerMachine: 1 }).slots).toBe(machinesMax);
    expect(() => resolveCluster({ machines: machinesMax + 1, slotsPerMachine: 1 })).toThrow(/machines must be/);
    expect(resolveCluster({ machines: 1, slotsPerMachine: slotsPerMachineMax }).slots).toBe(slotsPerMachineMax);
    expect(() => resolveCluster({ machines: 1, slotsPerMachine: slotsPerMachineMax + 1 })).toThrow(/slotsPerMachine must be/);
    expect(resolveCluster({ machines: clusterSlotsMax / 1024, slotsPerMachine: 1024 }).slots).toBe(clusterSlotsMax);
    expect(() => resolveCluster({ machines: clusterSlotsMax / 1024 + 1, slotsPerMachine: 1024 })).toThrow(/at most/);
  });
});

describe('jobs', () => {
  const cluster = resolveCluster({ machines: 2, slotsPerMachine: 4 });

  it('resolves defaults and elastic sizes', () => {
    const [rigid, elastic] = resolveJobs(
      [
        { id: 7, tenant: 'a', arrival: 0, slots: 2, work: 10 },
        { id: 'e', tenant: 'b', arrival: 1, minSlots: 1, maxSlots: 8, work: 10, deadline: 5, priority: 3, placementSensitivity: 2, weight: 2 },
      ],
      cluster,
    );
    expect(rigid).toEqual({ id: '7', tenant: 'a', arrival: 0, sizeMin: 2, sizeMax: 2, work: 10, placementSensitivity: 1, weight: 1, priority: 0, deadline: undefined });
    expect(elastic).toMatchObject({ sizeMin: 1, sizeMax: 8, deadline: 5, priority: 3, placementSensitivity: 2, weight: 2 });
  });

  it('lists every bad field of every job, with the job index', () => {
    const e = errorOf(() =>
      resolveJobs(
        [
          { id: '', tenant: '', arrival: -1, slots: 9, work: 0 },
          { id: 'x', tenant: 't', arrival: 5, slots: 1, work: 1, deadline: 5, placementSensitivity: 0.5, weight: 0, priority: 1.5 },
          { id: 'x', tenant: 't', arrival: 0, slots: 1, work: 1, weight: 1 },
          { id: 'y', tenant: 't', arrival: 0, slots: 1, minSlots: 1, maxSlots: 2, work: 1 },
        ] as never,
        cluster,
      ),
    );
    expect(e.code).toBe('INVALID_ARGUMENT');
    for (const part of [
      'jobs[0]: id must not be empty',
      'jobs[0]: tenant must be a non-empty string',
      'jobs[0]: arrival must be',
      'jobs[0]: slots must be an integer in 1..8',
      'jobs[0]: work must be',
      'jobs[1]: placementSensitivity',
      'jobs[1]: weight',
      'jobs[1]: priority',
      'jobs[1]: deadline 5 must be after arrival 5',
      'jobs[3]: give either slots or minSlots and maxSlots',
    ]) {
      expect(e.message).toContain(part);
    }
    const dup = errorOf(() => resolveJobs([{ id: 'x', tenant: 't', arrival: 0, slots: 1, work: 1 }, { id: 'x', tenant: 't', arrival: 0, slots: 1, work: 1 }], cluster));
    expect(dup.message).toContain('jobs[1]: id "x" repeats jobs[0]');
    const weights = errorOf(() => resolveJobs([{ id: 'a', tenant: 't', arrival: 0, slots: 1, work: 1 }, { id: 'b', tenant: 't', arrival: 0, slots: 1, work: 1, weight: 2 }], cluster));
    expect(weights.message).toContain("differs from tenant \"t\"'s weight 1");
  });

  it('accepts ids at the length limit and rejects one past it; odd names are harmless', () => {
    const long = 'x'.repeat(idLengthMax);
    expect(resolveJobs([{ id: long, tenant: '__proto__', arrival: 0, slots: 1, work: 1 }], cluster)[0]?.tenant).toBe('__proto__');
    expect(() => resolveJobs([{ id: `${long}x`, tenant: 't', arrival: 0, slots: 1, work: 1 }], cluster)).toThrow(/over the limit of 256/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('caps the listed violations and counts the rest', () => {
    const bad = Array.from({ length: 30 }, (_, k) => ({ id: `j${k}`, tenant: 't', arrival: 0, slots: 1, work: -1 }));
    const e = errorOf(() => resolveJobs(bad, cluster));
    expect(e.message).toMatch(/and 10 more$/);
  });
});

describe('placement slowdown', () => {
  const cluster = resolveCluster({ machines: 4, slotsPerMachine: 2, racks: 2 });
  it('is 1 on one machine, p across machines of a rack, 1 + 2(p - 1) across racks', () => {
    const s = (slots: number[]) => placementSlowdown(cluster, slots as SlotId[], 1.5);
    expect(s([0, 1])).toBe(1);
    expect(s([0, 2])).toBe(1.5);
    expect(s([0, 4])).toBe(2);
    expect(s([1, 3, 5])).toBe(2);
    expect(placementSlowdown(cluster, [0, 7] as SlotId[], 1)).toBe(1);
  });
});

describe('policy registry', () => {
  it('creates every policy and rejects unknown names and bad parameters with all problems listed', () => {
    for (const name of policyNames) expect(createPolicy({ name })._tag).toBe('Right');
    const unknown = createPolicy({ name: 'nope' });
    expect(unknown._tag === 'Left' && unknown.left.message).toMatch(/unknown policy .*known: fifo/);
    const bad = createPolicy({ name: 'themis', f: 1.5, placement: 'random', extra: 1 });
    expect(bad._tag).toBe('Left');
    if (bad._tag === 'Left') {
      expect(bad.left.code).toBe('INVALID_ARGUMENT');
      expect(bad.left.message).toMatch(/unknown parameter "extra"/);
      expect(bad.left.message).toMatch(/f must be a number in 0\.\.1/);
      expect(bad.left.message).toMatch(/placement must be one of packed, first-free/);
    }
    const las = createPolicy({ name: 'las', thresholds: [10, 5] });
    expect(las._tag === 'Left' && las.left.message).toMatch(/strictly ascending/);
    const proto = createPolicy(JSON.parse('{"name":"fifo","__proto__":{"x":1}}'));
    expect(proto._tag === 'Left' && proto.left.message).toMatch(/unknown parameter "__proto__"/);
    expect(createPolicy({ name: 'themis', f: 0, partialAllocation: false })._tag).toBe('Right');
    const edf = createPolicy({ name: 'edf', demoteInfeasible: 'yes' });
    expect(edf._tag === 'Left' && edf.left.message).toMatch(/demoteInfeasible must be true or false/);
  });
});

describe('BlockQueue', () => {
  it('matches a sorted array under random inserts, removals and first-fit scans', () => {
    const random = seededRandom(4242);
    for (let round = 0; round < 5; round++) {
      const queue = new BlockQueueForTests();
      const model: { queueKey1: number; queueKey2: number; seq: number; sizeMin: number }[] = [];
      let seq = 0;
      for (let op = 0; op < 3000; op++) {
        if (model.length === 0 || random.chance(0.6)) {
          const item = { queueKey1: random.int(0, 20), queueKey2: random.chance(0.1) ? Infinity : random.int(0, 5), seq: seq++, sizeMin: random.int(1, 8) };
          queue.insert(item);
          model.push(item);
        } else {
          const k = random.int(0, model.length - 1);
          const [item] = model.splice(k, 1);
          expect(queue.remove(item as never), `seed ${random.seed}`).toBe(true);
          expect(queue.remove(item as never)).toBe(false);
        }
        if (op % 100 === 0) {
          model.sort((a, b) => a.queueKey1 - b.queueKey1 || (a.queueKey2 === b.queueKey2 ? 0 : a.queueKey2 < b.queueKey2 ? -1 : 1) || a.seq - b.seq);
          expect(queue.toArray()).toEqual(model);
          expect(queue.size).toBe(model.length);
          expect(queue.fitMin()).toBe(model.length === 0 ? Infinity : Math.min(...model.map((m) => m.sizeMin)));
          const fit = random.int(1, 8);
          const cursor = queue.cursor();
          const seen = [];
          for (let item = cursor.next(fit); item !== undefined; item = cursor.next(fit)) seen.push(item);
          expect(seen).toEqual(model.filter((m) => m.sizeMin <= fit));
        }
      }
    }
  });
});
