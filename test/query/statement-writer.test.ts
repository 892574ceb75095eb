/**
 * The statement overlay (query/statement-writer.ts): reads, scans in both
 * directions with bounds and limits, and the flush match a plain map of the
 * base entries with the statement's changes applied, under random
 * interleavings of writes and scans.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../../storage/device/index.js';
import { ModelKvStore } from '../../storage/kv/model.js';
import type { RawRange } from '../../storage/kv/raw.js';
import { StatementWriter } from '../../query/statement-writer.js';

const keySpace = 300;

function keyOf(random: Random): string {
  return `k${String(random.int(0, keySpace - 1)).padStart(3, '0')}`;
}

/** The entries of `model` in `range`, as a scan visits them. */
function expectedScan(model: Map<string, string>, range: RawRange): [string, string][] {
  const reverse = range.reverse === true;
  const keys = [...model.keys()]
    .filter((k) => (reverse ? (range.start === undefined || k <= range.start) && (range.end === undefined || k > range.end) : (range.start === undefined || k >= range.start) && (range.end === undefined || k < range.end)))
    .sort();
  if (reverse) keys.reverse();
  return keys.slice(0, range.limit ?? keys.length).map((k) => [k, model.get(k) as string]);
}

function randomRange(random: Random): RawRange {
  const reverse = random.chance(0.5);
  const a = random.chance(0.2) ? undefined : keyOf(random);
  const b = random.chance(0.2) ? undefined : keyOf(random);
  const limit = random.chance(0.3) ? random.int(0, 20) : undefined;
  return { ...(a === undefined ? {} : { start: a }), ...(b === undefined ? {} : { end: b }), reverse, ...(limit === undefined ? {} : { limit }) };
}

const text = new TextEncoder();
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('StatementWriter', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`matches a map of the base with the changes applied (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const store = new ModelKvStore();
      const model = new Map<string, string>();
      store.transactionSync((tx) => {
        for (let i = 0; i < 150; i++) {
          const key = keyOf(random);
          const value = `base${i}`;
          tx.putRaw(key, text.encode(value));
          model.set(key, value);
        }
      });
      store.transactionSync((tx) => {
        const writer = new StatementWriter(tx);
        for (let step = 0; step < 2000; step++) {
          const what = random.int(0, 9);
          const key = keyOf(random);
          if (what < 4) {
            const value = `v${step}`;
            writer.putRaw(key, text.encode(value));
            model.set(key, value);
          } else if (what < 6) {
            expect(writer.delRaw(key), `seed ${seed} step ${step}: delete ${key}`).toBe(model.has(key));
            model.delete(key);
          } else if (what < 8) {
            const got = writer.getRaw(key);
            expect(got === undefined ? undefined : decode(got), `seed ${seed} step ${step}: get ${key}`).toBe(model.get(key));
          } else {
            const range = randomRange(random);
            const seen: [string, string][] = [];
            const count = writer.scanRaw(range, (k, buffer, offset, length) => {
              seen.push([k, decode(buffer.subarray(offset, offset + length))]);
            });
            const expected = expectedScan(model, range);
            expect(seen, `seed ${seed} step ${step}: scan ${JSON.stringify(range)}`).toEqual(expected);
            expect(count).toBe(expected.length);
          }
        }
        writer.flush();
        // After the flush the transaction holds exactly the model.
        const all: [string, string][] = [];
        tx.scanRaw({}, (k, buffer, offset, length) => {
          all.push([k, decode(buffer.subarray(offset, offset + length))]);
        });
        expect(all, `seed ${seed}: after flush`).toEqual(expectedScan(model, {}));
      });
    });
  }

  it('orders many keys written in descending order for a scan and for the flush', () => {
    // (Keys are sorted once when first needed: inserting each into an ordered
    // list as it came moved a quadratic number of elements.)
    const store = new ModelKvStore();
    const value = new Uint8Array(1);
    const n = 50_000;
    store.transactionSync((tx) => {
      const writer = new StatementWriter(tx);
      for (let i = n; i > 0; i--) writer.putRaw(`k${String(i).padStart(7, '0')}`, value);
      const firsts: string[] = [];
      writer.scanRaw({ limit: 3 }, (k) => {
        firsts.push(k);
      });
      expect(firsts).toEqual(['k0000001', 'k0000002', 'k0000003']);
      writer.putRaw('k0000000', value);
      const lasts: string[] = [];
      writer.scanRaw({ reverse: true, end: 'k0000000', limit: 2 }, (k) => {
        lasts.push(k);
      });
      expect(lasts).toEqual([`k${String(n).padStart(7, '0')}`, `k${String(n - 1).padStart(7, '0')}`]);
      writer.flush();
      let count = 0;
      let previous = '';
      tx.scanRaw({}, (k) => {
        expect(k > previous).toBe(true);
        previous = k;
        count++;
      });
      expect(count).toBe(n + 1);
    });
  });
});
