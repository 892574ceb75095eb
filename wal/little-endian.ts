/**
 * Little-endian integer access on plain byte arrays (device views), without
 * allocating a DataView per call. 64-bit fields hold safe integers only: a
 * reader returns -1 for a value of 2^53 or more, which every format treats as
 * invalid.
 */

export function readU8(bytes: Uint8Array, offset: number): number {
  return bytes[offset] as number;
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] as number) |
      ((bytes[offset + 1] as number) << 8) |
      ((bytes[offset + 2] as number) << 16) |
      ((bytes[offset + 3] as number) << 24)) >>>
    0
  );
}

/** A 64-bit field as a safe integer, or -1 when it is 2^53 or more. */
export function readU64(bytes: Uint8Array, offset: number): number {
  const low = readU32(bytes, offset);
  const high = readU32(bytes, offset + 4);
  if (high >= 0x20_0000) return -1;
  return high * 0x1_0000_0000 + low;
}

export function writeU8(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value;
}

export function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
}

export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** Writes a safe non-negative integer as 64 bits. */
export function writeU64(bytes: Uint8Array, offset: number, value: number): void {
  writeU32(bytes, offset, value >>> 0);
  writeU32(bytes, offset + 4, Math.floor(value / 0x1_0000_0000));
}

/** True when `bytes[offset, offset + length)` holds only zeros. */
export function isZero(bytes: Uint8Array, offset: number, length: number): boolean {
  // A word at a time (see nonZeroExtent): checking a whole fresh device is
  // gigabytes of zeros.
  return nonZeroExtent(bytes, offset, offset + length) === offset;
}

/**
 * The offset just past the last non-zero byte of `bytes[offset, end)`, or
 * `offset` when the range is all zero. Walks backwards, so a mostly-zero tail
 * costs one pass over its zeros.
 */
export function nonZeroExtent(bytes: Uint8Array, offset: number, end: number): number {
  let i = end;
  if ((bytes.byteOffset & 3) === 0) {
    // Whole zero words at a time, then the bytes of the last non-zero word.
    while (i > offset && (i & 3) !== 0) {
      if (bytes[i - 1] !== 0) return i;
      i--;
    }
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    while (i - 4 >= offset && words[(i >>> 2) - 1] === 0) i -= 4;
  }
  for (; i > offset; i--) if (bytes[i - 1] !== 0) return i;
  return offset;
}

/** An 8-byte ASCII magic as bytes. */
export function magicBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(8);
  for (let i = 0; i < 8; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

/** True when `bytes[offset, offset + 8)` equals `magic`. */
export function hasMagic(bytes: Uint8Array, offset: number, magic: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (bytes[offset + i] !== magic[i]) return false;
  return true;
}
