import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FairdbError, LockedError } from '../../../storage/device/index.js';
import { acquireLock, lockFileBytesMax } from '../../../storage/lock/index.js';
import { codeOf } from '../../helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const holder = path.join(here, 'hold-lock.mjs');
const builtLock = path.join(here, '..', '..', '..', 'dist', 'storage', 'lock', 'index.js');

let dir: string;
let lockPath: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-lock-'));
  lockPath = path.join(dir, 'LOCK');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A pid that certainly belonged to a process that has exited (and been reaped). */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '']);
  expect(result.status).toBe(0);
  return result.pid as number;
}

function takenOverFrom(content: string | Buffer): void {
  fs.writeFileSync(lockPath, content);
  const lock = acquireLock(lockPath);
  expect(fs.readFileSync(lockPath, 'latin1')).toMatch(new RegExp(`^fairdb-lock 1 ${process.pid} [0-9a-f]{16}\\n$`));
  lock.release();
  expect(fs.existsSync(lockPath)).toBe(false);
}

describe('database lock', () => {
  it('creates the lock file with our pid and removes it on release', () => {
    const lock = acquireLock(lockPath);
    expect(lock.held).toBe(true);
    expect(lock.pid).toBe(process.pid);
    expect(fs.readFileSync(lockPath, 'latin1')).toMatch(new RegExp(`^fairdb-lock 1 ${process.pid} [0-9a-f]{16}\\n$`));
    lock.release();
    lock.release();
    expect(lock.held).toBe(false);
    expect(fs.existsSync(lockPath)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a second handle in the same process until the first is released', () => {
    const first = acquireLock(lockPath);
    try {
      acquireLock(lockPath);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LockedError);
      expect((error as LockedError).pid).toBe(process.pid);
    }
    first.release();
    acquireLock(lockPath).release();
  });

  it('refuses a lock held by another live process', () => {
    fs.writeFileSync(lockPath, `fairdb-lock 1 ${process.ppid} 00112233445566ff\n`);
    try {
      acquireLock(lockPath);
      expect.unreachable();
    } catch (error) {
      expect((error as FairdbError).code).toBe('LOCKED');
      expect((error as LockedError).pid).toBe(process.ppid);
    }
    expect(fs.readFileSync(lockPath, 'latin1')).toContain(`${process.ppid}`);
  });

  it('takes over a lock left by a dead process', { timeout: 30_000 }, () => {
    takenOverFrom(`fairdb-lock 1 ${deadPid()} 00112233445566ff\n`);
  });

  it('takes over a lock of an earlier process that had our pid', () => {
    takenOverFrom(`fairdb-lock 1 ${process.pid} 0123456789abcdef\n`);
  });

  it('treats clearly invalid content as stale', () => {
    takenOverFrom('garbage');
    takenOverFrom(Buffer.from([0xff, 0x00, 0x13]));
    takenOverFrom(`fairdb-lock 1 0 0123456789abcdef\n`);
    takenOverFrom(`fairdb-lock 1 ${process.ppid} 0123456789abcdef\nextra`);
    takenOverFrom(`fairdb-lock 1 99999999999 0123456789abcdef\n`);
    takenOverFrom('x'.repeat(lockFileBytesMax + 1));
    takenOverFrom('fairdb-lock 1 __proto__ constructor\n');
  });

  it('waits for an empty or partial lock file to settle, then treats it as stale', () => {
    takenOverFrom('');
    takenOverFrom(`fairdb-lock 1 ${process.ppid}`);
  });

  it('refuses a lock file of a format version it does not know', { timeout: 30_000 }, () => {
    fs.writeFileSync(lockPath, `fairdb-lock 2 ${deadPid()} whatever\n`);
    expect(codeOf(() => acquireLock(lockPath))).toBe('LOCKED');
  });

  it('leaves a lock that another process took over alone on release', () => {
    const lock = acquireLock(lockPath);
    const theirs = `fairdb-lock 1 ${process.ppid} 00112233445566ff\n`;
    fs.writeFileSync(lockPath, theirs);
    lock.release();
    expect(fs.readFileSync(lockPath, 'latin1')).toBe(theirs);
  });

  it('rejects bad paths with typed errors', () => {
    expect(codeOf(() => acquireLock(''))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => acquireLock('a\0b'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => acquireLock(dir))).toBe('IO');
    expect(codeOf(() => acquireLock(path.join(dir, 'missing', 'LOCK')))).toBe('IO');
  });
});

describe('database lock across processes (built code in dist/)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  // Generous timeout: the test forks a node process, slow on a loaded machine.
  it('is LOCKED while a child holds it, and taken over after the child is SIGKILLed', { timeout: 60_000 }, async () => {
    expect(fs.existsSync(builtLock), `${builtLock} is missing: run npx tsc -p . first`).toBe(true);
    const running = fork(holder, [lockPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child = running;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    const message = await new Promise<{ pid: number; held: boolean }>((resolve, reject) => {
      running.once('message', (m) => resolve(m as { pid: number; held: boolean }));
      running.once('exit', (code) => reject(new Error(`lock holder exited early with ${code}`)));
    });
    expect(message).toEqual({ pid: running.pid, held: true });
    try {
      acquireLock(lockPath);
      expect.unreachable();
    } catch (error) {
      expect((error as FairdbError).code).toBe('LOCKED');
      expect((error as LockedError).pid).toBe(running.pid);
    }
    running.kill('SIGKILL');
    await exited; // reaped: kill(pid, 0) now says ESRCH
    expect(fs.readFileSync(lockPath, 'latin1')).toContain(` ${running.pid} `);
    const lock = acquireLock(lockPath);
    expect(fs.readFileSync(lockPath, 'latin1')).toContain(` ${process.pid} `);
    lock.release();
  });
});
