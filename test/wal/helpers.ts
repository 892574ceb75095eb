/**
 * Shared helpers of the write-ahead log tests: deterministic payloads, device
 * images, a device that fails on demand, and raw writers for hand-built
 * recovery cases.
 */
import { IoError, LimitError, type Device } from '../../storage/device/index.js';
import { ForwardingDevice } from '../storage/forwarding-device.js';
import { MemoryDevice } from '../../storage/memory-device/index.js';
import { segmentBase } from '../../wal/layout.js';
import { encodeRecordHeader, recordBytes, recordHeaderBytes } from '../../wal/record.js';

/** The payload of record `lsn` in a workload seeded with `seed`: recognisable and of `length` bytes. */
export function payloadFor(seed: number, lsn: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (seed * 2654435761 + lsn * 40503) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** A copy of everything currently on `device` (persisted or not). */
export function imageOf(device: Device): Uint8Array {
  return Uint8Array.from(device.read(0, device.sizeBytes));
}

/** A MemoryDevice holding a copy of `image`. */
export function memoryFrom(image: Uint8Array): MemoryDevice {
  return new MemoryDevice({ image });
}

/** Encodes a complete record (header, payload, padding) as the log would write it. */
export function encodeRecord(lsn: number, groupFirstLsn: number, type: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(recordBytes(payload.length));
  encodeRecordHeader(bytes, bytes.subarray(4, recordHeaderBytes), { lsn, groupFirstLsn, type }, payload);
  bytes.set(payload, recordHeaderBytes);
  return bytes;
}

/** Device offset of segment-relative offset `offset` in slot `index`. */
export function at(index: number, offset: number, segmentBytes: number): number {
  return segmentBase(index, segmentBytes) + offset;
}

/**
 * A device that forwards to another and throws an I/O error from the
 * operations named in `failOn` once armed: for the failed-state tests.
 */
export class FaultyDevice extends ForwardingDevice {
  failOn = new Set<'write' | 'persist' | 'grow' | 'grow-limit'>();

  override write(offset: number, bytes: Uint8Array): void {
    if (this.failOn.has('write')) throw new IoError('write failed', new Error('EIO'));
    this.inner.write(offset, bytes);
  }
  override fence(): void {
    if (this.failOn.has('persist')) throw new IoError('fence failed', new Error('EIO'));
    this.inner.fence();
  }
  override grow(sizeBytes: number): void {
    if (this.failOn.has('grow')) throw new IoError('grow failed', new Error('ENOSPC'));
    if (this.failOn.has('grow-limit')) throw new LimitError('device size in bytes', this.inner.sizeBytes, sizeBytes);
    this.inner.grow(sizeBytes);
  }
}

/** Resolves after the current event-loop turn (after pending setImmediate callbacks). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True when two byte arrays hold the same bytes (whatever their class: Buffer or Uint8Array). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
