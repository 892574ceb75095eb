/**
 * A `WorkloadStore` in SQL tables, so that stored workloads and simulation
 * runs can be queried like any other data:
 *
 * ```
 * sim_workloads (name TEXT PRIMARY KEY, jobs INTEGER)        one row per workload
 * workload_<name> (ord INTEGER PRIMARY KEY, id TEXT, tenant TEXT, arrival REAL,
 *                  slots INTEGER, min_slots INTEGER, max_slots INTEGER, work REAL,
 *                  placement_sensitivity REAL, weight REAL, priority INTEGER,
 *                  deadline REAL)                             one table per workload, jobs in order
 * sim_runs (run_id INTEGER PRIMARY KEY, workload TEXT, policy TEXT (JSON), cluster TEXT (JSON),
 *           seed INTEGER, lease_seconds REAL, tick_seconds REAL, max_rho REAL, mean_rho REAL,
 *           jain_rho REAL, mean_jct REAL, p99_jct REAL, makespan REAL, utilization REAL,
 *           deadline_misses INTEGER)
 * sim_jobs (run_id INTEGER, job_id TEXT, tenant TEXT, arrival REAL, start REAL, finish REAL,
 *           jct REAL, rho REAL, deadline_met BOOLEAN, PRIMARY KEY (run_id, job_id))
 * sim_tenants (run_id INTEGER, tenant TEXT, rho REAL, jct_mean REAL, PRIMARY KEY (run_id, tenant))
 * ```
 *
 * Times are the simulator's seconds. Absent optional fields are NULL. Each
 * save is one SQL transaction: a workload or a run is stored whole or not at
 * all. The store talks to any engine with better-sqlite3's shape
 * (`SqlRunner`); `db.sql` is one.
 */
import { FairdbError, InvalidArgumentError } from '../storage/device/index.js';
import type { ClusterSpec, JobSpec } from './model.js';
import type { JobOutcome, Summary, TenantOutcome } from './metrics.js';
import type { PolicySpec } from './policies/registry.js';
import { checkWorkloadName, type SimRunRecord, type StoredRun, type WorkloadStore } from './workload-store.js';

