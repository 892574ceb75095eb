/** Shared helpers of the live job system tests: temporary databases on fake time. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import { open, ManualClock, type Database, type OpenOptions } from '../../../engine/index.js';
import type { FairdbError } from '../../../storage/device/index.js';
export { codeOf } from '../../helpers.js';

const dirs: string[] = [];
const dbs: Database[] = [];

afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-jobs-'));
  dirs.push(d);
  return d;
}

/** A database on a ManualClock (starting at `startMs`), closed after the test. */
export function openDb(options: { dir?: string; clock?: ManualClock; startMs?: number } & OpenOptions = {}): { db: Database; clock: ManualClock; dir: string } {
  const dir = options.dir ?? tempDir();
  const clock = options.clock ?? new ManualClock(options.startMs ?? Date.UTC(2025, 0, 1));
  const { dir: _d, clock: _c, startMs: _s, ...rest } = options;
  const db = open(dir, { ...rest, clock });
  dbs.push(db);
  return { db, clock, dir };
}

/** Resolves after `ms` of the manual clock's time (when the test advances it). */
export function sleep(clock: ManualClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** The error code `fn` throws, or undefined. */
/** The error `fn` throws (fails the test if it does not). */
export function errorOf(fn: () => unknown): FairdbError {
  try {
    fn();
  } catch (e) {
    return e as FairdbError;
  }
  throw new Error('expected an error');
}

/** Advances the clock by `ms` and lets the scheduler act on it. */
export async function advance(db: Database, clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await db.scheduler.idle();
}

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Raw keys of the job system in the store. */
export function jobKeyCount(db: Database): number {
  let n = 0;
  db.store.scanRaw({ start: '\u0001j', end: '\u0001k' }, () => void n++);
  return n;
}
