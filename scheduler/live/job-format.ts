/**
 * Byte formats of the job system's records (keys: job-keys.ts). Numbers are
 * little-endian; times are epoch milliseconds as float64, NaN when absent.
 *
 * Job record (`A` and `F` keys):
 * ```
 * OFFSET SIZE FIELD
 *      0    2 magic 0x4A6F
 *      2    1 format version (1)
 *      3    1 state (StateCode)
 *      4    4 epoch: the lease epoch, the fencing token of the current attempt (u32)
 *      8    2 attempts started (u16)
 *     10    2 stalls: leases missed, crashes included (u16)
 *     12    2 retries: attempts allowed after the first (u16)
 *     14    1 backoff kind (BackoffCode)
 *     15    1 flags: bit 0 = a failed parent cancels this job (else fails it);
 *                    bit 1 = ctx.transaction memos may exist
 *     16    4 slots (u32)
 *     20    4 priority (i32)
 *     24    8 seq (float64, integer; equals the key's)
 *     32    8 work estimate, slot-seconds
 *     40    8 weight (NaN: not given)
 *     48    8 backoff delay, ms
 *     56    8 submittedAt
 *     64    8 runAt
 *     72    8 deadline
 *     80    8 startedAt (of the latest attempt)
 *     88    8 finishedAt
 *     96    8 leaseUntil (of the latest attempt, as claimed)
 *    104    8 progress (0..1)
 *    112    8 predicted finish (admission)
 *    120    1 admission verdict (AdmissionCode)
 *    121    1 end cause (EndCauseCode)
 *    122    2 reserved, zero
 *    124    4 meta length M (u32)
 *    128    4 payload length P (u32)
 *    132    4 reserved, zero
 *    136    M meta: msgpack map { t: tenant, k: kind, d?: parent seqs, n?: parent ids as given
 *                (only when some differ from the seqs), c?: cron schedule, i?: caller-chosen id }
 *  136+M    P payload: msgpack
 * 136+M+P   - tail, to the end: empty, or msgpack map { e?: last error, r?: result, f?: id of the job whose end ended this one }
 * ```
 * A job record is valid iff (1) it is at least 136 bytes long, (2) magic and
 * version match, (3) the state and enum codes are known, (4) 136 + M + P is
 * at most its length, and (5) the meta decodes to a map with string `t` and
 * `k`. The payload and the tail are decoded only when read.
 *
 * The mutable scalar fields sit at fixed offsets so that a state transition
 * copies the record and patches its header, without re-encoding the rest.
 *
 * Meta record (`M` key):
 * ```
 * OFFSET SIZE FIELD
 *      0    2 magic 0x4A4D
 *      2    1 format version (1)
 *      3    5 reserved, zero
 *      8    8 seq floor: no job ever had a higher seq (float64, integer)
 *     16    8 clock floor: the latest time the job system has seen, epoch ms
 * ```
 *
 * Cron schedule record (`C` key):
 * ```
 * OFFSET SIZE FIELD
 *      0    2 magic 0x4A43
 *      2    1 format version (1)
 *      3    5 reserved, zero
 *      8    8 next fire time, epoch ms
 *     16    8 last fire time, epoch ms (NaN: never fired)
 *     24    8 fires so far (float64, integer)
 *     32    8 fires skipped (missed beyond the catch-up limit)
 *     40    4 body length B (u32)
 *     44    B body: msgpack map { n: name, x: expression, z?: time zone, j: job template }
 * ```
 *
 * Memo record (`E` key): bytes 0..1 magic 0x4A45, byte 2 version (1),
 * byte 3 reserved, then the msgpack result of the step.
 */
import { CorruptionError } from '../../storage/device/index.js';
import type { Packr } from 'msgpackr';

export const jobMagic = 0x4a6f;
export const metaMagic = 0x4a4d;
export const cronMagic = 0x4a43;
export const memoMagic = 0x4a45;
export const formatVersion = 1;
export const jobHeaderBytes = 136;
export const metaBytes = 24;
export const cronHeaderBytes = 44;
export const memoHeaderBytes = 4;

