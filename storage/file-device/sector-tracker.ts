/**
 * The crash model of the file device: for every 512-byte sector written
 * since its page was last persisted, the states a power failure now could
 * leave it in.
 *
 * Model. A disk writes a page as eight sectors, in no promised order, and a
 * sector being written when the power fails may be torn. So each pending
 * sector, independently, is found
 * - dropped: its contents at the last persist (old),
 * - kept: its current contents (new), or
 * - torn: a prefix of the new contents and the rest old, cut at an 8-byte
 *   boundary (8, 16, ..., 504).
 * Enumeration restricts torn sectors to one representative cut, the middle
 * (256 bytes), so a sector has at most three states, and it lists only
 * distinct ones (a torn sector equal to old or new is not repeated).
 * Sampling draws the state uniformly among the three, and for a torn sector
 * the cut uniformly among the 63 interior boundaries.
 *
 * Cost: a 512-byte copy of each sector's old contents at its first write
 * since its last persist; that is why tracking is off unless
 * `trackCrashStates` asks for it (tests).
 */
import { seededRandom, unreachable, type CrashImageOptions } from '../device/index.js';
import { checkCombinationCount, combinations } from './crash-choices.js';
import { fileSectorBytes } from './file-device-options.js';

/** The representative torn cut used by enumeration, in bytes. */
export const tornCutBytesEnumerated = fileSectorBytes / 2;
/** Interior 8-byte boundaries of a sector at which sampling may tear it. */
const tornCutsSampled = fileSectorBytes / 8 - 1;

export class SectorTracker {
  /** Old contents of every pending sector, by sector index. */
  private readonly sectors = new Map<number, Uint8Array>();

  get size(): number {
    return this.sectors.size;
  }

  /** Records a write of `[offset, offset + length)`; call before the bytes are copied into `buffer`. */
  recordWrite(buffer: Uint8Array, offset: number, length: number): void {
    const last = Math.floor((offset + length - 1) / fileSectorBytes);
    for (let sector = Math.floor(offset / fileSectorBytes); sector <= last; sector++) {
      if (this.sectors.has(sector)) continue;
      const pos = sector * fileSectorBytes;
      this.sectors.set(sector, copyOf(buffer.subarray(pos, pos + fileSectorBytes)));
    }
  }

  /** The sectors of `mask` (bit i = sector i of `page`) were persisted. */
  persisted(page: number, mask: number, sectorsPerPage: number): void {
    for (let i = 0; i < sectorsPerPage; i++) if ((mask & (1 << i)) !== 0) this.sectors.delete(page * sectorsPerPage + i);
  }

  /**
   * The crash images of `buffer[0, sizeBytes)` per `options` (validated by
   * the caller). The state is captured now; images are produced lazily, each
   * a fresh full-device copy. Throws `LIMIT` here, not while iterating.
   */
  images(buffer: Uint8Array, sizeBytes: number, options: CrashImageOptions): Iterable<Uint8Array> {
    const positions = [...this.sectors.keys()].sort((a, b) => a - b);
    const olds = positions.map((sector) => this.sectors.get(sector) as Uint8Array);
    const news = positions.map((sector) => copyOf(buffer.subarray(sector * fileSectorBytes, (sector + 1) * fileSectorBytes)));
    const base = new Uint8Array(sizeBytes);
    base.set(buffer.subarray(0, sizeBytes));
    for (let j = 0; j < positions.length; j++) base.set(olds[j] as Uint8Array, (positions[j] as number) * fileSectorBytes);

    switch (options.mode) {
      case 'enumerate': {
        // Distinct states per sector: old, then new, then the middle tear.
        const states = positions.map((_, j) => {
          const old = olds[j] as Uint8Array;
          const next = news[j] as Uint8Array;
          const out = [old];
          if (!equalBytes(next, old)) out.push(next);
          const torn = tear(old, next, tornCutBytesEnumerated);
          if (!out.some((s) => equalBytes(s, torn))) out.push(torn);
          return out;
        });
        const radices = Int32Array.from(states, (s) => s.length);
        checkCombinationCount(radices, options.limit);
        return (function* () {
          for (const digits of combinations(radices)) {
            const image = base.slice();
            for (let j = 0; j < positions.length; j++) {
              const d = digits[j] as number;
              if (d !== 0) image.set((states[j] as Uint8Array[])[d] as Uint8Array, (positions[j] as number) * fileSectorBytes);
            }
            yield image;
          }
        })();
      }
      case 'sample':
        return (function* () {
          const random = seededRandom(options.seed);
          for (let k = 0; k < options.count; k++) {
            const image = base.slice();
            for (let j = 0; j < positions.length; j++) {
              const at = (positions[j] as number) * fileSectorBytes;
              const state = random.int(0, 2);
              if (state === 1) image.set(news[j] as Uint8Array, at);
              else if (state === 2) image.set((news[j] as Uint8Array).subarray(0, 8 * random.int(1, tornCutsSampled)), at);
            }
            yield image;
          }
        })();
      default:
        return unreachable(options, 'crash image mode');
    }
  }
}

/** New contents up to `cut`, old after. */
function tear(old: Uint8Array, next: Uint8Array, cut: number): Uint8Array {
  const out = copyOf(old);
  out.set(next.subarray(0, cut), 0);
  return out;
}

/**
 * A copy as a plain Uint8Array. (`slice()` will not do: on a Buffer, or on
 * anything whose species is Buffer, it returns a view.)
 */
function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes, 0);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
