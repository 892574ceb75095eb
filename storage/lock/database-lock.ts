/**
 * One process per database: a lock file holding the owner's pid.
 *
 * Lock file format (ASCII text, one line, at most `lockFileBytesMax` bytes):
 *
 *   FIELD      FORMAT
 *   magic      "fairdb-lock"
 *   version    " 1"                      (this format; see `lockFormatVersion`)
 *   pid        " " decimal, 1 … 2^31-1   (the owner process)
 *   instance   " " 16 lowercase hex      (random per process, see below)
 *   end        "\n"
 *
 * Acquire: create the file atomically (`open` with `wx`: exclusive create)
 * and write the line. If it exists, read it and decide, per this table:
 *
 *   CONTENT                                   DECISION
 *   valid, pid is another live process        LOCKED (kill(pid, 0) succeeds or says EPERM)
 *   valid, pid is a dead process              stale → take over (kill says ESRCH)
 *   valid, our pid and our instance           LOCKED: this process holds it (see below)
 *   valid, our pid, another instance          stale → take over: an earlier process had
 *                                             our pid (a container restarted as pid 1, ...)
 *   magic and a version we do not know        LOCKED: a newer fairdb may own it
 *   empty or a prefix of a valid line         a creator between `open` and `write`: re-read
 *                                             for up to `lockSettleMs`; unchanged → stale
 *   anything else (no magic, bad pid, too     clearly invalid → stale → take over
 *   long, bytes after the line, ...)
 *
 * Our own pid with our own instance is either a lock this process holds now
 * or one an earlier open in this process leaked by not releasing it. The two
 * cannot be told apart without process-wide state, and granting the lock to
 * a second handle would let two writers corrupt the database, so it is
 * LOCKED: an open that fails must release its lock (the engine does, in its
 * error path); a leaked lock lasts until the process exits.
 *
 * Take-over: write our line to a temporary file next to the lock, check
 * that the lock still holds the stale content we judged, `rename` the
 * temporary file over it (atomic), then re-read it to confirm that it holds
 * our line. Inherent limit: two processes taking over the same stale lock
 * at the same instant can both succeed if one renames within the other's
 * check-rename window (microseconds); only a kernel lock (flock/fcntl, not
 * exposed by Node) would close it.
 *
 * The lock is for processes on one host: liveness is checked with
 * `kill(pid, 0)`, which says nothing about pids of other machines sharing a
 * network file system.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { InvalidArgumentError, IoError, LockedError, unreachable } from '../device/index.js';

/** Version of the lock file format. */
export const lockFormatVersion = 1;
/** Longest lock file that can be valid, in bytes; longer ones are clearly invalid. */
export const lockFileBytesMax = 64;
/** How long an empty or partial lock file may stay unchanged before it is stale, in ms. */
export const lockSettleMs = 100;
/** Create / take-over rounds before giving up with LOCKED (each lost race costs one). */
export const lockAttemptsMax = 8;

const lockMagic = 'fairdb-lock';
const pidMax = 2 ** 31 - 1;

/**
 * Identifies this process instance among processes that had the same pid
 * (pid reuse across restarts). Set once at load and never changed; it is
 * an identity, not randomness that a simulation would need to replay.
 */
const processInstance = randomBytes(8).toString('hex');

export interface DatabaseLock {
  /** The lock file. */
  readonly path: string;
  /** The owner: this process. */
  readonly pid: number;
  /** True until `release()`. */
  readonly held: boolean;
  /**
   * Removes the lock file if it still holds this lock (a lock taken over by
   * another process is left alone). Idempotent.
   */
  release(): void;
}

/**
 * Takes the database lock at `path` for this process, or throws `LOCKED`
 * when another live process (or another handle of this process) holds it.
 * A lock left by a dead process is taken over. See the header comment.
 */
export function acquireLock(path: string): DatabaseLock {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new InvalidArgumentError('lock path must be a non-empty string without NUL bytes');
  }
  const line = `${lockMagic} ${lockFormatVersion} ${process.pid} ${processInstance}\n`;
  for (let attempt = 0; attempt < lockAttemptsMax; attempt++) {
    if (createExclusive(path, line)) return new FileLock(path, line);
    let found = readLockFile(path);
    if (found.kind === 'incomplete') found = settle(path, found);
    switch (found.kind) {
      case 'missing':
        // Released between our create and our read: create again.
        continue;
      case 'unknown-version':
        throw new LockedError(path, found.pid);
      case 'valid': {
        if (found.pid === process.pid) {
          if (found.instance === processInstance) throw new LockedError(path, found.pid, 'this process');
        } else if (isAlive(found.pid, path)) {
          throw new LockedError(path, found.pid);
        }
        break;
      }
      case 'incomplete':
      case 'invalid':
        break;
      default:
        return unreachable(found, 'lock file content');
    }
    // Stale: take it over, unless it changed under us (then decide again).
    if (takeOver(path, found.bytes, line)) return new FileLock(path, line);
  }
  throw new LockedError(path, undefined);
}

class FileLock implements DatabaseLock {
  readonly pid = process.pid;
  private isHeld = true;

