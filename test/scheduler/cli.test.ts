import { describe, expect, it } from 'vitest';
import { MemoryWorkloadStore, formatTraceCsv, generateWorkload, policyNames, runSched, simulateStored, workloadPresets } from './helpers.js';

function harness(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const store = new MemoryWorkloadStore();
  const written: Record<string, string> = {};
  const io = {
    stdout: (t: string) => void out.push(t),
    stderr: (t: string) => void err.push(t),
    readFile: (path: string) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    writeFile: (path: string, text: string) => void (written[path] = text),
    store,
  };
  return { io, out: () => out.join(''), err: () => err.join(''), store, written };
}

describe('fairdb sched', () => {
  it('generate writes a CSV trace and can save it as a workload', async () => {
    const h = harness();
    expect(await runSched(['generate', '--jobs', '30', '--seed', '4', '--name', 'w1', '--out', 'w.csv'], h.io)).toBe(0);
    expect(h.written['w.csv']).toBe(formatTraceCsv(generateWorkload({ seed: 4, jobs: 30, tenants: 8, cluster: { machines: 16, slotsPerMachine: 8, racks: 1 } })));
    expect(h.out()).toMatch(/wrote w\.csv: 30 jobs/);
    expect(h.store.loadWorkload('w1')).toHaveLength(30);
    const apps = harness();
    expect(await runSched(['generate', '--jobs', '30', '--seed', '4', '--preset', 'themis-apps', '--out', 'a.csv'], apps.io)).toBe(0);
    expect(apps.written['a.csv']).toBe(
      formatTraceCsv(generateWorkload({ seed: 4, jobs: 30, tenants: 8, cluster: { machines: 16, slotsPerMachine: 8, racks: 1 }, ...workloadPresets['themis-apps'] })),
    );
    expect(await runSched(['generate', '--preset', 'bogus'], apps.io)).toBe(1);
    expect(apps.err()).toMatch(/Allowed choices are searches, themis-apps/);
  });

  it('import validates a trace and reports line numbers on bad ones', async () => {
    const good = 'jobid,tenant,arrival,slots,work\na,t,0,1,10\nb,u,1,2,20\n';
    const h = harness({ 'good.csv': good, 'bad.csv': 'jobid,tenant,arrival,slots,work\na,t,zero,1,10\n' });
    expect(await runSched(['import', 'good.csv', '--name', 'g'], h.io)).toBe(0);
    expect(h.out()).toMatch(/good\.csv: 2 jobs, 2 tenants, 30 slot-seconds/);
    expect(h.store.listWorkloads()).toEqual(['g']);
    expect(await runSched(['import', 'bad.csv'], h.io)).toBe(1);
    expect(h.err()).toMatch(/error: invalid trace: line 2: arrival "zero" is not a number/);
    expect(await runSched(['import', 'missing.csv'], h.io)).toBe(1);
    expect(h.err()).toMatch(/error: cannot read missing\.csv/);
  });

  it('simulate prints a summary and per-tenant table, or JSON; a stored workload stores the run', async () => {
    const h = harness({ 't.csv': 'jobid,tenant,arrival,slots,work\na,t,0,1,100\nb,u,10,1,100\n' });
    expect(await runSched(['simulate', '--trace', 't.csv', '--machines', '1', '--slots-per-machine', '1', '--policy', 'fifo'], h.io)).toBe(0);
    expect(h.out()).toMatch(/policy\s+maxRho/);
    expect(h.out()).toMatch(/tenant\s+rho\s+jctMean/);
    const json = harness({ 't.csv': 'jobid,tenant,arrival,slots,work\na,t,0,1,100\n' });
    expect(await runSched(['simulate', '--trace', 't.csv', '--json', '--machines', '1', '--slots-per-machine', '1'], json.io)).toBe(0);
    expect(JSON.parse(json.out()).jobs[0]).toMatchObject({ id: 'a', start: 0, finish: 100 });
    expect(await runSched(['import', 't.csv', '--name', 'w'], h.io)).toBe(0);
    expect(await runSched(['simulate', '--workload', 'w', '--policy', 'themis', '--param', 'f=0.5', '--machines', '1', '--slots-per-machine', '1'], h.io)).toBe(0);
    expect(h.out()).toMatch(/stored as run 1/);
    expect(h.store.loadRun(1).run).toMatchObject({ workload: 'w', policy: { name: 'themis', f: 0.5 }, seed: 1 });
  });

  it('compare prints one aligned table with every policy', async () => {
    const h = harness();
    expect(await runSched(['compare', '--jobs', '40', '--machines', '2', '--seeds', '1,2'], h.io)).toBe(0);
    const lines = h.out().trim().split('\n');
    const table = lines.slice(1);
    expect(table[0]).toMatch(/^policy\s+maxRho\s+meanRho\s+jainRho\s+meanJct\(s\)\s+p99Jct\(s\)\s+makespan\(s\)\s+util\s+misses$/);
    expect(table.slice(2).map((l) => l.split(/\s+/)[0])).toEqual([...policyNames]);
    const widths = new Set(table.slice(2).map((l) => l.length));
    expect(widths.size).toBe(1);
  });

  it('rejects bad arguments with a clear message and exit code 1', async () => {
    const cases: [string[], RegExp][] = [
      [['simulate', '--jobs', 'abc'], /option '--jobs <n>' argument 'abc' is invalid/],
      [['simulate', '--policy', 'nope'], /Allowed choices are fifo/],
      [['simulate', '--jobs', '10', '--param', 'f=2'], /f must be a number in 0\.\.1/],
      [['simulate', '--jobs', '10', '--param', 'oops'], /expected key=value/],
      [['compare', '--seeds', 'x'], /comma-separated non-negative integers/],
      [['compare', '--policies', 'fifo,bogus', '--jobs', '5'], /unknown policies bogus/],
      [['simulate', '--workload', 'nope'], /no workload named "nope"/],
      [['simulate', '--workload', 'bad name!'], /workload name must match/],
      [['generate', '--load', '0'], /expected a number/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [argv, message] of cases) {
      const h = harness();
      expect(await runSched(argv, h.io), argv.join(' ')).toBe(1);
      expect(h.err(), argv.join(' ')).toMatch(message);
    }
  });

  it('prints help for every command', async () => {
    for (const command of ['generate', 'import', 'simulate', 'compare']) {
      const h = harness();
      expect(await runSched([command, '--help'], h.io)).toBe(0);
      expect(h.out()).toMatch(new RegExp(`Usage: sched ${command}`));
    }
  });
});

describe('workload store', () => {
  it('stores workloads and runs, rejects bad names and unknown entries', () => {
    const store = new MemoryWorkloadStore();
    const jobs = generateWorkload({ seed: 1, jobs: 20 });
    store.saveWorkload('trace_1', jobs);
    expect(store.loadWorkload('trace_1')).toEqual(jobs);
    expect(() => store.saveWorkload('1bad', jobs)).toThrow(/workload name must match/);
    expect(() => store.saveWorkload('x'.repeat(65), jobs)).toThrow(/workload name/);
    store.saveWorkload('x'.repeat(64), jobs);
    expect(() => store.loadWorkload('absent')).toThrow(/no workload named/);
    const { runId, result } = simulateStored(store, { workload: 'trace_1', policy: { name: 'drf' }, cluster: { machines: 16, slotsPerMachine: 8 }, seed: 3 });
    expect(runId).toBe(1);
    const stored = store.loadRun(runId);
    expect(stored.jobs).toEqual(result.jobs);
    expect(stored.run).toMatchObject({ runId: 1, workload: 'trace_1', seed: 3, leaseSeconds: 600, tickSeconds: 0, summary: result.summary });
    expect(store.listRuns()).toHaveLength(1);
    expect(() => store.loadRun(2)).toThrow(/no simulation run 2/);
    expect(store.deleteWorkload('trace_1')).toBe(true);
    expect(store.listWorkloads()).toEqual(['x'.repeat(64)]);
  });
});