/**
 * Stored job states. `delayed` is not stored: a queued job whose `runAt` is
 * in the future is reported as delayed.
 * persisted: never renumber
 */
export const StateCode = {
  queued: 1,
  running: 2,
  succeeded: 3,
  failed: 4,
  cancelled: 5,
  waiting: 6,
} as const;
export type StoredState = keyof typeof StateCode;
const stateNames: readonly (StoredState | undefined)[] = [undefined, 'queued', 'running', 'succeeded', 'failed', 'cancelled', 'waiting'];

/** persisted: never renumber */
export const BackoffCode = { none: 0, fixed: 1, exponential: 2 } as const;
export type BackoffKind = keyof typeof BackoffCode;
const backoffNames: readonly BackoffKind[] = ['none', 'fixed', 'exponential'];

/** persisted: never renumber */
export const AdmissionCode = { none: 0, accepted: 1, 'at-risk': 2, infeasible: 3 } as const;
export type AdmissionName = keyof typeof AdmissionCode;
const admissionNames: readonly AdmissionName[] = ['none', 'accepted', 'at-risk', 'infeasible'];

/**
 * Why a job ended, when it did not simply succeed.
 * persisted: never renumber
 */
export const EndCauseCode = {
  none: 0,
  /** The handler threw and no retry was left (or none could meet the deadline). */
  error: 1,
  /** Its lease was missed more often than allowed. */
  stalls: 2,
  /** A parent failed. */
  parentFailed: 3,
  /** A parent was cancelled. */
  parentCancelled: 4,
  /** Cancelled by a caller. */
  cancelled: 5,
  /** The handler's result could not be stored. */
  result: 6,
} as const;
export type EndCause = keyof typeof EndCauseCode;
const endCauseNames: readonly EndCause[] = ['none', 'error', 'stalls', 'parentFailed', 'parentCancelled', 'cancelled', 'result'];

export const flagCancelOnParentFailure = 1;
export const flagMemos = 2;

/** Field offsets of the job record (see the table above). */
export const Off = {
  magic: 0,
  version: 2,
  state: 3,
  epoch: 4,
  attempts: 8,
  stalls: 10,
  retries: 12,
  backoff: 14,
  flags: 15,
  slots: 16,
  priority: 20,
  seq: 24,
  work: 32,
  weight: 40,
  backoffDelay: 48,
  submittedAt: 56,
  runAt: 64,
  deadline: 72,
  startedAt: 80,
  finishedAt: 88,
  leaseUntil: 96,
  progress: 104,
  predictedFinish: 112,
  admission: 120,
  endCause: 121,
  metaLength: 124,
  payloadLength: 128,
} as const;

/** The fixed fields of a job record. */
export interface JobHeader {
  state: StoredState;
  epoch: number;
  attempts: number;
  stalls: number;
  retries: number;
  backoff: BackoffKind;
  flags: number;
  slots: number;
  priority: number;
  seq: number;
  work: number;
  weight: number;
  backoffDelay: number;
  submittedAt: number;
  runAt: number;
  deadline: number;
  startedAt: number;
  finishedAt: number;
  leaseUntil: number;
  progress: number;
  predictedFinish: number;
  admission: AdmissionName;
  endCause: EndCause;
}

/** What a submission decides of a new job's header; the rest starts fresh. */
export type NewJobFields = Pick<JobHeader, 'state' | 'retries' | 'backoff' | 'flags' | 'slots' | 'priority' | 'seq' | 'work' | 'weight' | 'backoffDelay' | 'submittedAt' | 'runAt' | 'deadline'>;

/** The header of a job that has not run yet: no attempts, no lease, no outcome. */
export function newJobHeader(f: NewJobFields): JobHeader {
  return {
    state: f.state,
    epoch: 0,
    attempts: 0,
    stalls: 0,
    retries: f.retries,
    backoff: f.backoff,
    flags: f.flags,
    slots: f.slots,
    priority: f.priority,
    seq: f.seq,
    work: f.work,
    weight: f.weight,
    backoffDelay: f.backoffDelay,
    submittedAt: f.submittedAt,
    runAt: f.runAt,
    deadline: f.deadline,
    startedAt: NaN,
    finishedAt: NaN,
    leaseUntil: NaN,
    progress: 0,
    predictedFinish: NaN,
    admission: 'none',
    endCause: 'none',
  };
}