  constructor(
    readonly path: string,
    private readonly line: string,
  ) {}

  get held(): boolean {
    return this.isHeld;
  }

  release(): void {
    if (!this.isHeld) return;
    this.isHeld = false;
    const found = readLockFile(this.path);
    if (found.kind === 'missing' || found.bytes.toString('latin1') !== this.line) return;
    try {
      fs.unlinkSync(this.path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw new IoError(`cannot remove lock ${this.path}`, error);
    }
  }
}

type LockFileContent =
  | { readonly kind: 'missing' }
  | { readonly kind: 'valid'; readonly bytes: Buffer; readonly pid: number; readonly instance: string }
  | { readonly kind: 'unknown-version'; readonly bytes: Buffer; readonly pid: number | undefined }
  | { readonly kind: 'incomplete'; readonly bytes: Buffer }
  | { readonly kind: 'invalid'; readonly bytes: Buffer };

/** Creates `path` exclusively with `line`; false when it exists. */
function createExclusive(path: string, line: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new IoError(`cannot create lock ${path}`, error);
  }
  try {
    fs.writeSync(fd, line);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(path, { force: true });
    throw new IoError(`cannot write lock ${path}`, error);
  }
  fs.closeSync(fd);
  return true;
}

/** Reads and classifies the lock file; never trusts its content. */
function readLockFile(path: string): LockFileContent {
  let bytes: Buffer;
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
    throw new IoError(`cannot open lock ${path}`, error);
  }
  try {
    // One byte more than the limit tells "too long" from "at the limit".
    const scratch = Buffer.alloc(lockFileBytesMax + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, scratch, length, scratch.length - length, length);
      if (n === 0 || (length += n) === scratch.length) break;
    }
    bytes = scratch.subarray(0, length);
  } catch (error) {
    throw new IoError(`cannot read lock ${path}`, error);
  } finally {
    fs.closeSync(fd);
  }
  return classify(bytes);
}

const validLine = /^fairdb-lock ([0-9]{1,10}) ([0-9]{1,10}) ([0-9a-f]{16})\n$/;

/** Classifies raw lock file bytes into the rows of the decision table. */
function classify(bytes: Buffer): LockFileContent {
  if (bytes.length > lockFileBytesMax) return { kind: 'invalid', bytes };
  const text = bytes.toString('latin1');
  const match = validLine.exec(text);
  if (match !== null) {
    const version = Number(match[1]);
    const pid = Number(match[2]);
    const pidValid = pid >= 1 && pid <= pidMax;
    if (version !== lockFormatVersion) return { kind: 'unknown-version', bytes, pid: pidValid ? pid : undefined };
    if (!pidValid) return { kind: 'invalid', bytes };
    return { kind: 'valid', bytes, pid, instance: match[3] as string };
  }
  const version = /^fairdb-lock ([0-9]{1,10})[ \n]/.exec(text);
  if (version !== null && Number(version[1]) !== lockFormatVersion) {
    // Our magic with another version: its layout may differ, so do not judge it.
    return { kind: 'unknown-version', bytes, pid: undefined };
  }
  if (isPrefixOfValidLine(text)) return { kind: 'incomplete', bytes };
  return { kind: 'invalid', bytes };
}

/** True when `text` could still become a valid line of this version by appending. */
function isPrefixOfValidLine(text: string): boolean {
  const head = `${lockMagic} ${lockFormatVersion} `;
  if (text.length <= head.length) return head.startsWith(text);
  if (!text.startsWith(head)) return false;
  return /^[0-9]{0,10}( [0-9a-f]{0,16})?$/.test(text.slice(head.length));
}

/** Re-reads an incomplete lock until it changes or `lockSettleMs` pass. */
function settle(path: string, found: LockFileContent & { kind: 'incomplete' }): LockFileContent {
  const waitMs = 10;
  for (let waited = 0; waited < lockSettleMs; waited += waitMs) {
    sleepMs(waitMs);
    const again = readLockFile(path);
    if (again.kind !== 'incomplete' || !again.bytes.equals(found.bytes)) return again;
  }
  return found;
}

/**
 * Replaces the lock file, if it still holds `expected`, with `line`, and
 * confirms ownership by reading it back.
 */
function takeOver(path: string, expected: Buffer, line: string): boolean {
  const temporary = `${path}.${process.pid}.${processInstance}.tmp`;
  try {
    try {
      fs.writeFileSync(temporary, line, { mode: 0o644 });
    } catch (error) {
      throw new IoError(`cannot write ${temporary} to take over lock ${path}`, error);
    }
    const current = readLockFile(path);
    if (current.kind === 'missing' || !current.bytes.equals(expected)) return false;
    try {
      fs.renameSync(temporary, path);
    } catch (error) {
      throw new IoError(`cannot rename ${temporary} over lock ${path}`, error);
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  const after = readLockFile(path);
  return after.kind !== 'missing' && after.bytes.toString('latin1') === line;
}

/** Whether `pid` names a live process (EPERM: alive, owned by another user). */
function isAlive(pid: number, path: string): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') return true;
    throw new IoError(`cannot check the owner (pid ${pid}) of lock ${path}`, error);
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
