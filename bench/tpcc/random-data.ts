/**
 * The random functions of TPC-C: NURand and its run-time constants (clause
 * 2.1.6), customer last names from the syllable table (clause 4.3.2.3), and
 * the random strings of the loader (clause 4.3.2.2, 4.3.2.7, 4.3.3.1).
 * Everything draws from an injected seeded `Random`, so a load or a run is a
 * function of its seed.
 */
import { assert, type Random } from '../../storage/device/index.js';

/** The A of NURand for C_LAST (clause 2.1.6). */
export const nuRandLastNameA = 255;
/** The A of NURand for C_ID (clause 2.1.6). */
export const nuRandCustomerIdA = 1023;
/** The A of NURand for OL_I_ID (clause 2.1.6). */
export const nuRandItemIdA = 8191;

/**
 * NURand(A, x, y) = (((random(0, A) | random(x, y)) + C) % (y - x + 1)) + x,
 * the non-uniform distribution of clause 2.1.6. The result is in [x, y].
 */
export function nuRand(random: Random, a: number, c: number, x: number, y: number): number {
  return (((random.int(0, a) | random.int(x, y)) + c) % (y - x + 1)) + x;
}

/** The run-time constants C of clause 2.1.6, one set per database and run. */
export interface TpccConstants {
  /** C for C_LAST while loading the database. */
  readonly lastNameLoad: number;
  /** C for C_LAST during the run; |run - load| obeys clause 2.1.6.1. */
  readonly lastNameRun: number;
  /** C for C_ID during the run. */
  readonly customerId: number;
  /** C for OL_I_ID during the run. */
  readonly itemId: number;
}

/**
 * Whether a pair of C_LAST constants obeys clause 2.1.6.1: the difference
 * between the run and load values is in [65, 119] and is neither 96 nor 112.
 */
export function validLastNameDelta(load: number, run: number): boolean {
  const delta = Math.abs(run - load);
  return delta >= 65 && delta <= 119 && delta !== 96 && delta !== 112;
}

/** Draws the constants of clause 2.1.6 (the run C_LAST constant by rejection). */
export function chooseConstants(random: Random): TpccConstants {
  const lastNameLoad = random.int(0, nuRandLastNameA);
  // At least 53 of the 256 candidates are valid for any load value (exactly
  // 53 when it is 0 or 255), so the expected number of draws is below 5 and
  // the bound only guards the loop.
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const lastNameRun = random.int(0, nuRandLastNameA);
    if (validLastNameDelta(lastNameLoad, lastNameRun)) {
      return Object.freeze({
        lastNameLoad,
        lastNameRun,
        customerId: random.int(0, nuRandCustomerIdA),
        itemId: random.int(0, nuRandItemIdA),
      });
    }
  }
  assert(false, 'a valid C_LAST run constant exists for every load constant');
}

const syllables = ['BAR', 'OUGHT', 'ABLE', 'PRI', 'PRES', 'ESE', 'ANTI', 'CALLY', 'ATION', 'EING'] as const;

/**
 * The 1,000 customer last names of clause 4.3.2.3: the number's three
 * decimal digits each pick a syllable (371 → PRI CALLY OUGHT). Immutable.
 */
export const lastNames: readonly string[] = Object.freeze(
  Array.from({ length: 1000 }, (_, n) => `${syllables[Math.floor(n / 100)]}${syllables[Math.floor(n / 10) % 10]}${syllables[n % 10]}`),
);

/** The last name for a number in [0, 999]. */
export function lastName(n: number): string {
  const name = lastNames[n];
  assert(name !== undefined, 'last-name number is in [0, 999]');
  return name;
}

const alphanumerics = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// 62^5 < 2^32: one uniform draw gives five independent uniform characters.
const charsPerDraw = 5;
const drawRange = 62 ** charsPerDraw;

/** Longest string the loader generates (C_DATA, clause 4.3.3.1). */
export const stringCharsMax = 500;

/** The marker that 10% of I_DATA and S_DATA values carry (clause 4.3.3.1). */
export const originalMarker = 'ORIGINAL';

/**
 * Random strings for the loader. Characters are written into a scratch
 * buffer that this object owns and decoded once per string, so a string
 * costs one allocation.
 */
export class TpccText {
  private readonly scratch = Buffer.alloc(stringCharsMax);
  private readonly alphabet = Buffer.from(alphanumerics, 'latin1');

  constructor(private readonly random: Random) {}

  /**
   * A random a-string [min, max] (clause 4.3.2.2): random length in
   * [min, max], characters uniform over the 26 lower-case and 26 upper-case
   * letters and the 10 digits.
   */
  aString(min: number, max: number): string {
    const length = this.random.int(min, max);
    this.fillAlphanumeric(length);
    return this.scratch.toString('latin1', 0, length);
  }

  /** A random n-string of exactly `length` digits (clause 4.3.2.2). */
  nString(length: number): string {
    assert(length <= stringCharsMax, 'n-string fits the scratch');
    for (let i = 0; i < length; i++) this.scratch[i] = 0x30 + this.random.int(0, 9);
    return this.scratch.toString('latin1', 0, length);
  }

  /** A zip code: a random n-string of 4 digits and "11111" (clause 4.3.2.7). */
  zip(): string {
    return `${this.nString(4)}11111`;
  }

  /**
   * I_DATA or S_DATA: a random a-string [26, 50]; for 10% of the rows the 8
   * characters "ORIGINAL" start at a random position (clause 4.3.3.1).
   */
  data(): string {
    const length = this.random.int(26, 50);
    this.fillAlphanumeric(length);
    if (this.random.int(1, 10) === 1) {
      const at = this.random.int(0, length - originalMarker.length);
      this.scratch.write(originalMarker, at, 'latin1');
    }
    return this.scratch.toString('latin1', 0, length);
  }

  private fillAlphanumeric(length: number): void {
    assert(length >= 0 && length <= stringCharsMax, 'a-string fits the scratch');
    let i = 0;
    while (i < length) {
      let draw = this.random.int(0, drawRange - 1);
      for (let k = 0; k < charsPerDraw && i < length; k++, i++) {
        this.scratch[i] = this.alphabet[draw % 62] as number;
        draw = Math.floor(draw / 62);
      }
    }
  }
}
