/**
 * The crash model of the pmem device: for every 8-byte word written since it
 * was last persisted, the values a power failure now could leave in it.
 *
 * Model (PMEM without eADR; 8-byte failure atomicity). A store reaches the
 * media only through a cache-line write-back, which `flush` (clwb) requests
 * and `fence` (sfence) waits for — but a line may also be evicted, and so
 * written back, at any moment before. Hence a pending word, after a crash,
 * holds its value at its last persist or any value written to it since,
 * each word independently of the others (tearing happens only between
 * aligned words). A word written after its line was flushed but before the
 * fence is not covered by that fence: after the fence it may hold the value
 * the flush captured or any value written since.
 *
 * Bound. A word written many times between persists keeps its persisted
 * value plus the `crashValuesPerWordMax` most recently written distinct
 * values; older intermediate values are dropped, so enumeration omits the
 * images that only they would produce. The persisted value and the newest
 * values — the states recovery must handle — are always kept.
 *
 * Cost: one Map entry and a few BigInts per pending word, work on every
 * written word. That is why tracking is off unless `trackCrashStates` asks
 * for it (tests).
 */
import { seededRandom, unreachable, type CrashImageOptions } from '../device/index.js';
import { checkCombinationCount, combinations } from '../file-device/index.js';

/** Distinct written values kept per pending word, besides its persisted value. */
export const crashValuesPerWordMax = 4;

/** Offsets of a line's state in the device's `lineState` array (4 bytes per line). */
export const lineDirty = 0;
export const lineRewritten = 1;
export const lineCounted = 2;
export const lineFlushed = 3;

class WordHistory {
  /** Distinct values written since the last persist, oldest first. */
  values: bigint[] = [];
  /** Written after its line was flushed and before the fence. */
  rewritten = false;
  /** The value the flush captured (valid while `rewritten`). */
  flushValue = 0n;
  /** How many of the newest `values` were written after the flush. */
  postCount = 0;

  constructor(
    /** The value at the last persist. */
    public old: bigint,
  ) {}

  add(value: bigint): void {
    const values = this.values;
    const at = values.indexOf(value);
    if (at >= 0) {
      if (at >= values.length - this.postCount) this.postCount--;
      values.splice(at, 1);
    }
    values.push(value);
    if (this.rewritten) this.postCount++;
    if (values.length > crashValuesPerWordMax) {
      values.shift();
      if (this.postCount > values.length) this.postCount = values.length;
    }
  }

  /** Distinct candidate values, the persisted one first. */
  candidates(): bigint[] {
    const out = [this.old];
    for (const v of this.values) if (!out.includes(v)) out.push(v);
    return out;
  }
}

export class CrashTracker {
  private readonly words = new Map<number, WordHistory>();
  private readonly scratch = Buffer.alloc(8);

  /** Number of pending words. */
  get size(): number {
    return this.words.size;
  }

  /**
   * Records a write of `bytes` at `offset`. Call before the bytes are copied
   * into `buffer` and before `lineState` is updated for the write.
   */
  recordWrite(buffer: Buffer, offset: number, bytes: Uint8Array, lineState: Uint8Array): void {
    const end = offset + bytes.length;
    const scratch = this.scratch;
    for (let word = Math.floor(offset / 8); word * 8 < end; word++) {
      const pos = word * 8;
      const old = buffer.readBigUInt64LE(pos);
      buffer.copy(scratch, 0, pos, pos + 8);
      const from = Math.max(pos, offset);
      const to = Math.min(pos + 8, end);
      scratch.set(bytes.subarray(from - offset, to - offset), from - pos);
      const value = scratch.readBigUInt64LE(0);
      let history = this.words.get(word);
      if (history === undefined) {
        history = new WordHistory(old);
        this.words.set(word, history);
      }
      const state = Math.floor(word / 8) * 4;
      const bit = 1 << (word & 7);
      if (lineState[state + lineFlushed] !== 0 && ((lineState[state + lineRewritten] as number) & bit) === 0) {
        // First write since the line was flushed: the flush captured `old`.
        history.rewritten = true;
        history.flushValue = old;
        history.postCount = 0;
      }
      history.add(value);
    }
  }

  /** A flushed line is flushed again: the new flush captures its rewritten words too. */
  reflushLine(line: number, rewrittenMask: number): void {
    for (let i = 0; i < 8; i++) {
      if ((rewrittenMask & (1 << i)) === 0) continue;
      const history = this.words.get(line * 8 + i);
      if (history === undefined) continue;
      history.rewritten = false;
      history.postCount = 0;
    }
  }

  /**
   * The fence persisted `line`: words of `persistedMask` are durable; words
   * of `rewrittenMask` now hold the flushed value or a later one.
   */
  fenceLine(line: number, persistedMask: number, rewrittenMask: number): void {
    for (let i = 0; i < 8; i++) {
      const bit = 1 << i;
      if ((persistedMask & bit) !== 0) {
        this.words.delete(line * 8 + i);
      } else if ((rewrittenMask & bit) !== 0) {
        const history = this.words.get(line * 8 + i);
        if (history === undefined) continue;
        history.old = history.flushValue;
        history.values = history.values.slice(history.values.length - history.postCount);
        history.rewritten = false;
        history.postCount = 0;
      }
    }
  }

  /**
   * The crash images of `buffer[0, sizeBytes)` per `options` (validated by
   * the caller). The state is captured now; the images are produced lazily,
   * each a fresh full-device copy. Throws `LIMIT` here, not while iterating.
   */
  images(buffer: Buffer, sizeBytes: number, options: CrashImageOptions): Iterable<Uint8Array> {
    const positions = [...this.words.keys()].sort((a, b) => a - b);
    const candidates = positions.map((word) => (this.words.get(word) as WordHistory).candidates());
    const radices = Int32Array.from(candidates, (c) => c.length);
    if (options.mode === 'enumerate') checkCombinationCount(radices, options.limit);
    // The persisted state: the current contents with every pending word
    // set back to its value at its last persist.
    const base = new Uint8Array(sizeBytes);
    base.set(buffer.subarray(0, sizeBytes));
    const baseView = new DataView(base.buffer);
    for (let j = 0; j < positions.length; j++) baseView.setBigUint64((positions[j] as number) * 8, (candidates[j] as bigint[])[0] as bigint, true);

    const build = (digits: ArrayLike<number>): Uint8Array => {
      const image = base.slice();
      const view = new DataView(image.buffer);
      for (let j = 0; j < positions.length; j++) {
        const d = digits[j] as number;
        if (d !== 0) view.setBigUint64((positions[j] as number) * 8, (candidates[j] as bigint[])[d] as bigint, true);
      }
      return image;
    };
    switch (options.mode) {
      case 'enumerate':
        return (function* () {
          for (const digits of combinations(radices)) yield build(digits);
        })();
      case 'sample':
        return (function* () {
          const random = seededRandom(options.seed);
          const digits = new Int32Array(positions.length);
          for (let k = 0; k < options.count; k++) {
            for (let j = 0; j < radices.length; j++) {
              const n = radices[j] as number;
              digits[j] = n > 1 ? random.int(0, n - 1) : 0;
            }
            yield build(digits);
          }
        })();
      default:
        return unreachable(options, 'crash image mode');
    }
  }
}
