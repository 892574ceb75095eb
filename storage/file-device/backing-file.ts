/**
 * The host file behind a device: one file descriptor opened once and reused
 * for every positioned write, so a persist barrier costs exactly the
 * `pwrite` calls it needs plus at most one `fdatasync`. Both device kinds
 * that persist to the host (the file device and pmem in App Direct mode) go
 * through this class, so host I/O errors are reported the same way: every
 * failing system call becomes an `IoError` naming the file, the operation
 * and the offset, with the system error as its `cause`.
 *
 * The file holds the device's bytes at the same offsets, with no header: the
 * device is a byte array and the formats above it (WAL superblocks, segment
 * headers) carry their own magic numbers and versions.
 */
import * as fs from 'node:fs';
import { assert, IoError } from '../device/index.js';

export class BackingFile {
  private fd: number;

  private constructor(
    /** The path the file was opened with, used in error messages. */
    readonly path: string,
    fd: number,
    /** Size of the file when it was opened, in bytes. */
    readonly initialSizeBytes: number,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `path` for reading and writing, creating it (mode 0o644) when it
   * does not exist. The file is never truncated here.
   */
  static open(path: string): BackingFile {
    let fd: number;
    try {
      fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    } catch (error) {
      throw new IoError(`cannot open ${path}`, error);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new Error('not a regular file');
      return new BackingFile(path, fd, stat.size);
    } catch (error) {
      fs.closeSync(fd);
      throw new IoError(`cannot use ${path} as a device file`, error);
    }
  }

  /** Reads `length` bytes from offset 0 into `target[0, length)`. */
  readInto(target: Uint8Array, length: number): void {
    this.readRange(target, 0, length);
  }

  /** Reads file bytes `[offset, offset + length)` into the same offsets of `target`. */
  readRange(target: Uint8Array, offset: number, length: number): void {
    assert(offset + length <= target.length, 'read fits the target');
    let done = 0;
    try {
      while (done < length) {
        const n = fs.readSync(this.openFd(), target, offset + done, length - done, offset + done);
        // A file that shrank under us reads as zeros past its end: the
        // target is zero-filled already, so stop rather than spin.
        if (n === 0) break;
        done += n;
      }
    } catch (error) {
      throw new IoError(`cannot read ${this.path} at offset ${offset + done}`, error);
    }
  }

  /** Writes `source[offset, offset + length)` to the same offset of the file. */
  write(source: Uint8Array, offset: number, length: number): void {
    let done = 0;
    try {
      while (done < length) done += fs.writeSync(this.openFd(), source, offset + done, length - done, offset + done);
    } catch (error) {
      throw new IoError(`cannot write ${this.path} at offset ${offset + done}`, error);
    }
  }

  /** fdatasync: data and the metadata needed to read it back (the size) are durable. */
  sync(): void {
    try {
      fs.fdatasyncSync(this.openFd());
    } catch (error) {
      throw new IoError(`cannot fdatasync ${this.path}`, error);
    }
  }

  /** Sets the file size; new bytes read as zero. */
  resize(sizeBytes: number): void {
    try {
      fs.ftruncateSync(this.openFd(), sizeBytes);
    } catch (error) {
      throw new IoError(`cannot resize ${this.path} to ${sizeBytes} bytes`, error);
    }
  }

  /** Closes the descriptor; later calls are programmer errors. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      fs.closeSync(fd);
    } catch (error) {
      throw new IoError(`cannot close ${this.path}`, error);
    }
  }

  private openFd(): number {
    assert(this.fd >= 0, `${this.path} is used after close`);
    return this.fd;
  }
}
