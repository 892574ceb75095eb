import { describe, expect, it } from 'vitest';
import { AssertionError, seededRandom } from '../../../storage/device/index.js';
import {
  chooseConstants,
  lastName,
  lastNames,
  nuRand,
  nuRandCustomerIdA,
  nuRandItemIdA,
  nuRandLastNameA,
  originalMarker,
  TpccText,
  validLastNameDelta,
} from '../../../bench/tpcc/random-data.js';

describe('NURand (clause 2.1.6)', () => {
  it.each([
    ['C_LAST', nuRandLastNameA, 0, 999],
    ['C_ID', nuRandCustomerIdA, 1, 3000],
    ['OL_I_ID', nuRandItemIdA, 1, 100_000],
  ] as const)('%s: NURand(%i, %i, %i) stays in its domain and is skewed', (_, a, x, y) => {
    const seed = 41;
    const random = seededRandom(seed);
    const c = random.int(0, a);
    const counts = new Map<number, number>();
    const outside: number[] = [];
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const v = nuRand(random, a, c, x, y);
      if (!(Number.isInteger(v) && v >= x && v <= y)) outside.push(v);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect(outside, `seed ${seed}`).toEqual([]);
    const mean = draws / (y - x + 1);
    // Uniform draws would put about `mean` on every value; NURand concentrates on some.
    expect(Math.max(...counts.values()) / mean, `seed ${seed}`).toBeGreaterThan(5);
  });

  it('reaches both ends of a small domain', () => {
    const random = seededRandom(5);
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) seen.add(nuRand(random, 255, 0, 0, 999));
    expect(seen.has(0) && seen.has(999)).toBe(true);
  });

  it('chooses run-time constants in range, with a valid C_LAST delta (clause 2.1.6.1)', () => {
    for (let seed = 0; seed < 500; seed++) {
      const c = chooseConstants(seededRandom(seed));
      expect(c.lastNameLoad >= 0 && c.lastNameLoad <= 255 && c.lastNameRun >= 0 && c.lastNameRun <= 255, `seed ${seed}`).toBe(true);
      expect(c.customerId >= 0 && c.customerId <= 1023 && c.itemId >= 0 && c.itemId <= 8191, `seed ${seed}`).toBe(true);
      expect(validLastNameDelta(c.lastNameLoad, c.lastNameRun), `seed ${seed}`).toBe(true);
    }
    expect(validLastNameDelta(0, 65)).toBe(true);
    expect(validLastNameDelta(0, 64)).toBe(false);
    expect(validLastNameDelta(200, 81)).toBe(true);
    expect(validLastNameDelta(0, 120)).toBe(false);
    expect(validLastNameDelta(10, 106)).toBe(false);
    expect(validLastNameDelta(122, 10)).toBe(false);
  });
});

describe('customer last names (clause 4.3.2.3)', () => {
  it('concatenates the syllables of the three digits', () => {
    expect(lastName(0)).toBe('BARBARBAR');
    expect(lastName(371)).toBe('PRICALLYOUGHT');
    expect(lastName(999)).toBe('EINGEINGEING');
    expect(lastName(40)).toBe('BARPRESBAR');
    expect(new Set(lastNames).size).toBe(1000);
    expect(() => lastName(1000)).toThrow(AssertionError);
    expect(() => lastName(-1)).toThrow(AssertionError);
  });
});

describe('random strings (clause 4.3.2.2, 4.3.2.7, 4.3.3.1)', () => {
  it('a-strings have every length in range and only alphanumeric characters, all of them', () => {
    const text = new TpccText(seededRandom(9));
    const lengths = new Set<number>();
    const chars = new Set<string>();
    const bad: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const s = text.aString(8, 16);
      if (!/^[A-Za-z0-9]{8,16}$/.test(s)) bad.push(s);
      lengths.add(s.length);
      for (const ch of s) chars.add(ch);
    }
    expect(bad).toEqual([]);
    expect([...lengths].sort((a, b) => a - b)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(chars.size).toBe(62);
    expect(text.aString(500, 500).length).toBe(500);
    expect(() => text.aString(501, 501)).toThrow(AssertionError);
  });

  it('n-strings, zip codes and the 10% ORIGINAL rule', () => {
    const seed = 12;
    const text = new TpccText(seededRandom(seed));
    expect(text.nString(16)).toMatch(/^\d{16}$/);
    expect(text.zip()).toMatch(/^\d{4}11111$/);
    let original = 0;
    let badLength = 0;
    const rows = 20_000;
    for (let i = 0; i < rows; i++) {
      const data = text.data();
      if (data.length < 26 || data.length > 50) badLength++;
      if (data.includes(originalMarker)) original++;
    }
    expect(badLength, `seed ${seed}`).toBe(0);
    // Binomial(20000, 0.1): the standard deviation is 0.2 points; 8%..12% is ten of them.
    expect(original / rows, `seed ${seed}`).toBeGreaterThan(0.08);
    expect(original / rows, `seed ${seed}`).toBeLessThan(0.12);
  });
});
