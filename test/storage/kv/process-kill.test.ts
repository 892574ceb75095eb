/**
 * Kills a child process that commits with durability 'sync' at random moments
 * and checks, after recovery, that every transaction it acknowledged is there
 * and no transaction is half-applied. Also checks the database lock across
 * processes. The child runs the built code (npm test builds first).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { open, FairdbError } from '../../../engine/index.js';
import { seededRandom } from '../../../storage/device/index.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-child.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-kill-'));
  dirs.push(d);
  return d;
}

function start(dir: string, mode: 'commit' | 'hold', from = 0): { proc: ChildProcess; acked: () => number; ready: Promise<void>; exited: Promise<void> } {
  const proc = fork(child, [dir, mode, String(from)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let acked = from;
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  proc.on('message', (m: { acked?: number; ready?: boolean }) => {
    if (m.ready) onReady();
    if (m.acked !== undefined) acked = Math.max(acked, m.acked);
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return { proc, acked: () => acked, ready, exited };
}

describe('process kill', () => {
  it('loses no acknowledged transaction and half-applies none, across SIGKILLs at random moments', async () => {
    const dir = tempDir();
    const rounds = process.env.FAIRDB_SOAK ? 40 : 4;
    const random = seededRandom(Number(process.env.FAIRDB_SEED ?? 7));
    let recovered = 0;
    let totalAcked = 0;
    for (let round = 0; round < rounds; round++) {
      const c = start(dir, 'commit', recovered);
      await c.ready;
      await new Promise((r) => setTimeout(r, random.int(30, 250)));
      c.proc.kill('SIGKILL');
      await c.exited;
      const acked = c.acked();
      totalAcked = acked;
      const db = open(dir, { durability: 'sync', segmentBytes: 256 * 1024 });
      let highest = 0;
      for (let i = 1; ; i++) {
        const parts = ['a', 'b', 'c'].map((p) => db.get([i, p]));
        const present = parts.filter((v) => v !== undefined).length;
        if (present === 0) {
          expect(i, `transaction ${i} acknowledged (acked up to ${acked}) but lost, seed ${random.seed}`).toBeGreaterThan(acked);
          break;
        }
        expect(present, `transaction ${i} half-applied, seed ${random.seed}`).toBe(3);
        expect(parts).toEqual([i, i, i]);
        highest = i;
      }
      for (let h = 0; h < 7; h++) {
        const v = db.get(['hot', h]) as number | undefined;
        if (v !== undefined) expect(v).toBeLessThanOrEqual(highest);
      }
      recovered = highest;
      await db.close();
    }
    console.log(`[process kill] ${rounds} SIGKILLs, ${totalAcked} transactions acknowledged, ${recovered} recovered at the end`);
    expect(recovered).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a second open from another process with LOCKED, and takes over the lock of a killed one', async () => {
    const dir = tempDir();
    const holder = start(dir, 'hold');
    await holder.ready;
    try {
      open(dir);
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code).toBe('LOCKED');
    }
    holder.proc.kill('SIGKILL');
    await holder.exited;
    const db = open(dir);
    await db.put('after', 1);
    expect(db.get('after')).toBe(1);
    await db.close();
  }, 60_000);
});
