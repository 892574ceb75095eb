/**
 * Model-based test of the KV engine against the in-memory reference store:
 * fast-check generates sequences of puts, deletes, gets, range scans,
 * transactions (some aborting), snapshots, checkpoints, compactions, clean
 * reopens and crashes; each step runs on both and their answers must agree.
 * fast-check shrinks a failure to a minimal sequence and prints its seed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeKey, LogStore, ModelKvStore, type RawKey, type RawRange, type RawSnapshot } from '../../../storage/kv/index.js';
import { openPmemDevice } from '../../../storage/pmem/index.js';
import type { PmemDevice } from '../../../storage/pmem/index.js';

type Op =
  | { t: 'put'; k: number; v: number }
  | { t: 'del'; k: number }
  | { t: 'get'; k: number }
  | { t: 'range'; a: number | null; b: number | null; reverse: boolean; limit: number | null }
  | { t: 'tx'; puts: [number, number][]; dels: number[]; abort: boolean }
  | { t: 'snapshot' }
  | { t: 'check-snapshot' }
  | { t: 'release' }
  | { t: 'checkpoint' }
  | { t: 'compact' }
  | { t: 'reopen' }
  | { t: 'crash'; seed: number };

const keyArb = fc.integer({ min: 0, max: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('put' as const), k: keyArb, v: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), k: keyArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('get' as const), k: keyArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('range' as const),
      a: fc.option(keyArb, { nil: null }),
      b: fc.option(keyArb, { nil: null }),
      reverse: fc.boolean(),
      limit: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('tx' as const),
      puts: fc.array(fc.tuple(keyArb, fc.integer({ min: 0, max: 1000 })), { maxLength: 6 }),
      dels: fc.array(keyArb, { maxLength: 3 }),
      abort: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'snapshot' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'check-snapshot' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'release' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'checkpoint' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'compact' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), seed: fc.integer({ min: 0, max: 1e6 }) }) },
);

const rk = (n: number): RawKey => encodeKey(n);
const value = (n: number, k: number) => {
  // Values of varied size so that segments fill and compaction has work.
  const b = Buffer.alloc(20 + ((n * 7 + k) % 200));
  b.writeUInt32LE(n, 0);
  return b;
};
const read = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).readUInt32LE(0));

function dump(store: { scanRaw(range: RawRange, visit: (key: RawKey, buf: Uint8Array, off: number, len: number) => boolean | void): number }, range: RawRange): [RawKey, number][] {
  const out: [RawKey, number][] = [];
  store.scanRaw(range, (key, buf, off) => void out.push([key, Buffer.from(buf.buffer, buf.byteOffset + off, 4).readUInt32LE(0)]));
  return out;
}

async function runSequence(ops: Op[]): Promise<void> {
  // A few keys per turn: after a reopen the hash index fills over many of the
  // steps below (each yields a turn), interleaved with writes and compactions.
  const options = { segmentBytes: 64 * 1024, checkpointBytes: 16 * 1024, compactionDeadRatio: 0.5, durability: 'sync' as const, hashFillKeysPerTurn: 3 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-model-'));
  let generation = 0;
  let file = path.join(dir, `db-${generation}.pmem`);
  let device: PmemDevice = openPmemDevice({ path: file, sizeBytes: 256 * 1024, trackCrashStates: true });
  let store = new LogStore({ ...options, device });
  const model = new ModelKvStore();
  let snapshot: { real: RawSnapshot; model: RawSnapshot } | undefined;
  try {
    for (const op of ops) {
      switch (op.t) {
        case 'put':
          // Half the puts take the one-write fast path.
          if (op.v % 2 === 0) void store.writeOne(rk(op.k), value(op.v, op.k));
          else store.transactionSync((tx) => tx.putRaw(rk(op.k), value(op.v, op.k)));
          model.transactionSync((tx) => tx.putRaw(rk(op.k), value(op.v, op.k)));
          break;
        case 'del': {
          const existed = store.has(rk(op.k));
          const a = op.k % 2 === 0 ? (void store.writeOne(rk(op.k), null), existed) : store.transactionSync((tx) => tx.delRaw(rk(op.k)));
          const b = model.transactionSync((tx) => tx.delRaw(rk(op.k)));
          expect(a).toBe(b);
          break;
        }
        case 'get':
          expect(read(store.getRaw(rk(op.k)))).toBe(read(model.getRaw(rk(op.k))));
          break;
        case 'range': {
          const range: RawRange = {
            ...(op.a === null ? {} : { start: rk(op.a) }),
            ...(op.b === null ? {} : { end: rk(op.b) }),
            reverse: op.reverse,
            ...(op.limit === null ? {} : { limit: op.limit }),
          };
          expect(dump(store, range)).toEqual(dump(model, range));
          break;
        }
        case 'tx': {
          type Tx = Parameters<Parameters<ModelKvStore['transactionSync']>[0]>[0];
          const body = (tx: Tx) => {
            for (const [k, v] of op.puts) tx.putRaw(rk(k), value(v, k));
            // Scans merge the transaction's own writes with the snapshot.
            const before = dump(tx, { start: rk(5), end: rk(30), limit: 8 });
            const seen = op.dels.map((k) => tx.delRaw(rk(k)));
            const reads = op.puts.map(([k]) => read(tx.getRaw(rk(k))));
            const after = dump(tx, { reverse: true, limit: 12 });
            if (op.abort) throw new Error('abort');
            return { seen, reads, before, after };
          };
          let a: unknown;
          let b: unknown;
          try {
            a = store.transactionSync(body);
          } catch (e) {
            a = (e as Error).message;
          }
          try {
            b = model.transactionSync(body);
          } catch (e) {
            b = (e as Error).message;
          }
          expect(a).toEqual(b);
          break;
        }
        case 'snapshot':
          snapshot?.real.release();
          snapshot = { real: store.snapshotRaw(), model: model.snapshotRaw() };
          break;
        case 'check-snapshot':
          if (snapshot) expect(dump(snapshot.real, {})).toEqual(dump(snapshot.model, {}));
          break;
        case 'release':
          snapshot?.real.release();
          snapshot = undefined;
          break;
        case 'checkpoint':
          await store.checkpoint();
          break;
        case 'compact':
          await store.compact();
          break;
        case 'reopen':
          snapshot = undefined;
          await store.close();
          device = openPmemDevice({ path: file, trackCrashStates: true });
          store = new LogStore({ ...options, device });
          break;
        case 'crash': {
          snapshot = undefined;
          // Durability 'sync': everything committed is persisted, so every
          // crash image must hold exactly the committed state. The crashed
          // store is abandoned, as a killed process would leave it.
          const [image] = [...device.crashImages({ mode: 'sample', seed: op.seed, count: 1 })];
          device.close();
          file = path.join(dir, `db-${++generation}.pmem`);
          fs.writeFileSync(file, image!);
          device = openPmemDevice({ path: file, trackCrashStates: true });
          store = new LogStore({ ...options, device });
          break;
        }
        default: {
          const never: never = op;
          throw new Error(`unknown op ${JSON.stringify(never)}`);
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(dump(store, {})).toEqual(dump(model, {}));
  } finally {
    await store.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('KV engine against the reference model', () => {
  it('agrees on every step of random operation sequences (shrinks and prints the seed on failure)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 120 }), runSequence), {
      numRuns: process.env.FAIRDB_SOAK ? 2000 : 60,
      verbose: 1,
    });
  }, 180_000);
});
