/**
 * The scheduler's data model: jobs, the cluster they run on, and the slots a
 * job is allocated. Everything here is plain data, shared by the policies,
 * the mechanism, the simulator and (later) the live job system.
 *
 * Units: every time is in seconds (of simulated time in the simulator),
 * `work` is in slot-seconds at perfect placement (a job of work 400 on 4
 * slots of one machine runs 100 s), and `deadline` is absolute.
 *
 * A slot is identified by a dense integer: `machine * slotsPerMachine +
 * index`. Machines are grouped into racks in contiguous blocks: machine `m`
 * is in rack `floor(m / machinesPerRack)` with `machinesPerRack =
 * ceil(machines / racks)`.
 */
import { InvalidArgumentError, OptionsViolations } from '../storage/device/index.js';

/** A job's identity, unique within a workload or a job table. */
export type JobId = string & { readonly __brand: 'JobId' };
/** A tenant (an "app" in Themis terms): the unit of fairness. */
export type TenantId = string & { readonly __brand: 'TenantId' };
/** A slot: `machine * slotsPerMachine + index`. */
export type SlotId = number & { readonly __brand: 'SlotId' };

/** Most machines in a cluster. */
export const machinesMax = 100_000;
/** Most slots on one machine. */
export const slotsPerMachineMax = 1024;
/** Most slots in a cluster. */
export const clusterSlotsMax = 1 << 20;
/** Longest job or tenant id, in UTF-16 code units. */
export const idLengthMax = 256;
/** Largest time (arrival, deadline) accepted, in seconds (about 31,700 years). */
export const timeSecondsMax = 1e12;
/** Largest job work accepted, in slot-seconds. */
export const workSlotSecondsMax = 1e15;
/** Largest placement sensitivity (slowdown factor) accepted. */
export const placementSensitivityMax = 100;
/** Largest tenant weight accepted (the smallest is any positive number). */
export const weightMax = 1e6;
/** Largest priority magnitude accepted. */
export const priorityAbsMax = 1e9;
/** Most jobs in one workload or simulation. */
export const jobsMax = 2_000_000;
/** Most violations listed in one error message; the rest are counted. */
export const violationsListedMax = 20;

/** A job as a caller describes it (simulator input, CSV row, submission). */
export interface JobSpec {
  /** Unique id (a number is taken as its decimal string). */
  readonly id: string | number;
  /** The tenant the job belongs to. */
  readonly tenant: string;
  /** Arrival time, in seconds (≥ 0). */
  readonly arrival: number;
  /** Rigid gang size: the job runs on exactly this many slots. Give either `slots` or `minSlots` and `maxSlots`. */
  readonly slots?: number;
  /** Elastic jobs: the fewest slots the job can run on. */
  readonly minSlots?: number;
  /** Elastic jobs: the most slots the job can use. */
  readonly maxSlots?: number;
  /** Work in slot-seconds at perfect placement (> 0). */
  readonly work: number;
  /** Slowdown factor when the job's slots span machines (≥ 1; default 1: insensitive). */
  readonly placementSensitivity?: number;
  /** Tenant weight for weighted fairness (> 0; default 1). All jobs of a tenant carry the same weight. */
  readonly weight?: number;
  /** Priority: a higher value runs first under `priority` (integer; default 0). */
  readonly priority?: number;
  /** Absolute deadline, in seconds (> arrival); none by default. */
  readonly deadline?: number;
}

/** A validated job with every default resolved. */
export interface Job {
  readonly id: JobId;
  readonly tenant: TenantId;
  readonly arrival: number;
  /** Fewest slots the job runs on (the gang size of a rigid job). */
  readonly sizeMin: number;
  /** Most slots the job uses (equal to `sizeMin` for a rigid job). */
  readonly sizeMax: number;
  readonly work: number;
  readonly placementSensitivity: number;
  readonly weight: number;
  readonly priority: number;
  /** Absolute deadline in seconds, or undefined. */
  readonly deadline: number | undefined;
}

/** A cluster as a caller describes it. */
export interface ClusterSpec {
  /** Number of machines (1..machinesMax). */
  readonly machines: number;
  /** Slots (think GPUs) on each machine (1..slotsPerMachineMax). */
  readonly slotsPerMachine: number;
  /** Number of racks the machines are grouped into (1..machines; default 1). */
  readonly racks?: number;
}