/** The meta map of a job record. */
export interface JobMeta {
  readonly tenant: string;
  readonly kind: string;
  readonly dependsOn: readonly number[];
  /** The parents' ids as the caller gave them (caller-chosen ids), when some are not their seqs. */
  readonly dependsOnIds: readonly string[] | undefined;
  readonly cron: string | undefined;
  readonly customId: string | undefined;
}

/** The tail of a job record. */
export interface JobTail {
  readonly error: string | undefined;
  readonly result: unknown;
  /** Id of the job whose end ended this one (a failed or cancelled parent). */
  readonly endedBy: string | undefined;
}

/**
 * A copy of `bytes` in a new Uint8Array. (A Buffer's `slice` is a view, not a
 * copy: the store's values and msgpackr's output are Buffers over memory
 * that is reused, so every byte kept or edited is copied with this.)
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function corrupt(where: string, message: string): never {
  throw new CorruptionError(where, 0, message);
}

/** Encodes the meta map of a job record. Returns a copy. */
export function encodeMetaBytes(packr: Packr, meta: JobMeta): Uint8Array {
  const metaMap: Record<string, unknown> = { t: meta.tenant, k: meta.kind };
  if (meta.dependsOn.length > 0) metaMap.d = meta.dependsOn;
  if (meta.dependsOnIds !== undefined && meta.dependsOnIds.some((id, i) => id !== String(meta.dependsOn[i]))) metaMap.n = meta.dependsOnIds;
  if (meta.cron !== undefined) metaMap.c = meta.cron;
  if (meta.customId !== undefined) metaMap.i = meta.customId;
  return copyBytes(packr.pack(metaMap));
}

/** Encodes a job record from its header, encoded meta, encoded payload and tail. */
export function encodeJobRecord(header: JobHeader, meta: Uint8Array, payload: Uint8Array, tail: Uint8Array | undefined): Uint8Array {
  const m = meta.length;
  const tailLength = tail?.length ?? 0;
  const out = new Uint8Array(jobHeaderBytes + m + payload.length + tailLength);
  out.set(meta, jobHeaderBytes);
  out.set(payload, jobHeaderBytes + m);
  if (tail !== undefined) out.set(tail, jobHeaderBytes + m + payload.length);
  const dv = view(out);
  dv.setUint16(Off.magic, jobMagic, true);
  out[Off.version] = formatVersion;
  dv.setUint32(Off.metaLength, m, true);
  dv.setUint32(Off.payloadLength, payload.length, true);
  writeHeader(dv, header);
  return out;
}

/** Writes every header field (not magic, version or lengths). */
export function writeHeader(dv: DataView, h: JobHeader): void {
  dv.setUint8(Off.state, StateCode[h.state]);
  dv.setUint32(Off.epoch, h.epoch, true);
  dv.setUint16(Off.attempts, h.attempts, true);
  dv.setUint16(Off.stalls, h.stalls, true);
  dv.setUint16(Off.retries, h.retries, true);
  dv.setUint8(Off.backoff, BackoffCode[h.backoff]);
  dv.setUint8(Off.flags, h.flags);
  dv.setUint32(Off.slots, h.slots, true);
  dv.setInt32(Off.priority, h.priority, true);
  dv.setFloat64(Off.seq, h.seq, true);
  dv.setFloat64(Off.work, h.work, true);
  dv.setFloat64(Off.weight, h.weight, true);
  dv.setFloat64(Off.backoffDelay, h.backoffDelay, true);
  dv.setFloat64(Off.submittedAt, h.submittedAt, true);
  dv.setFloat64(Off.runAt, h.runAt, true);
  dv.setFloat64(Off.deadline, h.deadline, true);
  dv.setFloat64(Off.startedAt, h.startedAt, true);
  dv.setFloat64(Off.finishedAt, h.finishedAt, true);
  dv.setFloat64(Off.leaseUntil, h.leaseUntil, true);
  dv.setFloat64(Off.progress, h.progress, true);
  dv.setFloat64(Off.predictedFinish, h.predictedFinish, true);
  dv.setUint8(Off.admission, AdmissionCode[h.admission]);
  dv.setUint8(Off.endCause, EndCauseCode[h.endCause]);
}

