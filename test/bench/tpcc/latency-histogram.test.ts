import { describe, expect, it } from 'vitest';
import { AssertionError, seededRandom } from '../../../storage/device/index.js';
import { LatencyHistogram, latencyMsMax, latencyMsMin, relativeErrorMax } from '../../../bench/tpcc/latency-histogram.js';

describe('latency histogram', () => {
  it('reports percentiles within 1% of the exact nearest-rank values', () => {
    const seed = 99;
    const random = seededRandom(seed);
    const h = new LatencyHistogram();
    const samples: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Log-uniform from 1 µs to 100 ms, the range of transaction latencies.
      const ms = 1e-3 * Math.exp(random.float() * Math.log(1e5));
      samples.push(ms);
      h.record(ms);
    }
    samples.sort((a, b) => a - b);
    for (const p of [1, 25, 50, 90, 99, 99.9, 100]) {
      const exact = samples[Math.ceil((p / 100) * samples.length) - 1]!;
      expect(Math.abs(h.percentile(p) - exact) / exact, `p${p}, seed ${seed}`).toBeLessThanOrEqual(relativeErrorMax * 1.0001);
    }
    expect(h.count).toBe(samples.length);
    expect(h.max).toBe(samples.at(-1));
    expect(h.meanMs).toBeCloseTo(samples.reduce((a, b) => a + b, 0) / samples.length, 9);
  });

  it('is exact for a single sample and empty when nothing was recorded', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(50)).toBe(0);
    expect(h.meanMs).toBe(0);
    h.record(0.4567);
    expect(h.percentile(50)).toBe(0.4567);
    expect(h.percentile(99)).toBe(0.4567);
  });

  it('clamps samples outside its range to the exact minimum and maximum', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(latencyMsMin / 10);
    h.record(latencyMsMax);
    h.record(latencyMsMax * 3);
    // Below the resolved range a sample counts in the first bucket: [0, latencyMsMin · (1 + error)].
    expect(h.percentile(25)).toBeLessThanOrEqual(latencyMsMin * (1 + relativeErrorMax));
    expect(h.percentile(100)).toBe(latencyMsMax * 3);
    expect(h.percentile(75)).toBeGreaterThanOrEqual(latencyMsMax * (1 - relativeErrorMax));
    expect(() => h.record(-1)).toThrow(AssertionError);
    expect(() => h.percentile(0)).toThrow(AssertionError);
    expect(() => h.percentile(100.5)).toThrow(AssertionError);
  });
});
