/**
 * A fixed-size latency histogram with logarithmic buckets: bucket i holds
 * the samples in [min·g^i, min·g^(i+1)) with g = 1 + `relativeErrorMax`, so
 * a reported percentile is within 1% of a true sample value, and memory
 * does not grow with the length of a run. Samples below `latencyMsMin` land
 * in the first bucket and above `latencyMsMax` in the last; the exact
 * minimum, maximum and mean are kept beside the buckets.
 */
import { assert } from '../../storage/device/index.js';

/** Smallest latency resolved, in ms (100 ns). */
export const latencyMsMin = 1e-4;
/** Largest latency resolved, in ms (1,000 s). */
export const latencyMsMax = 1e6;
/** Bucket width as a ratio: percentiles are within this relative error. */
export const relativeErrorMax = 0.01;

const growthLog = Math.log1p(relativeErrorMax);
const bucketCount = Math.ceil(Math.log(latencyMsMax / latencyMsMin) / growthLog) + 1;

export class LatencyHistogram {
  private readonly buckets = new Float64Array(bucketCount);
  private countTotal = 0;
  private sumMs = 0;
  private minMs = Infinity;
  private maxMs = 0;

  record(ms: number): void {
    assert(ms >= 0, 'latency is not negative');
    this.buckets[bucketOf(ms)]! += 1;
    this.countTotal++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.countTotal;
  }

  get meanMs(): number {
    return this.countTotal === 0 ? 0 : this.sumMs / this.countTotal;
  }

  get max(): number {
    return this.maxMs;
  }

  /**
   * The latency at percentile `p` (0 < p ≤ 100): the upper edge of the bucket
   * holding the sample of that rank (nearest rank), clamped to the exact min
   * and max; the exact maximum for the last rank. 0 when empty.
   */
  percentile(p: number): number {
    assert(p > 0 && p <= 100, 'percentile is in (0, 100]');
    if (this.countTotal === 0) return 0;
    const rank = Math.ceil((p / 100) * this.countTotal);
    // The largest sample is known exactly, and the last bucket has no upper edge.
    if (rank >= this.countTotal) return this.maxMs;
    let seen = 0;
    for (let i = 0; i < bucketCount - 1; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min(this.maxMs, Math.max(this.minMs, latencyMsMin * Math.exp((i + 1) * growthLog)));
    }
    return this.maxMs;
  }
}

function bucketOf(ms: number): number {
  if (ms <= latencyMsMin) return 0;
  return Math.min(bucketCount - 1, Math.floor(Math.log(ms / latencyMsMin) / growthLog));
}