/** A validated, resolved cluster. */
export interface Cluster {
  readonly machines: number;
  readonly slotsPerMachine: number;
  readonly racks: number;
  /** Machines per rack; the last rack may hold fewer. */
  readonly machinesPerRack: number;
  /** Total slots: `machines * slotsPerMachine`. */
  readonly slots: number;
}

/** A job's allocation: the concrete slots it runs on. */
export interface Allocation {
  /** The job's handle (`JobView.index`). */
  readonly job: number;
  /** Distinct free slots, `sizeMin ≤ length ≤ sizeMax`. */
  readonly slots: readonly SlotId[];
}

/** What a policy returns: new allocations for pending jobs. */
export interface Decision {
  readonly allocations: readonly Allocation[];
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Validates a cluster description; throws `INVALID_ARGUMENT` listing every violation. */
export function resolveCluster(spec: ClusterSpec): Cluster {
  const v = new OptionsViolations('cluster');
  const s = (spec ?? {}) as Partial<ClusterSpec>;
  v.check(isInteger(s.machines) && s.machines >= 1 && s.machines <= machinesMax, `machines must be an integer in 1..${machinesMax}, got ${String(s.machines)}`);
  v.check(
    isInteger(s.slotsPerMachine) && s.slotsPerMachine >= 1 && s.slotsPerMachine <= slotsPerMachineMax,
    `slotsPerMachine must be an integer in 1..${slotsPerMachineMax}, got ${String(s.slotsPerMachine)}`,
  );
  const racks = s.racks ?? 1;
  v.check(isInteger(racks) && racks >= 1 && (!isInteger(s.machines) || racks <= s.machines), `racks must be an integer in 1..machines, got ${String(s.racks)}`);
  if (isInteger(s.machines) && isInteger(s.slotsPerMachine)) {
    v.check(s.machines * s.slotsPerMachine <= clusterSlotsMax, `machines * slotsPerMachine must be at most ${clusterSlotsMax}, got ${s.machines * s.slotsPerMachine}`);
  }
  v.throwIfAny();
  const machines = s.machines as number;
  const slotsPerMachine = s.slotsPerMachine as number;
  return Object.freeze({ machines, slotsPerMachine, racks, machinesPerRack: Math.ceil(machines / racks), slots: machines * slotsPerMachine });
}

/** The machine a slot is on. */
export function machineOf(cluster: Cluster, slot: number): number {
  return Math.floor(slot / cluster.slotsPerMachine);
}

/** The rack a machine is in. */
export function rackOf(cluster: Cluster, machine: number): number {
  return Math.floor(machine / cluster.machinesPerRack);
}

/**
 * Collects violations of a list of inputs, listing the first
 * `violationsListedMax` and counting the rest, then throws one error.
 */
export class ViolationList {
  private readonly listed: string[] = [];
  private more = 0;

  constructor(private readonly what: string) {}

  add(message: string): void {
    if (this.listed.length < violationsListedMax) this.listed.push(message);
    else this.more++;
  }

  get count(): number {
    return this.listed.length + this.more;
  }