/** Checks the framing of a job record read from the store; throws CORRUPTION. */
export function checkJobRecord(bytes: Uint8Array, where: string): void {
  if (bytes.length < jobHeaderBytes) corrupt(where, `job record of ${bytes.length} bytes, shorter than its header`);
  const dv = view(bytes);
  if (dv.getUint16(Off.magic, true) !== jobMagic) corrupt(where, 'job record with a bad magic number');
  if (bytes[Off.version] !== formatVersion) corrupt(where, `job record of format version ${bytes[Off.version]}, expected ${formatVersion}`);
  if (stateNames[bytes[Off.state] as number] === undefined) corrupt(where, `job record with unknown state ${bytes[Off.state]}`);
  if ((bytes[Off.backoff] as number) >= backoffNames.length) corrupt(where, `job record with unknown backoff ${bytes[Off.backoff]}`);
  if ((bytes[Off.admission] as number) >= admissionNames.length) corrupt(where, `job record with unknown admission ${bytes[Off.admission]}`);
  if ((bytes[Off.endCause] as number) >= endCauseNames.length) corrupt(where, `job record with unknown end cause ${bytes[Off.endCause]}`);
  const m = dv.getUint32(Off.metaLength, true);
  const p = dv.getUint32(Off.payloadLength, true);
  if (jobHeaderBytes + m + p > bytes.length) corrupt(where, 'job record shorter than its meta and payload');
}

/** The state of a (checked) job record. */
export function recordState(bytes: Uint8Array): StoredState {
  return stateNames[bytes[Off.state] as number] as StoredState;
}

export function recordEpoch(bytes: Uint8Array): number {
  return view(bytes).getUint32(Off.epoch, true);
}

/** Decodes the header of a checked job record. */
export function readHeader(bytes: Uint8Array): JobHeader {
  const dv = view(bytes);
  return {
    state: stateNames[bytes[Off.state] as number] as StoredState,
    epoch: dv.getUint32(Off.epoch, true),
    attempts: dv.getUint16(Off.attempts, true),
    stalls: dv.getUint16(Off.stalls, true),
    retries: dv.getUint16(Off.retries, true),
    backoff: backoffNames[bytes[Off.backoff] as number] as BackoffKind,
    flags: bytes[Off.flags] as number,
    slots: dv.getUint32(Off.slots, true),
    priority: dv.getInt32(Off.priority, true),
    seq: dv.getFloat64(Off.seq, true),
    work: dv.getFloat64(Off.work, true),
    weight: dv.getFloat64(Off.weight, true),
    backoffDelay: dv.getFloat64(Off.backoffDelay, true),
    submittedAt: dv.getFloat64(Off.submittedAt, true),
    runAt: dv.getFloat64(Off.runAt, true),
    deadline: dv.getFloat64(Off.deadline, true),
    startedAt: dv.getFloat64(Off.startedAt, true),
    finishedAt: dv.getFloat64(Off.finishedAt, true),
    leaseUntil: dv.getFloat64(Off.leaseUntil, true),
    progress: dv.getFloat64(Off.progress, true),
    predictedFinish: dv.getFloat64(Off.predictedFinish, true),
    admission: admissionNames[bytes[Off.admission] as number] as AdmissionName,
    endCause: endCauseNames[bytes[Off.endCause] as number] as EndCause,
  };
}

function sections(bytes: Uint8Array): { m: number; p: number } {
  const dv = view(bytes);
  return { m: dv.getUint32(Off.metaLength, true), p: dv.getUint32(Off.payloadLength, true) };
}