/** The part of a SQL engine the store uses. */
export interface SqlRunner {
  exec(sql: string): void;
  prepare(sql: string): {
    all(...params: unknown[]): Record<string, unknown>[];
    get(...params: unknown[]): Record<string, unknown> | undefined;
    run(...params: unknown[]): { changes: number; lastInsertRowid: number };
  };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

function tableOf(name: string): string {
  return `workload_${name}`;
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new FairdbError('CORRUPTION', `stored ${what} is not a number: ${String(value)}`);
  return value;
}

function optional(value: unknown, what: string): number | undefined {
  return value === null || value === undefined ? undefined : num(value, what);
}

function parseJson<T>(text: unknown, what: string): T {
  if (typeof text !== 'string') throw new FairdbError('CORRUPTION', `stored ${what} is not text`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new FairdbError('CORRUPTION', `stored ${what} is not JSON`);
  }
}

export class SqlWorkloadStore implements WorkloadStore {
  constructor(private readonly sql: SqlRunner) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS sim_workloads (name TEXT PRIMARY KEY, jobs INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sim_runs (run_id INTEGER PRIMARY KEY, workload TEXT NOT NULL, policy TEXT NOT NULL, cluster TEXT NOT NULL,
        seed INTEGER NOT NULL, lease_seconds REAL NOT NULL, tick_seconds REAL NOT NULL, max_rho REAL, mean_rho REAL, jain_rho REAL,
        mean_jct REAL, p99_jct REAL, makespan REAL, utilization REAL, deadline_misses INTEGER);
      CREATE TABLE IF NOT EXISTS sim_jobs (run_id INTEGER NOT NULL, job_id TEXT NOT NULL, tenant TEXT NOT NULL, arrival REAL, start REAL,
        finish REAL, jct REAL, rho REAL, deadline_met BOOLEAN, PRIMARY KEY (run_id, job_id));
      CREATE TABLE IF NOT EXISTS sim_tenants (run_id INTEGER NOT NULL, tenant TEXT NOT NULL, rho REAL, jct_mean REAL, PRIMARY KEY (run_id, tenant));
    `);
  }

  saveWorkload(name: string, jobs: readonly JobSpec[]): void {
    checkWorkloadName(name);
    if (!Array.isArray(jobs)) throw new InvalidArgumentError('jobs must be an array');
    const table = tableOf(name);
    this.sql.transaction(() => {
      this.sql.exec(`DROP TABLE IF EXISTS ${table}`);
      this.sql.exec(`CREATE TABLE ${table} (ord INTEGER PRIMARY KEY, id TEXT NOT NULL, tenant TEXT NOT NULL, arrival REAL NOT NULL, slots INTEGER,
        min_slots INTEGER, max_slots INTEGER, work REAL NOT NULL, placement_sensitivity REAL, weight REAL, priority INTEGER, deadline REAL)`);
      const insert = this.sql.prepare(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      jobs.forEach((j, i) => {
        insert.run(i, String(j.id), j.tenant, j.arrival, j.slots ?? null, j.minSlots ?? null, j.maxSlots ?? null, j.work, j.placementSensitivity ?? null, j.weight ?? null, j.priority ?? null, j.deadline ?? null);
      });
      this.sql.prepare('DELETE FROM sim_workloads WHERE name = ?').run(name);
      this.sql.prepare('INSERT INTO sim_workloads VALUES (?, ?)').run(name, jobs.length);
    })();
  }

  loadWorkload(name: string): readonly JobSpec[] {
    checkWorkloadName(name);
    if (this.sql.prepare('SELECT name FROM sim_workloads WHERE name = ?').get(name) === undefined) throw new FairdbError('NOT_FOUND', `no workload named ${JSON.stringify(name)}`);
    return this.sql.prepare(`SELECT * FROM ${tableOf(name)} ORDER BY ord`).all().map((r) => {
      const job: { -readonly [K in keyof JobSpec]: JobSpec[K] } = { id: String(r.id), tenant: String(r.tenant), arrival: num(r.arrival, 'arrival'), work: num(r.work, 'work') };
      const slots = optional(r.slots, 'slots');
      if (slots !== undefined) job.slots = slots;
      const minSlots = optional(r.min_slots, 'min_slots');
      if (minSlots !== undefined) job.minSlots = minSlots;
      const maxSlots = optional(r.max_slots, 'max_slots');
      if (maxSlots !== undefined) job.maxSlots = maxSlots;
      const sensitivity = optional(r.placement_sensitivity, 'placement_sensitivity');
      if (sensitivity !== undefined) job.placementSensitivity = sensitivity;
      const weight = optional(r.weight, 'weight');
      if (weight !== undefined) job.weight = weight;
      const priority = optional(r.priority, 'priority');
      if (priority !== undefined) job.priority = priority;
      const deadline = optional(r.deadline, 'deadline');
      if (deadline !== undefined) job.deadline = deadline;
      return job;
    });
  }

  listWorkloads(): readonly string[] {
    return this.sql.prepare('SELECT name FROM sim_workloads ORDER BY name').all().map((r) => String(r.name));
  }

  deleteWorkload(name: string): boolean {
    checkWorkloadName(name);
    let existed = false;
    this.sql.transaction(() => {
      existed = this.sql.prepare('DELETE FROM sim_workloads WHERE name = ?').run(name).changes > 0;
      this.sql.exec(`DROP TABLE IF EXISTS ${tableOf(name)}`);
    })();
    return existed;
  }

  saveRun(run: Omit<SimRunRecord, 'runId'>, jobs: readonly JobOutcome[], tenants: readonly TenantOutcome[]): number {
    let runId = 0;
    this.sql.transaction(() => {
      const last = this.sql.prepare('SELECT MAX(run_id) AS last FROM sim_runs').get();
      runId = (typeof last?.last === 'number' ? last.last : 0) + 1;
      const s = run.summary;
      this.sql
        .prepare('INSERT INTO sim_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(runId, run.workload, JSON.stringify(run.policy), JSON.stringify(run.cluster), run.seed, run.leaseSeconds, run.tickSeconds, s.maxRho, s.meanRho, s.jainRho, s.meanJct, s.p99Jct, s.makespan, s.utilization, s.deadlineMisses);
      const insertJob = this.sql.prepare('INSERT INTO sim_jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const j of jobs) insertJob.run(runId, j.id, j.tenant, j.arrival, j.start, j.finish, j.jct, j.rho, j.deadlineMet === undefined ? null : j.deadlineMet);
      const insertTenant = this.sql.prepare('INSERT INTO sim_tenants VALUES (?, ?, ?, ?)');
      for (const t of tenants) insertTenant.run(runId, t.tenant, t.rho, t.jctMean);
    })();
    return runId;
  }

  loadRun(runId: number): StoredRun {
    if (!Number.isSafeInteger(runId)) throw new InvalidArgumentError(`a run id is an integer, got ${String(runId)}`);
    const row = this.sql.prepare('SELECT * FROM sim_runs WHERE run_id = ?').get(runId);
    if (row === undefined) throw new FairdbError('NOT_FOUND', `no simulation run ${runId}`);
    const jobs: JobOutcome[] = this.sql.prepare('SELECT * FROM sim_jobs WHERE run_id = ?').all(runId).map((r) => {
      const base = { id: String(r.job_id), tenant: String(r.tenant), arrival: num(r.arrival, 'arrival'), start: num(r.start, 'start'), finish: num(r.finish, 'finish'), jct: num(r.jct, 'jct'), rho: num(r.rho, 'rho') };
      return r.deadline_met === null || r.deadline_met === undefined ? base : { ...base, deadlineMet: r.deadline_met === 1 || r.deadline_met === true };
    });
    const tenants: TenantOutcome[] = this.sql.prepare('SELECT * FROM sim_tenants WHERE run_id = ? ORDER BY tenant').all(runId).map((r) => ({ tenant: String(r.tenant), rho: num(r.rho, 'rho'), jctMean: num(r.jct_mean, 'jct_mean') }));
    return { run: this.runOf(row), jobs, tenants };
  }

  listRuns(): readonly SimRunRecord[] {
    return this.sql.prepare('SELECT * FROM sim_runs ORDER BY run_id').all().map((r) => this.runOf(r));
  }

  private runOf(r: Record<string, unknown>): SimRunRecord {
    const summary: Summary = {
      maxRho: num(r.max_rho, 'max_rho'),
      meanRho: num(r.mean_rho, 'mean_rho'),
      jainRho: num(r.jain_rho, 'jain_rho'),
      meanJct: num(r.mean_jct, 'mean_jct'),
      p99Jct: num(r.p99_jct, 'p99_jct'),
      makespan: num(r.makespan, 'makespan'),
      utilization: num(r.utilization, 'utilization'),
      deadlineMisses: num(r.deadline_misses, 'deadline_misses'),
    };
    return {
      runId: num(r.run_id, 'run_id'),
      workload: String(r.workload),
      policy: parseJson<PolicySpec>(r.policy, 'policy'),
      cluster: parseJson<ClusterSpec>(r.cluster, 'cluster'),
      seed: num(r.seed, 'seed'),
      leaseSeconds: num(r.lease_seconds, 'lease_seconds'),
      tickSeconds: num(r.tick_seconds, 'tick_seconds'),
      summary,
    };
  }
}