  throwIfAny(): void {
    if (this.count === 0) return;
    const tail = this.more > 0 ? `; and ${this.more} more` : '';
    throw new InvalidArgumentError(`invalid ${this.what}: ${this.listed.join('; ')}${tail}`);
  }
}

/**
 * Validates one job description against a cluster, calling `report` with
 * every violation; returns the resolved job, or undefined when it is invalid.
 */
export function resolveJob(spec: JobSpec, cluster: Cluster, report: (message: string) => void): Job | undefined {
  let problems = 0;
  const s = (spec ?? {}) as Partial<JobSpec>;
  const bad = (message: string) => {
    problems++;
    report(message);
  };
  let id = '';
  if (typeof s.id === 'number' && Number.isFinite(s.id)) id = String(s.id);
  else if (typeof s.id === 'string') id = s.id;
  else bad('id must be a string or a number');
  if (id.length === 0 && (typeof s.id === 'string')) bad('id must not be empty');
  if (id.length > idLengthMax) bad(`id is ${id.length} characters, over the limit of ${idLengthMax}`);
  if (typeof s.tenant !== 'string' || s.tenant.length === 0) bad('tenant must be a non-empty string');
  else if (s.tenant.length > idLengthMax) bad(`tenant is ${s.tenant.length} characters, over the limit of ${idLengthMax}`);
  if (!isFiniteNumber(s.arrival) || s.arrival < 0 || s.arrival > timeSecondsMax) bad(`arrival must be a number of seconds in 0..${timeSecondsMax}, got ${String(s.arrival)}`);
  let sizeMin = 0;
  let sizeMax = 0;
  if (s.slots !== undefined) {
    if (s.minSlots !== undefined || s.maxSlots !== undefined) bad('give either slots or minSlots and maxSlots, not both');
    if (!isInteger(s.slots) || s.slots < 1 || s.slots > cluster.slots) bad(`slots must be an integer in 1..${cluster.slots} (the cluster's slots), got ${String(s.slots)}`);
    else sizeMin = sizeMax = s.slots;
  } else if (s.minSlots !== undefined || s.maxSlots !== undefined) {
    const lo = s.minSlots;
    const hi = s.maxSlots;
    if (!isInteger(lo) || lo < 1 || lo > cluster.slots) bad(`minSlots must be an integer in 1..${cluster.slots}, got ${String(lo)}`);
    else if (!isInteger(hi) || hi < lo || hi > cluster.slots) bad(`maxSlots must be an integer in minSlots..${cluster.slots}, got ${String(hi)}`);
    else {
      sizeMin = lo;
      sizeMax = hi;
    }
  } else bad('slots (or minSlots and maxSlots) is required');
  if (!isFiniteNumber(s.work) || s.work <= 0 || s.work > workSlotSecondsMax) bad(`work must be a number of slot-seconds in (0, ${workSlotSecondsMax}], got ${String(s.work)}`);
  const sensitivity = s.placementSensitivity ?? 1;
  if (!isFiniteNumber(sensitivity) || sensitivity < 1 || sensitivity > placementSensitivityMax) {
    bad(`placementSensitivity must be a number in 1..${placementSensitivityMax}, got ${String(s.placementSensitivity)}`);
  }
  const weight = s.weight ?? 1;
  if (!isFiniteNumber(weight) || weight <= 0 || weight > weightMax) bad(`weight must be a number in (0, ${weightMax}], got ${String(s.weight)}`);
  const priority = s.priority ?? 0;
  if (!isInteger(priority) || Math.abs(priority) > priorityAbsMax) bad(`priority must be an integer in -${priorityAbsMax}..${priorityAbsMax}, got ${String(s.priority)}`);
  if (s.deadline !== undefined) {
    if (!isFiniteNumber(s.deadline) || s.deadline > timeSecondsMax) bad(`deadline must be a number of seconds up to ${timeSecondsMax}, got ${String(s.deadline)}`);
    else if (isFiniteNumber(s.arrival) && s.deadline <= s.arrival) bad(`deadline ${s.deadline} must be after arrival ${s.arrival}`);
  }
  if (problems > 0) return undefined;
  return {
    id: id as JobId,
    tenant: s.tenant as TenantId,
    arrival: s.arrival as number,
    sizeMin,
    sizeMax,
    work: s.work as number,
    placementSensitivity: sensitivity,
    weight,
    priority,
    deadline: s.deadline,
  };
}

/**
 * Validates a whole job list for a cluster: each job, unique ids, and one
 * weight per tenant. Throws one `INVALID_ARGUMENT` (or `LIMIT` for too many
 * jobs) listing the violations; returns the resolved jobs in input order.
 */
export function resolveJobs(specs: readonly JobSpec[], cluster: Cluster): Job[] {
  if (!Array.isArray(specs)) throw new InvalidArgumentError('jobs must be an array');
  if (specs.length > jobsMax) throw new InvalidArgumentError(`jobs has ${specs.length} entries, over the limit of ${jobsMax}`);
  const violations = new ViolationList('jobs');
  const jobs: Job[] = [];
  const seen = new Map<string, number>();
  const tenantWeight = new Map<string, number>();
  for (let i = 0; i < specs.length; i++) {
    const job = resolveJob(specs[i] as JobSpec, cluster, (message) => violations.add(`jobs[${i}]: ${message}`));
    if (job === undefined) continue;
    const first = seen.get(job.id);
    if (first !== undefined) violations.add(`jobs[${i}]: id ${JSON.stringify(job.id)} repeats jobs[${first}]`);
    else seen.set(job.id, i);
    const weight = tenantWeight.get(job.tenant);
    if (weight === undefined) tenantWeight.set(job.tenant, job.weight);
    else if (weight !== job.weight) violations.add(`jobs[${i}]: weight ${job.weight} differs from tenant ${JSON.stringify(job.tenant)}'s weight ${weight}`);
    jobs.push(job);
  }
  violations.throwIfAny();
  return jobs;
}