/** Decodes the meta map of a checked job record; throws CORRUPTION. */
export function readMeta(packr: Packr, bytes: Uint8Array, where: string): JobMeta {
  const { m } = sections(bytes);
  let map: unknown;
  try {
    map = packr.unpack(bytes.subarray(jobHeaderBytes, jobHeaderBytes + m));
  } catch (error) {
    corrupt(where, `job meta does not decode: ${(error as Error).message}`);
  }
  const o = map as { t?: unknown; k?: unknown; d?: unknown; n?: unknown; c?: unknown; i?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.t !== 'string' || typeof o.k !== 'string') corrupt(where, 'job meta is not a map with a tenant and a kind');
  const dependsOn = o.d === undefined ? [] : o.d;
  if (!Array.isArray(dependsOn) || !dependsOn.every((s) => Number.isSafeInteger(s) && (s as number) > 0)) corrupt(where, 'job meta with bad dependencies');
  if (o.n !== undefined && (!Array.isArray(o.n) || o.n.length !== dependsOn.length || !o.n.every((x) => typeof x === 'string'))) corrupt(where, 'job meta with bad dependency ids');
  if (o.c !== undefined && typeof o.c !== 'string') corrupt(where, 'job meta with a bad cron name');
  if (o.i !== undefined && typeof o.i !== 'string') corrupt(where, 'job meta with a bad id');
  return { tenant: o.t, kind: o.k, dependsOn: dependsOn as number[], dependsOnIds: o.n as string[] | undefined, cron: o.c as string | undefined, customId: o.i as string | undefined };
}

/** The encoded payload of a checked job record (a view). */
export function payloadBytes(bytes: Uint8Array): Uint8Array {
  const { m, p } = sections(bytes);
  return bytes.subarray(jobHeaderBytes + m, jobHeaderBytes + m + p);
}

/** Decodes the payload of a checked job record; throws CORRUPTION. */
export function readPayload(packr: Packr, bytes: Uint8Array, where: string): unknown {
  const encoded = payloadBytes(bytes);
  try {
    return packr.unpack(encoded);
  } catch (error) {
    return corrupt(where, `job payload does not decode: ${(error as Error).message}`);
  }
}

/** Decodes the tail of a checked job record; throws CORRUPTION. */
export function readTail(packr: Packr, bytes: Uint8Array, where: string): JobTail {
  const { m, p } = sections(bytes);
  const start = jobHeaderBytes + m + p;
  if (start === bytes.length) return { error: undefined, result: undefined, endedBy: undefined };
  let map: unknown;
  try {
    map = packr.unpack(bytes.subarray(start));
  } catch (error) {
    corrupt(where, `job tail does not decode: ${(error as Error).message}`);
  }
  const o = map as { e?: unknown; r?: unknown; f?: unknown } | null;
  if (typeof o !== 'object' || o === null) corrupt(where, 'job tail is not a map');
  if (o.e !== undefined && typeof o.e !== 'string') corrupt(where, 'job tail with a bad error');
  if (o.f !== undefined && typeof o.f !== 'string') corrupt(where, 'job tail with a bad cause');
  return { error: o.e as string | undefined, result: o.r, endedBy: o.f as string | undefined };
}

/** Encodes a tail; undefined when there is nothing to keep. `result` is already encoded. */
export function encodeTail(packr: Packr, tail: { error?: string | undefined; result?: Uint8Array | undefined; endedBy?: string | undefined }): Uint8Array | undefined {
  if (tail.error === undefined && tail.result === undefined && tail.endedBy === undefined) return undefined;
  // The result is already msgpack: splice its bytes in as the value of `r`
  // by encoding a placeholder and replacing it, which keeps one encoding pass.
  const map: Record<string, unknown> = {};
  if (tail.error !== undefined) map.e = tail.error;
  if (tail.endedBy !== undefined) map.f = tail.endedBy;
  if (tail.result === undefined) return copyBytes(packr.pack(map));
  map.r = null;
  const encoded = packr.pack(map);
  // msgpack encodes `null` as the single byte 0xc0, last in the map since `r` was set last.
  const out = new Uint8Array(encoded.length - 1 + tail.result.length);
  out.set(encoded.subarray(0, encoded.length - 1), 0);
  out.set(tail.result, encoded.length - 1);
  return out;
}

/**
 * Edits header fields of a copy of a job record, field by field (a state
 * transition changes a few fixed-offset fields; nothing is re-encoded).
 * `copy` starts a new copy; the setters write into it; `bytes` is the
 * result. One editor is reused for every transition.
 */
