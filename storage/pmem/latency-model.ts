/**
 * The latency and bandwidth model of the emulated persistent-memory device.
 * The device accounts emulated time for every read (latency + transfer) and
 * for every media write made by a fence (transfer + the barrier), and
 * reports the sum as `stats().deviceTimeNs`. With `injectDelay` it also
 * spends that time as wall-clock time (see `delay-injector.ts`).
 *
 * Sources of the presets:
 * - Izraelevitz, Yang, Zhang, Kim, Liu, Memaripour, Soh, Wang, Xu, Dulloor,
 *   Zhao, Swanson: "Basic Performance Measurements of the Intel Optane DC
 *   Persistent Memory Module", arXiv:1903.05714, 2019. Idle load latency:
 *   Optane ≈ 305 ns random and ≈ 169 ns sequential (adjacent requests merge
 *   into one 256-byte access), DRAM ≈ 81 ns and ≈ 79 ns. Six interleaved
 *   DIMMs read at up to 39.4 GB/s and write at up to 13.9 GB/s, i.e.
 *   ≈ 6.6 GB/s and ≈ 2.3 GB/s per DIMM, scaling near-linearly with DIMMs.
 *   The DRAM preset's bandwidths (≈ 19 GB/s read, ≈ 11 GB/s write) are the
 *   DRAM side of such a comparison at a few threads: orders of magnitude,
 *   not a fit to one figure of the paper.
 * - Yang, Kim, Hoseinzadeh, Izraelevitz, Swanson: "An Empirical Guide to the
 *   Behavior and Use of Scalable Persistent Memory", FAST '20. The media is
 *   written in 256-byte XPLines through a write-combining XPBuffer, which is
 *   why the device charges media writes per XPLine; a clwb + sfence
 *   persist barrier costs on the order of 90 ns beyond the transfer.
 */

/** All times in nanoseconds, bandwidths in bytes per second. */
export interface LatencyModel {
  /** Latency of a read that does not continue the previous read, in ns. */
  readonly readRandomNs: number;
  /** Latency of a read whose offset equals the end of the previous read, in ns. */
  readonly readSequentialNs: number;
  /** Read bandwidth in bytes/s; 0 means unlimited (no transfer time). */
  readonly readBytesPerSecond: number;
  /** Media write bandwidth in bytes/s; 0 means unlimited (no transfer time). */
  readonly writeBytesPerSecond: number;
  /** Cost of one persist barrier (fence), in ns, charged at every fence. */
  readonly fenceNs: number;
}

/** Names of the built-in models. */
export type LatencyPreset = 'optane' | 'dram' | 'none';

/** Interleaved Optane DIMMs the `optane` preset may be scaled to (two sockets of eight channels). */
export const dimmsMax = 16;

/**
 * One or more interleaved Optane DC DIMMs: latencies stay, bandwidths scale
 * with the number of DIMMs (Izraelevitz et al. measure near-linear scaling
 * up to six DIMMs per socket).
 */
export function optaneLatency(dimms = 1): LatencyModel {
  return Object.freeze({
    readRandomNs: 305,
    readSequentialNs: 169,
    readBytesPerSecond: 6.6e9 * dimms,
    writeBytesPerSecond: 2.3e9 * dimms,
    fenceNs: 90,
  });
}

/** DRAM in the same measurements: the ceiling the Optane figures are compared with. */
export const dramLatency: LatencyModel = Object.freeze({
  readRandomNs: 81,
  readSequentialNs: 79,
  readBytesPerSecond: 19e9,
  writeBytesPerSecond: 11e9,
  fenceNs: 10,
});

/** No emulated time at all: the default, for tests and functional use. */
export const noLatency: LatencyModel = Object.freeze({
  readRandomNs: 0,
  readSequentialNs: 0,
  readBytesPerSecond: 0,
  writeBytesPerSecond: 0,
  fenceNs: 0,
});

/** The presets by name (`optane` for one DIMM). */
export const latencyPresets: Readonly<Record<LatencyPreset, LatencyModel>> = Object.freeze({
  optane: optaneLatency(1),
  dram: dramLatency,
  none: noLatency,
});

/** The numeric fields of a `LatencyModel`, for validation. */
export const latencyModelFields = ['readRandomNs', 'readSequentialNs', 'readBytesPerSecond', 'writeBytesPerSecond', 'fenceNs'] as const;

/** Nanoseconds per byte for a bandwidth in bytes/s (0 = unlimited → 0 ns). */
export function nsPerByte(bytesPerSecond: number): number {
  return bytesPerSecond > 0 ? 1e9 / bytesPerSecond : 0;
}
