import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatTraceCsv,
  generateWorkload,
  jobsMax,
  parseTraceCsv,
  resolveCluster,
  resolveJobs,
  sampleTraceOptions,
  simulate,
  workloadPresets,
  traceCharsMax,
  traceLineCharsMax,
  type JobSpec,
  type TraceError,
} from './helpers.js';

const soak = process.env.FAIRDB_SOAK !== undefined;

function traceError(text: string): TraceError {
  try {
    parseTraceCsv(text);
  } catch (error) {
    return error as TraceError;
  }
  throw new Error('expected a TraceError');
}

describe('workload generator', () => {
  it('is deterministic per seed and produces valid Themis-like jobs', () => {
    const a = generateWorkload({ seed: 5, jobs: 500, tenants: 7, deadlineFraction: 0.3, elasticFraction: 0.2 });
    expect(generateWorkload({ seed: 5, jobs: 500, tenants: 7, deadlineFraction: 0.3, elasticFraction: 0.2 })).toEqual(a);
    expect(generateWorkload({ seed: 6, jobs: 500, tenants: 7 })).not.toEqual(a);
    expect(a).toHaveLength(500);
    const cluster = resolveCluster({ machines: 16, slotsPerMachine: 8 });
    expect(resolveJobs(a, cluster)).toHaveLength(500);
    for (let k = 1; k < a.length; k++) expect((a[k] as JobSpec).arrival).toBeGreaterThanOrEqual((a[k - 1] as JobSpec).arrival);
    const sizes = new Set(a.map((j) => j.slots ?? j.maxSlots));
    for (const s of sizes) expect([1, 2, 4, 8]).toContain(s);
    expect(new Set(a.map((j) => j.tenant)).size).toBeGreaterThan(1);
    const deadlines = a.filter((j) => j.deadline !== undefined).length;
    expect(deadlines).toBeGreaterThan(100);
    expect(deadlines).toBeLessThan(200);
    expect(a.some((j) => j.minSlots !== undefined)).toBe(true);
    expect(a.some((j) => (j.placementSensitivity ?? 1) >= 1.5)).toBe(true);
    expect(a.some((j) => (j.placementSensitivity ?? 1) < 1.1)).toBe(true);
    // Heavy tail: the longest job is far above the median.
    const durations = a.map((j) => j.work / (j.slots ?? (j.maxSlots as number))).sort((x, y) => x - y);
    expect((durations[durations.length - 1] as number) / (durations[250] as number)).toBeGreaterThan(20);
  });

  it('offers the requested load', () => {
    const cluster = { machines: 8, slotsPerMachine: 8 };
    const jobs = generateWorkload({ seed: 3, jobs: 3000, cluster, load: 0.5, searchSpreadSeconds: 0 });
    const work = jobs.reduce((s, j) => s + j.work, 0);
    const span = (jobs[jobs.length - 1] as JobSpec).arrival - (jobs[0] as JobSpec).arrival;
    // Work arrives over the span of search arrivals (the last search's gap excluded).
    expect(work / (span * 64)).toBeGreaterThan(0.45);
    expect(work / (span * 64)).toBeLessThan(0.65);
  });

  it('reports every bad option at once', () => {
    expect(() => generateWorkload({ jobs: 0, load: -1, slotChoices: [0], deadlineFraction: 2, sensitivityRange: [2, 1] })).toThrow(
      /jobs must be.*load must be.*slotChoices must be.*sensitivityRange must be.*deadlineFraction must be/,
    );
    expect(() => generateWorkload({ cluster: { machines: 1, slotsPerMachine: 2 }, slotChoices: [4], slotWeights: [1] })).toThrow(/fits the cluster/);
    expect(() =>
      generateWorkload({
        searchJobsDistribution: 'zipf' as never,
        searchJobsMax: 0,
        searchMedianSigma: 5,
        tenantPerSearch: 'yes' as never,
      }),
    ).toThrow(/searchJobsDistribution must be.*searchJobsMax must be.*searchMedianSigma must be.*tenantPerSearch must be/);
    expect(() => generateWorkload({ jobs: 10, searchJobsDistribution: 'pareto', searchJobsMax: jobsMax })).not.toThrow();
    expect(() => generateWorkload({ jobs: 10, searchJobsDistribution: 'pareto', searchJobsMax: jobsMax + 1 })).toThrow(/searchJobsMax must be/);
  });

  it('keeps the default workload under the searches preset', () => {
    expect(generateWorkload({ seed: 9, jobs: 300, ...workloadPresets.searches })).toEqual(generateWorkload({ seed: 9, jobs: 300 }));
  });

  it('themis-apps: one tenant per search, heavy-tailed jobs per search, caps respected', () => {
    const seed = 4;
    const jobs = generateWorkload({ seed, jobs: 4000, ...workloadPresets['themis-apps'] });
    expect(jobs).toHaveLength(4000);
    const perApp = new Map<string, number>();
    for (const j of jobs) perApp.set(j.tenant, (perApp.get(j.tenant) ?? 0) + 1);
    const counts = [...perApp.values()].sort((a, b) => a - b);
    const message = `seed ${seed}, counts ${counts.slice(-5).join(',')}`;
    // Mean about 8 jobs per app, most apps small, a few very large.
    expect(4000 / counts.length, message).toBeGreaterThan(5);
    expect(4000 / counts.length, message).toBeLessThan(12);
    expect(counts.filter((c) => c === 1).length / counts.length, message).toBeGreaterThan(0.1);
    expect(counts[counts.length >> 1] as number, message).toBeLessThanOrEqual(5);
    expect(counts[counts.length - 1] as number, message).toBeGreaterThan(80);
    expect(counts[counts.length - 1] as number, message).toBeLessThanOrEqual(500);
    // Every app is one search: its jobs share a gang size and a model, and arrive within the spread.
    const byApp = new Map<string, JobSpec[]>();
    for (const j of jobs) byApp.set(j.tenant, [...(byApp.get(j.tenant) ?? []), j]);
    for (const list of byApp.values()) {
      expect(new Set(list.map((j) => j.slots)).size, message).toBe(1);
      expect(new Set(list.map((j) => j.placementSensitivity ?? 1)).size, message).toBe(1);
      expect((list[list.length - 1] as JobSpec).arrival - (list[0] as JobSpec).arrival, message).toBeLessThanOrEqual(60);
    }
    // The cap holds even when one search would be larger than it.
    const capped = generateWorkload({ seed, jobs: 2000, tenantPerSearch: true, searchJobsDistribution: 'pareto', searchJobsMean: 200, searchJobsMax: 7 });
    const cappedCounts = new Map<string, number>();
    for (const j of capped) cappedCounts.set(j.tenant, (cappedCounts.get(j.tenant) ?? 0) + 1);
    expect(Math.max(...cappedCounts.values()), message).toBe(7);
  });
});