export class RecordEditor {
  bytes: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));

  /** Starts editing a copy of `record`; `tail` replaces its tail (null removes it). */
  copy(record: Uint8Array, tail?: Uint8Array | null): this {
    let out: Uint8Array;
    if (tail === undefined) {
      out = copyBytes(record);
    } else {
      const { m, p } = sections(record);
      const keep = jobHeaderBytes + m + p;
      out = new Uint8Array(keep + (tail?.length ?? 0));
      out.set(record.subarray(0, keep), 0);
      if (tail !== null) out.set(tail, keep);
    }
    this.bytes = out;
    this.dv = view(out);
    return this;
  }

  state(state: StoredState): this {
    this.bytes[Off.state] = StateCode[state];
    return this;
  }
  epoch(epoch: number): this {
    this.dv.setUint32(Off.epoch, epoch, true);
    return this;
  }
  attempts(n: number): this {
    this.dv.setUint16(Off.attempts, n, true);
    return this;
  }
  stalls(n: number): this {
    this.dv.setUint16(Off.stalls, n, true);
    return this;
  }
  flags(flags: number): this {
    this.bytes[Off.flags] = flags;
    return this;
  }
  endCause(cause: EndCause): this {
    this.bytes[Off.endCause] = EndCauseCode[cause];
    return this;
  }
  runAt(ms: number): this {
    this.dv.setFloat64(Off.runAt, ms, true);
    return this;
  }
  startedAt(ms: number): this {
    this.dv.setFloat64(Off.startedAt, ms, true);
    return this;
  }
  finishedAt(ms: number): this {
    this.dv.setFloat64(Off.finishedAt, ms, true);
    return this;
  }
  leaseUntil(ms: number): this {
    this.dv.setFloat64(Off.leaseUntil, ms, true);
    return this;
  }
  progress(value: number): this {
    this.dv.setFloat64(Off.progress, value, true);
    return this;
  }
}

/** The flags byte of a checked job record. */
export function recordFlags(bytes: Uint8Array): number {
  return bytes[Off.flags] as number;
}

// ---------------------------------------------------------------- meta

export interface MetaRecord {
  readonly seqFloor: number;
  readonly clockFloorMs: number;
}

export function encodeMeta(meta: MetaRecord): Uint8Array {
  const out = new Uint8Array(metaBytes);
  const dv = view(out);
  dv.setUint16(0, metaMagic, true);
  out[2] = formatVersion;
  dv.setFloat64(8, meta.seqFloor, true);
  dv.setFloat64(16, meta.clockFloorMs, true);
  return out;
}

export function decodeMeta(bytes: Uint8Array, where: string): MetaRecord {
  if (bytes.length !== metaBytes) corrupt(where, `job meta record of ${bytes.length} bytes, expected ${metaBytes}`);
  const dv = view(bytes);
  if (dv.getUint16(0, true) !== metaMagic) corrupt(where, 'job meta record with a bad magic number');
  if (bytes[2] !== formatVersion) corrupt(where, `job meta record of format version ${bytes[2]}, expected ${formatVersion}`);
  const seqFloor = dv.getFloat64(8, true);
  const clockFloorMs = dv.getFloat64(16, true);
  if (!Number.isSafeInteger(seqFloor) || seqFloor < 0) corrupt(where, 'job meta record with a bad seq floor');
  if (!Number.isFinite(clockFloorMs)) corrupt(where, 'job meta record with a bad clock floor');
  return { seqFloor, clockFloorMs };
}

// ---------------------------------------------------------------- cron

/** What a cron schedule creates at every fire. */
export interface CronTemplate {
  readonly tenant: string;
  readonly kind: string;
  /** Encoded payload. */
  readonly payload: Uint8Array;
  readonly slots: number;
  readonly work: number;
  readonly priority: number;
  readonly weight: number;
  readonly retries: number;
  readonly backoff: BackoffKind;
  readonly backoffDelay: number;
}

export interface CronRecord {
  readonly name: string;
  readonly expression: string;
  readonly timeZone: string | undefined;
  readonly template: CronTemplate;
  nextFireMs: number;
  lastFiredMs: number;
  fired: number;
  skipped: number;
}

