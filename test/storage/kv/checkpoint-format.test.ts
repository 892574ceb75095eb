import { describe, expect, it } from 'vitest';
import { FairdbError, seededRandom } from '../../../storage/device/index.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../storage/kv/checkpoint-format.js';

function image(count: number): { bytes: Buffer; keys: string[] } {
  const keys = Array.from({ length: count }, (_, i) => `key-${String(i).padStart(6, '0')}${'x'.repeat(i % 7)}`);
  const chunks = encodeCheckpoint(count, (visit) => keys.forEach((k, i) => visit(k, i * 100, i % 50)), 77);
  return { bytes: Buffer.concat(chunks), keys };
}

describe('checkpoint image', () => {
  it('decodes the same from one buffer and from chunks cut anywhere, fields straddling chunks included', () => {
    const { bytes, keys } = image(500);
    const whole = decodeCheckpoint(bytes, { file: 'test', offset: 0 }, 1e9);
    expect(whole.keys).toEqual(keys);
    expect(whole.nextTxId).toBe(77);
    const random = seededRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const cuts = Array.from({ length: random.int(1, 12) }, () => random.int(1, bytes.length - 1)).sort((a, b) => a - b);
      const chunks: Uint8Array[] = [];
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        chunks.push(bytes.subarray(from, cut));
        from = cut;
      }
      const decoded = decodeCheckpoint(chunks, { file: 'test', offset: 0 }, 1e9);
      expect(decoded.keys, `seed ${random.seed} trial ${trial}`).toEqual(keys);
      expect([...decoded.addresses]).toEqual([...whole.addresses]);
      expect([...decoded.lengths]).toEqual([...whole.lengths]);
    }
  });

  it('refuses damaged images with CORRUPTION: magic, order, lengths, addresses past the device', () => {
    const { bytes } = image(20);
    const damaged = (mutate: (b: Buffer) => void, deviceBytes = 1e9): string | undefined => {
      const copy = Buffer.from(bytes);
      mutate(copy);
      try {
        decodeCheckpoint(copy, { file: 'test', offset: 0 }, deviceBytes);
      } catch (e) {
        return (e as FairdbError).code;
      }
      return undefined;
    };
    expect(damaged((b) => (b[0] ^= 1))).toBe('CORRUPTION');
    expect(damaged((b) => b.writeUInt32LE(21, 8))).toBe('CORRUPTION');
    // Keys start at 40 + 8·20 + 4·20 + 2·20 = 320: make the first key sort last.
    expect(damaged((b) => (b[320] = 0xff))).toBe('CORRUPTION');
    expect(damaged(() => undefined, 100)).toBe('CORRUPTION');
    expect(damaged(() => undefined)).toBeUndefined();
  });
});
