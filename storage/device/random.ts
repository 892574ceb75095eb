/**
 * Seeded pseudo-random numbers for everything that must be replayable: crash
 * image sampling, simulations, workload generators and tests. Backed by
 * pure-rand's xoroshiro128+ (the generator fast-check uses).
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export interface Random {
  /** The seed this generator started from (print it on failure). */
  readonly seed: number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[];
  /** Fills `bytes` with random bytes; returns it. */
  fill(bytes: Uint8Array): Uint8Array;
  /** An independent generator (2^64 steps away), for a sub-simulation. */
  fork(): Random;
}

type Generator = ReturnType<typeof xoroshiro128plus>;

class XoroshiroRandom implements Random {
  constructor(
    readonly seed: number,
    private readonly rng: Generator,
  ) {}

  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }

  float(): number {
    // 53 random bits: two draws of 26 and 27 bits.
    const high = uniformInt(this.rng, 0, (1 << 26) - 1);
    const low = uniformInt(this.rng, 0, (1 << 27) - 1);
    return (high * 134217728 + low) / 9007199254740992;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.int(0, items.length - 1)] as T;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }

  fill(bytes: Uint8Array): Uint8Array {
    for (let i = 0; i < bytes.length; i++) bytes[i] = uniformInt(this.rng, 0, 255);
    return bytes;
  }

  fork(): Random {
    const clone = this.rng.clone();
    clone.jump();
    // Advance this generator too so that two forks differ.
    this.rng.jump();
    return new XoroshiroRandom(this.seed, clone);
  }
}

/** A seeded generator; the same seed gives the same sequence. */
export function seededRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return new XoroshiroRandom(seed, xoroshiro128plus((seed ^ Math.floor(seed / 4294967296)) | 0));
}