export function encodeCron(packr: Packr, c: CronRecord): Uint8Array {
  const t = c.template;
  const body: Record<string, unknown> = {
    n: c.name,
    x: c.expression,
    j: { t: t.tenant, k: t.kind, p: t.payload, s: t.slots, w: t.work, o: t.priority, g: t.weight, r: t.retries, b: t.backoff, l: t.backoffDelay },
  };
  if (c.timeZone !== undefined) body.z = c.timeZone;
  const encoded = packr.pack(body);
  const out = new Uint8Array(cronHeaderBytes + encoded.length);
  out.set(encoded, cronHeaderBytes);
  const dv = view(out);
  dv.setUint16(0, cronMagic, true);
  out[2] = formatVersion;
  dv.setFloat64(8, c.nextFireMs, true);
  dv.setFloat64(16, c.lastFiredMs, true);
  dv.setFloat64(24, c.fired, true);
  dv.setFloat64(32, c.skipped, true);
  dv.setUint32(40, encoded.length, true);
  return out;
}

export function decodeCron(packr: Packr, bytes: Uint8Array, where: string): CronRecord {
  if (bytes.length < cronHeaderBytes) corrupt(where, `cron record of ${bytes.length} bytes, shorter than its header`);
  const dv = view(bytes);
  if (dv.getUint16(0, true) !== cronMagic) corrupt(where, 'cron record with a bad magic number');
  if (bytes[2] !== formatVersion) corrupt(where, `cron record of format version ${bytes[2]}, expected ${formatVersion}`);
  const b = dv.getUint32(40, true);
  if (cronHeaderBytes + b !== bytes.length) corrupt(where, 'cron record length does not match its body');
  let body: unknown;
  try {
    body = packr.unpack(bytes.subarray(cronHeaderBytes));
  } catch (error) {
    corrupt(where, `cron record body does not decode: ${(error as Error).message}`);
  }
  const o = body as { n?: unknown; x?: unknown; z?: unknown; j?: Record<string, unknown> } | null;
  const j = o?.j;
  if (
    typeof o !== 'object' || o === null || typeof o.n !== 'string' || typeof o.x !== 'string' || (o.z !== undefined && typeof o.z !== 'string') ||
    typeof j !== 'object' || j === null || typeof j.t !== 'string' || typeof j.k !== 'string' || !(j.p instanceof Uint8Array) ||
    typeof j.s !== 'number' || typeof j.w !== 'number' || typeof j.o !== 'number' || typeof j.g !== 'number' || typeof j.r !== 'number' ||
    !backoffNames.includes(j.b as BackoffKind) || typeof j.l !== 'number'
  ) {
    corrupt(where, 'cron record body is malformed');
  }
  return {
    name: o.n,
    expression: o.x,
    timeZone: o.z as string | undefined,
    template: { tenant: j.t, kind: j.k, payload: j.p, slots: j.s, work: j.w, priority: j.o, weight: j.g, retries: j.r, backoff: j.b as BackoffKind, backoffDelay: j.l },
    nextFireMs: dv.getFloat64(8, true),
    lastFiredMs: dv.getFloat64(16, true),
    fired: dv.getFloat64(24, true),
    skipped: dv.getFloat64(32, true),
  };
}

// ---------------------------------------------------------------- memo

export function encodeMemo(result: Uint8Array): Uint8Array {
  const out = new Uint8Array(memoHeaderBytes + result.length);
  view(out).setUint16(0, memoMagic, true);
  out[2] = formatVersion;
  out.set(result, memoHeaderBytes);
  return out;
}

export function decodeMemo(packr: Packr, bytes: Uint8Array, where: string): unknown {
  if (bytes.length < memoHeaderBytes || view(bytes).getUint16(0, true) !== memoMagic || bytes[2] !== formatVersion) corrupt(where, 'memo record with a bad header');
  try {
    return packr.unpack(bytes.subarray(memoHeaderBytes));
  } catch (error) {
    return corrupt(where, `memo record does not decode: ${(error as Error).message}`);
  }
}
