/**
 * The SQL-backed workload store and `db.scheduler.simulate`: workloads and
 * runs round-trip through tables, runs are queryable with SQL, and the
 * results equal those over the in-memory store.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { open, type Database } from '../../engine/index.js';
import { generateWorkload, MemoryWorkloadStore, sampleTraceOptions, simulateStored } from '../../scheduler/index.js';
import { SqlWorkloadStore } from '../../scheduler/sql-workload-store.js';
import { codeOf } from '../helpers.js';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function openTemp(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-simsql-'))): { db: Database; dir: string } {
  if (!dirs.includes(dir)) dirs.push(dir);
  const db = open(dir);
  dbs.push(db);
  return { db, dir };
}

describe('SQL workload store', () => {
  it('stores workloads in a table per name and reads them back as they were saved', async () => {
    const { db, dir } = openTemp();
    const jobs = generateWorkload(sampleTraceOptions);
    const store = db.scheduler.workloads;
    store.saveWorkload('sample', jobs);
    store.saveWorkload('tiny', [{ id: 7, tenant: 'a', arrival: 0, minSlots: 1, maxSlots: 4, work: 10, placementSensitivity: 1.5, weight: 2, priority: -3 }]);
    expect(store.listWorkloads()).toEqual(['sample', 'tiny']);
    expect(store.loadWorkload('tiny')).toEqual([{ id: '7', tenant: 'a', arrival: 0, minSlots: 1, maxSlots: 4, work: 10, placementSensitivity: 1.5, weight: 2, priority: -3 }]);
    const memory = new MemoryWorkloadStore();
    memory.saveWorkload('sample', jobs);
    expect(store.loadWorkload('sample')).toEqual(memory.loadWorkload('sample').map((j) => ({ ...j, id: String(j.id) })));
    expect(db.query('SELECT COUNT(*) AS n FROM workload_sample')).toEqual([{ n: jobs.length }]);
    expect(db.query("SELECT jobs FROM sim_workloads WHERE name = 'sample'")).toEqual([{ jobs: jobs.length }]);
    // Survives a restart, and replaces on save.
    await db.close();
    const again = openTemp(dir).db;
    again.scheduler.workloads.saveWorkload('tiny', []);
    expect(again.scheduler.workloads.loadWorkload('tiny')).toEqual([]);
    expect(again.scheduler.workloads.loadWorkload('sample').length).toBe(jobs.length);
    expect(again.scheduler.workloads.deleteWorkload('tiny')).toBe(true);
    expect(again.scheduler.workloads.deleteWorkload('tiny')).toBe(false);
    expect(codeOf(() => again.scheduler.workloads.loadWorkload('tiny'))).toBe('NOT_FOUND');
    expect(codeOf(() => again.scheduler.workloads.saveWorkload('bad name; DROP TABLE sim_runs', []))).toBe('INVALID_ARGUMENT');
  });

  it('simulates a stored workload and stores the run and per-job results where SQL can query them', () => {
    const { db } = openTemp();
    const jobs = generateWorkload(sampleTraceOptions);
    db.scheduler.workloads.saveWorkload('sample', jobs);
    const cluster = { machines: 8, slotsPerMachine: 8 };
    const first = db.scheduler.simulate({ workload: 'sample', policy: { name: 'themis' }, cluster, seed: 1 });
    const second = db.scheduler.simulate({ workload: 'sample', policy: { name: 'edf' }, cluster, seed: 1 });
    expect([first.runId, second.runId]).toEqual([1, 2]);
    const memory = new MemoryWorkloadStore();
    memory.saveWorkload('sample', jobs);
    const reference = simulateStored(memory, { workload: 'sample', policy: { name: 'themis' }, cluster, seed: 1 });
    expect(first.result).toEqual(reference.result);
    const stored = db.scheduler.workloads.loadRun(1);
    expect(stored.run).toMatchObject({ runId: 1, workload: 'sample', policy: { name: 'themis' }, cluster, seed: 1, leaseSeconds: 600, tickSeconds: 0, summary: first.result.summary });
    expect(stored.jobs).toEqual([...first.result.jobs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    expect(stored.tenants).toEqual([...first.result.tenants].sort((a, b) => (a.tenant < b.tenant ? -1 : 1)));
    expect(db.scheduler.workloads.listRuns().map((r) => r.runId)).toEqual([1, 2]);
    const rows = db.query("SELECT r.policy, COUNT(*) AS jobs, SUM(CASE WHEN j.deadline_met = FALSE THEN 1 ELSE 0 END) AS misses FROM sim_runs r JOIN sim_jobs j ON j.run_id = r.run_id GROUP BY r.policy ORDER BY r.policy");
    expect(rows).toEqual([
      { policy: '{"name":"edf"}', jobs: jobs.length, misses: second.result.summary.deadlineMisses },
      { policy: '{"name":"themis"}', jobs: jobs.length, misses: first.result.summary.deadlineMisses },
    ]);
    expect(db.query('SELECT max_rho FROM sim_runs WHERE run_id = 1')).toEqual([{ max_rho: first.result.summary.maxRho }]);
    expect(codeOf(() => db.scheduler.workloads.loadRun(3))).toBe('NOT_FOUND');
    expect(codeOf(() => db.scheduler.simulate({ workload: 'missing', policy: { name: 'fifo' }, cluster, seed: 1 }))).toBe('NOT_FOUND');
  });

  it('works over any engine of the SqlRunner shape', () => {
    const { db } = openTemp();
    const store = new SqlWorkloadStore(db.sql);
    store.saveWorkload('w', [{ id: 'a', tenant: 't', arrival: 1.5, slots: 2, work: 3, deadline: 9 }]);
    expect(store.loadWorkload('w')).toEqual([{ id: 'a', tenant: 't', arrival: 1.5, slots: 2, work: 3, deadline: 9 }]);
  });
});
