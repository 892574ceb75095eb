import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../storage/device/index.js';
import { isZero, nonZeroExtent } from '../../wal/little-endian.js';

function naiveExtent(bytes: Uint8Array, offset: number, end: number): number {
  for (let i = end - 1; i >= offset; i--) if (bytes[i] !== 0) return i + 1;
  return offset;
}

describe('nonZeroExtent and isZero', () => {
  it('agrees with a byte-by-byte scan on aligned and unaligned views, whatever the offsets', () => {
    const random = seededRandom(11);
    const backing = new Uint8Array(600);
    for (let round = 0; round < 3000; round++) {
      backing.fill(0);
      for (let n = random.int(0, 3); n > 0; n--) backing[random.int(0, backing.length - 1)] = random.int(1, 255);
      const start = random.int(0, 7);
      const view = backing.subarray(start, start + random.int(0, backing.length - start));
      const offset = random.int(0, view.length);
      const end = random.int(offset, view.length);
      expect(nonZeroExtent(view, offset, end), `seed 11 round ${round}`).toBe(naiveExtent(view, offset, end));
      expect(isZero(view, offset, end - offset), `seed 11 round ${round}`).toBe(naiveExtent(view, offset, end) === offset);
    }
  });
});
