/**
 * Options of the emulated persistent-memory device: declared with their
 * units and defaults, resolved once, validated with every violation reported
 * at once, then frozen.
 */
import { OptionsViolations } from '../device/index.js';
import { dimmsMax, latencyModelFields, latencyPresets, optaneLatency, type LatencyModel, type LatencyPreset } from './latency-model.js';

/** Optane operating modes. */
export type PmemMode = 'appdirect' | 'memory';

/** Size granularity: one XPLine, the unit the media writes. */
export const pmemSizeGranuleBytes = 256;
/** Default size of a new device: 1 MiB. */
export const pmemSizeBytesDefault = 1 << 20;
/** Largest device: 4 GiB, the largest Node 20 `Buffer` (and the reach of 32-bit line arithmetic). */
export const pmemSizeBytesMax = 2 ** 32;

export interface PmemDeviceOptions {
  /**
   * Backing file on the host; default: none, the contents live only in this
   * process's memory. In `appdirect` mode an existing file is loaded and
   * persisted lines are written to it; in `memory` mode the path is only a
   * label and the file is never opened, created, read or written. Exclusive
   * with `image`.
   */
  readonly path?: string;
  /**
   * Initial contents, copied (e.g. a crash image to reopen without files);
   * default: all zeros. They count as persisted. Exclusive with `path`.
   */
  readonly image?: Uint8Array;
  /**
   * Initial size in bytes, rounded up to a multiple of 256 (one XPLine);
   * default 1 MiB for a new device, or the size of `image` / of the existing
   * backing file, whichever is larger. At most 4 GiB.
   */
  readonly sizeBytes?: number;
  /**
   * `appdirect` (default): persistent memory — persisted data survives close
   * and a process crash (and power loss with `fsync`). `memory` (Optane
   * Memory Mode): volatile by design — nothing survives close or a crash.
   */
  readonly mode?: PmemMode;
  /** Latency/bandwidth model: a preset name or a custom model; default `'none'`. */
  readonly latency?: LatencyPreset | LatencyModel;
  /**
   * Interleaved DIMMs for the `optane` preset: bandwidths scale with it,
   * latencies do not; 1 … 16, default 1. Only valid with `latency: 'optane'`.
   */
  readonly dimms?: number;
  /**
   * Busy-wait for the accounted device time so that wall-clock benchmarks
   * show the modelled device's speed; default false. The time is owed as a
   * debt and spun off whenever it reaches `delayDebtNsMin` (10 µs), so the
   * cost of reading the clock does not dominate ~100 ns operations.
   */
  readonly injectDelay?: boolean;
  /**
   * fdatasync the backing file at every fence that wrote lines, so persisted
   * data survives power loss, not only a process crash; default false.
   * Needs `appdirect` mode and a `path`.
   */
  readonly fsync?: boolean;
  /**
   * Record the old values of pending words so that `crashImages()` works;
   * default false (it costs memory and time on every write). Tests only.
   */
  readonly trackCrashStates?: boolean;
}

export interface ResolvedPmemOptions {
  readonly path: string | undefined;
  readonly image: Uint8Array | undefined;
  readonly sizeBytes: number | undefined;
  readonly mode: PmemMode;
  readonly latency: LatencyModel;
  readonly injectDelay: boolean;
  readonly fsync: boolean;
  readonly trackCrashStates: boolean;
}

const knownOptions = new Set(['path', 'image', 'sizeBytes', 'mode', 'latency', 'dimms', 'injectDelay', 'fsync', 'trackCrashStates']);

/** Validates every field, reports all violations at once, resolves defaults and freezes. */
export function resolvePmemOptions(options: PmemDeviceOptions): ResolvedPmemOptions {
  const v = new OptionsViolations('pmem device options');
  if (typeof options !== 'object' || options === null) {
    v.check(false, 'options must be an object');
    v.throwIfAny();
  }
  for (const key of Object.keys(options)) v.check(knownOptions.has(key), `unknown option ${JSON.stringify(key)}`);
  // Own properties only: an inherited (or polluted prototype) field never
  // configures a device.
  const own = (key: string): unknown => (Object.hasOwn(options, key) ? (options as unknown as Record<string, unknown>)[key] : undefined);
  const path = own('path') as string | undefined;
  const image = own('image') as Uint8Array | undefined;
  const sizeBytes = own('sizeBytes') as number | undefined;
  const mode = withDefault(own('mode'), 'appdirect') as PmemMode;
  const latency = withDefault(own('latency'), 'none') as LatencyPreset | LatencyModel;
  const dimms = own('dimms') as number | undefined;
  const injectDelay = withDefault(own('injectDelay'), false) as boolean;
  const fsync = withDefault(own('fsync'), false) as boolean;
  const trackCrashStates = withDefault(own('trackCrashStates'), false) as boolean;

  v.check(path === undefined || (typeof path === 'string' && path.length > 0), 'path must be a non-empty string');
  v.check(image === undefined || image instanceof Uint8Array, 'image must be a Uint8Array');
  v.check(path === undefined || image === undefined, 'path and image are exclusive');
  v.check(
    image === undefined || !(image instanceof Uint8Array) || image.length <= pmemSizeBytesMax,
    `image must be at most ${pmemSizeBytesMax} bytes`,
  );
  v.check(
    sizeBytes === undefined || (Number.isSafeInteger(sizeBytes) && sizeBytes > 0 && sizeBytes <= pmemSizeBytesMax),
    `sizeBytes must be an integer in [1, ${pmemSizeBytesMax}]`,
  );
  v.check(mode === 'appdirect' || mode === 'memory', "mode must be 'appdirect' or 'memory'");
  v.check(typeof injectDelay === 'boolean', 'injectDelay must be a boolean');
  v.check(typeof fsync === 'boolean', 'fsync must be a boolean');
  v.check(typeof trackCrashStates === 'boolean', 'trackCrashStates must be a boolean');
  v.check(fsync !== true || mode !== 'memory', 'fsync cannot be used in memory mode, which is volatile by design');
  v.check(fsync !== true || path !== undefined, 'fsync needs a backing file (path)');

  let model: LatencyModel | undefined;
  if (typeof latency === 'string') {
    if (Object.hasOwn(latencyPresets, latency)) model = latency === 'optane' ? optaneLatency(typeof dimms === 'number' ? dimms : 1) : latencyPresets[latency];
    else v.check(false, "latency must be 'optane', 'dram', 'none' or a LatencyModel");
  } else if (typeof latency === 'object' && latency !== null) {
    let valid = true;
    for (const field of latencyModelFields) {
      const value: unknown = (latency as unknown as Record<string, unknown>)[field];
      const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0;
      v.check(ok, `latency.${field} must be a finite number >= 0`);
      valid &&= ok;
    }
    if (valid) model = Object.freeze({ ...latency });
  } else {
    v.check(false, "latency must be 'optane', 'dram', 'none' or a LatencyModel");
  }
  v.check(dimms === undefined || (Number.isSafeInteger(dimms) && dimms >= 1 && dimms <= dimmsMax), `dimms must be an integer in [1, ${dimmsMax}]`);
  v.check(dimms === undefined || latency === 'optane', "dimms applies only to latency 'optane'");
  v.throwIfAny();

  return Object.freeze({
    path,
    image,
    sizeBytes,
    mode,
    latency: model as LatencyModel,
    injectDelay,
    fsync,
    trackCrashStates,
  });
}

/** `value`, or `fallback` when it is absent (undefined; null is a value and gets validated). */
function withDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}
