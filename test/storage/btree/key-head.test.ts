import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commonPrefixLength, headChars, keyHead } from '../../../storage/btree/key-head.js';

const seed = process.env.FAIRDB_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FAIRDB_SEED);

/** Raw-key bytes plus a few chars above 255, which must saturate. */
const char = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 1, arbitrary: fc.constantFrom(256, 0xd800, 0xffff) },
).map((c) => String.fromCharCode(c));
const text = fc.array(char, { maxLength: 12, size: 'max' }).map((chars) => chars.join(''));

describe('keyHead', () => {
  it('is monotone in JS string order after a shared prefix', () => {
    try {
      fc.assert(
        fc.property(text, text, text, (prefix, a, b) => {
          const x = prefix + a;
          const y = prefix + b;
          const [low, high] = x <= y ? [x, y] : [y, x];
          expect(keyHead(low, prefix.length)).toBeLessThanOrEqual(keyHead(high, prefix.length));
          // Different heads imply different keys, ordered the same way.
          if (keyHead(low, prefix.length) < keyHead(high, prefix.length)) expect(low < high).toBe(true);
        }),
        { seed, numRuns: 2_000 },
      );
    } catch (error) {
      throw new Error(`keyHead property failed; reproduce with FAIRDB_SEED=${seed}\n${(error as Error).message}`, { cause: error });
    }
  });

  it('reads headChars bytes big-endian, padding past the end with zeros', () => {
    expect(headChars).toBe(6);
    expect(keyHead('', 0)).toBe(0);
    expect(keyHead('\u0001', 0)).toBe(2 ** 40);
    expect(keyHead('xx\u0001\u0002', 2)).toBe(2 ** 40 + 2 * 2 ** 32);
    expect(keyHead('\u00ff'.repeat(9), 0)).toBe(2 ** 48 - 1);
    expect(keyHead('a\u0100', 0)).toBe(0x61 * 2 ** 40 + (2 ** 40 - 1));
  });

  it('commonPrefixLength counts shared leading chars', () => {
    expect(commonPrefixLength('', 'abc')).toBe(0);
    expect(commonPrefixLength('abc', 'abd')).toBe(2);
    expect(commonPrefixLength('ab', 'abc')).toBe(2);
    expect(commonPrefixLength('x\u0000y', 'x\u0000y')).toBe(3);
  });
});