describe('CSV traces', () => {
  it('round-trips generated workloads, elastic jobs and odd names', () => {
    const jobs = generateWorkload({ seed: 9, jobs: 300, deadlineFraction: 0.4, elasticFraction: 0.3 });
    expect(parseTraceCsv(formatTraceCsv(jobs))).toEqual(jobs.map((j) => ({ ...j })));
    const odd: JobSpec[] = [
      { id: 'a,"b"', tenant: ' spaced ', arrival: 0.1, slots: 1, work: 1e-3, weight: 2, priority: -3 },
      { id: '__proto__', tenant: 'constructor', arrival: 1, minSlots: 2, maxSlots: 4, work: 5, weight: 1 },
    ];
    const text = formatTraceCsv(odd);
    expect(text.split('\n')[0]).toBe('jobid,tenant,arrival,slots,work,weight,priority');
    expect(parseTraceCsv(text)).toEqual([
      { id: 'a,"b"', tenant: ' spaced ', arrival: 0.1, slots: 1, work: 0.001, weight: 2, priority: -3 },
      { id: '__proto__', tenant: 'constructor', arrival: 1, minSlots: 2, maxSlots: 4, work: 5, weight: 1, priority: 0 },
    ]);
  });

  it('accepts a BOM, CRLF, blank lines, any column order and case', () => {
    const text = '\ufeffTenant,JOBID,work,slots,arrival,Deadline\r\n\r\nt,1,10,2,0,\r\nt,2,20,1..3,5,50\r\n';
    expect(parseTraceCsv(text)).toEqual([
      { id: '1', tenant: 't', arrival: 0, slots: 2, work: 10 },
      { id: '2', tenant: 't', arrival: 5, minSlots: 1, maxSlots: 3, work: 20, deadline: 50 },
    ]);
  });

  it('rejects hostile input with line numbers, listing every problem', () => {
    expect(traceError('').message).toMatch(/empty .*header line is required/);
    expect(traceError('1,t,0,1,10\n').message).toMatch(/line 1: unknown columns.*missing columns/);
    expect(traceError('jobid,tenant,arrival,slots,work,jobid\n').message).toMatch(/repeated column "jobid"/);
    const e = traceError(
      [
        'jobid,tenant,arrival,slots,work,deadline',
        'a,t,0,1,10,',
        'b,t,NaN,1,10,',
        'c,t,0,x,10,',
        'a,t,0,1,10,',
        'd,t,5,1,10,5',
        'e,t,0,1,0x10,',
        'f,"t,0,1,10,',
        'g,t"x,0,1,10,',
        'h,t,0,1',
        'i,,0,1,Infinity,',
      ].join('\n'),
    );
    expect(e.code).toBe('PARSE');
    const lines = e.problems.map((p) => p.line);
    expect(lines).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(e.message).toMatch(/line 11: work "Infinity" is not a number/);
    expect(e.message).toMatch(/line 3: arrival "NaN" is not a number/);
    expect(e.message).toMatch(/line 5: jobid "a" repeats line 2/);
    expect(e.message).toMatch(/line 6: deadline 5 must be after arrival 5/);
    expect(e.message).toMatch(/line 8: unterminated quoted field/);
    expect(e.message).toMatch(/line 10: 4 fields, the header has 6/);
  });

  it('accepts a line at the length limit and rejects one past it', () => {
    const header = 'jobid,tenant,arrival,slots,work\n';
    const fill = (n: number) => `${'x'.repeat(n - ',t,0,1,10'.length)},t,0,1,10`;
    expect(() => parseTraceCsv(header + fill(traceLineCharsMax))).toThrow(/id is \d+ characters, over the limit of 256/);
    expect(traceError(header + fill(traceLineCharsMax + 1)).message).toMatch(/line 2: line is 4097 characters, over the limit of 4096/);
  });

  it.skipIf(!soak)('enforces the text size and row limits', () => {
    expect(() => parseTraceCsv(' '.repeat(traceCharsMax + 1))).toThrow(/over the limit/);
    const rows = ['jobid,tenant,arrival,slots,work'];
    for (let k = 0; k <= jobsMax; k++) rows.push(`${k},t,0,1,1`);
    expect(() => parseTraceCsv(rows.join('\n'))).toThrow(/trace rows is 2000001, over the limit of 2000000/);
  }, 300_000);

  it('ships a sample trace that is the documented generator output and simulates', () => {
    const text = readFileSync(new URL('../../scheduler/traces/sample.csv', import.meta.url), 'utf8');
    expect(text).toBe(formatTraceCsv(generateWorkload(sampleTraceOptions)));
    const jobs = parseTraceCsv(text);
    expect(jobs).toHaveLength(200);
    const result = simulate({ cluster: sampleTraceOptions.cluster as { machines: number; slotsPerMachine: number }, policy: { name: 'themis' }, jobs, seed: 1 });
    expect(result.jobs).toHaveLength(200);
  });
});
