// Record contents shared by the process-kill test and its child: both sides
// derive every payload, type and checkpoint image from the LSN alone, so the
// parent can check each recovered record without being told what was written.

/** Payload bytes of record `lsn`: size varies with the LSN (0 .. ~5 KB, some ~20 KB). */
export function killPayload(lsn) {
  const length = lsn % 37 === 0 ? 20_000 + (lsn % 1000) : (lsn * 131) % 5000;
  const bytes = new Uint8Array(length);
  let x = (lsn * 2654435761) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** Record type of record `lsn`. */
export function killType(lsn) {
  return 16 + (lsn % 240);
}

/** The checkpoint image written at `lsn`. */
export function killCheckpointImage(lsn) {
  return killPayload(lsn * 7 + 1).subarray(0, 1000 + (lsn % 3000));
}
