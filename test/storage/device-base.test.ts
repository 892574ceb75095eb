import { describe, expect, it } from 'vitest';
import { AssertionError, FairdbError, LimitError, ManualClock, OptionsViolations, seededRandom } from '../../storage/device/index.js';
import { MemoryDevice } from '../../storage/memory-device/index.js';

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const seqA = Array.from({ length: 20 }, () => a.int(0, 1_000_000));
    const seqB = Array.from({ length: 20 }, () => b.int(0, 1_000_000));
    const seqC = Array.from({ length: 20 }, () => c.int(0, 1_000_000));
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('draws floats in [0, 1) and ints within bounds', () => {
    const r = seededRandom(1);
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      const n = r.int(-3, 3);
      expect(n).toBeGreaterThanOrEqual(-3);
      expect(n).toBeLessThanOrEqual(3);
    }
  });

  it('forks independent generators deterministically', () => {
    const x = seededRandom(5).fork();
    const y = seededRandom(5).fork();
    expect(x.int(0, 1e9)).toBe(y.int(0, 1e9));
  });
});

describe('ManualClock', () => {
  it('fires timers in time order and only when due', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(50, () => fired.push('b'));
    clock.setTimer(10, () => fired.push('a'));
    const cancel = clock.setTimer(20, () => fired.push('cancelled'));
    cancel();
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(41);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1050);
  });
});

describe('errors', () => {
  it('carries stable codes and reports every option violation at once', () => {
    const v = new OptionsViolations('test options');
    v.check(false, 'a must be positive');
    v.check(true, 'never shown');
    v.check(false, 'b must be a string');
    try {
      v.throwIfAny();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FairdbError);
      expect((e as FairdbError).code).toBe('INVALID_ARGUMENT');
      expect((e as Error).message).toContain('a must be positive; b must be a string');
      expect((e as Error).message).not.toContain('never shown');
    }
    const limit = new LimitError('key length', 511, 512);
    expect(limit.code).toBe('LIMIT');
    expect(limit.message).toContain('511');
  });
});

describe('MemoryDevice', () => {
  it('reads back what was written, grows with zeros, and refuses use after close', () => {
    const d = new MemoryDevice({ sizeBytes: 100 });
    expect(d.sizeBytes).toBe(4096);
    d.write(10, new Uint8Array([1, 2, 3]));
    expect([...d.read(9, 5)]).toEqual([0, 1, 2, 3, 0]);
    d.grow(10_000);
    expect(d.sizeBytes).toBe(12_288);
    expect([...d.read(10, 3)]).toEqual([1, 2, 3]);
    expect([...d.read(12_000, 2)]).toEqual([0, 0]);
    expect(() => d.read(12_287, 2)).toThrow(AssertionError);
    d.persist(0, 16);
    expect(d.stats().fences).toBe(1);
    d.close();
    expect(() => d.read(0, 1)).toThrow(/closed/);
  });
});
