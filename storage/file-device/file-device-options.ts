/**
 * Options of the file (block) device: declared with their units and
 * defaults, resolved once, validated with every violation reported at once,
 * then frozen.
 */
import { OptionsViolations } from '../device/index.js';

/** Page: the unit the device writes to the host. */
export const filePageBytes = 4096;
/** Sector: the unit of the crash model (a 512-byte disk sector). */
export const fileSectorBytes = 512;
/** Default size of a new device: 1 MiB. */
export const fileDeviceSizeBytesDefault = 1 << 20;
/** Largest device: 4 GiB, the largest Node 20 `Buffer`. */
export const fileDeviceSizeBytesMax = 2 ** 32;

export interface FileDeviceOptions {
  /**
   * Backing file; default: none, the contents live only in this process's
   * memory (useful for crash tests). An existing file is loaded. Exclusive
   * with `image`.
   */
  readonly path?: string;
  /**
   * Initial contents, copied (e.g. a crash image to reopen without files);
   * default: all zeros. They count as persisted. Exclusive with `path`.
   */
  readonly image?: Uint8Array;
  /**
   * Initial size in bytes, rounded up to a multiple of 4 KiB; default 1 MiB
   * for a new device, or the size of `image` / of the existing file,
   * whichever is larger. At most 4 GiB.
   */
  readonly sizeBytes?: number;
  /**
   * fdatasync the file at every fence that wrote pages; default true. Without
   * it, persisted data survives a process crash but not power loss. Has no
   * effect without a `path`.
   */
  readonly syncOnPersist?: boolean;
  /**
   * Record the old contents of written sectors so that `crashImages()`
   * works; default false (it costs a 512-byte copy per newly written sector). Tests only.
   */
  readonly trackCrashStates?: boolean;
}

export interface ResolvedFileDeviceOptions {
  readonly path: string | undefined;
  readonly image: Uint8Array | undefined;
  readonly sizeBytes: number | undefined;
  readonly syncOnPersist: boolean;
  readonly trackCrashStates: boolean;
}

const knownOptions = new Set(['path', 'image', 'sizeBytes', 'syncOnPersist', 'trackCrashStates']);

/** Validates every field, reports all violations at once, resolves defaults and freezes. */
export function resolveFileDeviceOptions(options: FileDeviceOptions): ResolvedFileDeviceOptions {
  const v = new OptionsViolations('file device options');
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
  const syncOnPersist = withDefault(own('syncOnPersist'), true) as boolean;
  const trackCrashStates = withDefault(own('trackCrashStates'), false) as boolean;

  v.check(path === undefined || (typeof path === 'string' && path.length > 0), 'path must be a non-empty string');
  v.check(image === undefined || image instanceof Uint8Array, 'image must be a Uint8Array');
  v.check(path === undefined || image === undefined, 'path and image are exclusive');
  v.check(
    image === undefined || !(image instanceof Uint8Array) || image.length <= fileDeviceSizeBytesMax,
    `image must be at most ${fileDeviceSizeBytesMax} bytes`,
  );
  v.check(
    sizeBytes === undefined || (Number.isSafeInteger(sizeBytes) && sizeBytes > 0 && sizeBytes <= fileDeviceSizeBytesMax),
    `sizeBytes must be an integer in [1, ${fileDeviceSizeBytesMax}]`,
  );
  v.check(typeof syncOnPersist === 'boolean', 'syncOnPersist must be a boolean');
  v.check(typeof trackCrashStates === 'boolean', 'trackCrashStates must be a boolean');
  v.throwIfAny();
  return Object.freeze({ path, image, sizeBytes, syncOnPersist, trackCrashStates });
}

/** `value`, or `fallback` when it is absent (undefined; null is a value and gets validated). */
function withDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}
